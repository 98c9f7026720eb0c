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

/// `/api/v1/episodes`: the journal's cramps, listed in pages, created, read, replaced and deleted.
struct EpisodesAPI: APIController {
    let services: CrampServices
    let configuration: ServerConfiguration

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("episodes", use: listEpisodes)
        routes.post("episodes", use: createEpisode)
        routes.get("episodes/:id", use: readEpisode)
        routes.put("episodes/:id", use: updateEpisode)
        routes.delete("episodes/:id", use: deleteEpisode)
        return routes
    }

    @Sendable func listEpisodes(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let (filter, limit) = try await Self.page(request, owner: owner, services: services)
        return Body.json(try await journal.episodePageJSON(owner: owner, filter: filter, limit: limit))
    }

    /// The filter and page size a list of episodes asks for (the owner's list, or a patient's
    /// through a grant): dates in the diary owner's zone.
    static func page(_ request: Request, owner: OwnerID, services: CrampServices) async throws -> (EpisodeFilter, Int) {
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
        return (filter, limit)
    }

    @Sendable func createEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let body = try await Body.jsonValue(request, context: context)
        let now = services.clock.millisecondsNow()
        var episode = try Body.journal { () throws(JournalError) in try JournalBackup.episode(fromJSON: body, now: now) }
        // The server keeps the record's times (a client's clock is not the journal's), and who
        // logged it: the person's own API logs it as the person.
        episode.createdAt = now
        episode.updatedAt = now
        episode.loggedBy = nil
        switch try await Body.saving({ try await services.app.add(episode, owner: owner) }) {
        case .added: return created(episode)
        case .exists:
            throw Problem(
                .conflict, "Already exists", detail: "an episode with id \(episode.id) exists; change it with PUT /api/v1/episodes/\(episode.id)",
                field: "id")
        case .deleted: throw Self.deleted(episode.id)
        }
    }

    func created(_ episode: Episode) -> Response {
        var response = Body.json(JournalBackup.episodeJSON(episode), status: .created)
        response.headers[.location] = "/api/v1/episodes/\(episode.id)"
        return response
    }

    static func deleted(_ id: EntryID) -> Problem {
        Problem(.gone, "Deleted", detail: "episode \(id) was deleted, and a deleted episode is not created again", field: "id")
    }

    @Sendable func readEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let id = try Query.entryID(context.parameters.get("id") ?? "")
        guard let episode = try await journal.episode(id: id, owner: owner) else { throw Problem.notFound("episode \(id)") }
        return Body.json(JournalBackup.episodeJSON(episode))
    }

    /// Creates the episode when the id is new; a deleted id is gone for good. An existing one is
    /// replaced, unless the request may only create: `If-None-Match: *` (a phone's queue) or a
    /// log-only token. Then the same episode again is answered as kept (a retry whose answer was
    /// lost) and a different one is a conflict, so a queue never doubles or overwrites a cramp.
    @Sendable func updateEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let id = try Query.entryID(context.parameters.get("id") ?? "")
        let body = try await Body.jsonValue(request, context: context)
        // No entity tags here: `*` (create only) is the one precondition this answers.
        let condition = request.headers[.ifNoneMatch]?.trimmingCharacters(in: .whitespaces)
        if let condition, condition != "*" {
            throw Problem.invalid("If-None-Match", "\(Problem.shown(condition, limit: 40)) is not accepted; accepted: * (create only), or no header")
        }
        let createOnly = condition == "*" || context.credential == .apiToken(scope: .log)
        let now = services.clock.millisecondsNow()
        var existing = try await journal.episode(id: id, owner: owner)
        var episode = try Body.journal { () throws(JournalError) in
            try JournalBackup.episode(
                fromJSON: Body.withDefaults(
                    body, ["id": .string(id.description), "createdAt": .number(Double(existing?.createdAt ?? now), isInteger: true)]), now: now)
        }
        guard episode.id == id else { throw Problem.invalid("id", "\"\(episode.id)\" differs from the id in the address, \(id)") }
        // Who logged it is the server's to say (kept on a change, the person on a create).
        episode.loggedBy = existing?.loggedBy
        if existing == nil {
            episode.createdAt = now
            episode.updatedAt = now
            switch try await Body.saving({ try await services.app.add(episode, owner: owner) }) {
            case .added: return created(episode)
            case .deleted: throw Self.deleted(id)
            case .exists:
                // Another send of the same id got there first: compared below like any resend.
                existing = try await journal.episode(id: id, owner: owner)
            }
        }
        guard let existing else { throw Self.deleted(id) }
        episode.createdAt = existing.createdAt
        if createOnly {
            episode.updatedAt = existing.updatedAt
            guard episode == existing else {
                throw Problem(
                    .conflict, "Already logged",
                    detail: "episode \(id) is in the journal already with other details; it was not changed", field: "id")
            }
            return Body.json(JournalBackup.episodeJSON(existing))
        }
        episode = try await Body.saving { try await services.app.update(episode, owner: owner) }
        return Body.json(JournalBackup.episodeJSON(episode))
    }

    @Sendable func deleteEpisode(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let id = try Query.entryID(context.parameters.get("id") ?? "")
        guard try await journal.deleteEpisode(id: id, owner: owner) else { throw Problem.notFound("episode \(id)") }
        return Response(status: .noContent)
    }
}
