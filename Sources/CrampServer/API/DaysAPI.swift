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

/// `/api/v1/days`: one log per date.
struct DaysAPI: APIController {
    let services: CrampServices
    let configuration: ServerConfiguration

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("days", use: listDays)
        routes.get("days/:date", use: readDay)
        routes.put("days/:date", use: writeDay)
        routes.delete("days/:date", use: deleteDay)
        return routes
    }

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
        let body = try await Body.jsonValue(request, context: context)
        var day = try Body.journal { () throws(JournalError) in
            try JournalBackup.day(fromJSON: Body.withDefaults(body, ["date": .string(date.description)]), now: services.clock.millisecondsNow())
        }
        guard day.date == date else { throw Problem.invalid("date", "\"\(day.date)\" differs from the date in the address, \(date)") }
        day = try await Body.saving { try await services.app.save(day, owner: owner) }
        return Body.json(JournalBackup.dayJSON(day))
    }

    @Sendable func deleteDay(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let date = try Query.date(context.parameters.get("date") ?? "", field: "date")
        guard try await journal.deleteDayLog(date: date, owner: owner) else { throw Problem.notFound("the day log of \(date)") }
        return Response(status: .noContent)
    }
}
