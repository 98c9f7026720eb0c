import CrampApplication
import CrampInsights
import CrampJournal
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Insights and the clinician report, on the API and as pages: the same computation as
/// `crampcare insights` and `crampcare report`.
extension CrampServices {
    /// The insights for an owner as of `asOf` (a YYYY-MM-DD text), else today in their zone.
    func insights(owner: OwnerID, asOf: String?) async throws -> (Insights, JournalContents) {
        var date: LocalDate?
        if let asOf {
            guard let parsed = LocalDate(iso: asOf) else {
                throw Problem.invalid("asOf", "\"\(asOf.prefix(40))\" is not a date; accepted: YYYY-MM-DD")
            }
            date = parsed
        }
        let view = try await app.insights(owner: owner, asOf: date)
        return (view.insights, view.contents)
    }
}

extension API {
    @Sendable func insights(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let (insights, _) = try await services.insights(owner: owner, asOf: request.uri.queryParameters.get("asOf"))
        return Body.json(insights.json(knowledge: services.knowledge))
    }
}

extension Pages {
    @Sendable func insightsPage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let (insights, contents) = try await services.insights(owner: owner, asOf: nil)
        let report = ClinicianReport(contents: contents, insights: insights, knowledge: knowledge)
        return page("insights", title: "Insights", section: "insights", ["stylesheet": "report.css"], request: request, context: context,
                    fragments: ["report": report.body(headingLevel: 1)])
    }

    /// The printable report as a file to keep or send: self-contained, so it opens anywhere.
    @Sendable func reportDownload(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let (insights, contents) = try await services.insights(owner: owner, asOf: nil)
        let document = ClinicianReport(contents: contents, insights: insights, knowledge: knowledge).document()
        return Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8",
            .contentDisposition: "attachment; filename=\"crampcare-report-\(insights.today).html\"",
        ], body: .init(byteBuffer: ByteBuffer(string: document)))
    }
}
