import CrampApplication
import CrampJSON
import CrampJournal
import CrampKnowledge
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mustache
import Testing

@testable import CrampServer

/// Requests that once stopped the whole server with a Swift trap, or took its CPU. Each must
/// get an answer that names the field, and the server must answer the next request.
@Suite struct HostileInput {
    /// Zones whose offset was not whole minutes long ago (local mean time), and one that was.
    static let zones = ["Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Amsterdam", "UTC"]
    static let oldDates = ["1850-01-01", "1800-01-01", "1600-06-30", "0001-01-01", "0001-01-02", "9999-12-31"]

    func stillServing(_ client: any TestClientProtocol) async throws {
        try await client.execute(uri: "/health", method: .get) { response in #expect(response.status == .ok) }
    }

    @Test(arguments: zones) func oldDatesInAnyZoneAreAnsweredOnTheAPIAndThePages(zone: String) async throws {
        try await TestServer.make().run { client in
            try await client.execute(uri: "/api/v1/profile", method: .put, headers: json, body: body(#"{"timeZone":"\#(zone)"}"#)) { response in
                #expect(response.status == .ok)
            }
            for date in Self.oldDates {
                for name in ["from", "to"] {
                    try await client.execute(uri: "/api/v1/episodes?\(name)=\(date)", method: .get) { response in
                        #expect(response.status == .ok, "\(zone) \(name)=\(date)")
                    }
                    try await client.execute(uri: "/journal?\(name)=\(date)", method: .get) { response in
                        #expect(response.status == .ok, "\(zone) /journal?\(name)=\(date)")
                    }
                }
                // An episode logged on such a date, through the page's form.
                let browser = Browser(client)
                let saved = try await browser.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "\(date)T10:00"), ("durationValue", "2")])
                #expect(saved.status == .seeOther || saved.status == .unprocessableContent, "\(zone) \(date): \(saved.status)")
            }
            try await stillServing(client)
        }
    }

    @Test func theHistoricalOffsetIsRoundedToTheMinute() {
        // London kept local mean time, −0:01:15, until December 1847.
        let london = TimeZone(identifier: "Europe/London")!
        let stamp = PersonClock(zone: london).local(date: LocalDate(year: 1840, month: 6, day: 1)!, secondsOfDay: 36_000)
        #expect(stamp.utcOffsetSeconds == -60)
        #expect(stamp.utcOffsetSeconds % 60 == 0)
        #expect(View.when(stamp).hasSuffix("10:00"))
        let kolkata = TimeZone(identifier: "Asia/Kolkata")!
        #expect(PersonClock(zone: kolkata).stamp(Int64(-4_000_000_000) * 1000).utcOffsetSeconds % 60 == 0)
    }

    @Test func aSignedYearIsNotADate() async throws {
        #expect(LocalDate(iso: "+026-11-26") == nil)
        #expect(LocalDate(iso: "-026-11-26") == nil)
        #expect(LocalDate(iso: "2026-+1-01") == nil)
        #expect(LocalDate(iso: "0026-11-26")?.year == 26)
        #expect(LocalTime(iso: "+7:30") == nil)
        #expect(LocalTime(iso: "07:30")?.hour == 7)
        try await TestServer.make().run { client in
            try await client.execute(uri: "/api/v1/episodes?from=%2B026-11-26", method: .get) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "from")
                #expect((parsed(response)["detail"] as? String)?.contains("+026-11-26") == true)
            }
        }
    }

    @Test(arguments: [
        ("1e18", "minutes"), ("1e300", "hours"), ("9.3e15", "seconds"), ("1e308", "hours"), ("inf", "minutes"), ("nan", "minutes"),
        ("-1e18", "minutes"), ("10081", "minutes"), ("0", "minutes"),
    ])
    func hugeDurationsAreRefusedNamingTheField(value: String, unit: String) async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            let created = try await browser.post(
                "/journal/new",
                [
                    ("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"),
                    ("durationValue", value), ("durationUnit", unit),
                ])
            #expect(created.status == .unprocessableContent, "\(value) \(unit)")
            #expect(text(created).contains("href=\"#durationSeconds\""), "\(value) \(unit)")
            // The same on the edit form of a cramp that exists.
            let saved = try await browser.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")])
            let location = try crampPath(saved)
            let edited = try await browser.post(
                "\(location)/edit",
                [
                    ("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"),
                    ("durationValue", value), ("durationUnit", unit),
                ])
            #expect(edited.status == .unprocessableContent, "\(value) \(unit)")
            // The assessment's own form reads the duration too.
            let assessed = try await browser.post(
                "/assess",
                [
                    ("step", "2"), ("muscle[]", "calf"), ("durationValue", value),
                    ("durationUnit", unit), ("age", "50"),
                ]
                    + KnowledgeBase.bundledSafetyNo)
            #expect(assessed.status == .unprocessableContent, "\(value) \(unit)")
            try await stillServing(client)
        }
    }

    @Test(arguments: [
        "2026-03-01T10:00:nan", "2026-03-01T10:00:inf", "2026-03-01T10:00:1e300", "2026-03-01T10:00:-inf",
        "2026-03-01T10:00:+5", "2026-03-01T1e3:00", "2026-03-01T10:00:00:00",
        "2026-03-01T", "T10:00", "2026-03-01T10:00:", "2026-03-01T10:00:.5", "9999-12-31T23:59:59.999", "2026-03-01T10:00:59.9999999999",
    ])
    func malformedStartTimesAreRefusedNamingTheField(startedAt: String) async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            let response = try await browser.post("/journal/new", [("muscle[]", "calf"), ("startedAt", startedAt), ("durationValue", "2")])
            if startedAt.hasPrefix("9999") || startedAt.hasSuffix("9999999999") {
                #expect(response.status == .seeOther)
            } else {
                #expect(response.status == .unprocessableContent, "\(startedAt)")
                #expect(text(response).contains("href=\"#startedAt\""), "\(startedAt)")
            }
            try await stillServing(client)
        }
    }

    @Test func startTimesWithSecondsStillRead() {
        let utc = TimeZone(identifier: "UTC")!
        #expect(View.parseDateTimeLocal("2026-03-01T10:00:30", clock: PersonClock(zone: utc))?.localSecondsOfDay == 36_030)
        #expect(View.parseDateTimeLocal("2026-03-01T10:00:30.250", clock: PersonClock(zone: utc))?.localSecondsOfDay == 36_030)
        #expect(View.parseDateTimeLocal("2026-03-01T23:59", clock: PersonClock(zone: utc))?.localSecondsOfDay == 86_340)
        #expect(View.parseDateTimeLocal("2026-03-01T24:00", clock: PersonClock(zone: utc)) == nil)
    }

    @Test func anObjectOfManyDistinctKeysIsRefusedQuickly() async throws {
        // About 1 MiB of distinct keys: refused at the member cap, at once, as malformed (400).
        var text = "{"
        var key = 0
        while text.utf8.count < (1 << 20) - 32 {
            text += (key == 0 ? "" : ",") + "\"\(String(key, radix: 36))\":0"
            key += 1
        }
        let distinct = text + "}"
        let repeated = text + ",\"0\":1}"
        try await TestServer.make().run { client in
            for text in [distinct, repeated] {
                try await client.execute(uri: "/api/v1/assessments", method: .post, headers: json, body: body(text)) { response in
                    #expect(response.status == .badRequest)
                    #expect((parsed(response)["detail"] as? String)?.contains("more than \(JSONParser.maxMembers) members") == true)
                }
            }
            try await stillServing(client)
        }
    }

    /// Text built from the pieces that broke parsers before: signs, exponents, nan, inf, huge
    /// numbers, separators, non-ASCII. A fixed sequence, so a failing round can be replayed.
    struct HostileText {
        static let pieces = [
            "0", "1", "9", "59", "60", "2026", "-", "+", ":", ".", "T", " ", "e", "E", "1e18", "1e300", "nan", "inf", "-inf",
            "9223372036854775808", "0x1p62", "٣", "\u{0}", "%", "&", "=", "<b>", "yes", "no", "calf", "hours", "seconds",
        ]
        var state: UInt64
        mutating func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        mutating func text() -> String { (0..<(next() % 8)).map { _ in Self.pieces[next() % Self.pieces.count] }.joined() }
    }

    @Test func generatedTextNeverTrapsTheFormReaders() {
        var random = HostileText(state: 0xF022)
        let zones = Self.zones.compactMap { TimeZone(identifier: $0) }
        for round in 0..<20_000 {
            let text = random.text()
            let dated = "\(["2026-03-01", "1850-01-01", "0001-01-01", random.text()][round % 4])T\(random.text())"
            _ = View.parseDateTimeLocal(dated, clock: PersonClock(zone: zones[round % zones.count]))
            _ = View.parseDateTimeLocal(text, clock: PersonClock(zone: zones[round % zones.count]))
            _ = try? View.durationSeconds(text, unit: ["seconds", "minutes", "hours", random.text()][round % 4], field: "durationSeconds")
            _ = LocalDate(iso: text)
            _ = LocalTime(iso: text)
            _ = LocalTimestamp(iso: dated)
            _ = Form(Array(text.utf8))
        }
    }

    @Test func generatedFormsNeverTrapTheServer() async throws {
        let names = [
            "step", "lungs", "pressure", "fever", "sign", "muscle", "age", "durationValue", "durationUnit", "side", "onset",
            "episodesLast30Days", "severity", "f-back_pain", "condition", "context", "medication", "startedAt", "finding", "note",
            // The typed forms' lists and maps, and shapes the decoder must refuse.
            "muscle[]", "finding[]", "relief[stretch]", "relief[]", "context[]", "mineralFood[]", "condition[]", "medication[]",
            "muscle[0]", "muscle[7]", "relief[a][b]", "note[]", "a[", "]", "[]",
            // The interview's lists, signs by code and questions by id.
            "sign[]", "asked[]", "window[]", "f[back_pain]", "f[]", "f[x][y]", "stroke", "stroke[]", "f-back_pain[]",
        ]
        try await TestServer.make().run { client in
            let browser = Browser(client)
            var random = HostileText(state: 0xF023)
            for round in 0..<300 {
                let fields = (0..<(1 + random.next() % 12)).map { _ in (names[random.next() % names.count], random.text()) }
                for uri in ["/assess", "/journal/new", "/day", "/profile"] {
                    let response = try await browser.post(uri, fields)
                    #expect(response.status.code < 500, "round \(round) \(uri): \(fields)")
                }
            }
            try await stillServing(client)
        }
    }

    @Test func theDecoyHashUsesTheConfiguredCost() {
        for cost: UInt8 in [4, 5, 6] {
            let decoy = AccountService.decoy(cost: cost)
            #expect(decoy.hasPrefix(PasswordHash.prefix))
            #expect(
                decoy.dropFirst(PasswordHash.prefix.count).split(separator: "$").dropFirst().first == Substring(String(format: "%02d", cost)),
                "\(decoy)")
            #expect(AccountService.decoy(cost: cost) == decoy)
        }
    }

    @Test func markupInAQueryIsPrintedAsText() async throws {
        try await TestServer.make().run { client in
            let attack = "<meta http-equiv=refresh content=0;//ab>"
            let encoded = attack.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            for uri in [
                "/relieve?muscle=\(encoded)", "/journal?from=\(encoded)", "/journal?muscle=\(encoded)", "/learn/search?q=\(encoded)",
                "/day?date=\(encoded)",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(!text(response).contains("<meta http-equiv"), "\(uri)")
                }
            }
        }
    }
}

