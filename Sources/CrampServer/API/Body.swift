import CrampApplication
import CrampJSON
import CrampJournal
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// Reading bodies and writing JSON responses.
enum Body {
    /// The whole body must arrive within this time: Hummingbird's idle timeout covers the
    /// request head only, so a client trickling a body a byte at a time would hold its task.
    static let readDeadline: TimeAmount = .seconds(20)

    /// The body, at most the upload cap, within the read deadline (408 after it).
    static func buffer(_ request: Request, context: CrampRequestContext) async throws -> ByteBuffer {
        let limit = context.maxUploadSize
        let body = request.body
        let buffer = try await ReadDeadline.run(within: readDeadline, on: context.eventLoop) {
            do {
                return try await body.collect(upTo: limit)
            } catch let error as any HTTPResponseError {
                throw error
            } catch {
                // The client went away or sent a broken body: its fault, not the server's.
                throw Problem(.badRequest, "Body cut off", detail: "the request body ended before it was complete")
            }
        }
        guard let buffer else {
            var problem = Problem(
                .requestTimeout, "Too slow", detail: "the request body did not arrive within \(readDeadline.nanoseconds / 1_000_000_000) seconds")
            problem.headers[.connection] = "close"
            throw problem
        }
        return buffer
    }

    static func bytes(_ request: Request, context: CrampRequestContext) async throws -> [UInt8] {
        Array(try await buffer(request, context: context).readableBytesView)
    }

    /// The body of a JSON route, parsed once: 400 when it is not JSON at all (a body that is
    /// JSON but wrong is 422, naming the field), the same on every route.
    static func jsonValue(_ request: Request, context: CrampRequestContext) async throws -> JSONValue {
        // Parsed in place from the received bytes: no copy into an array first.
        let buffer = try await buffer(request, context: context)
        let parsed: Result<JSONValue, JSONSyntaxError> = buffer.withUnsafeReadableBytes { raw in
            Result { () throws(JSONSyntaxError) in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        }
        switch parsed {
        case .success(let value): return value
        case .failure(let error): throw Problem(.badRequest, "Malformed JSON", detail: error.description)
        }
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Runs a journal decoder, turning its error into a 422 problem naming the field as the JSON
    /// document names it.
    static func journal<T>(_ body: () throws(JournalError) -> T) throws -> T {
        do throws(JournalError) {
            return try body()
        } catch {
            throw Problem.invalid(jsonField(error.field), error.problem)
        }
    }

    /// A use case that validates and saves: its JournalError becomes a 422 the same way.
    static func saving<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as JournalError {
            throw Problem.invalid(jsonField(error.field), error.problem)
        } catch let error as EpisodeDeleted {
            throw EpisodesAPI.deleted(error.id)
        }
    }

    /// The journal's validation names fields as the CSV columns do (`fluids_ml`); the JSON API
    /// names them as `JournalField` does (`fluidsML`).
    static func jsonField(_ field: String) -> String { JournalField.jsonPath(field) }

    /// The JSON object with members added where it lacks them (a non-object is left as it is,
    /// for the decoder to refuse).
    static func withDefaults(_ value: JSONValue, _ defaults: [String: JSONValue]) -> JSONValue {
        guard case .object(var members) = value else { return value }
        for (key, value) in defaults.sorted(by: { $0.key < $1.key }) where !members.contains(where: { $0.key == key }) {
            members.append((key, value))
        }
        return .object(members)
    }
}

/// Query values with empty ones read as absent (an HTML form sends `from=` for a blank field).
struct NonEmptyQuery {
    let parameters: FlatDictionary<Substring, Substring>
    init(_ parameters: FlatDictionary<Substring, Substring>) { self.parameters = parameters }
    func get(_ name: String) -> String? { parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
    func getAll(_ name: String) -> [String] { parameters.getAll(name).filter { !$0.isEmpty } }
}

/// Query and path values, each refused with the field, the value and what is accepted.
enum Query {
    static func integer(_ text: String, field: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw Problem.invalid(field, "\"\(text)\" is not accepted; accepted: a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func date(_ text: String, field: String) throws -> LocalDate {
        guard let date = LocalDate(iso: text) else { throw Problem.invalid(field, "\"\(text)\" is not a date; accepted: YYYY-MM-DD") }
        return date
    }

    static func entryID(_ text: String) throws -> EntryID {
        guard let id = EntryID(text) else {
            throw Problem.invalid("id", "\"\(text)\" is not an id; accepted: a UUID such as 2d03997f-0a06-5ff1-825a-85488f7d160e")
        }
        return id
    }

    /// A date (local midnight in `zone`, or the next midnight for an end) or a full timestamp.
    static func instant(_ text: String, field: String, clock: PersonClock, endOfDay: Bool) throws -> Int64 {
        if let stamp = LocalTimestamp(iso: text) { return stamp.instant }
        guard let date = LocalDate(iso: text) else {
            throw Problem.invalid(field, "\"\(text)\" is not a date or time; accepted: YYYY-MM-DD or a timestamp such as 2026-03-01T22:15:00+01:00")
        }
        return clock.midnight(of: endOfDay ? date.adding(days: 1) : date)
    }
}
