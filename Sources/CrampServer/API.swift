import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The JSON API under /api/v1. Every journal route acts for `context.owner` and nothing else.
struct API: Sendable {
    let services: CrampServices
    let configuration: ServerConfiguration

    var journal: any JournalStore { services.journal }

    func register(on router: Router<CrampRequestContext>) {
        let api = router.group("api/v1").add(middleware: APIGuard(configuration: configuration, services: services))
        api.post("assessments", use: assess)
        api.get("questionnaire", use: questionnaire)
        api.post("questionnaire-responses", use: assessResponse)
        api.get("episodes", use: listEpisodes)
        api.post("episodes", use: createEpisode)
        api.get("episodes/:id", use: readEpisode)
        api.put("episodes/:id", use: updateEpisode)
        api.delete("episodes/:id", use: deleteEpisode)
        api.get("days", use: listDays)
        api.get("days/:date", use: readDay)
        api.put("days/:date", use: writeDay)
        api.delete("days/:date", use: deleteDay)
        api.get("profile", use: readProfile)
        api.put("profile", use: writeProfile)
        api.get("export", use: export)
        api.get("insights", use: insights)
        api.delete("journal", use: eraseJournal)
        AccountAPI(services: services, configuration: configuration).register(on: api)
    }

    // MARK: assessments

    /// The assessment's questions as a FHIR R4 Questionnaire (as `crampcare questionnaire --fhir`).
    @Sendable func questionnaire(_ request: Request, context: CrampRequestContext) async throws -> Response {
        var response = Body.json(AssessmentQuestionnaire.questionnaire(interview: services.interview))
        response.headers[.contentType] = "application/fhir+json"
        return response
    }

    /// A QuestionnaireResponse to that Questionnaire, answered with the same result as a request.
    @Sendable func assessResponse(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let value = try await parsedBody(request, context: context)
        return try answer { () throws(RequestError) in
            try AssessmentQuestionnaire.request(fromResponse: value, medicineNames: services.knowledge.medicineNames, interview: services.interview)
        }
    }

    /// The body parsed in place from the received bytes; 400 with the position when malformed.
    func parsedBody(_ request: Request, context: CrampRequestContext) async throws -> JSONValue {
        let buffer = try await Body.buffer(request, context: context)
        let parsed: Result<JSONValue, JSONSyntaxError> = buffer.withUnsafeReadableBytes { raw in
            Result { () throws(JSONSyntaxError) in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        }
        switch parsed {
        case .success(let value): return value
        case .failure(let error): throw Problem(.badRequest, "Malformed JSON", detail: error.description)
        }
    }

    /// The result for a request read by `read`; its errors become problems naming the field.
    func answer(_ read: () throws(RequestError) -> AssessmentRequest) throws -> Response {
        let assessmentRequest: AssessmentRequest
        do throws(RequestError) {
            assessmentRequest = try read()
        } catch {
            throw Problem.invalid(error.field, error.problem)
        }
        return Body.json(services.resultEncoder.encode(services.assessor.assess(assessmentRequest)))
    }

    @Sendable func assess(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let value = try await parsedBody(request, context: context)
        return try answer { () throws(RequestError) in try AssessmentRequest.decode(value, medicineNames: services.knowledge.medicineNames) }
    }

    // MARK: episodes

    @Sendable func listEpisodes(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let query = NonEmptyQuery(request.uri.queryParameters)
        var filter = EpisodeFilter()
        // The owner's zone turns dates into instants; most pages name none, so it is read only when needed.
        if query.get("from") != nil || query.get("to") != nil {
            let clock = try await services.clock(owner: owner)
            if let from = query.get("from") { filter.from = try Query.instant(from, field: "from", clock: clock, endOfDay: false) }
            if let to = query.get("to") { filter.before = try Query.instant(to, field: "to", clock: clock, endOfDay: true) }
        }
        for (index, text) in request.uri.queryParameters.getAll("muscle").enumerated() {
            guard let muscle = Muscle.table.code(text) else {
                throw Problem.invalid("muscle[\(index)]", "\"\(text)\" is not a muscle; accepted: \(Muscle.table.accepted)")
            }
            filter.muscles.append(muscle)
        }
        filter.minimumSeverity = try query.get("minSeverity").map { try Query.integer($0, field: "minSeverity", in: 0...10) }
        filter.maximumSeverity = try query.get("maxSeverity").map { try Query.integer($0, field: "maxSeverity", in: 0...10) }
        let limit = try query.get("limit").map { try Query.integer($0, field: "limit", in: 1...500) } ?? 50
        if let after = query.get("after") {
            guard let cursor = EpisodeCursor(after) else {
                throw Problem.invalid("after", "\"\(after)\" is not a page cursor; use the \"next\" value of the page before")
            }
            filter.after = cursor
        }
        return Body.json(try await journal.episodePageJSON(owner: owner, filter: filter, limit: limit))
    }

    @Sendable func createEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let bytes = try await Body.jsonBytes(request, context: context)
        let now = services.clock.millisecondsNow()
        var episode = try Body.journal { () throws(JournalError) in try JournalBackup.episode(fromJSON: bytes, now: now) }
        // The server keeps the record's times: a client's clock is not the journal's.
        episode.createdAt = now
        episode.updatedAt = now
        if try await journal.episode(id: episode.id, owner: owner) != nil {
            throw Problem(.conflict, "Already exists", detail: "an episode with id \(episode.id) exists; change it with PUT /api/v1/episodes/\(episode.id)", field: "id")
        }
        _ = try await Body.journal { try await services.app.log(episode, owner: owner, check: false) }
        var response = Body.json(JournalBackup.episodeJSON(episode), status: .created)
        response.headers[.location] = "/api/v1/episodes/\(episode.id)"
        return response
    }

