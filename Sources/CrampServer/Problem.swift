import CrampJSON
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An RFC 9457 problem document: what went wrong, and for bad input the field, the value and
/// what is accepted. Never a stack trace or an internal detail.
public struct Problem: Error, Sendable, HTTPResponseError {
    public let status: HTTPResponse.Status
    public let title: String
    public let detail: String
    public let field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ title: String, detail: String, field: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
    }

    /// Bad input: the field and what was wrong with it (HTTP 422).
    static func invalid(_ field: String, _ problem: String) -> Problem {
        Problem(.unprocessableContent, "Invalid input", detail: field.isEmpty ? problem : "\(field): \(problem)", field: field.isEmpty ? nil : field)
    }

    /// User text as a message quotes it.
    static func shown(_ text: String, limit: Int = 100) -> String { ShownText.quoted(text, limit: limit) }

    static func notFound(_ what: String) -> Problem { Problem(.notFound, "Not found", detail: "\(what) was not found") }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var w = JSONWriter()
        w.beginObject()
        w.key("type"); w.value("about:blank")
        w.key("title"); w.value(title)
        w.key("status"); w.value(Int(status.code))
        w.key("detail"); w.value(detail)
        if let field { w.key("field"); w.value(field) }
        w.key("instance"); w.value(request.uri.path)
        w.endObject()
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
    }
}
