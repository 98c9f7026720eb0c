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

/// Hosted mode: accounts, sign-in, tokens and one user's records kept from another's.
@Suite struct HostedMode {
    @Test func oneUserCannotReachAnothersRecords() async throws {
        try await TestServer.make(hosted: true).run { client in
            let alice = Browser(client)
            let bob = Browser(client)
            #expect(try await alice.post("/register", [("email", "alice@example.org"), ("password", "correct horse battery")]).status == .seeOther)
            #expect(try await bob.post("/register", [("email", "bob@example.org"), ("password", "another long secret")]).status == .seeOther)
            let saved = try await alice.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")])
            let location = try crampPath(saved)
            let id = String(location.split(separator: "/").last!)
            #expect(try await alice.get(String(location)).status == .ok)
            // Bob, signed in, gets nothing of Alice's: pages and API alike.
            #expect(try await bob.get(String(location)).status == .notFound)
            #expect(try await bob.get("\(location)/edit").status == .notFound)
            #expect(try await bob.post("\(location)/delete", []).status == .notFound)
            #expect(
                try await bob.post("\(location)/edit", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")]).status
                    == .notFound)
            for (method, uri) in [(HTTPRequest.Method.get, "/api/v1/episodes/\(id)"), (.delete, "/api/v1/episodes/\(id)")] {
                try await client.execute(uri: uri, method: method, headers: bob.cookieHeader) { response in #expect(response.status == .notFound) }
            }
            // A PUT to her id makes an episode in Bob's own journal (each owner's ids are their
            // own, and an unused id is created): hers is not touched, and his delete is his.
            try await client.execute(
                uri: "/api/v1/episodes/\(id)", method: .put, headers: bob.cookieHeader.merging(json),
                body: body(#"{"startedAt":"2026-03-01T00:00:00Z","durationSeconds":1,"muscles":["calf"]}"#)
            ) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .get, headers: alice.cookieHeader) { response in
                #expect(parsed(response)["durationSeconds"] as? Int == 120)
            }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .delete, headers: bob.cookieHeader) { response in
                #expect(response.status == .noContent)
            }
            #expect(try await alice.get(String(location)).status == .ok)
            try await client.execute(uri: "/api/v1/episodes", method: .get, headers: bob.cookieHeader) { response in
                #expect((parsed(response)["episodes"] as? [Any])?.isEmpty == true)
            }
            let bobsJournal = try await bob.get("/journal")
            #expect(!text(bobsJournal).contains(id))
            // A check Alice kept: on her journal, not reachable by Bob.
            let kept = text(
                try await alice.post("/assess/save", [("request", #"{"age":66,"episode":{"durationMinutes":1,"muscles":["calf"]},"findings":[]}"#)]))
            let check = try #require(kept.firstMatch(of: #/href="(/journal/checks/[0-9a-f-]{36})"/#)?.output.1)
            #expect(try await alice.get(String(check)).status == .ok)
            #expect(text(try await alice.get("/journal")).contains(String(check)))
            #expect(try await bob.get(String(check)).status == .notFound)
            #expect(!text(try await bob.get("/journal")).contains("Checks you kept"))
            // Nor do the insights or the report count her episode.
            try await client.execute(uri: "/api/v1/insights", method: .get, headers: bob.cookieHeader) { response in
                #expect(parsed(response)["episodes"] as? Int == 0)
            }
            try await client.execute(uri: "/api/v1/insights", method: .get, headers: alice.cookieHeader) { response in
                #expect(parsed(response)["episodes"] as? Int == 1)
            }
            #expect(text(try await bob.get("/insights/report.html")).contains("0 episodes"))
            // Alice's record is untouched.
            #expect(try await alice.get(String(location)).status == .ok)
        }
    }

    @Test func signInIsRequiredAndLimited() async throws {
        try await TestServer.make(hosted: true).run { client in
            try await client.execute(uri: "/api/v1/episodes", method: .get) { response in #expect(response.status == .unauthorized) }
            let visitor = Browser(client)
            let page = try await visitor.get("/journal")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location]?.hasPrefix("/signin") == true)
            try await client.execute(
                uri: "/api/v1/account", method: .post, headers: json,
                body: body(#"{"email":"carol@example.org","password":"a long enough password"}"#)
            ) { response in
                #expect(response.status == .created)
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            }
            for _ in 0..<5 {
                try await client.execute(
                    uri: "/api/v1/session", method: .post, headers: json,
                    body: body(#"{"email":"carol@example.org","password":"wrong password here"}"#)
                ) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            // The right password too is refused while the account is locked out.
            try await client.execute(
                uri: "/api/v1/session", method: .post, headers: json,
                body: body(#"{"email":"carol@example.org","password":"a long enough password"}"#)
            ) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
            }
        }
    }

    @Test func reliefNeedsNoAccountButLoggingDoes() async throws {
        try await TestServer.make(hosted: true).run { client in
            let visitor = Browser(client)
            let page = try await visitor.get("/relieve?muscle=calf")
            #expect(page.status == .ok)
            #expect(text(page).contains("Stretch the calf"))
            #expect(text(page).contains("Sign in</a> to log this cramp"))
            #expect(!text(page).contains("It eased: log it"))
            #expect(text(try await visitor.get("/")).contains("href=\"/relieve\""))
            let log = try await visitor.get("/journal/new?muscle=calf&helped=stretch&timerSeconds=90")
            #expect(log.status == .seeOther)
            #expect(log.headers[.location]?.hasPrefix("/signin") == true)
        }
    }

    @Test func apiTokensWorkUntilRevoked() async throws {
        try await TestServer.make(hosted: true).run { client in
            let dave = Browser(client)
            _ = try await dave.post("/register", [("email", "dave@example.org"), ("password", "yet another secret")])
            // 60 letters with a combining accent each: 120 code points, over the documented 100.
            let accented = String(repeating: "e\u{301}", count: 60)
            try await client.execute(
                uri: "/api/v1/account/tokens", method: .post, headers: dave.cookieHeader.merging(json),
                body: body("{\"label\":\"\(accented)\"}")
            ) { response in
                #expect(response.status == .unprocessableContent)
            }
            var token = ""
            var tokenID = ""
            try await client.execute(
                uri: "/api/v1/account/tokens", method: .post, headers: dave.cookieHeader.merging(json),
                body: body(#"{"label":"phone"}"#)
            ) { response in
                #expect(response.status == .created)
                let created = try object(response)
                token = try #require(created["token"] as? String)
                tokenID = try #require(created["id"] as? String)
            }
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
            try await client.execute(
                uri: "/api/v1/episodes", method: .post, headers: bearer.merging(json),
                body: body(#"{"startedAt":"2026-03-01T22:00:00Z","durationSeconds":60,"muscles":["calf"]}"#)
            ) { response in
                #expect(response.status == .created)
            }
            try await client.execute(
                uri: "/api/v1/episodes", method: .get, headers: [.authorization: "Bearer cc.\(token.dropFirst(3).dropLast(2))xx"]
            ) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/account/tokens/\(tokenID)", method: .delete, headers: bearer) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/episodes", method: .get, headers: bearer) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func deletingTheAccountErasesEverything() async throws {
        try await TestServer.make(hosted: true).run { client in
            let erin = Browser(client)
            _ = try await erin.post("/register", [("email", "erin@example.org"), ("password", "erin's long secret")])
            _ = try await erin.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")])
            let refused = try await erin.post("/data/erase", [("confirm", "ERASE"), ("password", "not the password")])
            #expect(refused.status == .unprocessableContent)
            let erased = try await erin.post("/data/erase", [("confirm", "ERASE"), ("password", "erin's long secret")])
            #expect(erased.status == .ok)
            let again = try await erin.post("/signin", [("email", "erin@example.org"), ("password", "erin's long secret")])
            #expect(again.status == .unauthorized)
        }
    }

    @Test func accountsAreHostedOnly() async throws {
        try await TestServer.make().run { client in
            try await client.execute(
                uri: "/api/v1/account", method: .post, headers: json,
                body: body(#"{"email":"x@example.org","password":"0123456789"}"#)
            ) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
