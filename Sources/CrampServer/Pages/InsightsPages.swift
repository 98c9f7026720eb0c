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

/// Insights and the clinician report as pages: the same computation as `crampcare insights` and `crampcare report`.
struct InsightsPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("insights", use: insightsPage)
        routes.get("insights/report.html", use: reportDownload)
        return routes
    }

    @Sendable func insightsPage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let (insights, contents) = try await services.insights(owner: owner, asOf: nil)
        let report = ClinicianReport(contents: contents, insights: insights, knowledge: knowledge)
        return page(
            "insights", title: "Insights", section: "insights", model: InsightsPage(), stylesheet: "report.css", request: request, context: context,
            fragments: ["report": report.body(headingLevel: 1)])
    }

    /// The printable report as a file to keep or send: self-contained, so it opens anywhere.
    @Sendable func reportDownload(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let (insights, contents) = try await services.insights(owner: owner, asOf: nil)
        let document = ClinicianReport(contents: contents, insights: insights, knowledge: knowledge).document()
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentDisposition: "attachment; filename=\"crampcare-report-\(insights.today).html\"",
            ], body: .init(byteBuffer: ByteBuffer(string: document)))
    }
}

/// The page is the clinician report's markup, put in as a fragment.
struct InsightsPage: Sendable {}
