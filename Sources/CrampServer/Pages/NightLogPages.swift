import CrampApplication
import CrampAssessment
import CrampJournal
import CrampKnowledge
import Foundation
import HTTPTypes
import Hummingbird

/// The night log: a cramp logged in a few taps (the muscle, how long, how bad, what helped), saved
/// at once, then the red-flag questions on their own page. Until they are answered the cramp is
/// marked "safety questions not answered" and nothing reassuring is shown for it.
struct NightLogPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("journal/new", use: newLog)
        routes.post("journal/new", use: saveLog)
        routes.get("journal/:id/safety", use: safetyQuestions)
        routes.get("journal/:id/sent", use: sentFromPhone)
        routes.post("journal/:id/safety", use: answerSafetyQuestions)
        // A carer, through their grant, in the patient's diary: the same log and questions.
        routes.get("patients/:patient/journal/new", use: newLog)
        routes.post("patients/:patient/journal/new", use: saveLog)
        routes.get("patients/:patient/journal/:id/safety", use: safetyQuestions)
        routes.post("patients/:patient/journal/:id/safety", use: answerSafetyQuestions)
        routes.get("patients/:patient/journal/:id", use: carerEpisode)
        return routes
    }

    /// Whose diary the page is in: the person's own, or under /patients/{patient} the patient's
    /// through a carer's grant (checked for `action`; for a write the trail entry is handed back to
    /// go in the write's transaction, for a read it is written now).
    func diary(
        _ request: Request, context: CrampRequestContext, _ action: GrantAction, target: String = ""
    ) async throws -> (DiaryInView, AuditRecord?) {
        let actor = try owner(request, context: context)
        guard context.parameters.get("patient") != nil else { return (DiaryInView(owner: actor), nil) }
        try requireHostedPage()
        let sharing = SharingService(services: services, configuration: configuration)
        let patient = try SharingAPI.patient(context)
        let (grant, entry) = try await sharing.permit(actor: actor, patient: patient, action, target: target)
        let region = try await services.journal.profile(owner: patient)?.region
        let diary = DiaryInView(owner: patient, carer: actor, grant: grant, emergency: services.app.numbers(region: region).emergency)
        if action.isWrite { return (diary, entry) }
        try await sharing.record([entry])
        return (diary, nil)
    }

    @Sendable func newLog(_ request: Request, context: CrampRequestContext) async throws -> Response {
        // The empty form shows nothing of the diary: only a grant that may log gets it.
        let (diary, _) = try await self.diary(request, context: context, .logCramp)
        let query = request.uri.queryParameters
        var form = NightLogForm()
        // From the relief session: its muscle, the stretch that helped and the timer's time.
        form.muscle = query.get("muscle").map { [$0] }
        form.helped = query.get("helped").map { [$0] }
        form.timerSeconds = query.get("timerSeconds")
        if form.timerSeconds.flatMap(NightLogForm.timerSeconds) != nil { form.duration = "timer" }
        let model = try await nightLog(form, diary: diary, context: context, errors: [])
        return page("night-log", title: diary.logTitle, section: diary.section, model: model, request: request, context: context, diary: diary)
    }

    @Sendable func saveLog(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let form = try await form(NightLogForm.self, request, context: context)
        let (diary, entry) = try await self.diary(request, context: context, .logCramp)
        let clock = try await services.clock(owner: diary.owner)
        var episode: Episode
        do {
            episode = try form.episode(clock: clock)
        } catch let problem as Problem {
            let model = try await nightLog(form, diary: diary, context: context, errors: [(problem.field ?? "", problem.detail)])
            return page(
                "night-log", title: diary.logTitle, section: diary.section, model: model, request: request, context: context,
                status: .unprocessableContent, diary: diary)
        }
        episode.loggedBy = diary.carer
        let trail = entry.map { [$0.about(episode.id.description)] } ?? []
        let logged = try await Body.saving { try await services.app.quickLog(episode, owner: diary.owner, trail: trail) }
        // What was logged already means care today: that comes first, the questions after.
        if logged.check != nil { return try await self.logged(logged, diary: diary, request: request, context: context) }
        return redirect("\(diary.base)/journal/\(episode.id)/safety")
    }

    /// A cramp the phone kept offline has been sent: what follows is what follows any quick log,
    /// its check first when what was logged alone means care today, else the questions.
    @Sendable func sentFromPhone(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let episode = try await episode(context, owner: owner)
        guard episode.safetyQuestions == .notAnswered else { return redirect("/journal/\(episode.id)") }
        let logged = try await Body.saving { try await services.app.quickCheck(episode, owner: owner) }
        if logged.check != nil { return try await self.logged(logged, request: request, context: context) }
        return redirect("/journal/\(episode.id)/safety")
    }

    @Sendable func safetyQuestions(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let (diary, _) = try await self.diary(request, context: context, .editCramp, target: context.parameters.get("id") ?? "")
        let episode = try await episode(context, owner: diary.owner)
        // A carer is asked only about a cramp they may still change; seeing it is a read.
        if let carer = diary.carer {
            let sharing = SharingService(services: services, configuration: configuration)
            let (grant, _) = try await sharing.permitEdit(actor: carer, patient: diary.owner, episode: episode)
            try await sharing.record([sharing.audit(grant, .readDiary, target: episode.id.description, outcome: .allowed, at: sharing.now)])
        }
        return safetyPage(episode, diary: diary, form: InterviewForm(), errors: [], request: request, context: context)
    }

    @Sendable func answerSafetyQuestions(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let form = try await form(InterviewForm.self, request, context: context)
        let (diary, _) = try await self.diary(request, context: context, .editCramp, target: context.parameters.get("id") ?? "")
        let episode = try await episode(context, owner: diary.owner)
        var trail: [AuditRecord] = []
        if let carer = diary.carer {
            let (_, entry) = try await SharingService(services: services, configuration: configuration).permitEdit(
                actor: carer, patient: diary.owner, episode: episode)
            trail = [entry]
        }
        let interview = AssessPages(web: web)
        var answers = InterviewAnswers(profile: nil)
        var errors: [(String, String)] = []
        let ticked = CodeSet(interview.codes(form.sign, Finding.self).codes)
        for question in services.interview.questions {
            guard case .screen(let signs) = question.kind else { continue }
            let reading = interview.screenAnswer(signs, said: form.answers[interview.fieldName(question)], form: form, ticked: ticked)
            if let problem = reading.problem { errors.append((interview.fieldName(question), problem)) }
            guard let answer = reading.answer else {
                errors.append((interview.fieldName(question), "Please answer: \(question.text)"))
                continue
            }
            do throws(InterviewError) {
                try answers.record(answer, to: question)
            } catch {
                errors.append((interview.fieldName(question), error.problem))
            }
        }
        // "Yes" with no sign ticked, and "not sure", count as the most serious sign asked about.
        let redFlags = services.interview.request(answers).request.findings.filter { knowledge.redFlagFindings.contains($0) }
        let logged = try await Body.saving {
            try await services.app.answerSafetyQuestions(episode, redFlags: redFlags, allAnswered: errors.isEmpty, owner: diary.owner, trail: trail)
        }
        guard let logged else { return safetyPage(episode, diary: diary, form: form, errors: errors, request: request, context: context) }
        return try await self.logged(logged, diary: diary, request: request, context: context)
    }

    /// A cramp in a patient's diary as the carer sees it, with the check kept for it: what the
    /// log leads to, so the carer sees the advice and the patient's emergency number.
    @Sendable func carerEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let (diary, _) = try await self.diary(request, context: context, .readDiary, target: context.parameters.get("id") ?? "")
        let episode = try await episode(context, owner: diary.owner)
        var check: EpisodeCheck?
        if request.uri.queryParameters.get("logged") != nil { check = try await services.app.keptCheck(episode, owner: diary.owner) }
        let model = EpisodePage(
            episode: episodeFacts(episode, notes: diary.grant?.notes ?? true || episode.loggedBy == diary.carer), notice: nil,
            result: check.flatMap { shown(episode, $0) }, notKept: false, unanswered: episode.safetyQuestions == .notAnswered,
            diary: diary, loggedBy: try await loggedBy(episode, diary: diary),
            editable: diary.mayChange(episode, now: services.clock.millisecondsNow()))
        return page(
            "episode", title: "Cramp of \(View.when(episode.startedAt))", section: diary.section, model: model, request: request, context: context,
            diary: diary)
    }

    func episode(_ context: CrampRequestContext, owner: OwnerID) async throws -> Episode {
        guard let id = EntryID(context.parameters.get("id") ?? ""), let episode = try await services.journal.episode(id: id, owner: owner) else {
            throw Problem.notFound("That cramp")
        }
        return episode
    }

    func safetyPage(
        _ episode: Episode, diary: DiaryInView, form: InterviewForm, errors: [(String, String)], request: Request, context: CrampRequestContext
    ) -> Response {
        let model = SafetyPage(
            id: episode.id.description, when: View.when(episode.startedAt), answered: episode.safetyQuestions != .notAnswered,
            errors: View.errors(errors), redFlagSteps: AssessPages(web: web).screenSteps(form),
            callNow: callNow(number: diary.emergency ?? numbers(context).emergency), base: diary.base, whose: diary.whose)
        return page(
            "safety", title: "Safety questions", section: diary.section, model: model, request: request, context: context,
            status: errors.isEmpty ? .ok : .unprocessableContent, diary: diary)
    }
}

