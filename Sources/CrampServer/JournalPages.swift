import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird

extension Pages {
    // MARK: journal

    @Sendable func journal(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let query = request.uri.queryParameters
        let clock = try await services.clock(owner: owner)
        var filter = EpisodeFilter()
        var errors: [(String, String)] = []
        var links: [String] = []
        func keep(_ name: String, _ value: String) { links.append("\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
        if let from = query.get("from"), !from.isEmpty {
            do { filter.from = try Query.instant(from, field: "from", clock: clock, endOfDay: false); keep("from", from) } catch let p as Problem { errors.append(("from", p.detail)) }
        }
        if let to = query.get("to"), !to.isEmpty {
            do { filter.before = try Query.instant(to, field: "to", clock: clock, endOfDay: true); keep("to", to) } catch let p as Problem { errors.append(("to", p.detail)) }
        }
        if let muscle = query.get("muscle"), !muscle.isEmpty {
            if let code = Muscle.table.code(muscle) { filter.muscles = [code]; keep("muscle", muscle) } else {
                errors.append(("muscle", "\"\(muscle.prefix(40))\" is not a muscle; accepted: \(Muscle.table.accepted)"))
            }
        }
        if let minimum = query.get("minSeverity"), !minimum.isEmpty {
            do { filter.minimumSeverity = try Query.integer(minimum, field: "minSeverity", in: 0...10); keep("minSeverity", minimum) } catch let p as Problem {
                errors.append(("minSeverity", p.detail))
            }
        }
        if let after = query.get("after"), let cursor = EpisodeCursor(after) { filter.after = cursor }
        let pageSize = 25
        filter.limit = pageSize + 1
        var episodes = try await services.journal.episodes(owner: owner, filter: filter)
        let more = episodes.count > pageSize
        if more { episodes.removeLast() }
        var next: String?
        if more, let last = episodes.last {
            next = "/journal?" + (links + ["after=\(EpisodeCursor(instant: last.startedAt.instant, id: last.id))"]).joined(separator: "&")
        }
        let data: [String: Any] = [
            "errors": View.errors(errors), "from": query.get("from") ?? "", "to": query.get("to") ?? "",
            "minSeverity": query.get("minSeverity") ?? "",
            "muscles": View.choices(Muscle.allCases, chosen: [query.get("muscle") ?? ""]) { knowledge.muscleLabels[$0] ?? $0.rawValue },
            "episodes": episodes.map { episodeRow($0) }, "next": next ?? "", "filtered": !links.isEmpty,
            "caption": filter.after == nil ? "Your cramps, newest first" : "Older cramps",
            "raised": try await raisedNotices(context),
        ]
        return page("journal", title: "My journal", section: "journal", data, request: request, context: context,
                    status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func episodeRow(_ episode: Episode) -> [String: Any] {
        ["id": episode.id.description, "when": View.when(episode.startedAt),
         "muscles": episode.muscles.map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: ", "),
         "side": episode.side.map { knowledge.sideLabels[$0] ?? $0.rawValue } ?? "—", "duration": View.duration(episode.durationSeconds),
         "severity": episode.severity.map { "\($0) of 10" } ?? "—"]
    }

    func episodeDetail(_ episode: Episode) -> [String: Any] {
        var data = episodeRow(episode)
        data["onset"] = episode.onset.map { knowledge.onsetLabels[$0] ?? $0.rawValue } ?? "—"
        data["findings"] = episode.findings.isEmpty ? "—" : episode.findings.map { knowledge.findings[$0]?.label ?? $0.rawValue }.joined(separator: ", ")
        data["reliefs"] = episode.reliefs.isEmpty ? "—" : episode.reliefs.map { "\($0.technique.rawValue): \(View.outcome($0.outcome))" }.joined(separator: ", ")
        data["note"] = episode.note ?? "—"
        return data
    }

    @Sendable func newEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let now = try await services.clock(owner: owner).now()
        var form = Form([])
        form.pairs.append(("startedAt", View.dateTimeLocal(now)))
        form.pairs.append(("durationValue", "1"))
        return page("episode-form", title: "Log a cramp", section: "journal", episodeFormData(form, heading: "Log a cramp", action: "/journal/new", errors: []),
                    request: request, context: context)
    }

    @Sendable func createEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(request, context: context)
        let clock = try await services.clock(owner: owner)
        do {
            let episode = try episode(from: form, id: EntryID.random(), createdAt: clock.source.millisecondsNow(), clock: clock)
            return try await logged(try await services.app.log(episode, owner: owner), request: request, context: context)
        } catch let problem as Problem {
            return page("episode-form", title: "Log a cramp", section: "journal",
                        episodeFormData(form, heading: "Log a cramp", action: "/journal/new", errors: [(problem.field ?? "", problem.detail)]),
                        request: request, context: context, status: .unprocessableContent)
        }
    }

    @Sendable func showEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), let episode = try await services.journal.episode(id: id, owner: owner) else {
            throw Problem.notFound("That cramp")
        }
        var data = episodeDetail(episode)
        data["saved"] = request.uri.queryParameters.get("saved") != nil
        // The check the log kept, read back: a GET writes nothing.
        if request.uri.queryParameters.get("logged") != nil, let check = try await services.app.keptCheck(episode, owner: owner) {
            data["result"] = checkData(check)
        }
        return page("episode", title: "Cramp of \(View.when(episode.startedAt))", section: "journal", data, request: request, context: context)
    }

    /// After a log: the episode page with its check. When the check was kept, a redirect to the
    /// page that reads it back (so reloading sends nothing again); when it could not be kept, the
    /// check at once, with a warning: the advice never waits for the journal (H21).
    func logged(_ logged: LoggedEpisode, request: Request, context: CrampRequestContext) async throws -> Response {
        guard let check = logged.check, check.assessment.keeping.record == nil else {
            return redirect("/journal/\(logged.episode.id)?logged=1")
        }
        var data = episodeDetail(logged.episode)
        data["result"] = checkData(check)
        data["notKept"] = true
        return page("episode", title: "Cramp of \(View.when(logged.episode.startedAt))", section: "journal", data, request: request, context: context)
    }

    func checkData(_ check: EpisodeCheck) -> [String: Any] {
        let words = TriageWords.banner(check.result.triage, numbers: services.app.numbers(region: check.region))
        return [
            "triage": check.result.triage.rawValue, "bannerTitle": words.title, "bannerAction": words.action, "ageUnknown": !check.ageKnown,
            "redFlags": check.result.redFlags.map { ["title": $0.rule.title, "advice": $0.rule.advice] },
        ]
    }

    @Sendable func editEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), let episode = try await services.journal.episode(id: id, owner: owner) else {
            throw Problem.notFound("That cramp")
        }
        var form = Form([])
        for muscle in episode.muscles { form.pairs.append(("muscle", muscle.rawValue)) }
        form.pairs.append(("startedAt", View.dateTimeLocal(episode.startedAt)))
        let (value, unit) = View.durationFields(episode.durationSeconds)
        form.pairs += [("durationValue", value), ("durationUnit", unit)]
        if let severity = episode.severity { form.pairs.append(("severity", String(severity))) }
        if let side = episode.side { form.pairs.append(("side", side.rawValue)) }
        if let onset = episode.onset { form.pairs.append(("onset", onset.rawValue)) }
        for finding in episode.findings { form.pairs.append(("finding", finding.rawValue)) }
        for relief in episode.reliefs { form.pairs.append(("relief-\(relief.technique.rawValue)", relief.outcome.rawValue)) }
        if let note = episode.note { form.pairs.append(("note", note)) }
        return page("episode-form", title: "Edit a cramp", section: "journal",
                    episodeFormData(form, heading: "Edit the cramp of \(View.when(episode.startedAt))", action: "/journal/\(id)/edit", errors: []),
                    request: request, context: context)
    }

    @Sendable func updateEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), let existing = try await services.journal.episode(id: id, owner: owner) else {
            throw Problem.notFound("That cramp")
        }
        let clock = try await services.clock(owner: owner)
        do {
            let episode = try episode(from: form, id: id, createdAt: existing.createdAt, clock: clock)
            _ = try await Body.journal { try await services.app.update(episode, owner: owner) }
            return redirect("/journal/\(id)?saved=1")
        } catch let problem as Problem {
            return page("episode-form", title: "Edit a cramp", section: "journal",
                        episodeFormData(form, heading: "Edit a cramp", action: "/journal/\(id)/edit", errors: [(problem.field ?? "", problem.detail)]),
                        request: request, context: context, status: .unprocessableContent)
        }
    }

    @Sendable func deleteEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        _ = try await form(request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), try await services.journal.deleteEpisode(id: id, owner: owner) else {
            throw Problem.notFound("That cramp")
        }
        return redirect("/journal")
    }

    func episodeFormData(_ form: Form, heading: String, action: String, errors: [(String, String)]) -> [String: Any] {
        let outcomes = ReliefTried.Outcome.allCases
        return [
            "heading": heading, "action": action, "errors": View.errors(errors),
            "muscles": View.choices(Muscle.allCases, chosen: form.values("muscle")) { knowledge.muscleLabels[$0] ?? $0.rawValue },
            "startedAt": form.value("startedAt") ?? "", "durationValue": form.value("durationValue") ?? "",
            "durationUnits": View.durationUnits(form.value("durationUnit") ?? "minutes"), "severity": form.value("severity") ?? "",
            "sides": View.choices(Side.allCases, chosen: form.values("side")) { knowledge.sideLabels[$0] ?? $0.rawValue },
            "onsets": View.choices(Onset.allCases, chosen: form.values("onset")) { knowledge.onsetLabels[$0] ?? $0.rawValue },
            "findings": View.choices(knowledge.cramp.features.map(\.finding) + Finding.allCases.filter { knowledge.findings[$0]?.isRedFlag == true },
                                     chosen: form.values("finding")) { knowledge.findings[$0]?.label ?? $0.rawValue },
            "techniques": ReliefTried.Technique.allCases.map { technique -> [String: Any] in
                let chosen = form.value("relief-\(technique.rawValue)") ?? ""
                return ["code": technique.rawValue, "label": technique.rawValue.capitalized,
                        "outcomes": outcomes.map { ["value": $0.rawValue, "label": "Tried: \(View.outcome($0))", "selected": $0.rawValue == chosen] as [String: Any] }]
            },
            "note": form.value("note") ?? "",
        ]
    }

    /// An episode from the form, checked by the journal's own validation.
    func episode(from form: Form, id: EntryID, createdAt: Int64, clock: PersonClock) throws -> Episode {
        let muscles = form.values("muscle").compactMap { Muscle(rawValue: $0) }
        guard !muscles.isEmpty else { throw Problem.invalid("muscles", "please tick which muscle cramped") }
        guard let text = form.value("startedAt"), !text.isEmpty else { throw Problem.invalid("startedAt", "please give the date and time it started") }
        guard let startedAt = View.parseDateTimeLocal(text, clock: clock) else {
            throw Problem.invalid("startedAt", "\"\(text.prefix(30))\" is not a date and time; accepted: a date from year 1 to 9999 and a time, such as 2026-03-01T22:15")
        }
        let seconds = try View.durationSeconds(form.value("durationValue"), unit: form.value("durationUnit"), field: "durationSeconds")
        var severity: Int?
        if let text = form.value("severity"), !text.isEmpty {
            guard let value = Int(text) else { throw Problem.invalid("severity", "\"\(text.prefix(20))\" is not a whole number from 0 to 10") }
            severity = value
        }
        var reliefs: [ReliefTried] = []
        for technique in ReliefTried.Technique.allCases {
            if let text = form.value("relief-\(technique.rawValue)"), let outcome = ReliefTried.Outcome(rawValue: text) {
                reliefs.append(ReliefTried(technique: technique, outcome: outcome))
            }
        }
        let note = (form.value("note") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let episode = Episode(
            id: id, startedAt: startedAt, durationSeconds: seconds, muscles: Array(CodeSet(muscles)),
            side: form.value("side").flatMap { Side(rawValue: $0) }, severity: severity, onset: form.value("onset").flatMap { Onset(rawValue: $0) },
            findings: Array(CodeSet(form.values("finding").compactMap { Finding(rawValue: $0) })), reliefs: reliefs,
            note: note.isEmpty ? nil : note, createdAt: createdAt, updatedAt: createdAt)
        do throws(JournalError) {
            try episode.validate()
        } catch {
            throw Problem.invalid(error.field, error.problem)
        }
        return episode
    }

    // MARK: day and profile

    @Sendable func dayForm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let today = try await services.clock(owner: owner).today
        let date = request.uri.queryParameters.get("date").flatMap { LocalDate(iso: $0) } ?? today
        let day = try await services.journal.dayLog(date: date, owner: owner)
        var form = Form([])
        if let day {
            let json = JournalBackup.dayJSON(day)
            if case .object(let members)? = try? JSONParser.parse(json) {
                for member in members {
                    switch member.value {
                    case .number(let number, let integer): form.pairs.append((member.key, integer ? JSONWriter.format(number) : String(number)))
                    case .bool(true): form.pairs.append((member.key, "yes"))
                    default: break
                    }
                }
            }
            for food in day.mineralFoods { form.pairs.append(("mineralFood", food.rawValue)) }
            for code in day.context { form.pairs.append(("context", code.rawValue)) }
            if let intensity = day.exerciseIntensity { form.pairs.append(("exerciseIntensity", intensity.rawValue)) }
        }
        return page("day", title: "My day", section: "day", dayData(form, date: date, errors: [], saved: request.uri.queryParameters.get("saved") != nil),
                    request: request, context: context)
    }

    static let dayNumbers: [(name: String, label: String, step: String)] = [
        ("fluidsML", "Fluids (mL)", "50"), ("exerciseMinutes", "Exercise (minutes)", "1"), ("steps", "Steps", "1"),
        ("sittingHours", "Hours sitting", "0.5"), ("standingHours", "Hours standing", "0.5"), ("sleepHours", "Hours of sleep", "0.5"),
        ("alcoholUnits", "Alcohol (units)", "0.5"), ("caffeineDrinks", "Caffeine drinks", "1"),
    ]

    func dayData(_ form: Form, date: LocalDate, errors: [(String, String)], saved: Bool) -> [String: Any] {
        [
            "date": date.description, "errors": View.errors(errors), "saved": saved,
            "numbers": Self.dayNumbers.map { ["name": $0.name, "label": $0.label, "step": $0.step, "value": form.value($0.name) ?? ""] },
            "intensities": View.choices(ExerciseIntensity.allCases, chosen: form.values("exerciseIntensity")) { $0.rawValue.capitalized },
            "electrolyteDrink": form.value("electrolyteDrink") == "yes", "hotWeather": form.value("hotWeather") == "yes",
            "minerals": View.choices(MineralFood.allCases, chosen: form.values("mineralFood")) { "Foods rich in \($0.rawValue)" },
            "contexts": View.choices(ContextCode.allCases, chosen: form.values("context")) { knowledge.context[$0]?.label ?? $0.rawValue },
        ]
    }

    @Sendable func saveDay(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(request, context: context)
        guard let date = LocalDate(iso: form.value("date") ?? "") else { throw Problem.invalid("date", "the day is missing; reload the page") }
        let integers: Set<String> = ["fluidsML", "exerciseMinutes", "steps", "caffeineDrinks"]
        do {
            var members: [(key: String, value: JSONValue)] = [("date", .string(date.description))]
            for field in Self.dayNumbers {
                guard let text = form.value(field.name)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
                if integers.contains(field.name) {
                    guard let value = Int(text) else { throw Problem.invalid(field.name, "\"\(text.prefix(20))\" is not a whole number") }
                    members.append((field.name, .number(Double(value), isInteger: true)))
                } else {
                    guard let value = Double(text), value.isFinite else { throw Problem.invalid(field.name, "\"\(text.prefix(20))\" is not a number") }
                    members.append((field.name, .number(value, isInteger: false)))
                }
            }
            if let intensity = form.value("exerciseIntensity"), !intensity.isEmpty { members.append(("exerciseIntensity", .string(intensity))) }
            members.append(("electrolyteDrink", .bool(form.value("electrolyteDrink") == "yes")))
            members.append(("hotWeather", .bool(form.value("hotWeather") == "yes")))
            members.append(("mineralFoods", .array(form.values("mineralFood").map { .string($0) })))
            members.append(("context", .array(form.values("context").map { .string($0) })))
            let bytes = View.json(.object(members))
            let day = try Body.journal { () throws(JournalError) in try JournalBackup.day(fromJSON: bytes, now: services.clock.millisecondsNow()) }
            _ = try await Body.journal { try await services.app.save(day, owner: owner) }
            return redirect("/day?date=\(date)&saved=1")
        } catch let problem as Problem {
            return page("day", title: "My day", section: "day", dayData(form, date: date, errors: [(problem.field ?? "", problem.detail)], saved: false),
                        request: request, context: context, status: .unprocessableContent)
        }
    }

    @Sendable func profileForm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let profile = try await services.journal.profile(owner: owner)
        var form = Form([])
        if let profile {
            if let year = profile.birthYear { form.pairs.append(("birthYear", String(year))) }
            if let sex = profile.sex { form.pairs.append(("sex", sex.rawValue)) }
            form.pairs += profile.conditions.map { ("condition", $0.rawValue) } + profile.medications.map { ("medication", $0.rawValue) }
            if let zone = profile.timeZone { form.pairs.append(("timeZone", zone)) }
            if let region = profile.region { form.pairs.append(("region", region)) }
            form.pairs.append(("reminderTimes", profile.reminderTimes.map(\.description).joined(separator: ", ")))
        }
        return page("profile", title: "My profile", section: "profile", profileData(form, errors: [], saved: request.uri.queryParameters.get("saved") != nil),
                    request: request, context: context)
    }

    func profileData(_ form: Form, errors: [(String, String)], saved: Bool) -> [String: Any] {
        [
            "errors": View.errors(errors), "saved": saved, "birthYear": form.value("birthYear") ?? "",
            "thisYear": services.app.defaultClock.today.year,
            "sexes": View.choices(Sex.allCases, chosen: form.values("sex")) { knowledge.sexLabels[$0] ?? $0.rawValue },
            "conditions": View.choices(Condition.allCases, chosen: form.values("condition")) { knowledge.conditions[$0]?.label ?? $0.rawValue },
            "medications": View.choices(Medication.allCases, chosen: form.values("medication")) { knowledge.medications[$0]?.label ?? $0.rawValue },
            "timeZone": form.value("timeZone") ?? "", "region": form.value("region") ?? "", "reminderTimes": form.value("reminderTimes") ?? "",
        ]
    }

    @Sendable func saveProfile(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(request, context: context)
        do {
            var members: [(key: String, value: JSONValue)] = []
            if let text = form.value("birthYear")?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                guard let year = Int(text) else { throw Problem.invalid("birthYear", "\"\(text.prefix(20))\" is not a year such as 1956") }
                members.append(("birthYear", .number(Double(year), isInteger: true)))
            }
            if let sex = form.value("sex"), !sex.isEmpty { members.append(("sex", .string(sex))) }
            members.append(("conditions", .array(form.values("condition").map { .string($0) })))
            members.append(("medications", .array(form.values("medication").map { .string($0) })))
            if let zone = form.value("timeZone")?.trimmingCharacters(in: .whitespaces), !zone.isEmpty {
                guard PersonClock.zone(named: zone) != nil else {
                    throw Problem.invalid("timeZone", "\"\(zone.prefix(64))\" is not a time zone; accepted: names such as Europe/London or America/New_York")
                }
                members.append(("timeZone", .string(zone)))
            }
            if let region = form.value("region")?.trimmingCharacters(in: .whitespaces), !region.isEmpty { members.append(("region", .string(region.uppercased()))) }
            let times = (form.value("reminderTimes") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            members.append(("reminderTimes", .array(times.map { .string($0) })))
            let bytes = View.json(.object(members))
            let now = services.app.defaultClock.now()
            let profile = try Body.journal { () throws(JournalError) in
                try JournalBackup.profile(fromJSON: bytes, currentYear: now.localDate.year, now: now.instant)
            }
            _ = try await Body.journal { try await services.app.save(profile, owner: owner) }
            return redirect("/profile?saved=1")
        } catch let problem as Problem {
            return page("profile", title: "My profile", section: "profile", profileData(form, errors: [(problem.field ?? "", problem.detail)], saved: false),
                        request: request, context: context, status: .unprocessableContent)
        }
    }

    // MARK: learning

    @Sendable func learn(_ request: Request, context: CrampRequestContext) async throws -> Response {
        page("learn", title: "Learn", section: "learn",
             ["topics": knowledge.allTopics().map { ["id": $0.id, "title": $0.title, "summary": $0.summary] }, "query": ""],
             request: request, context: context)
    }

    @Sendable func topic(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let id = context.parameters.get("topic") ?? ""
        guard let topic = knowledge.allTopics().first(where: { $0.id == id }) else { throw Problem.notFound("The topic \"\(id.prefix(40))\"") }
        let sections = topic.sections.map { section -> [String: Any] in
            let sources = section.sources.compactMap { knowledge.sources[$0] }
            return ["heading": section.heading, "paragraphs": section.paragraphs, "listTitle": section.listTitle ?? "", "list": section.list,
                    "sources": sources.enumerated().map { ["publisher": $0.element.publisher, "url": $0.element.url, "last": $0.offset == sources.count - 1] }]
        }
        return page("topic", title: topic.title, section: "learn", ["title": topic.title, "summary": topic.summary, "sections": sections],
                    request: request, context: context)
    }

    @Sendable func search(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let query = String((request.uri.queryParameters.get("q") ?? "").prefix(200))
        let hits = query.isEmpty ? [] : knowledge.search(query, limit: 8)
        return page("search", title: "Search", section: "learn",
                    ["query": query, "hits": hits.map { ["topicID": $0.topicID, "heading": $0.heading, "text": $0.text] }], request: request, context: context)
    }

    // MARK: data: export and erase

    @Sendable func dataPage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        _ = try owner(request, context: context)
        return page("data", title: "My data", section: "data", ["errors": []], request: request, context: context)
    }

    @Sendable func export(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let query = request.uri.queryParameters
        return try await Exports.response(query, owner: owner, app: services.app)
    }

    @Sendable func erase(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(request, context: context)
        guard form.value("confirm")?.trimmingCharacters(in: .whitespaces) == "ERASE" else {
            return page("data", title: "My data", section: "data", ["errors": View.errors([("confirm", "Type ERASE in capitals to confirm")])],
                        request: request, context: context, status: .unprocessableContent)
        }
        if configuration.hosted {
            do {
                try await accounts.confirmPassword(owner: owner, password: form.value("password") ?? "", request: request, context: context)
            } catch let problem as Problem {
                return page("data", title: "My data", section: "data", ["errors": View.errors([("password", problem.detail)])],
                            request: request, context: context, status: .unprocessableContent)
            }
            _ = try await services.accounts.deleteAccount(owner: owner)
            var response = page("message", title: "Erased", section: "data",
                                ["heading": "Everything is erased", "text": "Your account and every record in it are deleted.",
                                 "link": ["href": "/", "label": "Home"]], request: request, context: CrampRequestContext.signedOut(context))
            response.setCookie(accounts.expiredSessionCookie())
            return response
        }
        let erased = try await services.app.erase(owner: owner)
        return page("data", title: "My data", section: "data",
                    ["errors": [], "erased": ["episodes": erased.episodes, "days": erased.dayLogs, "assessments": erased.assessments,
                                              "profile": erased.profiles > 0] as [String: Any]],
                    request: request, context: context)
    }
}

extension CrampRequestContext {
    /// The same request seen as signed out (after an account is deleted).
    static func signedOut(_ context: CrampRequestContext) -> CrampRequestContext {
        var copy = context
        copy.owner = nil
        copy.credential = .none
        return copy
    }
}