    @Sendable func readEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let id = try Query.entryID(context.parameters.get("id") ?? "")
        guard let episode = try await journal.episode(id: id, owner: owner) else { throw Problem.notFound("episode \(id)") }
        return Body.json(JournalBackup.episodeJSON(episode))
    }

    @Sendable func updateEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let id = try Query.entryID(context.parameters.get("id") ?? "")
        let bytes = try await Body.jsonBytes(request, context: context)
        guard let existing = try await journal.episode(id: id, owner: owner) else { throw Problem.notFound("episode \(id)") }
        let now = services.clock.millisecondsNow()
        var episode = try Body.journal { () throws(JournalError) in
            try JournalBackup.episode(fromJSON: Body.withDefaults(bytes, ["id": .string(id.description), "createdAt": .number(Double(existing.createdAt), isInteger: true)]), now: now)
        }
        guard episode.id == id else { throw Problem.invalid("id", "\"\(episode.id)\" differs from the id in the address, \(id)") }
        episode.createdAt = existing.createdAt
        if case .apiToken(.log) = context.credential {
            // A log-only token may send an episode again (a phone's queue retrying), never change one.
            episode.updatedAt = existing.updatedAt
            guard episode == existing else {
                throw Problem(.conflict, "Already logged", detail: "this episode is in the journal already with other details; a log-only token cannot change it")
            }
            return Body.json(JournalBackup.episodeJSON(existing))
        }
        episode = try await Body.journal { try await services.app.update(episode, owner: owner) }
        return Body.json(JournalBackup.episodeJSON(episode))
    }

    @Sendable func deleteEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let id = try Query.entryID(context.parameters.get("id") ?? "")
        guard try await journal.deleteEpisode(id: id, owner: owner) else { throw Problem.notFound("episode \(id)") }
        return Response(status: .noContent)
    }

    // MARK: day logs

    @Sendable func listDays(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let query = NonEmptyQuery(request.uri.queryParameters)
        let from = try query.get("from").map { try Query.date($0, field: "from") }
        let through = try query.get("to").map { try Query.date($0, field: "to") }
        let days = try await journal.dayLogs(owner: owner, from: from, through: through)
        var w = JSONWriter(capacity: 200 * days.count + 32)
        w.beginObject()
        w.key("days"); w.beginArray()
        for day in days { w.raw(JournalBackup.dayJSON(day)) }
        w.endArray()
        w.endObject()
        return Body.json(w.bytes)
    }

    @Sendable func readDay(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let date = try Query.date(context.parameters.get("date") ?? "", field: "date")
        guard let day = try await journal.dayLog(date: date, owner: owner) else { throw Problem.notFound("the day log of \(date)") }
        return Body.json(JournalBackup.dayJSON(day))
    }

    @Sendable func writeDay(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let date = try Query.date(context.parameters.get("date") ?? "", field: "date")
        let bytes = try await Body.jsonBytes(request, context: context)
        var day = try Body.journal { () throws(JournalError) in
            try JournalBackup.day(fromJSON: Body.withDefaults(bytes, ["date": .string(date.description)]), now: services.clock.millisecondsNow())
        }
        guard day.date == date else { throw Problem.invalid("date", "\"\(day.date)\" differs from the date in the address, \(date)") }
        day = try await Body.journal { try await services.app.save(day, owner: owner) }
        return Body.json(JournalBackup.dayJSON(day))
    }

    @Sendable func deleteDay(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let date = try Query.date(context.parameters.get("date") ?? "", field: "date")
        guard try await journal.deleteDayLog(date: date, owner: owner) else { throw Problem.notFound("the day log of \(date)") }
        return Response(status: .noContent)
    }

    // MARK: profile, export, erase

    @Sendable func readProfile(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        guard let profile = try await journal.profile(owner: owner) else { throw Problem.notFound("a profile") }
        return Body.json(JournalBackup.profileJSON(profile))
    }

    @Sendable func writeProfile(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let bytes = try await Body.jsonBytes(request, context: context)
        let now = services.app.defaultClock.now()
        var profile = try Body.journal { () throws(JournalError) in
            try JournalBackup.profile(fromJSON: bytes, currentYear: now.localDate.year, now: now.instant)
        }
        profile = try await Body.journal { try await services.app.save(profile, owner: owner) }
        return Body.json(JournalBackup.profileJSON(profile))
    }

    @Sendable func export(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        return try await Exports.response(request.uri.queryParameters, owner: owner, app: services.app)
    }

    @Sendable func eraseJournal(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        if configuration.hosted {
            // Erasing everything needs a session and the password again (ASVS 3.7.1), not a token.
            let accountAPI = AccountAPI(services: services, configuration: configuration)
            _ = try accountAPI.requireSession(context)
            let fields = try await accountAPI.fields(request, context: context, ["password"])
            try await accountAPI.accounts.confirmPassword(owner: owner, password: fields["password"]!, request: request, context: context)
        } else if (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0 || request.headers[.transferEncoding] != nil {
            // Personal mode has no password; a body is still checked against the document.
            _ = try await AccountAPI(services: services, configuration: configuration).fields(request, context: context, [], optional: ["password"])
        }
        let erased = try await services.app.erase(owner: owner)
        var w = JSONWriter()
        w.beginObject()
        w.key("episodes"); w.value(erased.episodes)
        w.key("dayLogs"); w.value(erased.dayLogs)
        w.key("assessments"); w.value(erased.assessments)
        w.key("profiles"); w.value(erased.profiles)
        w.endObject()
        return Body.json(w.bytes)
    }
}