/// The night log's form (`night-log-form.mustache`, on the home page and at /journal/new). A
/// duration is a chip (`duration`: a range's code, `over_10_min` with `howLong` typed, or `timer`
/// with the relief timer's seconds), or typed; the start is now less the duration unless an
/// earlier time is given.
struct NightLogForm: SubmittedForm {
    var csrf: String?
    var muscle: [String]?
    var duration: String?
    var howLong: String?
    var timerSeconds: String?
    var severity: String?
    var when: String?
    var startedAt: String?
    var inBed: String?
    var helped: [String]?
    // Also accepted, for a client that types the duration as a number and a unit.
    var durationValue: String?
    var durationUnit: String?
    var finding: [String]?
    var note: String?

    static let overTen = "over_10_min"
    static let timer = "timer"

    /// The relief timer's seconds, when they make a cramp's length (at most an hour: a page left
    /// open longer is no timer of the cramp).
    static func timerSeconds(_ text: String) -> Int? {
        guard text.count <= 6, let seconds = Int(text), (1...3600).contains(seconds) else { return nil }
        return seconds
    }

    func episode(clock: PersonClock) throws -> Episode {
        let muscles: [Muscle] = try View.codes(muscle, field: .muscles)
        guard !muscles.isEmpty else { throw Problem.invalid("muscles", "please choose which muscle cramped") }
        var range: DurationRange?
        let seconds: Int
        switch duration ?? "" {
        case Self.timer:
            guard let timed = timerSeconds.flatMap(Self.timerSeconds) else {
                throw Problem.invalid("durationSeconds", "the relief timer's time was lost; please choose how long it lasted")
            }
            seconds = timed
        case "", Self.overTen:
            if let typed = howLong?.trimmingCharacters(in: .whitespaces), !typed.isEmpty {
                guard let parsed = EverydayInput.durationSeconds(typed, bareUnit: .minutes) else {
                    throw Problem.invalid(
                        "howLong",
                        "\(Problem.shown(typed, limit: 40)) is not a length of time; accepted: such as 20 minutes, 1 hour, 90s, up to 7 days")
                }
                seconds = parsed
            } else if duration == Self.overTen {
                throw Problem.invalid("howLong", "please type how long it lasted, such as 20 minutes or 1 hour")
            } else if let value = durationValue, !value.isEmpty {
                seconds = try View.durationSeconds(value, unit: durationUnit, field: "durationSeconds")
            } else {
                throw Problem.invalid("durationSeconds", "please choose how long it lasted")
            }
        case let code:
            guard let chosen = DurationRange(rawValue: code) else {
                throw Problem.invalid(
                    "durationSeconds",
                    "\(Problem.shown(code, limit: 40)) is not a length; accepted: \(DurationRange.table.accepted), \(Self.overTen) or \(Self.timer)")
            }
            range = chosen
            seconds = chosen.upToSeconds
        }
        let now = clock.now()
        var startedAt = LocalTimestamp(instant: now.instant - Int64(seconds) * 1000, zoneOffsetSeconds: now.utcOffsetSeconds)
        if when != "now", let text = self.startedAt?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let given = View.parseDateTimeLocal(text, clock: clock) ?? clock.startTime(text) else {
                throw Problem.invalid(
                    "startedAt",
                    "\(Problem.shown(text, limit: 30)) is not a time it could have started; accepted: a date and time up to now, or 3am, yesterday 23:30"
                )
            }
            startedAt = given
        }
        startedAt = clock.stamp(startedAt.instant)
        var severityValue: Int?
        if let text = severity?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard text.count <= 3, let value = Int(text), (0...10).contains(value) else {
                throw Problem.invalid("severity", "\(Problem.shown(text, limit: 20)) is not a whole number from 0 to 10")
            }
            severityValue = value
        }
        let techniques: [ReliefTried.Technique] = try View.codes(helped, field: .reliefs)
        let noteText = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let created = clock.source.millisecondsNow()
        let episode = Episode(
            id: EntryID.random(), startedAt: startedAt, durationSeconds: seconds, durationRange: range, muscles: Array(CodeSet(muscles)),
            severity: severityValue, onset: inBed == "yes" ? .sleep : nil,
            findings: Array(CodeSet<Finding>(try View.codes(finding, field: .findings))),
            reliefs: Array(CodeSet(techniques)).map { ReliefTried(technique: $0, outcome: .helped) }, note: noteText.isEmpty ? nil : noteText,
            createdAt: created, updatedAt: created)
        do throws(JournalError) {
            try episode.validate()
        } catch {
            throw Problem.invalid(error.field, error.problem)
        }
        return episode
    }
}

