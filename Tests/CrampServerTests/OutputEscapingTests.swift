import CrampInsights
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CrampJournal
@testable import CrampServer

/// Every page escapes over Unicode scalars: a `"` or `<` followed by a combining mark is one
/// `Character`, which a per-`Character` escaper lets through while the browser reads the quote.
@Suite struct OutputEscaping {
    /// A quote, a tag opener and an apostrophe, each in the form that slips past a per-Character escaper.
    static let payload = "x\"\u{301}y<\u{338}z'w"
    /// What must never appear raw in a page: the UTF-8 of each dangerous piece.
    static let raw: [[UInt8]] = [Array("\"\u{301}".utf8), Array("<\u{338}".utf8), Array("z'w".utf8)]

    static func rawPieces(in response: TestResponse) -> [String] {
        let bytes = Array(response.body.readableBytesView)
        return raw.filter { piece in contains(bytes, piece) }.map { String(decoding: $0, as: UTF8.self) }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    @Test func everyTemplateAndPartialNamesTheScalarEscaper() {
        let templates = EmbeddedWeb.files.filter { $0.name.hasSuffix(".mustache") }
        #expect(templates.count > 10)
        for file in templates {
            #expect(file.text.hasPrefix("{{% CONTENT_TYPE: \(ScalarHTML.name) }}"), "\(file.name) lacks the content-type pragma")
        }
    }

    @Test func theEscaperLeavesNoQuoteOrTagOpenerWhateverFollowsIt() {
        #expect(HTMLText.escape("\"\u{301}") == "&quot;\u{301}")
        #expect(HTMLText.escape("<\u{338}") == "&lt;\u{338}")
        let pool: [Unicode.Scalar] = ["\"", "'", "<", ">", "&", "`", "a", "\u{301}", "\u{338}", "\u{200D}", "\u{FE0F}", "\r", "\n", "é", "👍"]
        // Seeded, so a failure is repeatable: 2,000 texts of up to 24 scalars from the pool.
        var g = Fuzz.Generator(state: 0x5EED_0013)
        func next() -> UInt64 { g.next() }
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int(next() % 25) { text.unicodeScalars.append(pool[Int(next() % UInt64(pool.count))]) }
            let escaped = HTMLText.escape(text)
            #expect(!escaped.unicodeScalars.contains { "\"'<>`".unicodeScalars.contains($0) }, "\(text.debugDescription)")
        }
    }