extension CrampRequestContext {
    /// The owner, or 401 for a request with no valid credential.
    func requireOwner() throws -> OwnerID {
        guard let owner else {
            var problem = Problem(.unauthorized, "Sign-in required", detail: "sign in, or send an API token as Authorization: Bearer TOKEN")
            problem.headers[.wwwAuthenticate] = "Bearer realm=\"crampcare\""
            throw problem
        }
        return owner
    }
}

/// Reading bodies and writing JSON responses.
enum Body {
    /// The whole body must arrive within this time: Hummingbird's idle timeout covers the
    /// request head only, so a client trickling a body a byte at a time would hold its task.
    static let readDeadline: Duration = .seconds(20)

    /// The body, at most the upload cap, within the read deadline (408 after it).
    static func buffer(_ request: Request, context: CrampRequestContext) async throws -> ByteBuffer {
        let limit = context.maxUploadSize
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                do {
                    return try await request.body.collect(upTo: limit)
                } catch let error as any HTTPResponseError {
                    throw error
                } catch {
                    // The client went away or sent a broken body: its fault, not the server's.
                    throw Problem(.badRequest, "Body cut off", detail: "the request body ended before it was complete")
                }
            }
            group.addTask {
                try await Task.sleep(for: readDeadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                var problem = Problem(.requestTimeout, "Too slow", detail: "the request body did not arrive within \(readDeadline.components.seconds) seconds")
                problem.headers[.connection] = "close"
                throw problem
            }
            return buffer
        }
    }

    static func bytes(_ request: Request, context: CrampRequestContext) async throws -> [UInt8] {
        Array(try await buffer(request, context: context).readableBytesView)
    }

    /// The body of a JSON route: 400 when it is not JSON at all (a body that is JSON but wrong
    /// is 422, naming the field), the same on every route.
    static func jsonBytes(_ request: Request, context: CrampRequestContext) async throws -> [UInt8] {
        let bytes = try await bytes(request, context: context)
        do {
            _ = try JSONParser.parse(bytes)
        } catch {
            throw Problem(.badRequest, "Malformed JSON", detail: error.description)
        }
        return bytes
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

    /// The same for a use case that validates and saves: its JournalError becomes a 422.
    static func journal<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as JournalError {
            throw Problem.invalid(jsonField(error.field), error.problem)
        }
    }

    /// The journal's validation names fields as the CSV columns do (`fluids_ml`); the JSON API
    /// names them in camel case (`fluidsML`).
    static func jsonField(_ field: String) -> String {
        let special = ["duration": "durationSeconds", "fluids_ml": "fluidsML"]
        var parts = field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let last = parts.popLast() else { return field }
        let bracket = last.firstIndex(of: "[")
        let name = bracket.map { String(last[..<$0]) } ?? last
        let suffix = bracket.map { String(last[$0...]) } ?? ""
        var camel = special[name] ?? name
        if special[name] == nil, name.contains("_") {
            let words = name.split(separator: "_")
            camel = String(words[0]) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        return (parts + [camel + suffix]).joined(separator: ".")
    }

    /// The JSON object in `bytes` with members added where it lacks them (a non-object is left
    /// as it is, for the decoder to refuse).
    static func withDefaults(_ bytes: [UInt8], _ defaults: [String: JSONValue]) -> [UInt8] {
        guard case .object(var members)? = try? JSONParser.parse(bytes) else { return bytes }
        for (key, value) in defaults.sorted(by: { $0.key < $1.key }) where !members.contains(where: { $0.key == key }) {
            members.append((key, value))
        }
        var w = JSONWriter()
        w.write(.object(members))
        return w.bytes
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
        guard let id = EntryID(text) else { throw Problem.invalid("id", "\"\(text)\" is not an id; accepted: a UUID such as 2d03997f-0a06-5ff1-825a-85488f7d160e") }
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