extension PageController {
    /// The night log's view: the form as sent (or empty), "in bed" ticked at night.
    func nightLog(_ form: NightLogForm, owner: OwnerID?, context: CrampRequestContext, errors: [(String, String)]) async throws -> NightLogPage {
        try await nightLog(form, diary: owner.map { DiaryInView(owner: $0) }, context: context, errors: errors)
    }

    func nightLog(_ form: NightLogForm, diary: DiaryInView?, context: CrampRequestContext, errors: [(String, String)]) async throws -> NightLogPage {
        let clock = if let diary { try await services.clock(owner: diary.owner) } else { services.app.defaultClock }
        let now = clock.now()
        let hour = now.localSecondsOfDay / 3600
        let night = hour >= 21 || hour < 7
        let chosenMuscles = form.muscle ?? []
        let timed = form.timerSeconds.flatMap(NightLogForm.timerSeconds)
        var durations = DurationRange.allCases.map {
            Choice(code: $0.rawValue, label: $0.reading, checked: form.duration == $0.rawValue, seconds: $0.upToSeconds)
        }
        durations.append(Choice(code: NightLogForm.overTen, label: "over 10 min", checked: form.duration == NightLogForm.overTen))
        if let timed {
            durations.insert(
                Choice(code: NightLogForm.timer, label: "timer: \(DurationRange.words(timed))", checked: form.duration == NightLogForm.timer), at: 0)
        }
        return NightLogPage(
            errors: View.errors(errors),
            muscles: EverydayInput.muscleOrder.map {
                Choice(code: $0.rawValue, label: knowledge.muscleButtons[$0] ?? $0.rawValue, checked: chosenMuscles.contains($0.rawValue))
            },
            durations: durations, timerSeconds: timed.map(String.init) ?? "", howLong: form.howLong ?? "",
            howLongShown: !(form.howLong ?? "").isEmpty,
            severities: (0...10).map { Choice(code: String($0), label: String($0), checked: form.severity == String($0)) },
            inBed: form.inBed.map { $0 == "yes" } ?? (form.csrf == nil && night), earlier: form.when == "earlier",
            startedAt: form.startedAt ?? View.dateTimeLocal(now),
            helped: View.quickReliefs.map {
                Choice(code: $0.rawValue, label: $0.label, checked: (form.helped ?? []).contains($0.rawValue))
            },
            callNow: callNow(number: diary?.emergency ?? numbers(context).emergency), action: "\(diary?.base ?? "")/journal/new",
            whose: diary?.whose)
    }

