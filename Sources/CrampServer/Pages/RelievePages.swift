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

/// The guided relief session on the web: the same steps as `crampcare relieve`, with a timer
/// (the one part that needs JavaScript; the steps say the holds in words without it), then the
/// night log with the muscle, whether the stretch helped and, from the timer, how long it took.
struct RelievePages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("relieve", use: relievePage)
        return routes
    }

    /// Open to everyone, signed in or not: help with a cramp should never wait for an account.
    /// Signed out (hosted mode), the steps are the general ones and the cramp cannot be logged.
    @Sendable func relievePage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = context.owner
        let choices = CrampCareApp.reliefMuscles.map {
            RelievePage.MuscleChoice(code: $0.rawValue, label: knowledge.muscleButtons[$0] ?? $0.rawValue)
        }
        guard let text = request.uri.queryParameters.get("muscle") else {
            return page(
                "relieve", title: "Ease a cramp now", section: "relieve", model: RelievePage(choices: choices), request: request, context: context)
        }
        guard let muscle = Muscle(rawValue: text), CrampCareApp.reliefMuscles.contains(muscle) else {
            let errors = View.errors([("muscle", "\"\(text.prefix(40))\" is not a muscle here; choose calf, back of thigh or front of thigh")])
            return page(
                "relieve", title: "Ease a cramp now", section: "relieve", model: RelievePage(choices: choices, errors: errors), request: request,
                context: context, status: .unprocessableContent)
        }
        let session = try await services.app.startRelief(muscle: muscle, owner: owner)
        let items = Self.steps(session.steps)
        let model = RelievePage(
            choices: choices, chosen: true, muscle: muscle.rawValue, muscleLabel: (knowledge.muscleLabels[muscle] ?? muscle.rawValue).lowercased(),
            items: items, avoid: knowledge.reliefCautions.map { $0.title == "What to avoid" ? $0.text : "\($0.title): \($0.text)" },
            canLog: owner != nil)
        return page("relieve", title: "Ease a cramp now", section: "relieve", model: model, script: "relieve.js", request: request, context: context)
    }

    /// A relief session's steps as the pages show them (this page, and the offline page's).
    static func steps(_ advice: [ReliefAdvice], stretchOnly: Bool = false) -> [RelievePage.Step] {
        advice.filter { !stretchOnly || $0.item.technique == .stretch }.map { advice in
            let item = advice.item
            let timer = item.holdSeconds.map { hold in
                let repeats = item.repeats ?? 1
                return RelievePage.Timer(
                    hold: hold, repeats: repeats, rest: CrampCareApp.reliefRestSeconds,
                    summary: "Hold for \(hold) seconds, \(repeats) time\(repeats == 1 ? "" : "s"), with a short rest between.")
            }
            return RelievePage.Step(
                id: item.id, title: item.title, steps: item.steps, cautions: advice.cautions, drawing: item.drawing.joined(separator: "\n"),
                timer: timer)
        }
    }
}

/// The relief session: the muscle to choose, then its timed steps and the log at the end.
struct RelievePage: Sendable {
    struct MuscleChoice: Sendable {
        let code: String
        let label: String
    }

    struct Timer: Sendable {
        let hold: Int
        let repeats: Int
        let rest: Int
        let summary: String
    }

    struct Step: Sendable {
        let id: String
        let title: String
        let steps: [String]
        let cautions: [String]
        let drawing: String
        let timer: Timer?
    }

    let choices: [MuscleChoice]
    var errors: [FieldError] = []
    var chosen = false
    var muscle = ""
    var muscleLabel = ""
    var items: [Step] = []
    var avoid: [String] = []
    var canLog = false
}