/// Every template, with markup in every field it prints: none comes out raw.
@Suite struct TemplateEscaping {
    static let markup = "<b data-probe=\"1\">&'</b>"

    /// The names a template uses: variables, sections (`#`, `^`) and dotted paths.
    static func tags(_ template: String) -> [(kind: Character?, name: String)] {
        var out: [(Character?, String)] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            var tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            var kind: Character?
            if let first = tag.first, "#^/>!&{%".contains(first) {
                kind = first
                tag = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces)
            }
            out.append((kind, tag))
        }
        return out
    }

    static func nested(_ names: [String], value: (String) -> Any) -> [String: Any] {
        var root: [String: Any] = [:]
        for name in names where name != "." {
            let parts = name.split(separator: ".").map(String.init)
            func put(_ dictionary: inout [String: Any], _ path: ArraySlice<String>) {
                guard let head = path.first else { return }
                if path.count == 1 {
                    if dictionary[head] == nil { dictionary[head] = value(name) }
                } else {
                    var inner = dictionary[head] as? [String: Any] ?? [:]
                    put(&inner, path.dropFirst())
                    dictionary[head] = inner
                }
            }
            put(&root, parts[...])
        }
        return root
    }

    @Test func noTemplateHasATripleBrace() {
        for file in EmbeddedWeb.files where file.name.hasSuffix(".mustache") {
            #expect(!file.text.contains("{{{"), "\(file.name)")
            #expect(!file.text.contains("{{&"), "\(file.name)")
        }
    }

    @Test func everyTemplateEscapesEveryField() throws {
        let library = try Pages.templateLibrary()
        let templates = EmbeddedWeb.files.filter { $0.name.hasSuffix(".mustache") }
        let names = Set(
            templates.flatMap { Self.tags($0.text).filter { $0.kind != ">" && $0.kind != "!" && $0.kind != "/" && $0.kind != "%" }.map(\.name) })
        let inverted = Set(templates.flatMap { Self.tags($0.text).filter { $0.kind == "^" }.map(\.name) })
        for file in templates {
            let template = String(file.name.dropLast(".mustache".count))
            guard template != "layout" else { continue }
            // Twice: every section shown, then every inverted section shown instead.
            for pass in 0..<2 {
                var data = Self.nested(Array(names)) { name -> Any in pass == 1 && inverted.contains(name) ? false : Self.markup }
                data["pageTemplate"] = template
                let html = library.render(data, withTemplate: "layout") ?? ""
                #expect(!html.contains("<b data-probe"), "\(template), pass \(pass)")
                #expect(html.contains("&lt;b data-probe"), "\(template), pass \(pass): the probe was never printed")
            }
        }
    }
}

extension KnowledgeBase {
    /// "No" to every safety question, as a form's fields.
    static var bundledSafetyNo: [(String, String)] {
        ((try? bundled.get())?.redFlagSteps ?? []).map { ($0.id, "no") }
    }
}
