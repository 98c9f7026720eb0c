import CrampAssessment
import CrampJournal
import CrampKnowledge
import CrampStorage
import CrampTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Synchronization
import Testing

@testable import CrampServer

/// The system's time plus what a test has moved it on by: time-outs tested without sleeping, so a
/// loaded machine cannot make the request before the wait late.
final class MovableClock: JournalClock {
    private let offset = Mutex<Int64>(0)
    func millisecondsNow() -> Int64 { SystemClock().millisecondsNow() + offset.withLock { $0 } }
    func move(seconds: Int64) { offset.withLock { $0 += seconds * 1000 } }
}

/// A server on a fresh SQLite journal, driven in memory.
struct TestServer {
    let configuration: ServerConfiguration
    let store: SQLJournalStore
    let router: Router<CrampRequestContext>

    static func make(
        hosted: Bool = false, allowLocalhost: Bool = true, metrics: PrometheusCollectorRegistry? = nil, failingKeeps: Bool = false,
        clock: any JournalClock = SystemClock(), configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-server-\(UUID().uuidString)")
        let store = try await SQLJournalStore.sqlite(path: folder.appendingPathComponent("journal.sqlite").path)
        var configuration = ServerConfiguration()
        configuration.hosted = hosted
        configuration.passwordCost = 4
        // The test client calls the server "localhost" with no port.
        if allowLocalhost { configuration.allowedHosts = ["localhost"] }
        configure(&configuration)
        let knowledge = try KnowledgeBase.bundled.get()
        let services = CrampServices(
            journal: store, knowledge: knowledge, hosted: hosted, clock: clock, useCasesOn: failingKeeps ? UnkeepableJournal(store) : nil)
        return TestServer(
            configuration: configuration, store: store, router: try buildRouter(configuration: configuration, services: services, metrics: metrics))
    }

    func run(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: router)
        do {
            try await app.test(.router, test)
        } catch {
            // Closed on failure too: an open SQLite connection traps when it is released.
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}

let json: HTTPFields = [.contentType: "application/json"]

func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

func object(_ response: TestResponse) throws -> [String: Any] {
    let data = Data(response.body.readableBytesView)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object: \(String(decoding: data, as: UTF8.self))")
}

/// The body as a JSON object, or empty when it is not one (for use inside #expect).
func parsed(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
}

/// The page of the cramp a log led to, "/journal/ID", from "/journal/ID/safety" (its red-flag
/// questions next) or "/journal/ID?logged=1" (its check at once).
func crampPath(_ response: TestResponse) throws -> String {
    let location = try #require(response.headers[.location], "no Location: \(response.status)")
    let path = location.split(separator: "?")[0]
    return path.hasSuffix("/safety") ? String(path.dropLast("/safety".count)) : String(path)
}

func text(_ response: TestResponse) -> String { String(decoding: response.body.readableBytesView, as: UTF8.self) }

/// A browser's session: its cookies, and the CSRF token the pages hand out.
final class Browser: @unchecked Sendable {
    var cookies: [String: String] = [:]
    let client: any TestClientProtocol

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let value = pair.count > 1 ? String(pair[1]) : ""
            if header.contains("Max-Age=0") || value.isEmpty { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = value }
        }
    }

    @discardableResult
    func get(_ uri: String) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: cookieHeader.merging([.accept: "text/html"]))
        remember(response)
        return response
    }

    var csrf: String { cookies["crampcare_csrf"] ?? "" }

    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> TestResponse {
        if self.csrf.isEmpty { try await get("/") }
        var all = fields
        if csrf { all.append(("csrf", self.csrf)) }
        let encoded = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(
            uri: uri, method: .post,
            headers: cookieHeader.merging([.contentType: "application/x-www-form-urlencoded", .accept: "text/html"]),
            body: ByteBuffer(string: encoded))
        remember(response)
        return response
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!.replacingOccurrences(of: "%20", with: "+")
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var copy = self
        for field in other { copy.append(field) }
        return copy
    }
}

@Suite struct ServerThreadsTests {
    @Test func countsTheCPUsTheProcessMayUse() {
        #expect(ServerThreads.allowedCPUs(status: "Name:\tcrampcare\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n") == 1)
        #expect(ServerThreads.allowedCPUs(status: "Cpus_allowed_list:\t0-3,6,8-9\n") == 7)
        #expect(ServerThreads.allowedCPUs(status: "Name:\tx\n") == nil)
        #expect(ServerThreads.allowedCPUs(status: "Cpus_allowed_list:\t3-1\n") == nil)
        #expect(ServerThreads.allowedCPUs(status: "Cpus_allowed_list:\tzero\n") == nil)
        #expect(ServerThreads.usableCPUs >= 1)
    }
}
