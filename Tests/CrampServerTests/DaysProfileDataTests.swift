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
import Testing

@testable import CrampServer

/// Day logs, the profile, export and erase.
@Suite struct DaysProfileAndData {
    @Test func daysProfileExportAndErase() async throws {
        try await TestServer.make().run { client in
            try await client.execute(
                uri: "/api/v1/days/2026-03-01", method: .put, headers: json,
                body: body(#"{"fluidsML":900,"hotWeather":true,"sleepHours":6.5}"#)
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/days/2026-03-01", method: .put, headers: json, body: body(#"{"fluidsML":-5}"#)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "fluidsML")
            }
            try await client.execute(uri: "/api/v1/days?from=2026-02-01&to=2026-03-31", method: .get) { response in
                #expect((parsed(response)["days"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/v1/profile", method: .get) { response in #expect(response.status == .notFound) }
            try await client.execute(
                uri: "/api/v1/profile", method: .put, headers: json,
                body: body(#"{"birthYear":1950,"conditions":["diabetes"],"timeZone":"Europe/London","region":"GB"}"#)
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/profile", method: .put, headers: json, body: body(#"{"timeZone":"Mars/Olympus"}"#)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "timeZone")
            }
            try await client.execute(uri: "/api/v1/export?format=csv&table=days", method: .get) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(text(response).contains("2026-03-01"))
            }
            try await client.execute(uri: "/api/v1/export?format=fhir", method: .get) { response in
                #expect(parsed(response)["resourceType"] as? String == "Bundle")
            }
            try await client.execute(uri: "/api/v1/export?format=xml", method: .get) { response in
                #expect(response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/journal", method: .delete) { response in
                let erased = try object(response)
                #expect(erased["dayLogs"] as? Int == 1 && erased["profiles"] as? Int == 1)
            }
        }
    }
}