    /// The call-now signs and the number, shown above every quick Save.
    func callNow(_ context: CrampRequestContext) -> CallNow { callNow(number: numbers(context).emergency) }

    /// The same with a number given: a carer's pages give the patient's region's.
    func callNow(number: String) -> CallNow {
        // The number is the link: "Call [999] now if you have:".
        let parts = knowledge.callNowIntro.split(separator: "{number}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        return CallNow(
            before: parts.first ?? "", number: number, after: parts.count > 1 ? parts[1] : "", signs: knowledge.callNowSigns.map(\.title))
    }
}

struct CallNow: Sendable {
    let before: String
    let number: String
    let after: String
    let signs: [String]
}

struct NightLogPage: Sendable {
    let errors: [FieldError]
    let muscles: [Choice]
    let durations: [Choice]
    let timerSeconds: String
    let howLong: String
    /// Typed already: shown whatever chip is chosen.
    let howLongShown: Bool
    let severities: [Choice]
    let inBed: Bool
    let earlier: Bool
    let startedAt: String
    let helped: [Choice]
    /// Nil on the offline page, which shows the signs at its top instead.
    var callNow: CallNow?
    var action = "/journal/new"
    /// "for Mary" on a carer's page; nil in the person's own diary.
    var whose: String?
}

/// The red-flag questions of a logged cramp.
struct SafetyPage: Sendable {
    let id: String
    let when: String
    /// Asked again for a cramp whose questions were answered (from its page).
    let answered: Bool
    let errors: [FieldError]
    let redFlagSteps: [AssessPage.ScreenStep]
    let callNow: CallNow
    let base: String
    let whose: String?
}