    @Test func theCalendarEscapesLineEndsWhateverFollowsThem() {
        #expect(PlanCalendar.escape("a\r\nDTSTART:1") == "a\\nDTSTART:1")
        #expect(!PlanCalendar.escape("a\n\u{301}b").unicodeScalars.contains("\n"))
        #expect(!PlanCalendar.escape("a\u{0B}b\u{7F}").unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    @Test func locationIsOnlyEverAPathOnThisSite() {
        for next in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/\r//x", "/ /x", ""] {
            #expect(Pages.nextPath(next) == "/", "\(next.debugDescription)")
        }
        for next in ["/journal", "/journal?from=2026-01-01", "/learn/relief"] {
            #expect(Pages.nextPath(next) == next)
        }
    }

    /// The fields of every form on a page: (action, [name]).
    static func forms(_ html: String) -> [(action: String, fields: [String], post: Bool)] {
        var found: [(String, [String], Bool)] = []
        let form = try! NSRegularExpression(pattern: "<form[^>]*>(.*?)</form>", options: [.dotMatchesLineSeparators, .caseInsensitive])
        let action = try! NSRegularExpression(pattern: "action=\"([^\"]*)\"")
        let name = try! NSRegularExpression(pattern: "<(?:input|textarea|select)[^>]*name=\"([^\"]+)\"")
        let range = NSRange(html.startIndex..., in: html)
        for match in form.matches(in: html, range: range) {
            let whole = String(html[Range(match.range, in: html)!])
            let inner = String(html[Range(match.range(at: 1), in: html)!])
            guard let target = action.firstMatch(in: whole, range: NSRange(whole.startIndex..., in: whole)) else { continue }
            let path = String(whole[Range(target.range(at: 1), in: whole)!]).replacingOccurrences(of: "&amp;", with: "&")
            let names = name.matches(in: inner, range: NSRange(inner.startIndex..., in: inner)).map {
                String(inner[Range($0.range(at: 1), in: inner)!])
            }
            found.append((path, Array(Set(names)).filter { $0 != "csrf" }.sorted(), whole.contains("method=\"post\"")))
        }
        return found
    }

    /// Gets each page, then posts the payload into every field of every form on it, and looks
    /// for the payload raw in every answer and in the page each redirect leads to.
    func attack(_ browser: Browser, pages: [String]) async throws -> Int {
        var checked = 0
        for uri in pages {
            let page = try await browser.get(uri)
            #expect(Self.rawPieces(in: page).isEmpty, "GET \(uri): \(Self.rawPieces(in: page))")
            checked += 1
            for form in Self.forms(text(page))
            where !form.action.contains("delete") && !form.action.contains("erase") && !form.action.contains("signout") {
                let answer =
                    form.post
                    ? try await browser.post(form.action, form.fields.map { ($0, Self.payload) })
                    : try await browser.get(form.action + "?" + form.fields.map { "\($0)=\(Self.query)" }.joined(separator: "&"))
                #expect(answer.status.code < 500, "\(form.post ? "POST" : "GET") \(form.action): \(answer.status)")
                #expect(Self.rawPieces(in: answer).isEmpty, "POST \(form.action) from \(uri): \(Self.rawPieces(in: answer))")
                checked += 1
                if answer.status == .seeOther, let location = answer.headers[.location] {
                    let next = try await browser.get(location)
                    #expect(Self.rawPieces(in: next).isEmpty, "GET \(location) after POST \(form.action): \(Self.rawPieces(in: next))")
                    checked += 1
                }
            }
        }
        return checked
    }

    static let query = Browser.encode(payload)

    @Test func thePayloadInEveryFieldOfEveryPersonalPageIsNeverRaw() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            // An episode whose note is the payload, so the journal and its pages show it.
            let saved = try await browser.post(
                "/journal/new",
                [
                    ("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2"),
                    ("note", Self.payload),
                ])
            let id = String(try crampPath(saved).split(separator: "/").last!)
            let pages = [
                "/", "/assess", "/journal", "/journal/new", "/journal/\(id)", "/journal/\(id)/edit", "/journal/\(id)/safety", "/day", "/profile",
                "/insights", "/insights/report",
                "/plan", "/learn", "/learn/relief", "/relieve", "/relieve?muscle=\(Self.query)", "/data",
                "/learn/search?q=\(Self.query)", "/journal?from=\(Self.query)", "/journal?to=\(Self.query)",
                "/journal?muscle=\(Self.query)", "/learn/\(Self.query)", "/insights/report.html",
            ]
            let checked = try await attack(browser, pages: pages)
            #expect(checked > 30)
            // The note is on its page, escaped: the check above looks at text that is there.
            let episode = Array(try await browser.get("/journal/\(id)").body.readableBytesView)
            #expect(Self.contains(episode, Array("x&quot;\u{301}y&lt;\u{338}z&#39;w".utf8)))
        }
    }

    @Test func thePayloadInEveryFieldOfEveryAccountPageIsNeverRaw() async throws {
        try await TestServer.make(hosted: true).run { client in
            let visitor = Browser(client)
            _ = try await attack(visitor, pages: ["/signin", "/register", "/signin?next=\(Self.query)"])
            let person = Browser(client)
            _ = try await person.post("/register", [("email", "escape@example.org"), ("password", "a long enough password")])
            _ = try await person.post("/account/tokens", [("label", Self.payload)])
            let checked = try await attack(person, pages: ["/account", "/", "/journal", "/profile"])
            #expect(checked > 5)
        }
    }
}
