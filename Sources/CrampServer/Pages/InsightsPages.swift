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

/// The person's insights in plain words, and the clinician report with the statistics behind
/// them: the same computation as `crampcare insights` and `crampcare report`.
struct InsightsPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("insights", use: insightsPage)
        routes.get("insights/report", use: reportPage)
        routes.get("insights/report.html", use: reportDownload)
        return routes
    }

    @Sendable func insightsPage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let view = try await services.insights(owner: owner, asOf: nil)
        let weeks = Array(view.insights.trends.weeklyCounts.suffix(12))
        let recent = view.insights.episodes.filter { Diary.day(of: $0) > view.insights.today.adding(days: -84) }
        return page(
            "insights", title: "Insights", section: "insights", model: InsightsPage(view.words, knowledge: knowledge), request: request,
            context: context,
            fragments: [
                "weekly": Charts.episodesPerWeek(weeks, id: "weekly", title: InsightsPage.weeklyTitle, canvas: .phone),
                "severity": Charts.severityOverTime(recent, id: "severity", title: InsightsPage.severityTitle, canvas: .phone),
            ])
    }

    /// The clinician report inside the site, to read or print; its tables scroll on a phone.
    @Sendable func reportPage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let view = try await services.insights(owner: owner, asOf: nil)
        let report = ClinicianReport(contents: view.contents, insights: view.insights, knowledge: knowledge)
        return page(
            "report", title: "Report for your doctor", section: "insights", model: ReportPage(), stylesheet: "report.css", request: request,
            context: context, fragments: ["report": report.body(headingLevel: 1)])
    }

    /// The printable report as a file to keep or send: self-contained, so it opens anywhere.
    @Sendable func reportDownload(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let view = try await services.insights(owner: owner, asOf: nil)
        let insights = view.insights
        let document = ClinicianReport(contents: view.contents, insights: insights, knowledge: knowledge).document()
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentDisposition: "attachment; filename=\"crampcare-report-\(insights.today).html\"",
            ], body: .init(byteBuffer: ByteBuffer(string: document)))
    }
}

/// The plain-words insights, section by section; the charts go in after "How often".
struct InsightsPage: Sendable {
    struct Item: Sendable {
        let label: String
        let hasLabel: Bool
        let text: String
        let tone: String
        let sources: String
        let hasSources: Bool
    }

    struct Section: Sendable {
        let id: String
        let title: String
        let items: [Item]
        let charts: Bool
    }

    static let weeklyTitle = "Cramps each week, the last 12 weeks"
    static let severityTitle = "How bad each cramp was, 0 to 10, the last 12 weeks"
    let weeklyTitle = Self.weeklyTitle
    let severityTitle = Self.severityTitle
    let summary: String
    let sections: [Section]

    init(_ words: InsightWords, knowledge: KnowledgeBase) {
        summary = words.summary
        sections = words.sections.map { section in
            Section(
                id: section.kind.rawValue, title: section.title,
                items: section.items.map { item in
                    let sources = knowledge.sourceNames(item.sources).joined(separator: "; ")
                    return Item(
                        label: item.label ?? "", hasLabel: item.label != nil, text: item.text, tone: item.tone.rawValue, sources: sources,
                        hasSources: !sources.isEmpty)
                }, charts: section.kind == .howOften)
        }
    }
}

struct ReportPage: Sendable {}
