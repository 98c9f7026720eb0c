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
/// (the one part that needs JavaScript; the steps say the holds in words without it), then a
/// form that logs the cramp and whether it helped.
struct RelievePages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("relieve", use: relievePage)
        routes.post("relieve", use: relieveLog)
        return routes
    }

    /// Open to everyone, signed in or not: help with a cramp should never wait for an account.
    /// Signed out (hosted mode), the steps are the general ones and the cramp cannot be logged.
    @Sendable func relievePage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = context.owner
        let choices = CrampCareApp.reliefMuscles.map { ["code": $0.rawValue, "label": knowledge.muscleLabels[$0] ?? $0.rawValue] }
        guard let text = request.uri.queryParameters.get("muscle") else {
            return page(
                "relieve", title: "Ease a cramp now", section: "relieve", ["choices": choices, "chosen": false], request: request, context: context)
        }
        guard let muscle = Muscle(rawValue: text), CrampCareApp.reliefMuscles.contains(muscle) else {
            return page(
                "relieve", title: "Ease a cramp now", section: "relieve",
                [
                    "choices": choices, "chosen": false,
                    "errors": View.errors([("muscle", "\"\(text.prefix(40))\" is not a muscle here; choose calf, back of thigh or front of thigh")]),
                ], request: request, context: context, status: .unprocessableContent)
        }
        let session = try await services.app.startRelief(muscle: muscle, owner: owner)
        let now = session.startedAt
        let items: [[String: Any]] = session.steps.map { advice in
            let item = advice.item
            var data: [String: Any] = [
                "id": item.id, "title": item.title, "steps": item.steps, "cautions": advice.cautions,
                "drawing": item.drawing.joined(separator: "\n"),
            ]
            if let hold = item.holdSeconds {
                let repeats = item.repeats ?? 1
                data["timer"] = [
                    "hold": hold, "repeats": repeats, "rest": CrampCareApp.reliefRestSeconds,
                    "summary": "Hold for \(hold) seconds, \(repeats) time\(repeats == 1 ? "" : "s"), with a short rest between.",
                ]
            }
            return data
        }
        let avoid = knowledge.reliefCautions.map { $0.title == "What to avoid" ? $0.text : "\($0.title): \($0.text)" }
        return page(
            "relieve", title: "Ease a cramp now", section: "relieve",
            [
                "choices": choices, "chosen": true, "muscle": muscle.rawValue,
                "muscleLabel": (knowledge.muscleLabels[muscle] ?? muscle.rawValue).lowercased(),
                "items": items, "avoid": avoid, "startedAt": String(now.instant), "script": "relieve.js", "canLog": owner != nil,
            ], request: request, context: context)
    }

    /// Logs the cramp the session was for, with the stretch and whether it helped; the episode
    /// page then shows its check for red flags, as after any logged cramp.
    @Sendable func relieveLog(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(ReliefLogForm.self, request, context: context)
        guard let text = form.muscle, let muscle = Muscle(rawValue: text), CrampCareApp.reliefMuscles.contains(muscle) else {
            throw Problem.invalid("muscle", "\"\((form.muscle ?? "").prefix(40))\" is not calf, hamstrings or quadriceps")
        }
        guard let outcomeText = form.outcome, let outcome = ReliefTried.Outcome(rawValue: outcomeText) else {
            throw Problem.invalid("outcome", "\"\((form.outcome ?? "").prefix(40))\" is not an answer; accepted: helped, partly, no")
        }
        let startedAt = form.startedAt.flatMap { Int64($0) } ?? services.clock.millisecondsNow()
        let logged = try await Body.saving {
            try await services.app.logRelief(muscle: muscle, outcome: outcome, startedAt: startedAt, owner: owner)
        }
        return try await self.logged(logged, request: request, context: context)
    }
}

/// The form at the end of a relief session (`relieve.mustache`).
struct ReliefLogForm: SubmittedForm {
    var csrf: String?
    var muscle: String?
    var outcome: String?
    /// When the session's page was served, in milliseconds since the epoch.
    var startedAt: String?
}
