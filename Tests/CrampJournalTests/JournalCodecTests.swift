import CrampKnowledge
import Foundation
import Testing

@testable import CrampJournal

@Suite struct TimeTests {
    @Test func timestampsKeepTheirOffset() throws {
        let stamp = try #require(LocalTimestamp(iso: "2026-03-01T23:15:00+05:30"))
        #expect(stamp.instant == 1_772_387_100_000)  // Python's datetime agrees
        #expect(stamp.utcOffsetSeconds == 19_800)
        #expect(stamp.description == "2026-03-01T23:15:00+05:30")
        #expect(stamp.localDate.description == "2026-03-01")
        #expect(LocalTimestamp(iso: "2026-03-01T17:45:00.250Z")?.description == "2026-03-01T17:45:00.250Z")
        #expect(LocalTimestamp(iso: "2026-03-01T17:45Z")?.description == "2026-03-01T17:45:00Z")
        #expect(LocalTimestamp(iso: "2026-03-01T17:45:00-0800")?.utcOffsetSeconds == -28_800)
    }

    @Test func longFractionsAreCutToMilliseconds() {
        // Found by schemathesis through the API: five fraction digits once trapped the parser.
        #expect(LocalTimestamp(iso: "2026-03-01T17:45:00.123456789Z")?.description == "2026-03-01T17:45:00.123Z")
        #expect(LocalTimestamp(iso: "1589-12-03T21:42:12.37500+12:15")?.utcOffsetSeconds == 44_100)
    }

    @Test func noTextCrashesTheTimestampParser() {
        // Every prefix and one-byte change of valid stamps, and random printable text.
        var generator = SystemRandomNumberGenerator()
        let seeds = ["2026-03-01T17:45:00.250+05:30", "2026-03-01T17:45Z", "0000-01-01T00:00:00.1234567-18:59"]
        for seed in seeds {
            let bytes = Array(seed.utf8)
            for end in 0...bytes.count { _ = LocalTimestamp(iso: String(decoding: bytes[..<end], as: UTF8.self)) }
            for index in bytes.indices {
                for replacement in Array("0123456789:+-.TZ ,x".utf8) {
                    var changed = bytes
                    changed[index] = replacement
                    _ = LocalTimestamp(iso: String(decoding: changed, as: UTF8.self))
                }
            }
        }
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let text = String(decoding: (0..<length).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) }, as: UTF8.self)
            _ = LocalTimestamp(iso: text)
        }
    }

    @Test(arguments: [
        "2026-03-01", "2026-03-01T25:00:00Z", "2026-02-30T10:00:00Z", "2026-03-01T10:00:00", "2026-03-01T10:00:00+19:00",
        "2026-03-01T10:00:00Zjunk", "yesterday",
    ])
    func badTimestampsAreRefused(text: String) {
        #expect(LocalTimestamp(iso: text) == nil)
    }

    @Test func datesCountDaysLikeTheProlepticCalendar() {
        #expect(LocalDate(iso: "1969-12-31")?.daysSinceEpoch == -1)
        #expect(LocalDate(iso: "2400-02-29")?.daysSinceEpoch == 157_113)
        #expect(LocalDate(iso: "2100-02-29") == nil)
        for days in stride(from: -100_000, through: 200_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }
}

@Suite struct IdentifierTests {
    @Test func nameBasedIDsMatchRFC9562() {
        // Reference values from Python's uuid.uuid5 with CrampCare's namespace.
        #expect(EntryID.named("hello").description == "67367f32-e4bc-5c24-9846-a9791de72663")
        #expect(EntryID.named("episode|local|1780000000000|calf").description == "db9bc558-e27d-5a38-b49f-b153e2051e62")
    }

    @Test func derivedEpisodeIDsIgnoreMuscleOrder() throws {
        let start = try #require(LocalTimestamp(iso: "2026-05-01T10:00:00Z"))
        #expect(
            Episode.derivedID(owner: .local, startedAt: start, muscles: [.calf, .hamstrings])
                == Episode.derivedID(owner: .local, startedAt: start, muscles: [.hamstrings, .calf]))
        #expect(
            Episode.derivedID(owner: .local, startedAt: start, muscles: [.calf])
                != Episode.derivedID(owner: OwnerID("someone")!, startedAt: start, muscles: [.calf]))
    }

    @Test func idsParseAndPrint() {
        #expect(EntryID("DB9BC558-E27D-5A38-B49F-B153E2051E62")?.description == "db9bc558-e27d-5a38-b49f-b153e2051e62")
        #expect(EntryID("db9bc558e27d5a38b49fb153e2051e62") == nil)
        #expect(EntryID.random().description.count == 36)
        #expect(OwnerID("a b") == nil)
    }
}

