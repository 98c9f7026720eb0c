import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The journal's cramps: the list with its filters, logging one (checked at once), one cramp, editing and deleting.
struct EpisodePages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("journal", use: journal)
        routes.get("journal/:id", use: showEpisode)
        routes.get("journal/checks/:id", use: showCheck)
        routes.get("journal/:id/edit", use: editEpisode)
        routes.post("journal/:id/edit", use: updateEpisode)
        routes.post("journal/:id/delete", use: deleteEpisode)
        routes.post("journal/restore", use: restoreEpisode)
        return routes
    }

    @Sendable func journal(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let clock = try await services.clock(owner: owner)
        let (form, parsed, errors) = try CrampFilterForm.read(
            request.uri.queryParameters, clock: clock, action: "/journal", title: "Filter the journal", knowledge: knowledge)
        var filter = parsed
        let pageSize = 25
        filter.limit = pageSize + 1
        let (episodes, next) = form.page(try await services.journal.episodes(owner: owner, filter: filter), size: pageSize)
        let carers = episodes.contains { $0.loggedBy != nil } ? try await carerNames(owner: owner) : [:]
        let checks = !form.filtered && filter.after == nil ? try await services.app.keptChecks(owner: owner, limit: 10) : []
        let model = JournalPage(
            errors: View.errors(errors), filter: form, episodes: episodes.map { episodeRow($0, carers: carers) },
            carerLogs: try await carerLogNotices(owner: owner),
            caption: filter.after == nil ? "Your cramps, newest first" : "Older cramps",
            checks: checks.map(checkRow), checkCount: checks.count,
            recentUrgent: checks.contains { $0.triage >= .urgent && $0.record.madeAt.instant > clock.now().instant - 14 * 86_400_000 },
            raised: try await raisedNotices(context), next: next)
        return page(
            "journal", title: "My journal", section: "journal", model: model, request: request, context: context,
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func showEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), let episode = try await services.journal.episode(id: id, owner: owner) else {
            throw Problem.notFound("That cramp")
        }
        // The check the log kept, read back: a GET writes nothing.
        var check: EpisodeCheck?
        if request.uri.queryParameters.get("logged") != nil { check = try await services.app.keptCheck(episode, owner: owner) }
        let model = EpisodePage(
            episode: episodeFacts(episode), notice: notice(request), result: check.flatMap { shown(episode, $0) },
            notKept: false, unanswered: episode.safetyQuestions == .notAnswered,
            loggedBy: try await loggedBy(episode, diary: DiaryInView(owner: owner)))
        return page(
            "episode", title: "Cramp of \(View.when(episode.startedAt))", section: "journal", model: model, request: request, context: context)
    }

    /// The notice after a redirect here: saved, or put back after a delete.
    func notice(_ request: Request) -> String? {
        let query = request.uri.queryParameters
        if query.get("saved") != nil { return "Saved." }
        if query.get("restored") != nil { return "The cramp is back in your journal." }
        return nil
    }

    @Sendable func editEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), let episode = try await services.journal.episode(id: id, owner: owner) else {
            throw Problem.notFound("That cramp")
        }
        let form = EpisodeForm(episode)
        return page(
            "episode-form", title: "Edit a cramp", section: "journal",
            model: episodeFormData(form, heading: "Edit the cramp of \(View.when(episode.startedAt))", action: "/journal/\(id)/edit", errors: []),
            request: request, context: context)
    }

    @Sendable func updateEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(EpisodeForm.self, request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), let existing = try await services.journal.episode(id: id, owner: owner) else {
            throw Problem.notFound("That cramp")
        }
        let clock = try await services.clock(owner: owner)
        do {
            var episode = try episode(from: form, id: id, createdAt: existing.createdAt, clock: clock)
            // The form asks no red-flag question: the answers given on their own page stay, as
            // does a duration range the form's time still matches.
            episode.findings = Array(CodeSet(episode.findings + existing.findings.filter { knowledge.redFlagFindings.contains($0) }))
            episode.safetyQuestions = existing.safetyQuestions
            if episode.durationSeconds == existing.durationSeconds { episode.durationRange = existing.durationRange }
            _ = try await Body.saving { try await services.app.update(episode, owner: owner) }
            return redirect("/journal/\(id)?saved=1")
        } catch let problem as Problem {
            return page(
                "episode-form", title: "Edit a cramp", section: "journal",
                model: episodeFormData(form, heading: "Edit a cramp", action: "/journal/\(id)/edit", errors: [(problem.field ?? "", problem.detail)]),
                request: request, context: context, status: .unprocessableContent)
        }
    }

    /// Deletes at once, and offers an undo: the page carries the cramp as it was (the person's
    /// own data, on a page that is never stored), and undoing adds it back with its id.
    @Sendable func deleteEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        _ = try await form(PlainForm.self, request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), let episode = try await services.journal.episode(id: id, owner: owner),
            try await services.journal.deleteEpisode(id: id, owner: owner)
        else {
            throw Problem.notFound("That cramp")
        }
        let model = DeletedPage(when: View.when(episode.startedAt), episode: String(decoding: JournalBackup.episodeJSON(episode), as: UTF8.self))
        return page("deleted", title: "Cramp deleted", section: "journal", model: model, request: request, context: context)
    }

    @Sendable func restoreEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(RestoreForm.self, request, context: context)
        let now = services.clock.millisecondsNow()
        let episode = try Body.journal { () throws(JournalError) in try JournalBackup.episode(fromJSON: Array((form.episode ?? "").utf8), now: now) }
        _ = try await Body.saving { try await services.app.putBack(episode, owner: owner) }
        return redirect("/journal/\(episode.id)?restored=1")
    }

    func episodeFormData(_ form: EpisodeForm, heading: String, action: String, errors: [(String, String)]) -> EpisodeFormPage {
        EpisodeFormPage(
            heading: heading, action: action, errors: View.errors(errors),
            muscles: View.choices(Muscle.menuOrder, chosen: form.muscle ?? []) { knowledge.muscleLabels[$0] ?? $0.rawValue },
            startedAt: form.startedAt ?? "", durationValue: form.durationValue ?? "",
            durationUnits: View.durationUnits(form.durationUnit ?? "minutes"),
            details: EpisodeDetail.all.map { detail in
                EpisodeFormPage.Detail(
                    key: detail.field.jsonKey, question: detail.question, min: detail.range.lowerBound, max: detail.range.upperBound,
                    value: form.details[detail] ?? "")
            },
            sides: View.choices(Side.allCases, chosen: form.side.map { [$0] } ?? []) { knowledge.sideLabels[$0] ?? $0.rawValue },
            onsets: View.choices(Onset.allCases, chosen: form.onset.map { [$0] } ?? []) { knowledge.onsetLabels[$0] ?? $0.rawValue },
            // The cramp's own features only: the red-flag questions have their page.
            findings: View.choices(knowledge.cramp.features.map(\.finding), chosen: form.finding ?? []) {
                knowledge.findings[$0]?.label ?? $0.rawValue
            },
            techniques: ReliefTried.Technique.allCases.map { technique in
                let chosen = form.relief?[technique.rawValue] ?? ""
                return EpisodeFormPage.Technique(
                    code: technique.rawValue, label: technique.label,
                    outcomes: ReliefTried.Outcome.allCases.map {
                        Option(value: $0.rawValue, label: "Tried: \(View.outcome($0))", selected: $0.rawValue == chosen)
                    })
            },
            note: form.note ?? "")
    }

    /// An episode from the form, checked by the journal's own validation.
    func episode(from form: EpisodeForm, id: EntryID, createdAt: Int64, clock: PersonClock) throws -> Episode {
        let muscles = (form.muscle ?? []).compactMap { Muscle(rawValue: $0) }
        guard !muscles.isEmpty else { throw Problem.invalid("muscles", "please tick which muscle cramped") }
        guard let text = form.startedAt, !text.isEmpty else { throw Problem.invalid("startedAt", "please give the date and time it started") }
        guard let startedAt = View.parseDateTimeLocal(text, clock: clock) else {
            throw Problem.invalid(
                "startedAt",
                "\"\(text.prefix(30))\" is not a date and time; accepted: a date from year 1 to 9999 and a time, such as 2026-03-01T22:15")
        }
        let seconds = try View.durationSeconds(form.durationValue, unit: form.durationUnit, field: "durationSeconds")
        var reliefs: [ReliefTried] = []
        for technique in ReliefTried.Technique.allCases {
            if let text = form.relief?[technique.rawValue], let outcome = ReliefTried.Outcome(rawValue: text) {
                reliefs.append(ReliefTried(technique: technique, outcome: outcome))
            }
        }
        let note = (form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var episode = Episode(
            id: id, startedAt: startedAt, durationSeconds: seconds, muscles: Array(CodeSet(muscles)),
            side: form.side.flatMap { Side(rawValue: $0) }, onset: form.onset.flatMap { Onset(rawValue: $0) },
            findings: Array(CodeSet((form.finding ?? []).compactMap { Finding(rawValue: $0) })), reliefs: reliefs,
            note: note.isEmpty ? nil : note, createdAt: createdAt, updatedAt: createdAt)
        for detail in EpisodeDetail.all {
            guard let text = form.details[detail]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
            guard let value = Int(text) else {
                let range = detail.range
                throw Problem.invalid(
                    detail.field.jsonKey, "\"\(text.prefix(20))\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            detail.set(value, in: &episode)
        }
        do throws(JournalError) {
            try episode.validate()
        } catch {
            throw Problem.invalid(error.field, error.problem)
        }
        return episode
    }
}

/// Undo after a delete: the cramp as it was, in the backup's JSON.
struct RestoreForm: SubmittedForm {
    var csrf: String?
    var episode: String?
}

/// After a delete: what was deleted, and the undo.
struct DeletedPage: Sendable {
    let when: String
    let episode: String
}

/// The cramp form, as its fields are named in `episode-form.mustache`: lists as `name[]`, the
/// reliefs as `relief[technique]`, each detail by its JSON key.
struct EpisodeForm: SubmittedForm {
    var csrf: String?
    var muscle: [String]?
    var startedAt: String?
    var durationValue: String?
    var durationUnit: String?
    var details: [EpisodeDetail: String] = [:]
    var side: String?
    var onset: String?
    var finding: [String]?
    var relief: [String: String]?
    var note: String?

    private enum Key: String, CodingKey { case csrf, muscle, startedAt, durationValue, durationUnit, side, onset, finding, relief, note }

    /// A detail's field is named by the list, not by a property, so its key is read by name.
    private struct DetailKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: Key.self)
        csrf = try form.decodeIfPresent(String.self, forKey: .csrf)
        muscle = try form.decodeIfPresent([String].self, forKey: .muscle)
        startedAt = try form.decodeIfPresent(String.self, forKey: .startedAt)
        durationValue = try form.decodeIfPresent(String.self, forKey: .durationValue)
        durationUnit = try form.decodeIfPresent(String.self, forKey: .durationUnit)
        side = try form.decodeIfPresent(String.self, forKey: .side)
        onset = try form.decodeIfPresent(String.self, forKey: .onset)
        finding = try form.decodeIfPresent([String].self, forKey: .finding)
        relief = try form.decodeIfPresent([String: String].self, forKey: .relief)
        note = try form.decodeIfPresent(String.self, forKey: .note)
        let named = try decoder.container(keyedBy: DetailKey.self)
        for detail in EpisodeDetail.all {
            details[detail] = try named.decodeIfPresent(String.self, forKey: DetailKey(stringValue: detail.field.jsonKey))
        }
    }

    init(startedAt: String? = nil, durationValue: String? = nil) {
        self.startedAt = startedAt
        self.durationValue = durationValue
    }

    /// The form filled in from a saved episode, for editing.
    init(_ episode: Episode) {
        muscle = episode.muscles.map(\.rawValue)
        startedAt = View.dateTimeLocal(episode.startedAt)
        (durationValue, durationUnit) = View.durationFields(episode.durationSeconds)
        for detail in EpisodeDetail.all { details[detail] = detail.value(in: episode).map(String.init) }
        side = episode.side?.rawValue
        onset = episode.onset?.rawValue
        finding = episode.findings.map(\.rawValue)
        relief = Dictionary(episode.reliefs.map { ($0.technique.rawValue, $0.outcome.rawValue) }, uniquingKeysWith: { first, _ in first })
        note = episode.note
    }
}

