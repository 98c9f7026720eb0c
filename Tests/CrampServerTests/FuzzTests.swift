import CrampAssessment
import CrampInsights
import CrampJSON
import CrampKnowledge
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CrampJournal
@testable import CrampServer

/// Seeded fuzzing of every parser and every route, in the test command. The seed is printed;
/// `CRAMPCARE_FUZZ_SEED=N` repeats a run and `CRAMPCARE_FUZZ_SCALE` multiplies the cases
/// (1 by default: about a minute in all on CI's two cores). A crash stops the test process; a
/// hang fails by time; each parser must answer every input with a value or its own error.
@Suite(.serialized) struct Fuzz {
    static let seed: UInt64 = {
        let seed = ProcessInfo.processInfo.environment["CRAMPCARE_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("fuzz seed: \(seed) (set CRAMPCARE_FUZZ_SEED=\(seed) to repeat)")
        return seed
    }()
    static let scale = max(1, min(100, ProcessInfo.processInfo.environment["CRAMPCARE_FUZZ_SCALE"].flatMap(Int.init) ?? 1))

    /// SplitMix64: small, fast and the same everywhere for one seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bytes that matter to the parsers: delimiters, escapes, digits, high bytes, NUL.
    static let interesting: [UInt8] =
        Array("{}[]\":,\\/&;<>=?!-+.eE0123456789 \t\r\nuTtfn'#%@".utf8) + [0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xE2, 0xF0, 0xFF]
    static let tokens: [[UInt8]] = [
        "\"", "\\u0000", "\\ud800", "1e999", "-0", "9999999999999999999999", "null", "[[[[[[[[", "]]]]", "{\"a\":",
        "&#", "&amp;", "<![CDATA[", "<!--", "-->", "<?xml", "<!DOCTYPE", "]]>", "\"\"\"", "\r\n", "\u{301}", "+0100", "T25:61",
        "2026-02-30", "0001-01-01", "9999-12-31T23:59:59+14:00", "PK\u{3}\u{4}", "PK\u{5}\u{6}",
    ].map { Array($0.utf8) }

    /// One mutant of `seed`: a few byte flips, insertions, deletions, token splices and repeats.
    static func mutant(of seed: [UInt8], _ g: inout Generator) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...8, using: &g) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &g)
            switch Int.random(in: 0..<7, using: &g) {
            case 0 where at < bytes.count: bytes[at] = interesting.randomElement(using: &g)!
            case 1: bytes.insert(interesting.randomElement(using: &g)!, at: at)
            case 2 where at < bytes.count: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &g)))
            case 3: bytes.insert(contentsOf: tokens.randomElement(using: &g)!, at: at)
            case 4 where at < bytes.count:
                // A run repeated: deep nesting, long numbers, many members.
                let end = min(bytes.count, at + Int.random(in: 1...8, using: &g))
                let piece = bytes[at..<end]
                for _ in 0..<Int.random(in: 2...200, using: &g) { bytes.insert(contentsOf: piece, at: at) }
            case 5 where at < bytes.count: bytes[at] = UInt8.random(in: 0...255, using: &g)
            default: bytes = Array(bytes.prefix(at))
            }
        }
        return Array(bytes.prefix(1 << 16))
    }

    /// Runs `body` on `count` mutants of each seed and on random bytes; the slowest case must
    /// stay under `limit` (a quadratic parser shows here long before it hangs).
    static func run(_ name: String, seeds: [[UInt8]], count: Int, limit: Duration = .seconds(2), _ body: ([UInt8]) -> Void) {
        var g = Generator(
            state: seed ^ UInt64(truncatingIfNeeded: name.hashValue & 0) ^ UInt64(name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }.magnitude))
        let clock = ContinuousClock()
        var slowest: Duration = .zero
        let cases = count * scale
        for index in 0..<cases {
            let input: [UInt8] =
                index % 10 == 9
                ? (0..<Int.random(in: 0...512, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
                : mutant(of: seeds[index % seeds.count], &g)
            let took = clock.measure { body(input) }
            slowest = max(slowest, took)
            #expect(took < limit, "\(name): case \(index) took \(took) (\(input.count) bytes)")
        }
        print("fuzz \(name): \(cases) cases, slowest \(slowest)")
    }

    static let request = Array(
        #"{"age":70,"sex":"female","episode":{"muscles":["calf"],"side":"left","durationMinutes":2,"onset":"sleep","severity":6},"episodesLast30Days":3,"findings":["visible_knot","relieved_by_stretching"],"negatives":["calf_swelling","chest_pain"],"context":["low_fluid_intake"],"conditions":["diabetes"],"medications":["statin"]}"#
            .utf8)

    @Test func json() {
        let seeds = [Fuzz.request, Array(#"[1,-0.5e10,"a\u00e9\ud83d\ude00",true,false,null,{"":{}}]"#.utf8)]
        Self.run("JSON", seeds: seeds, count: 3000) { bytes in _ = try? JSONParser.parse(bytes) }
    }

    @Test func assessmentRequests() throws {
        let knowledge = try KnowledgeBase.bundled.get()
        let assessor = Assessor(knowledge: knowledge)
        Self.run("request", seeds: [Fuzz.request], count: 2000) { bytes in
            if let request = try? AssessmentRequest.decode(json: bytes, medicineNames: knowledge.medicineNames) { _ = assessor.assess(request) }
        }
    }

    @Test func questionnaireResponses() throws {
        let knowledge = try KnowledgeBase.bundled.get()
        let interview = AssessmentInterview(assessor: Assessor(knowledge: knowledge))
        let response = Array(
            #"{"resourceType":"QuestionnaireResponse","questionnaire":"urn:crampcare:questionnaire:assessment","status":"completed","item":[{"linkId":"age","answer":[{"valueInteger":70}]},{"linkId":"episode","item":[{"linkId":"episode.durationMinutes","answer":[{"valueDecimal":2}]},{"linkId":"episode.muscles","answer":[{"valueCoding":{"system":"urn:crampcare:code:muscle","code":"calf"}}]}]},{"linkId":"step.chest","answer":[{"valueCoding":{"code":"no"}}]}]}"#
                .utf8)
        Self.run("QuestionnaireResponse", seeds: [response], count: 1500) { bytes in
            guard let value = try? JSONParser.parse(bytes) else { return }
            _ = try? AssessmentQuestionnaire.request(fromResponse: value, medicineNames: knowledge.medicineNames, interview: interview)
        }
    }

    @Test func csv() {
        let episodes = Array(
            (JournalCSV.episodeHeader()
                + "6f1c3a52-8f2e-4c55-9b1e-3f4a5b6c7d8e,2026-01-01T03:00:00+01:00,60,calf;hamstrings,left,5,in_bed,visible_knot,stretch:helped:20,\"a, \"\"note\"\"\"\r\n")
                .utf8)
        let days = Array(
            (JournalCSV.dayHeader() + "2026-01-01,1500,true,30,moderate,9000,6,3,7.5,false,1,2,potassium,start:diuretic,hot_weather\r\n").utf8)
        Self.run("CSV", seeds: [episodes, days], count: 2000) { bytes in
            var parser = CSVParser(maxRecordBytes: 1 << 16)
            guard let records = try? parser.feed(bytes) + parser.finish(), let first = records.first, let header = try? JournalCSV.Header(first)
            else { return }
            for record in records.dropFirst() {
                _ = try? JournalCSV.episode(record, header: header, owner: .local, now: 0)
                _ = try? JournalCSV.day(record, header: header, now: 0)
            }
        }
    }

    @Test func backups() {
        let episode = Episode(
            id: EntryID.random(), startedAt: LocalTimestamp(iso: "2026-06-01T06:30:00-04:00")!, durationSeconds: 95, muscles: [.calf],
            note: "n", createdAt: 1, updatedAt: 1)
        let backup = JournalBackup.encode(
            JournalContents(
                profile: Profile(birthYear: 1950, region: "GB", updatedAt: 1), episodes: [episode],
                dayLogs: [DayLog(date: LocalDate(iso: "2026-06-01")!, sleepHours: 7, updatedAt: 1)]))
        Self.run("backup", seeds: [backup], count: 2000) { bytes in _ = try? JournalBackup.decode(bytes, currentYear: 2026) }
    }

    @Test func appleHealthXML() {
        let xml = Array(
            #"<?xml version="1.0"?><!DOCTYPE HealthData [<!ATTLIST Record type CDATA #REQUIRED>]><HealthData locale="en_GB"><Record type="HKQuantityTypeIdentifierDietaryWater" sourceName="p&amp;q" unit="mL" value="250" startDate="2026-01-01 08:00:00 +0000" endDate="2026-01-01 08:00:00 +0000"/><Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="w" value="HKCategoryValueSleepAnalysisAsleepCore" startDate="2026-01-01 23:00:00 +0000" endDate="2026-01-02 06:00:00 +0000"/><Workout duration="30" durationUnit="min" startDate="2026-01-02 08:00:00 +0000" endDate="2026-01-02 08:30:00 +0000"><WorkoutActivity duration="30"/></Workout><!-- c --><![CDATA[x]]></HealthData>"#
                .utf8)
        Self.run("Apple Health XML", seeds: [xml], count: 2000) { bytes in
            var parser = XMLStreamParser(maxMarkupBytes: 1 << 16)
            var health = AppleHealthImport()
            // Fed in uneven pieces, as a file is read.
            var at = 0
            while at < bytes.count {
                let end = min(bytes.count, at + 1 + (at * 7919) % 97)
                guard let events = try? parser.feed(Array(bytes[at..<end])) else { return }
                for event in events { try? health.consume(event) }
                at = end
            }
            _ = try? parser.finish()
            _ = try? health.merged(into: [:], now: 0)
        }
    }

    @Test func zipDirectories() {
        // A stored zip of one entry, built here: local header, data, directory, end record.
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16((v >> 16) & 0xFFFF) }
        let name = Array("apple_health_export/export.xml".utf8)
        let data = Array("<HealthData/>".utf8)
        let local =
            u32(0x0403_4B50) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(data.count) + u32(data.count) + u16(name.count) + u16(0)
            + name + data
        let central =
            u32(0x0201_4B50) + u16(45) + u16(45) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(data.count) + u32(data.count) + u16(name.count)
            + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(0) + name
        let end = u32(0x0605_4B50) + u16(0) + u16(0) + u16(1) + u16(1) + u32(central.count) + u32(local.count) + u16(0)
        let zip = local + central + end
        #expect((try? ZipCheck.entries(fileSize: UInt64(zip.count)) { offset, count in Self.slice(zip, offset, count) })?.count == 1)
        Self.run("zip directory", seeds: [zip], count: 4000, limit: .milliseconds(500)) { bytes in
            _ = try? ZipCheck.entries(fileSize: UInt64(bytes.count)) { offset, count in Self.slice(bytes, offset, count) }
        }
    }

    static func slice(_ bytes: [UInt8], _ offset: UInt64, _ count: Int) -> [UInt8] {
        guard offset < UInt64(bytes.count) else { return [] }
        let start = Int(offset)
        return Array(bytes[start..<min(bytes.count, start + count)])
    }

    @Test func timestampsDatesAndNames() {
        let seeds = ["2026-11-26T07:30:00+01:00", "2026-11-26T06:30:00.123Z", "2026-11-26", "07:30", "Europe/London"].map { Array($0.utf8) }
        Self.run("timestamps", seeds: seeds, count: 3000) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = LocalTimestamp(iso: text)
            _ = LocalDate(iso: text)
            _ = LocalTime(iso: text)
            _ = AppleHealthImport.timestamp(text)
            _ = ShownText.quoted(text)
            _ = HTMLText.escape(text)
            _ = CSVWriter.unguarded(CSVWriter.guarded(text))
            _ = Pages.localPath(text)
            _ = AddressRange(cidr: text)
        }
    }

    /// Every route, with mutated bodies, queries and forms, through the in-memory client: no 5xx.
    @Test func everyRoute() async throws {
        let server = try await TestServer.make()
        let routes: [(HTTPRequest.Method, String, [UInt8])] = [
            (.post, "/api/v1/assessments", Fuzz.request),
            (.post, "/api/v1/episodes", Array(#"{"startedAt":"2026-03-01T22:00:00Z","durationSeconds":60,"muscles":["calf"],"note":"x"}"#.utf8)),
            (.put, "/api/v1/days/2026-03-01", Array(#"{"fluidsML":1500,"sleepHours":7,"context":["hot_weather"]}"#.utf8)),
            (.put, "/api/v1/profile", Array(#"{"birthYear":1950,"region":"GB","timeZone":"Europe/London","conditions":["diabetes"]}"#.utf8)),
            (.get, "/api/v1/episodes?from=2026-01-01&to=2026-12-31&muscle=calf&limit=5", []), (.get, "/api/v1/insights?asOf=2026-03-01", []),
            (.get, "/api/v1/export?format=csv&table=days", []), (.get, "/journal?from=2026-01-01&muscle=calf", []),
            (.get, "/learn/search?q=night", []),
            (.post, "/journal/new", Array("muscle[]=calf&startedAt=2026-03-01T22:00&durationValue=2&durationUnit=minutes&note=x".utf8)),
            (.post, "/day", Array("date=2026-03-01&fluids=6&sleepHours=7&context[]=hot_weather".utf8)),
            (.post, "/profile", Array("birthYear=1950&region=GB&timeZone=Europe/London".utf8)),
            (.post, "/assess", Array("chest=no&breath=no&asked=chest,breath".utf8)), (.post, "/relieve", Array("muscle=calf&outcome=helped".utf8)),
            (.get, "/relieve?muscle=calf", []), (.get, "/plan", []), (.get, "/insights", []), (.get, "/day?date=2026-03-01", []),
        ]
        try await server.run { client in
            let browser = Browser(client)
            try await browser.get("/")
            var g = Generator(state: Self.seed)
            var cases = 0
            for (method, uri, seedBody) in routes {
                for _ in 0..<(40 * Self.scale) {
                    var path = uri
                    var body = seedBody
                    if let question = uri.firstIndex(of: "?") {
                        let query = Self.mutant(of: Array(uri[uri.index(after: question)...].utf8), &g)
                        let encoded =
                            String(decoding: query, as: UTF8.self)
                            .addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "#+"))) ?? ""
                        path = String(uri[..<question]) + "?" + encoded
                    }
                    if !body.isEmpty { body = Self.mutant(of: body, &g) }
                    let form = !uri.hasPrefix("/api/")
                    if form && method == .post { body += Array("&csrf=\(browser.csrf)".utf8) }
                    var headers = browser.cookieHeader
                    headers[.contentType] = form ? "application/x-www-form-urlencoded" : "application/json"
                    headers[.accept] = form ? "text/html" : "application/json"
                    let response = try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(bytes: body))
                    #expect(
                        response.status.code < 500, "\(method) \(path): \(response.status) for \(String(decoding: body.prefix(300), as: UTF8.self))")
                    cases += 1
                }
            }
            print("fuzz routes: \(cases) requests")
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
    }

    /// Sharing's routes in hosted mode, as a carer holding a "log" grant and as the person, with
    /// mutated bodies, queries and forms: no 5xx, and the person's diary keeps only what was logged.
    @Test func sharingRoutes() async throws {
        try await TestServer.make(hosted: true).run { client in
            let (person, patient, carerSession, _) = try await Carers.shared(client, scope: "log", carer: "fuzz-carer@example.org")
            let routes: [(HTTPFields, HTTPRequest.Method, String, [UInt8])] = [
                (
                    person, .post, "/api/v1/invitations",
                    Array(#"{"scope":"view","name":"Ann B","birthYear":1950,"notes":"yes","endsOn":"2030-01-01"}"#.utf8)
                ),
                (carerSession, .post, "/api/v1/invitations/accept", Array(#"{"code":"7K2Q-AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG","name":"Jo"}"#.utf8)),
                (person, .get, "/api/v1/audit?limit=5&before=1796321587702", []),
                (carerSession, .get, "/api/v1/patients/\(patient)/episodes?from=2026-01-01&muscle=calf&limit=5", []),
                (carerSession, .get, "/patients/\(patient)?from=2026-01-01&to=2026-12-31&muscle=calf&minSeverity=3", []),
                (
                    carerSession, .post, "/patients/\(patient)/journal/new",
                    Array("muscle[]=calf&duration=1_to_5_min&severity=4&helped[]=stretch".utf8)
                ),
                (carerSession, .post, "/sharing/accept", Array("code=7K2Q-AAAA-BBBB&name=Jo".utf8)),
                (person, .post, "/sharing/invite", Array("scope=log&name=Ann&birthYear=1950&notes=yes&endsOn=2030-01-01".utf8)),
            ]
            var g = Generator(state: Self.seed)
            var cases = 0
            for (session, method, uri, seedBody) in routes {
                let browser = Carers.browser(client, session)
                try await browser.get("/")
                for _ in 0..<(25 * Self.scale) {
                    var path = uri
                    var body = seedBody
                    if let question = uri.firstIndex(of: "?") {
                        let query = Self.mutant(of: Array(uri[uri.index(after: question)...].utf8), &g)
                        let encoded =
                            String(decoding: query, as: UTF8.self)
                            .addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "#+"))) ?? ""
                        path = String(uri[..<question]) + "?" + encoded
                    }
                    if !body.isEmpty { body = Self.mutant(of: body, &g) }
                    let form = !uri.hasPrefix("/api/")
                    if form && method == .post { body += Array("&csrf=\(browser.csrf)".utf8) }
                    var headers = browser.cookieHeader
                    headers[.contentType] = form ? "application/x-www-form-urlencoded" : "application/json"
                    headers[.accept] = form ? "text/html" : "application/json"
                    let response = try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(bytes: body))
                    #expect(
                        response.status.code < 500, "\(method) \(path): \(response.status) for \(String(decoding: body.prefix(300), as: UTF8.self))")
                    cases += 1
                }
            }
            print("fuzz sharing routes: \(cases) requests")
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
    }
}
