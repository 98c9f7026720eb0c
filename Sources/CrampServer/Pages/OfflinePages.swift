import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Hummingbird
import Mustache

/// The page the service worker shows when the server cannot be reached: the call-now signs and
/// the emergency number, the night log (kept on the phone, sent later, never checked offline)
/// and the gentle stretch for each muscle with its stop signs (no assessment is at hand offline,
/// so nothing that one would have to allow). It holds nothing of the person's, so the
/// service worker may keep it: no token, no region, no relief chosen by an assessment; the
/// phone puts in what `/offline/yours` gave it for the person signed in.
struct OfflinePages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("offline", use: offlinePage)
        routes.get("offline/yours", use: yours)
        return routes
    }

    @Sendable func offlinePage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        // As for someone not signed in: the server's emergency number, the general steps.
        var shared = context
        shared.owner = nil
        shared.region = nil
        shared.credential = .none
        var log = try await nightLog(NightLogForm(), owner: nil, context: shared, errors: [])
        log.callNow = nil
        var relief: [OfflineEase.Relief] = []
        for muscle in CrampCareApp.reliefMuscles {
            let session = try await services.app.startRelief(muscle: muscle, owner: nil)
            relief.append(OfflineEase.Relief(label: label(muscle), items: RelievePages.steps(session.steps, stretchOnly: true)))
        }
        let ease = OfflineEase(intro: "The gentle stretch only.", relief: relief, emergencyNumber: numbers(shared).emergency)
        let model = OfflinePage(signs: callNow(shared), log: log, ease: ease)
        var response = page(
            "offline", title: "No connection", section: "", model: model, script: "relieve.js", request: request, context: shared, shared: true)
        // Kept by the service worker, asked again when online: it holds no health data.
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// What the phone keeps for this person while online, for the offline page: whose journal a
    /// cramp noted there goes to (the account's email address, in hosted mode) and the relief their
    /// last kept check allowed (nil: the page's gentle stretch stays). Health data, so `no-store`;
    /// app.js keeps it in IndexedDB, which sign-out deletes.
    @Sendable func yours(_ request: Request, context: CrampRequestContext) async throws -> Response {
        guard let owner = context.owner else { throw Problem(.unauthorized, "Not signed in", detail: "sign in to keep relief on this phone") }
        var whose: JSONValue = .null
        if configuration.hosted, let account = try await services.accounts.account(owner: owner) { whose = .string(account.email) }
        var relief: JSONValue = .null
        if let allowed = try await services.app.offlineRelief(owner: owner) {
            let day = "on \(allowed.madeAt.localDate.weekdayName) \(allowed.madeAt.localDate.words)"
            // What it said stays beside what it allows: relief is never all a check asked for.
            let said =
                allowed.triage == .selfCare ? "" : " It said \u{201C}\(TriageWords.banner(allowed.triage, numbers: numbers(context)).title)\u{201D}."
            let ease = OfflineEase(
                intro: "What your last check, \(day), allows.\(said)", checked: day, said: said,
                relief: allowed.muscles.map { OfflineEase.Relief(label: label($0.muscle), items: RelievePages.steps($0.steps)) },
                emergencyNumber: numbers(context).emergency)
            relief = .string(web.library.render(ease, withTemplate: "offline-ease") ?? "")
        }
        var response = Body.json(View.json(.object([("owner", .string(owner.rawValue)), ("whose", whose), ("relief", relief)])))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func label(_ muscle: Muscle) -> String { knowledge.muscleButtons[muscle] ?? muscle.rawValue }
}

struct OfflinePage: Sendable {
    let offline = true
    /// The call-now signs, at the top (not `callNow`, which the log's form would show again).
    let signs: CallNow
    let log: NightLogPage
    let ease: OfflineEase
}

/// "Ease it now" on the offline page: the gentle stretch, or what the person's last check
/// allowed (the phone swaps that in from what `/offline/yours` gave it while online).
struct OfflineEase: Sendable {
    // Stored, not computed: the templates see stored properties only.
    struct Relief: Sendable {
        let label: String
        let items: [RelievePage.Step]
        let nothing: Bool

        init(label: String, items: [RelievePage.Step]) {
            self.label = label
            self.items = items
            nothing = items.isEmpty
        }
    }

    let intro: String
    /// When the check was made ("on Tue 3 Nov 2026"); empty for the gentle stretch.
    let checked: String
    /// What that check said, when it asked for more than self-care.
    let said: String
    let relief: [Relief]
    let emergencyNumber: String
    let noneAtAll: Bool

    init(intro: String, checked: String = "", said: String = "", relief: [Relief], emergencyNumber: String) {
        self.intro = intro
        self.checked = checked
        self.said = said
        self.relief = relief
        self.emergencyNumber = emergencyNumber
        noneAtAll = relief.allSatisfy(\.nothing)
    }
}
