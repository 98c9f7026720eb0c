import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird

/// A patient's diary as the clinician or carer it is shared with sees it (hosted mode): the
/// cramps with filters and paging (notes only when shared), the report, the checks with their
/// triage and reasons, and the day logs with the medicine timeline. Every page asks the grant
/// first and writes its read to the person's trail before answering (`SharingService.access`).
struct PatientPages: PageController {
    let web: Pages

    var sharing: SharingService { SharingService(services: services, configuration: configuration) }

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("patients/:patient", use: cramps)
        routes.get("patients/:patient/report", use: report)
        routes.get("patients/:patient/checks", use: checks)
        routes.get("patients/:patient/days", use: days)
        return routes
    }

    /// The grant for this page's patient, checked and recorded, with what every patient page shows at its top.
    func opened(
        _ request: Request, context: CrampRequestContext, _ action: GrantAction, target: String, tab: PatientHead.Tab
    ) async throws -> (patient: OwnerID, grant: Grant, head: PatientHead) {
        try requireHostedPage()
        let actor = try owner(request, context: context)
        let patient = try SharingAPI.patient(context)
        let grant = try await sharing.access(actor: actor, patient: patient, action, target: target)
        return (patient, grant, PatientHead(grant, tab: tab))
    }

    @Sendable func cramps(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let (patient, grant, head) = try await opened(request, context: context, .readDiary, target: "cramps", tab: .cramps)
        let clock = try await services.clock(owner: patient)
        let (form, parsed, errors) = try CrampFilterForm.read(
            request.uri.queryParameters, clock: clock, action: "/patients/\(patient.rawValue)", title: "Filter the cramps", knowledge: knowledge)
        var filter = parsed
        filter.limit = 51
        let (episodes, next) = form.page(try await services.journal.episodes(owner: patient, filter: filter), size: 50)
        let carers = episodes.contains { $0.loggedBy != nil } ? try await carerNames(owner: patient) : [:]
        let model = PatientPage(
            head: head, errors: View.errors(errors), filter: form, notesShared: grant.notes,
            cramps: episodes.map { episode in
                PatientPage.Cramp(
                    when: View.when(episode.startedAt),
                    muscles: episode.muscles.map { knowledge.muscleButtons[$0] ?? $0.rawValue }.joined(separator: ", "),
                    side: episode.side.map { knowledge.sideLabels[$0] ?? $0.rawValue } ?? "", severity: episode.severity.map { "\($0)/10" } ?? "",
                    helped: episode.reliefs.filter { $0.outcome != .no }.map(\.technique.label).joined(separator: ", "),
                    note: grant.notes || episode.loggedBy == grant.grantee ? (episode.note ?? "") : "",
                    loggedBy: episode.loggedBy.map { $0 == grant.grantee ? "you" : (carers[$0] ?? "a carer") } ?? "them",
                    link: grant.scope == .log ? "/patients/\(patient.rawValue)/journal/\(episode.id)" : nil,
                    unanswered: episode.safetyQuestions == .notAnswered)
            }, next: next)
        return page(
            "patient", title: grant.sharedName, section: "patients", model: model, request: request, context: context,
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// The clinician report of the patient's diary: the summary, then the cramps (notes only when shared).
    @Sendable func report(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let (patient, grant, head) = try await opened(request, context: context, .readReport, target: "report", tab: .report)
        let view = try await services.insights(owner: patient, asOf: nil)
        let report = ClinicianReport(contents: view.contents, insights: view.insights, knowledge: knowledge, notes: grant.notes)
        return page(
            "patient-report", title: "Report: \(grant.sharedName)", section: "patients", model: PatientReportPage(head: head),
            stylesheet: "report.css", request: request, context: context, fragments: ["report": report.body(headingLevel: 2)])
    }

    /// The checks kept in the diary, newest first: when, the triage, and each red flag with its reason.
    @Sendable func checks(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let (patient, grant, head) = try await opened(request, context: context, .readChecks, target: "checks", tab: .checks)
        let kept = try await services.app.keptChecks(owner: patient, limit: 100)
        let model = PatientChecksPage(
            head: head,
            checks: kept.map { check in
                PatientChecksPage.Check(
                    when: View.when(check.record.madeAt), triage: check.triage.rawValue, said: TriageWords.past(check.triage),
                    redFlags: check.redFlags.map { PatientChecksPage.Flag(title: $0.title, reason: $0.reason) })
            })
        return page("patient-checks", title: "Checks: \(grant.sharedName)", section: "patients", model: model, request: request, context: context)
    }

    /// The day logs of the last 12 weeks and every medicine change logged, with the medicines the
    /// profile lists now.
    @Sendable func days(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let (patient, grant, head) = try await opened(request, context: context, .readDays, target: "day logs", tab: .days)
        let clock = try await services.clock(owner: patient)
        let today = clock.today
        let all = try await services.journal.dayLogs(owner: patient, from: nil, through: nil).sorted { $0.date > $1.date }
        let profile = try await services.journal.profile(owner: patient)
        func medicine(_ code: Medication) -> String { knowledge.medications[code]?.label ?? code.rawValue }
        let model = PatientDaysPage(
            head: head,
            medicinesNow: (profile?.medications ?? []).map(medicine),
            changes: all.filter { !$0.medicationChanges.isEmpty }.flatMap { log in
                log.medicationChanges.map { change in
                    PatientDaysPage.Change(date: log.date.words, what: "\(Self.changeWord(change.kind)) \(medicine(change.medication))")
                }
            },
            days: all.filter { $0.date > today.adding(days: -84) }.map { log in
                PatientDaysPage.Day(
                    date: log.date.words, drank: log.fluidsML.map { "\($0) ml" } ?? "—",
                    exercise: log.exerciseMinutes.map { "\($0) min" + (log.exerciseIntensity.map { ", \($0.rawValue)" } ?? "") } ?? "—",
                    sleep: log.sleepHours.map { "\(Format.decimal($0, places: 1)) h" } ?? "—",
                    alcohol: log.alcoholUnits.map { "\(Format.decimal($0, places: 1)) units" } ?? "—",
                    caffeine: log.caffeineDrinks.map { "\($0) drinks" } ?? "—",
                    hot: log.hotWeather.map { $0 ? "yes" : "no" } ?? "—",
                    medicines: log.medicationChanges.map { "\(Self.changeWord($0.kind)) \(medicine($0.medication))" }.joined(separator: ", "))
            })
        return page("patient-days", title: "Day logs: \(grant.sharedName)", section: "patients", model: model, request: request, context: context)
    }

    static func changeWord(_ kind: MedicationChangeKind) -> String {
        switch kind {
        case .start: "started"
        case .stop: "stopped"
        case .dose: "dose changed:"
        }
    }
}

/// What every patient page shows at its top: who, and the tabs of their diary.
struct PatientHead: Sendable {
    enum Tab: String, CaseIterable, Sendable {
        case cramps, report, checks, days

        var label: String {
            switch self {
            case .cramps: "Cramps"
            case .report: "Report"
            case .checks: "Checks"
            case .days: "Day logs and medicines"
            }
        }

        var path: String {
            switch self {
            case .cramps: ""
            case .report: "/report"
            case .checks: "/checks"
            case .days: "/days"
            }
        }
    }

    struct TabLink: Sendable {
        let href: String
        let label: String
        let current: Bool
    }

    let patient: String
    let name: String
    let birthYear: String
    let scope: String
    let notMonitored: String
    let tabs: [TabLink]
    /// A carer's grant: "Log a cramp for …" is offered.
    let logLink: String?

    init(_ grant: Grant, tab: Tab) {
        patient = grant.owner.rawValue
        name = grant.sharedName
        birthYear = grant.sharedBirthYear.map(String.init) ?? ""
        scope = grant.scope.label
        notMonitored = SharingRules.notMonitored
        logLink = grant.scope == .log ? "/patients/\(grant.owner.rawValue)/journal/new" : nil
        tabs = Tab.allCases.map { TabLink(href: "/patients/\(grant.owner.rawValue)\($0.path)", label: $0.label, current: $0 == tab) }
    }
}

struct PatientPage: Sendable {
    struct Cramp: Sendable {
        let when: String
        let muscles: String
        let side: String
        let severity: String
        let helped: String
        let note: String
        let loggedBy: String
        /// A carer opens a cramp (to see its check, or change one they logged).
        let link: String?
        let unanswered: Bool
    }

    let head: PatientHead
    let errors: [FieldError]
    let filter: CrampFilterForm
    let notesShared: Bool
    let cramps: [Cramp]
    let next: String?
}

struct PatientReportPage: Sendable {
    let head: PatientHead
}

struct PatientChecksPage: Sendable {
    struct Flag: Sendable {
        let title: String
        let reason: String
    }

    struct Check: Sendable {
        let when: String
        let triage: String
        let said: String
        let redFlags: [Flag]
    }

    let head: PatientHead
    let checks: [Check]
}

struct PatientDaysPage: Sendable {
    struct Change: Sendable {
        let date: String
        let what: String
    }

    struct Day: Sendable {
        let date: String
        let drank: String
        let exercise: String
        let sleep: String
        let alcohol: String
        let caffeine: String
        let hot: String
        let medicines: String
    }

    let head: PatientHead
    let medicinesNow: [String]
    let changes: [Change]
    let days: [Day]
}
