// A bare Hummingbird 2 server, the yardstick of Benchmarks/http-load.py: POST /assess decodes the
// same request document with Codable (Hummingbird's default) and answers a fixed body as long as
// CrampCare's real answer; GET /page answers a fixed body as long as a real page of episodes.
// usage: BareServer PORT ASSESS-BODY-FILE PAGE-BODY-FILE
import Foundation
import Hummingbird

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
guard arguments.count == 4, let port = Int(arguments[1]),
    let assessBody = FileManager.default.contents(atPath: arguments[2]), let pageBody = FileManager.default.contents(atPath: arguments[3])
else {
    FileHandle.standardError.write(Data("usage: BareServer PORT ASSESS-BODY-FILE PAGE-BODY-FILE\n".utf8))
    exit(2)
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
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
