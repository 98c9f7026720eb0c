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

/// The prevention plan as a page and as a calendar file: the same plan as `crampcare plan`.
struct PlanPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("plan", use: planPage)
        routes.get("plan.ics", use: planCalendar)
        return routes
    }

    @Sendable func planPage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let view = try await services.app.plan(owner: owner)
        let plan = view.plan
        let times = view.reminderTimes
        let items: [[String: Any]] = plan.items.enumerated().map { number, item in
            let reminder = item.item.reminder.map { PlanCalendar.describe($0, reminderTimes: times) } ?? ""
            return [
                "number": number + 1, "title": item.title, "why": item.reason, "steps": item.steps, "sets": item.sets ?? "",
                "progression": item.progression ?? "", "cautions": item.cautions, "reminder": reminder,
                "sources": item.item.sources.map { id in knowledge.sources[id].map { "\($0.publisher): \($0.title)" } ?? id },
            ]
        }
        return page(
            "plan", title: "My prevention plan", section: "plan",
            [
                "items": items, "olderAdult": plan.olderAdult, "seeFirst": plan.seeFirst.joined(separator: "; "),
                "leftOut": plan.leftOut.map { "\($0.item.title) (\($0.reason))" }, "timeZone": view.zoneName,
                "hasTimes": !times.isEmpty,
            ], request: request, context: context)
    }

    @Sendable func planCalendar(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let text = services.app.planCalendar(try await services.app.plan(owner: owner))
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/calendar; charset=utf-8",
                .contentDisposition: "attachment; filename=\"crampcare-plan.ics\"",
            ], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
