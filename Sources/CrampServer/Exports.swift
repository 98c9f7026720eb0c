import CrampJournal
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The journal as a download: CSV (one table at a time), the JSON backup, or an HL7 FHIR R4 bundle.
enum Exports {
    static let formats = ["csv", "json", "fhir"]
    static let tables = ["episodes", "days"]

    static func response(format: String, table: String, owner: OwnerID, services: CrampServices) async throws -> Response {
        guard formats.contains(format) else {
            throw Problem.invalid("format", "\"\(format)\" is not an export format; accepted: \(formats.joined(separator: ", "))")
        }
        if !tables.contains(table) {
            throw Problem.invalid("table", "\"\(table)\" is not a table; accepted: \(tables.joined(separator: ", "))")
        }
        let contents = try await services.journal.contents(owner: owner)
        let bytes: [UInt8]
        let type: String
        let name: String
        switch format {
        case "csv":
            var text: String
            if table == "days" {
                text = JournalCSV.dayHeader()
                for day in contents.dayLogs.sorted(by: { $0.date < $1.date }) { text += JournalCSV.row(day) }
                name = "daily.csv"
            } else {
                text = JournalCSV.episodeHeader()
                for episode in contents.episodes.sorted(by: { ($0.startedAt.instant, $0.id) < ($1.startedAt.instant, $1.id) }) {
                    text += JournalCSV.row(episode)
                }
                name = "episodes.csv"
            }
            bytes = Array(text.utf8)
            type = "text/csv; charset=utf-8"
        case "fhir":
            let zone = try await services.zone(owner: owner)
            bytes = FHIRExport.bundle(contents, knowledge: services.knowledge, generatedAt: Zones.now(in: zone))
            type = "application/fhir+json"
            name = "crampcare-fhir.json"
        default:
            bytes = JournalBackup.encode(contents)
            type = "application/json"
            name = "crampcare-journal.json"
        }
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
