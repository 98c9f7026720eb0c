import CrampApplication
import CrampJournal
import CrampKnowledge
import Hummingbird

/// The page the service worker shows when the server cannot be reached: the call-now signs and
/// the emergency number, the night log (kept on the phone, sent later, never checked offline)
/// and the gentle stretch for each muscle with its stop signs (no assessment is at hand offline,
/// so nothing that one would have to allow). It holds nothing of the person's, so the
/// service worker may keep it: no token, no region, no relief chosen by an assessment.
struct OfflinePages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("offline", use: offlinePage)
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
        var relief: [OfflinePage.Relief] = []
        for muscle in CrampCareApp.reliefMuscles {
            let session = try await services.app.startRelief(muscle: muscle, owner: nil)
            relief.append(
                OfflinePage.Relief(label: knowledge.muscleButtons[muscle] ?? muscle.rawValue, items: RelievePages.steps(session, stretchOnly: true)))
        }
        let model = OfflinePage(signs: callNow(shared), log: log, relief: relief)
        var response = page(
            "offline", title: "No connection", section: "", model: model, script: "relieve.js", request: request, context: shared, shared: true)
        // Kept by the service worker, asked again when online: it holds no health data.
        response.headers[.cacheControl] = "no-cache"
        return response
    }
}

struct OfflinePage: Sendable {
    struct Relief: Sendable {
        let label: String
        let items: [RelievePage.Step]
    }

    let offline = true
    /// The call-now signs, at the top (not `callNow`, which the log's form would show again).
    let signs: CallNow
    let log: NightLogPage
    let relief: [Relief]
}
