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
        return page(
            "plan", title: "My prevention plan", section: "plan", model: PlanPage(view, knowledge: knowledge), request: request, context: context)
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

/// The plan with this week first, then how to do each part (folded, so the page stays short).
/// Optional lines are nil when empty: an empty String is truthy in a template.
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

    /// A routine on the week's list, linking to how it is done.
    struct Due: Sendable {
        let number: Int
        let time: String
        let title: String
        let minutes: Int
    }

    struct Day: Sendable {
        let label: String
        let due: [Due]
    }

    let everyDay: [Due]
    let hasEveryDay: Bool
    /// Today and tomorrow, shown; the five days after, folded.
    let soon: [Day]
    let later: [Day]
    let hasLater: Bool
    let anyDue: Bool
    let items: [Item]
    let olderAdult: Bool
    /// The urgent or emergency checks of the last 14 days, in one sentence.
    let seeFirst: String?
    let unansweredCount: Int
    let unansweredWords: String?
    let unansweredLink: String?
    let leftOut: [String]
    let timeZone: String
    let hasTimes: Bool

    init(_ view: PlanView, knowledge: KnowledgeBase) {
        let plan = view.plan
        let times = view.reminderTimes
        func text(_ value: String?) -> String? { value.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        items = plan.items.enumerated().map { number, item in
            Item(
                number: number + 1, title: item.title, why: item.reason, steps: item.steps.filter { !$0.isEmpty }, sets: text(item.sets),
                progression: text(item.progression), cautions: item.cautions.filter { !$0.isEmpty },
                reminder: text(item.item.reminder.map { PlanCalendar.describe($0, reminderTimes: times) }),
                sources: knowledge.sourceNames(item.item.sources))
        }
        let week = view.week
        func listed(_ due: [PlanCalendar.Due]) -> [Due] {
            due.map { Due(number: $0.index + 1, time: $0.time.description, title: $0.title, minutes: $0.minutes) }
        }
        everyDay = listed(week.everyDay)
        hasEveryDay = !everyDay.isEmpty
        let days = week.days.enumerated().compactMap { offset, day -> (Int, Day)? in
            guard !day.due.isEmpty else { return nil }
            return (offset, Day(label: week.label(offset), due: listed(day.due)))
        }
        soon = days.filter { $0.0 < 2 }.map(\.1)
        later = days.filter { $0.0 >= 2 }.map(\.1)
        hasLater = !later.isEmpty
        anyDue = !week.isEmpty
        olderAdult = plan.olderAdult
        seeFirst = plan.seeFirstWords
        unansweredCount = view.unanswered.count
        unansweredWords = view.unansweredWords
        unansweredLink = view.unanswered.first.map { "/journal/\($0.id)/safety" }
        leftOut = plan.leftOut.map { "\($0.item.title) (\($0.reason))" }
        timeZone = view.zoneName
        hasTimes = !times.isEmpty
    }
}
