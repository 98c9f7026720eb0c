import CrampApplication
import CrampJournal
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The journal as a download, on the API and the data page: one CSV table (`table=`), the JSON
/// backup, or an HL7 FHIR R4 bundle.
enum Exports {
    static func response(_ query: FlatDictionary<Substring, Substring>, owner: OwnerID, app: CrampCareApp) async throws -> Response {
        let formatText = query.get("format") ?? "json"
        let tableText = query.get("table") ?? "episodes"
        guard let format = ExportFormat(rawValue: formatText) else {
            throw Problem.invalid(
                "format", "\"\(formatText)\" is not an export format; accepted: \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let table = ExportTable(rawValue: tableText) else {
            throw Problem.invalid(
                "table", "\"\(tableText)\" is not a table; accepted: \(ExportTable.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let export = try await app.export(format, tables: [table], owner: owner)
        let file = export.files[0]
        return Response(
            status: .ok, headers: [.contentType: file.mediaType, .contentDisposition: "attachment; filename=\"\(file.name)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