/// The episode pages the relief session shares: one cramp's facts, and the page after a log.
extension PageController {
    func checkRow(_ check: KeptCheck) -> JournalPage.CheckRow {
        JournalPage.CheckRow(
            id: check.id.description, when: View.when(check.record.madeAt), triage: check.triage.rawValue, said: TriageWords.past(check.triage),
            redFlags: check.redFlags.isEmpty ? nil : check.redFlags.map(\.title).joined(separator: "; "))
    }

    /// A kept check: what it said then, and a way to check again now.
    @Sendable func showCheck(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        guard let id = EntryID(context.parameters.get("id") ?? ""), let check = try await services.app.keptCheck(id: id, owner: owner) else {
            throw Problem.notFound("check")
        }
        let model = CheckPage(
            when: View.when(check.record.madeAt), triage: check.triage.rawValue, said: TriageWords.past(check.triage),
            redFlags: check.redFlags.map { EpisodePage.RedFlag(title: $0.title, advice: $0.advice) },
            episode: check.record.episodeID?.description)
        return page("check", title: "A check you kept", section: "journal", model: model, request: request, context: context)
    }

    func episodeRow(_ episode: Episode, carers: [OwnerID: String] = [:]) -> JournalPage.Row {
        JournalPage.Row(
            loggedBy: episode.loggedBy.map { "logged by \(carers[$0] ?? "a carer")" },
            id: episode.id.description, when: View.when(episode.startedAt),
            muscles: episode.muscles.map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: ", "),
            side: episode.side.map { knowledge.sideLabels[$0] ?? $0.rawValue } ?? "—", duration: episode.lasted,
            unanswered: episode.safetyQuestions == .notAnswered,
            sided: episode.side != nil,
            listed: EpisodeDetail.all.filter(\.listed).compactMap { detail in detail.value(in: episode).map(detail.reading) })
    }

    func episodeFacts(_ episode: Episode, notes: Bool = true) -> EpisodePage.Facts {
        EpisodePage.Facts(
            id: episode.id.description, when: View.when(episode.startedAt),
            muscles: episode.muscles.map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: ", "),
            side: episode.side.map { knowledge.sideLabels[$0] ?? $0.rawValue } ?? "—", duration: episode.lasted,
            details: EpisodeDetail.all.map { detail in
                EpisodePage.Reading(heading: detail.heading, reading: detail.value(in: episode).map(detail.reading) ?? "—")
            },
            onset: episode.onset.map { knowledge.onsetLabels[$0] ?? $0.rawValue } ?? "—",
            findings: episode.findings.isEmpty
                ? "—" : episode.findings.map { knowledge.findings[$0]?.label ?? $0.rawValue }.joined(separator: ", "),
            reliefs: episode.reliefs.isEmpty
                ? "—" : episode.reliefs.map { "\($0.technique.label): \(View.outcome($0.outcome))" }.joined(separator: ", "),
            note: notes ? (episode.note ?? "—") : "not shared")
    }

    /// After a log: the episode page with its check. When the check was kept, a redirect to the
    /// page that reads it back (so reloading sends nothing again); when it could not be kept, the
    /// check at once, with a warning: the advice never waits for the journal (H21).
    func logged(
        _ logged: LoggedEpisode, diary: DiaryInView? = nil, request: Request, context: CrampRequestContext
    ) async throws -> Response {
        guard let check = logged.check, check.assessment.keeping.record == nil else {
            return redirect("\(diary?.base ?? "")/journal/\(logged.episode.id)?logged=1")
        }
        var who: String?
        if let diary { who = try await loggedBy(logged.episode, diary: diary) }
        let model = EpisodePage(
            episode: episodeFacts(logged.episode), notice: nil, result: shown(logged.episode, check), notKept: true,
            unanswered: logged.episode.safetyQuestions == .notAnswered, diary: diary, loggedBy: who, editable: diary?.carer != nil)
        return page(
            "episode", title: "Cramp of \(View.when(logged.episode.startedAt))", section: diary?.section ?? "journal", model: model,
            request: request, context: context, diary: diary)
    }

    /// Who logged the episode, in words, when a carer did: the name they gave when accepting.
    func loggedBy(_ episode: Episode, diary: DiaryInView) async throws -> String? {
        guard let carer = episode.loggedBy else { return nil }
        if carer == diary.carer, let grant = diary.grant { return "Logged by you (\(grant.granteeName))" }
        return try await carerNames(owner: diary.owner)[carer].map { "Logged by \($0) (carer)" } ?? "Logged by a carer"
    }

    /// The cramps a carer logged for the person in the last 14 days, each with what its check
    /// said: shown on their home page and journal, so they see them on their next visit.
    func carerLogNotices(owner: OwnerID) async throws -> [CarerLog] {
        guard configuration.hosted else { return [] }
        var filter = EpisodeFilter()
        filter.from = try await services.clock(owner: owner).now().instant - 14 * 86_400_000
        filter.limit = 200
        let logged = try await services.journal.episodes(owner: owner, filter: filter).filter { $0.loggedBy != nil }
        guard !logged.isEmpty else { return [] }
        let carers = try await carerNames(owner: owner)
        var notices: [CarerLog] = []
        for episode in logged.prefix(5) {
            let who = episode.loggedBy.flatMap { carers[$0] } ?? "A carer"
            var said = ""
            var urgent = false
            if let check = try await services.app.keptCheck(episode, owner: owner), shown(episode, check) != nil {
                said = ": its check said \(TriageWords.past(check.result.triage))"
                urgent = check.result.triage >= .urgent
            } else if episode.safetyQuestions == .notAnswered {
                said = ": its safety questions are not answered"
            }
            notices.append(
                CarerLog(
                    href: "/journal/\(episode.id)?logged=1", label: "\(who) logged a cramp for you, \(View.when(episode.startedAt))\(said).",
                    urgent: urgent))
        }
        return notices
    }

    /// The names the carers of a diary gave, by account.
    func carerNames(owner: OwnerID) async throws -> [OwnerID: String] {
        guard configuration.hosted else { return [:] }
        return Dictionary(
            try await services.sharing.grants(owner: owner).map { ($0.grant.grantee, $0.grant.granteeName) }, uniquingKeysWith: { first, _ in first })
    }

    /// A check as shown with its cramp: while the cramp's red-flag questions are unanswered, only
    /// a check that already means care today is shown (nothing reassuring stands for them).
    func shown(_ episode: Episode, _ check: EpisodeCheck) -> EpisodePage.Check? {
        if episode.safetyQuestions == .notAnswered, check.result.triage < .urgent { return nil }
        return checkBanner(check)
    }

    func checkBanner(_ check: EpisodeCheck) -> EpisodePage.Check {
        let words = TriageWords.banner(check.result.triage, numbers: services.app.numbers(region: check.region))
        return EpisodePage.Check(
            triage: check.result.triage.rawValue, bannerTitle: words.title, bannerAction: words.action, ageUnknown: !check.ageKnown,
            redFlags: check.result.redFlags.map { EpisodePage.RedFlag(title: $0.rule.title, advice: $0.rule.advice) })
    }
}
