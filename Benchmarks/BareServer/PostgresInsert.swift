// POST /episodes: the body decoded with Codable, one INSERT … ON CONFLICT through PostgresNIO
// with every value bound (CrampCare's upsert, its columns), and the episode answered as JSON.
import Foundation
import Hummingbird
import PostgresNIO

struct EpisodeBody: Decodable {
    let startedAt: String
    let durationSeconds: Int
    let muscles: [String]
    let side: String?
    let severity: Int?
    let onset: String?
    let findings: [String]?
    let note: String?
}

struct SavedEpisode: Encodable {
    let id: String
    let startedAt: String
    let durationSeconds: Int
    let muscles: [String]
    let side: String?
    let severity: Int?
    let onset: String?
    let findings: [String]
    let reliefs: [String]
    let note: String?
    let createdAt: Int64
    let updatedAt: Int64
}

enum PostgresInsert {
    static func client(_ url: String) throws -> PostgresClient {
        guard let parts = URLComponents(string: url), let host = parts.host else { throw BareError("not a postgres:// URL: \(url)") }
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres", password: parts.password,
            database: String(parts.path.dropFirst()), tls: .disable)
        configuration.options.maximumConnections = 16
        return PostgresClient(configuration: configuration)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (the load's bodies) as milliseconds since the epoch.
    static func instant(_ text: String) throws -> Int64 {
        let digits = Array(text.utf8)
        guard digits.count >= 19 else { throw HTTPError(.badRequest) }
        func number(_ range: Range<Int>) -> Int64 { digits[range].reduce(0) { $0 * 10 + Int64($1) - 48 } }
        let (year, month, day) = (number(0..<4), number(5..<7), number(8..<10))
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
        return ((days * 24 + number(11..<13)) * 60 + number(14..<16)) * 60_000 + number(17..<19) * 1000
    }

    static func route(_ router: Router<BasicRequestContext>, client: PostgresClient, owner: String) {
        router.post("episodes") { request, context -> Response in
            let body = try await request.decode(as: EpisodeBody.self, context: context)
            let id = UUID().uuidString.lowercased()
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let started = try instant(body.startedAt)
            let muscles = ";" + body.muscles.joined(separator: ";") + ";"
            let findings = body.findings.map { $0.isEmpty ? "" : ";" + $0.joined(separator: ";") + ";" } ?? ""
            let severity = body.severity.map(Int32.init)
            try await client.query(
                """
                INSERT INTO episodes (owner_id, id, started_at, utc_offset_seconds, duration_seconds, muscles, side, severity, onset, \
                findings, reliefs, note, created_at, updated_at) VALUES (\(owner), \(id), \(started), \(Int32(0)), \
                \(Int32(body.durationSeconds)), \(muscles), \(body.side), \(severity), \(body.onset), \(findings), \(""), \(body.note), \
                \(now), \(now)) ON CONFLICT (owner_id, id) DO UPDATE SET started_at = excluded.started_at, \
                utc_offset_seconds = excluded.utc_offset_seconds, duration_seconds = excluded.duration_seconds, \
                muscles = excluded.muscles, side = excluded.side, severity = excluded.severity, onset = excluded.onset, \
                findings = excluded.findings, reliefs = excluded.reliefs, note = excluded.note, updated_at = excluded.updated_at
                """)
            let saved = SavedEpisode(
                id: id, startedAt: body.startedAt, durationSeconds: body.durationSeconds, muscles: body.muscles, side: body.side,
                severity: body.severity, onset: body.onset, findings: body.findings ?? [], reliefs: [], note: body.note, createdAt: now,
                updatedAt: now)
            var response = try JSONEncoder().encode(saved, from: request, context: context)
            response.status = .created
            response.headers[.location] = "/episodes/\(id)"
            return response
        }
    }
}
