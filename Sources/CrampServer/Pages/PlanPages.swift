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
        let items = plan.items.enumerated().map { number, item in
            PlanPage.Item(
                number: number + 1, title: item.title, why: item.reason, steps: item.steps, sets: item.sets, progression: item.progression,
                cautions: item.cautions, reminder: item.item.reminder.map { PlanCalendar.describe($0, reminderTimes: times) },
                sources: item.item.sources.map { id in knowledge.sources[id].map { "\($0.publisher): \($0.title)" } ?? id })
        }
        let model = PlanPage(
            items: items, olderAdult: plan.olderAdult, seeFirst: plan.seeFirst.isEmpty ? nil : plan.seeFirst.joined(separator: "; "),
            leftOut: plan.leftOut.map { "\($0.item.title) (\($0.reason))" }, timeZone: view.zoneName, hasTimes: !times.isEmpty)
        return page("plan", title: "My prevention plan", section: "plan", model: model, request: request, context: context)
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

struct PlanPage: Sendable {
    struct Item: Sendable {
        let number: Int
        let title: String
        let why: String
        let steps: [String]
        let sets: String?
        let progression: String?
        let cautions: [String]
        let reminder: String?
        let sources: [String]
    }

    let items: [Item]
    let olderAdult: Bool
    /// What the last check found that should be seen before new exercise.
    let seeFirst: String?
    let leftOut: [String]
    let timeZone: String
    let hasTimes: Bool
}