@Suite struct CSVTests {
    func parse(_ text: String, chunk: Int = 7) throws -> [CSVRecord] {
        var parser = CSVParser()
        var records: [CSVRecord] = []
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            records += try parser.feed(bytes[start..<min(start + chunk, bytes.count)])
        }
        return records + (try parser.finish())
    }

    @Test func quotedFieldsCommasQuotesAndNewLines() throws {
        let records = try parse("a,b,c\r\n1,\"x, \"\"y\"\"\",\"two\nlines\"\r\n\r\n3,,last")
        #expect(records.map(\.fields) == [["a", "b", "c"], ["1", "x, \"y\"", "two\nlines"], ["3", "", "last"]])
        #expect(records.map(\.line) == [1, 2, 5])
    }

    @Test(arguments: [1, 2, 3, 64])
    func chunkBoundariesDoNotMatter(chunk: Int) throws {
        let text = "id,note\r\n1,\"a\"\"b\"\r\n2,\"c\r\nd\"\n"
        #expect(try parse(text, chunk: chunk).map(\.fields) == [["id", "note"], ["1", "a\"b"], ["2", "c\r\nd"]])
    }

    @Test func malformedCSVNamesTheLine() {
        #expect(throws: JournalError.self) { try parse("a,b\r\n1,x\"y\r\n") }
        #expect(throws: JournalError.self) { try parse("a,b\r\n1,\"open\r\n") }
        #expect(throws: JournalError.self) { try parse("a,b\r\n1,\"x\"y\r\n") }
        do {
            _ = try parse("a\r\nb\r\n\"c")
            Issue.record("an unclosed quote parsed")
        } catch let error as JournalError {
            #expect(error.location == "line 3")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aRecordOverTheCapIsRefusedAtOnce() {
        var parser = CSVParser(maxRecordBytes: 100)
        #expect(throws: JournalError.self) { _ = try parser.feed(Array(repeating: UInt8(ascii: "x"), count: 101)) }
    }

    @Test func writerQuotesOnlyWhatItMust() {
        #expect(CSVWriter.row(["plain", "a,b", "say \"hi\"", "two\r\nlines", ""]) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\r\n")
    }

    @Test func episodeRowsRoundTrip() throws {
        let episode = Episode(
            id: EntryID.random(), startedAt: LocalTimestamp(iso: "2026-06-01T06:30:00-04:00")!, durationSeconds: 95,
            muscles: [.hamstrings, .calf], side: .both, severity: 4, onset: .duringExercise,
            findings: [.suddenOnset, .visibleKnot],
            reliefs: [ReliefTried(technique: .walking, outcome: .no), ReliefTried(technique: .stretch, outcome: .helped, secondsToEase: 20)],
            note: "ran, \"fast\"\nthen cramped", createdAt: 1, updatedAt: 1)
        let records = try parse(JournalCSV.episodeHeader() + JournalCSV.row(episode))
        let header = try JournalCSV.Header(records[0])
        let read = try JournalCSV.episode(records[1], header: header, owner: .local, now: 1)
        #expect(read == episode)
    }

    /// Every detail, at both ends of its range, comes back from the CSV and the backup's JSON;
    /// beyond either end, or not a number, it is refused by its own name.
    @Test(arguments: EpisodeDetail.all)
    func everyDetailRoundTripsAndIsChecked(detail: EpisodeDetail) throws {
        for value in [detail.range.lowerBound, detail.range.upperBound, nil] {
            var episode = Episode(
                id: EntryID.random(), startedAt: LocalTimestamp(iso: "2026-06-01T06:30:00-04:00")!, durationSeconds: 95, muscles: [.calf],
                createdAt: 1, updatedAt: 1)
            detail.set(value, in: &episode)
            let records = try parse(JournalCSV.episodeHeader() + JournalCSV.row(episode))
            #expect(try JournalCSV.episode(records[1], header: JournalCSV.Header(records[0]), owner: .local, now: 1) == episode)
            let json = JournalBackup.episodeJSON(episode)
            #expect(try JournalBackup.episode(fromJSON: json, now: 1) == episode)
            #expect(String(decoding: json, as: UTF8.self).contains("\"\(detail.field.jsonKey)\"") == (value != nil))
        }
        for value in [detail.range.lowerBound - 1, detail.range.upperBound + 1] {
            var episode = Episode(
                id: EntryID.random(), startedAt: LocalTimestamp(iso: "2026-06-01T06:30:00Z")!, durationSeconds: 60, muscles: [.calf],
                createdAt: 0, updatedAt: 0)
            detail.set(value, in: &episode)
            #expect(throws: JournalError.self) { try episode.validate() }
            do { try episode.validate() } catch { #expect(error.field == detail.field.column && error.problem.contains("\(value)")) }
        }
        let csv = "started_at,duration_seconds,muscles,\(detail.field.column)\r\n2026-01-01T00:00:00Z,60,calf,lots\r\n"
        let records = try parse(csv)
        do {
            _ = try JournalCSV.episode(records[1], header: JournalCSV.Header(records[0]), owner: .local, now: 1)
            Issue.record("accepted \"lots\" as \(detail)")
        } catch { #expect(error.field == detail.field.column) }
    }

    /// Notes a spreadsheet would run as formulas are written with a leading `'`, and read back
    /// exactly; a note that really begins with `'=` keeps it.
    @Test(arguments: [
        "=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1", "\tTAB", "'=really", "''+two",
        "'plain", "plain", "'", "", "a=b",
    ])
    func formulaNotesAreGuardedAndRoundTrip(note: String) throws {
        let episode = Episode(
            id: EntryID.random(), startedAt: LocalTimestamp(iso: "2026-06-01T06:30:00-04:00")!, durationSeconds: 95,
            muscles: [.calf], note: note.isEmpty ? nil : note, createdAt: 1, updatedAt: 1)
        let row = JournalCSV.row(episode)
        let records = try parse(JournalCSV.episodeHeader() + row)
        let cell = records[1].fields.last ?? ""
        if let first = cell.utf8.first {
            #expect(!"=+-@\t\r".utf8.contains(first), "\(cell.debugDescription) would run as a formula")
        }
        let read = try JournalCSV.episode(records[1], header: try JournalCSV.Header(records[0]), owner: .local, now: 1)
        #expect(read.note == episode.note)
        // Typed columns are never altered.
        #expect(records[1].fields[1] == "2026-06-01T06:30:00-04:00" && records[1].fields[2] == "95")
    }

    @Test func everyTextRoundTripsThroughTheGuard() {
        let pool: [Unicode.Scalar] = ["'", "=", "+", "-", "@", "\t", "\r", "a", " ", "\""]
        var state: UInt64 = 13
        for _ in 0..<5000 {
            var text = ""
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for shift in stride(from: 0, to: Int(state >> 61) * 8, by: 8) {
                text.unicodeScalars.append(pool[Int((state >> UInt64(shift)) & 0xFF) % pool.count])
            }
            #expect(CSVWriter.unguarded(CSVWriter.guarded(text)) == text, "\(text.debugDescription)")
        }
    }

    @Test func dayRowsRoundTrip() throws {
        let day = DayLog(
            date: LocalDate(iso: "2026-06-01")!, fluidsML: 1750, electrolyteDrink: true, exerciseMinutes: 45,
            exerciseIntensity: .moderate, steps: 9000, sittingHours: 6.25, standingHours: 3, sleepHours: 7.5, hotWeather: false,
            alcoholUnits: 1.5, caffeineDrinks: 2, mineralFoods: [.calcium, .potassium],
            medicationChanges: [MedicationChange(kind: .dose, medication: .diuretic)], context: [.hotWeather, .lowFluidIntake],
            updatedAt: 1)
        let records = try parse(JournalCSV.dayHeader() + JournalCSV.row(day))
        let read = try JournalCSV.day(records[1], header: try JournalCSV.Header(records[0]), now: 1)
        #expect(JournalCSV.row(read) == JournalCSV.row(day))
    }
}

@Suite struct ValidationTests {
    func episode(_ change: (inout Episode) -> Void) -> Episode {
        var value = Episode(
            id: EntryID.random(), startedAt: LocalTimestamp(iso: "2026-01-01T00:00:00Z")!, durationSeconds: 60,
            muscles: [.calf], createdAt: 0, updatedAt: 0)
        change(&value)
        return value
    }

    @Test func episodeRulesNameTheField() {
        let cases: [(Episode, String)] = [
            (episode { $0.durationSeconds = 0 }, "duration"),
            (episode { $0.durationSeconds = 8 * 86_400 }, "duration"),
            (episode { $0.muscles = [] }, "muscles"),
            (episode { $0.muscles = [.calf, .calf] }, "muscles[1]"),
            (episode { $0.severity = 11 }, "severity"),
            (
                episode { $0.reliefs = [ReliefTried(technique: .stretch, outcome: .no), ReliefTried(technique: .stretch, outcome: .helped)] },
                "reliefs[1]"
            ),
            (episode { $0.note = String(repeating: "x", count: 2001) }, "note"),
            (episode { $0.note = "bell\u{07}" }, "note"),
        ]
        for (value, field) in cases {
            do {
                try value.validate()
                Issue.record("accepted a bad \(field)")
            } catch {
                #expect(error.field == field)
            }
        }
    }

    @Test func aDayHasTwentyFourHours() {
        let day = DayLog(date: LocalDate(iso: "2026-01-01")!, sittingHours: 12, standingHours: 6, sleepHours: 8, updatedAt: 0)
        #expect(throws: JournalError.self) { try day.validate() }
    }

    @Test func profileChecks() {
        #expect(throws: JournalError.self) { try Profile(birthYear: 1850, updatedAt: 0).validate(currentYear: 2026) }
        #expect(throws: JournalError.self) { try Profile(timeZone: "../../etc/passwd", updatedAt: 0).validate(currentYear: 2026) }
        #expect(throws: JournalError.self) { try Profile(region: "GBR", updatedAt: 0).validate(currentYear: 2026) }
        #expect(throws: Never.self) {
            try Profile(birthYear: 1950, timeZone: "America/Argentina/Buenos_Aires", region: "AR", updatedAt: 0).validate(currentYear: 2026)
        }
    }
}

@Suite struct MineralFoodsTests {
    /// "None of them" and "not logged" are kept apart in the CSV, the backup and typed input.
    @Test func noneEatenIsNotNotLogged() throws {
        let days: [DayLog] = [
            DayLog(date: LocalDate(iso: "2026-03-01")!, mineralFoods: nil, updatedAt: 0),
            DayLog(date: LocalDate(iso: "2026-03-02")!, mineralFoods: [], updatedAt: 0),
            DayLog(date: LocalDate(iso: "2026-03-03")!, mineralFoods: [.magnesium], updatedAt: 0),
        ]
        #expect(days.map { JournalCSV.mineralFoodsText($0.mineralFoods) } == ["", "none", "magnesium"])
        for day in days {
            let json = JournalBackup.dayJSON(day)
            #expect(try JournalBackup.day(fromJSON: json, now: 0).mineralFoods == day.mineralFoods)
        }
        #expect(try JournalCSV.mineralFoods(" None ") == [])
        #expect(throws: JournalError.self) { try JournalCSV.mineralFoods("none;potassium") }
        do {
            _ = try JournalCSV.mineralFoods("iron")
            Issue.record("accepted iron")
        } catch {
            #expect(error.field == "mineral_foods[0]")
            #expect(error.problem.contains("\"iron\"") && error.problem.contains("accepted: none alone, or potassium"))
        }
    }

    /// A version 1 backup wrote [] for both; its empty lists are read as not logged, version 2's
    /// as none eaten.
    @Test func aVersionOneBackupsEmptyListIsNotLogged() throws {
        func backup(_ version: Int) -> [UInt8] {
            Array(
                #"{"format":"crampcare-journal-backup","version":\#(version),"profile":null,"episodes":[],"dayLogs":[{"date":"2026-03-01","mineralFoods":[],"medicationChanges":[],"context":[],"updatedAt":0},{"date":"2026-03-02","mineralFoods":["calcium"],"medicationChanges":[],"context":[],"updatedAt":0}],"assessments":[]}"#
                    .utf8)
        }
        #expect(try JournalBackup.decode(backup(1), currentYear: 2026).dayLogs.map(\.mineralFoods) == [nil, [.calcium]])
        #expect(try JournalBackup.decode(backup(2), currentYear: 2026).dayLogs.map(\.mineralFoods) == [[], [.calcium]])
        #expect(throws: JournalError.self) { try JournalBackup.decode(backup(3), currentYear: 2026) }
    }
}

@Suite struct BackupTests {
    @Test func aBackupRejectsBadRecordsWithTheirPath() {
        let bad =
            #"{"format":"crampcare-journal-backup","version":1,"profile":null,"episodes":[{"id":"6f1c3a52-8f2e-4c55-9b1e-3f4a5b6c7d8e","startedAt":"2026-01-01T00:00:00Z","durationSeconds":60,"muscles":["elbow"],"createdAt":0,"updatedAt":0}],"dayLogs":[],"assessments":[]}"#
        do {
            _ = try JournalBackup.decode(Array(bad.utf8), currentYear: 2026)
            Issue.record("accepted an unknown muscle")
        } catch {
            #expect(error.field.hasPrefix("episodes[0].muscles"))
        }
        #expect(throws: JournalError.self) { try JournalBackup.decode(Array(#"{"format":"something-else"}"#.utf8), currentYear: 2026) }
    }
}

@Suite struct PlanCalendarTests {
    @Test func reminderTimesFillTheMomentsOfTheDay() {
        let times = [LocalTime(hour: 22, minute: 10)!, LocalTime(hour: 6, minute: 45)!]
        #expect(PlanCalendar.time(for: .morning, reminderTimes: times).description == "06:45")
        #expect(PlanCalendar.time(for: .bedtime, reminderTimes: times).description == "22:10")
        #expect(PlanCalendar.time(for: .midday, reminderTimes: times).description == "12:30")
        #expect(PlanCalendar.time(for: .evening, reminderTimes: []).description == "19:00")
    }

    @Test func textIsEscapedAndLongLinesFoldedOnCharacterBoundaries() {
        #expect(PlanCalendar.escape("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne")
        let line = "DESCRIPTION:" + String(repeating: "é", count: 100)
        let folded = PlanCalendar.fold(line)
        for part in folded.components(separatedBy: "\r\n") { #expect(part.utf8.count <= 75) }
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == line)
    }

    @Test func weekdaysAndAZoneWithoutChanges() {
        #expect(PlanCalendar.weekday(LocalDate(year: 2026, month: 11, day: 26)!) == 3)  // a Thursday
        #expect(PlanCalendar.weekday(LocalDate(year: 1969, month: 12, day: 29)!) == 0)  // a Monday before 1970
        let zone = PlanCalendar.timezone(TimeZone(identifier: "Asia/Kolkata")!, around: LocalDate(year: 2026, month: 11, day: 26)!)
        #expect(zone.contains("TZOFFSETTO:+0530"))
        #expect(zone.filter { $0 == "BEGIN:STANDARD" }.count == 1)
        #expect(PlanCalendar.utcStamp(0) == "19700101T000000Z")
    }
}

@Suite struct NoteLimitTests {
    @Test func notesAreCountedInCodePointsAsTheAPIDocumentSays() {
        var episode = Episode(
            id: EntryID.random(), startedAt: LocalTimestamp(instant: 0, utcOffsetSeconds: 0)!, durationSeconds: 60,
            muscles: [.calf], createdAt: 0, updatedAt: 0)
        episode.note = String(repeating: "e\u{301}", count: 1000)  // 1,000 letters, 2,000 code points
        #expect((try? episode.validate()) != nil)
        episode.note = String(repeating: "e\u{301}", count: 1001)  // 2,002 code points
        #expect(throws: JournalError.self) { try episode.validate() }
    }
}

@Suite struct XMLAttributeTests {
    func value(_ attribute: String) throws -> String? {
        var parser = XMLStreamParser()
        let events = try parser.feed(Array("<a v=\"\(attribute)\"/>".utf8))
        guard case .start(_, let attributes, _)? = events.first else { return nil }
        return attributes["v"]
    }

    /// References are decoded; a bare '&' stays as it is, even with a ';' far later, and a value
    /// made of nothing but '&' is read in one pass (its ';' is looked for only nearby).
    @Test func entitiesDecodeAndBareAmpersandsStayWithoutASearchToTheEnd() throws {
        #expect(try value("Tom &amp; Jerry &#233;") == "Tom & Jerry é")
        #expect(try value("a & b") == "a & b")
        let far = "&" + String(repeating: "x", count: 40) + ";"
        #expect(try value(far) == far)
        let many = String(repeating: "&", count: 100_000)
        #expect(try value(many) == many)
        #expect(throws: JournalError.self) { try value("&bomb;") }
    }
}
