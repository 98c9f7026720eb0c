import CrampApplication
import CrampJournal
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The journal as a download, on the API and the data page: one CSV table (`table=`), the JSON
/// backup, or an HL7 FHIR R4 bundle.
enum Exports {
    /// Hosted, the JSON backup also holds the account's grants and its whole audit trail.
    static func response(
        _ query: FlatDictionary<Substring, Substring>, owner: OwnerID, services: CrampServices, hosted: Bool
    ) async throws -> Response {
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
        var sharing: SharingExport?
        if hosted, format == .json {
            let store = services.sharing
            sharing = SharingExport(
                given: try await store.grants(owner: owner), held: try await store.grants(grantee: owner),
                trail: try await store.trail(owner: owner), now: services.clock.millisecondsNow())
        }
        let export = try await services.app.export(format, tables: [table], owner: owner, sharing: sharing)
        let file = export.files[0]
        return Response(
            status: .ok, headers: [.contentType: file.mediaType, .contentDisposition: "attachment; filename=\"\(file.name)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
