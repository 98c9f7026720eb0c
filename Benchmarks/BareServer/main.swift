// A bare Hummingbird 2 server, the yardstick of Benchmarks/http-load.py and hosted-load.py:
// - POST /assess decodes the same request document with Codable (Hummingbird's default) and
//   answers a fixed body as long as CrampCare's real answer;
// - GET /page answers a fixed body as long as a real page of episodes;
// - GET /episodes?after=… runs CrampCare's page query on a journal through SQLite's C API and
//   writes the same JSON with a plain writer (with --sqlite);
// - POST /episodes inserts an episode through PostgresNIO (with --postgres).
// usage: BareServer PORT ASSESS-BODY-FILE PAGE-BODY-FILE [--sqlite JOURNAL OWNER] [--postgres URL OWNER]
import Foundation
import Hummingbird
import PostgresNIO

struct EpisodeShape: Decodable {
    let durationMinutes: Double
    let muscles: [String]
    let side: String?
    let onset: String?
    let severity: Int?
}

struct RequestShape: Decodable {
    let schemaVersion: Int?
    let age: Int
    let sex: String?
    let episode: EpisodeShape
    let episodesLast30Days: Int?
    let findings: [String]?
    let context: [String]?
    let conditions: [String]?
    let medications: [String]?
    let negatives: [String]?
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let port = Int(arguments[1]),
    let assessBody = FileManager.default.contents(atPath: arguments[2]), let pageBody = FileManager.default.contents(atPath: arguments[3])
else {
    FileHandle.standardError.write(
        Data("usage: BareServer PORT ASSESS-BODY-FILE PAGE-BODY-FILE [--sqlite JOURNAL OWNER] [--postgres URL OWNER]\n".utf8))
    exit(2)
}
func option(_ name: String) -> (String, String)? {
    guard let at = arguments.firstIndex(of: name), at + 2 < arguments.count else { return nil }
    return (arguments[at + 1], arguments[at + 2])
}
let assessBuffer = ByteBuffer(bytes: assessBody)
let pageBuffer = ByteBuffer(bytes: pageBody)

let router = Router()
router.post("assess") { request, context -> Response in
    _ = try await request.decode(as: RequestShape.self, context: context)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: assessBuffer))
}
router.get("page") { _, _ -> Response in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: pageBuffer))
}
if let (path, owner) = option("--sqlite") {
    let pages = SQLitePages(path: path, owner: owner)
    router.get("episodes") { request, _ -> Response in
        let bytes = try pages.page(after: request.uri.queryParameters.get("after"))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
let postgres = try option("--postgres").map { url, owner in
    let client = try PostgresInsert.client(url)
    PostgresInsert.route(router, client: client, owner: owner)
    return client
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
if let postgres {
    // The pool runs until the server has stopped (SIGTERM), then is cancelled.
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { await postgres.run() }
        try await app.runService()
        group.cancelAll()
    }
} else {
    try await app.runService()
}
