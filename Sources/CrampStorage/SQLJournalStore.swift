public import CrampJournal
import CrampJSON
import CrampKnowledge
import SQLKit

/// The journal on SQL: one implementation for SQLite and PostgreSQL. Every statement names the
/// owner, so no call reaches another owner's rows.
public final class SQLJournalStore: JournalStore {
    let engine: any SQLEngine

    /// Opens the store on an engine and brings its schema up to date.
    public init(engine: any SQLEngine) async throws {
        self.engine = engine
        do {
            try await Schema.migrate(engine)
        } catch {
            // An engine must be closed before it goes (SQLite traps on an open connection).
            try? await engine.close()
            throw error
        }
    }

    public var engineName: String { engine.name }

    // MARK: encoding helpers

    /// Lists are stored `;a;b;` so that a filter on one code is an exact `LIKE '%;code;%'`.
    static func list<Code: CodeList>(_ codes: [Code]) -> String {
        codes.isEmpty ? ";" : ";" + codes.map(\.rawValue).joined(separator: ";") + ";"
    }

    static func codes<Code: CodeList>(_ text: String, _: Code.Type, column: String) throws -> [Code] {
        try text.split(separator: ";").map { part in
            guard let code = Code.table.code(String(part)) else {
                throw StorageError("the journal holds an unknown code \"\(part)\" in \(column); it may have been written by a newer CrampCare")
            }
            return code
        }
    }

    static func reliefsText(_ reliefs: [ReliefTried]) -> String {
        reliefs.isEmpty ? ";" : ";" + reliefs.map { relief in
            "\(relief.technique.rawValue):\(relief.outcome.rawValue)" + (relief.secondsToEase.map { ":\($0)" } ?? "")
        }.joined(separator: ";") + ";"
    }

    static func flag(_ value: Bool?) -> Int? { value.map { $0 ? 1 : 0 } }

    // MARK: episodes

    static let episodeColumns = "owner_id, id, started_at, utc_offset_seconds, duration_seconds, muscles, side, severity, onset, findings, reliefs, note, created_at, updated_at"

    static func episodeRow(_ episode: Episode, owner: OwnerID, into values: inout [SQLValue]) {
        values.append(.text(owner.rawValue))
        episodeVaryingRow(episode, into: &values)
        values.append(.int(episode.createdAt))
        values.append(.int(episode.updatedAt))
    }

    /// The columns that differ from row to row within one import.
    static let episodeVaryingColumns = "id, started_at, utc_offset_seconds, duration_seconds, muscles, side, severity, onset, findings, reliefs, note"

    static func episodeVaryingRow(_ episode: Episode, into values: inout [SQLValue]) {
        values.append(.text(episode.id.description))
        values.append(.int(episode.startedAt.instant))
        values.append(.int(episode.startedAt.utcOffsetSeconds))
        values.append(.int(episode.durationSeconds))
        values.append(.text(list(episode.muscles)))
        values.append(.text(episode.side?.rawValue))
        values.append(.int(episode.severity))
        values.append(.text(episode.onset?.rawValue))
        values.append(.text(list(episode.findings)))
        values.append(.text(reliefsText(episode.reliefs)))
        values.append(.text(episode.note))
    }

    static func dayRow(_ day: DayLog, owner: OwnerID, into values: inout [SQLValue]) {
        values.append(.text(owner.rawValue))
        values.append(.text(day.date.description))
        values.append(.int(day.fluidsML))
        values.append(.int(flag(day.electrolyteDrink)))
        values.append(.int(day.exerciseMinutes))
        values.append(.text(day.exerciseIntensity?.rawValue))
        values.append(.int(day.steps))
        values.append(.double(day.sittingHours))
        values.append(.double(day.standingHours))
        values.append(.double(day.sleepHours))
        values.append(.int(flag(day.hotWeather)))
        values.append(.double(day.alcoholUnits))
        values.append(.int(day.caffeineDrinks))
        values.append(.text(list(day.mineralFoods)))
        values.append(.text(medicationChangesText(day.medicationChanges)))
        values.append(.text(list(day.context)))
        values.append(.int(day.updatedAt))
    }

    static func medicationChangesText(_ changes: [MedicationChange]) -> String {
        changes.isEmpty ? ";" : ";" + changes.map { "\($0.kind.rawValue):\($0.medication.rawValue)" }.joined(separator: ";") + ";"
    }

    /// Rows bound natively, `write` giving each row's values in column order.
    static func rowInsert<Row>(_ rows: some Collection<Row>, table: String, columns: String, columnCount: Int, suffix: String,
                               constants: (columns: String, literals: String)? = nil,
                               write: (Row, inout [SQLValue]) -> Void) -> RowInsert {
        var values: [SQLValue] = []
        values.reserveCapacity(rows.count * columnCount)
        for row in rows { write(row, &values) }
        return RowInsert(table: table, columns: columns, columnCount: columnCount, suffix: suffix, constants: constants, values: values)
    }

    /// Inserts rows and returns how many the statements changed.
    static func insertRows<Row>(_ rows: some Collection<Row>, table: String, columns: String, columnCount: Int, suffix: String,
                                session: SQLSession, write: (Row, inout [SQLValue]) -> Void) async throws -> Int {
        try await session.insert(rowInsert(rows, table: table, columns: columns, columnCount: columnCount, suffix: suffix, write: write))
    }

    public func saveEpisode(_ episode: Episode, owner: OwnerID) async throws {
        try await engine.withTransaction { session in
            _ = try await Self.insertRows(CollectionOfOne(episode), table: "episodes", columns: Self.episodeColumns,
                                          columnCount: Self.episodeColumnCount, suffix: """
                ON CONFLICT (owner_id, id) DO UPDATE SET started_at = excluded.started_at, utc_offset_seconds = excluded.utc_offset_seconds,
                duration_seconds = excluded.duration_seconds, muscles = excluded.muscles, side = excluded.side, severity = excluded.severity,
                onset = excluded.onset, findings = excluded.findings, reliefs = excluded.reliefs, note = excluded.note,
                updated_at = excluded.updated_at
                """, session: session) { episode, values in Self.episodeRow(episode, owner: owner, into: &values) }
        }
    }

    public func episode(id: EntryID, owner: OwnerID) async throws -> Episode? {
        try await engine.select("SELECT \(Self.episodeColumns) FROM episodes WHERE owner_id = ? AND id = ?",
                                [.text(owner.rawValue), .text(id.description)]).first.map(Self.episode(fromValues:))
    }

    public func episodes(owner: OwnerID, filter: EpisodeFilter) async throws -> [Episode] {
        let (sql, values) = Self.episodeQuery(owner: owner, filter: filter)
        return try await engine.select(sql, values).map(Self.episode(fromValues:))
    }

    /// The list read: the select list is the insert column list, in order.
    static func episodeQuery(owner: OwnerID, filter: EpisodeFilter) -> (String, [SQLValue]) {
        // CAST keeps SQLite from planning with the bound owner's value: a plain `owner_id = ?`
        // before this ORDER BY expires the kept statement at every new binding.
        var sql = "SELECT \(Self.episodeColumns) FROM episodes WHERE owner_id = CAST(? AS TEXT)"
        var values: [SQLValue] = [.text(owner.rawValue)]
        if let from = filter.from { sql += " AND started_at >= ?"; values.append(.int(from)) }
        if let before = filter.before { sql += " AND started_at < ?"; values.append(.int(before)) }
        if !filter.muscles.isEmpty {
            // Patterns as literals (muscle codes are [a-z_]): a bound LIKE pattern expires the kept statement.
            sql += " AND (" + filter.muscles.map { "muscles LIKE '%;\($0.rawValue);%'" }.joined(separator: " OR ") + ")"
        }
        if let minimum = filter.minimumSeverity { sql += " AND severity >= ?"; values.append(.int(Int64(minimum))) }
        if let maximum = filter.maximumSeverity { sql += " AND severity <= ?"; values.append(.int(Int64(maximum))) }
        if let after = filter.after {
            // The `<=` bound lets the (owner, time, id) index seek straight to the page on both
            // engines; an OR alone makes SQLite walk every newer row first (deep pages got slower).
            sql += " AND started_at <= CAST(? AS BIGINT) AND (started_at < CAST(? AS BIGINT) OR id < CAST(? AS TEXT))"
            values += [.int(after.instant), .int(after.instant), .text(after.id.description)]
        }
        // LIMIT as a literal: SQLite plans with a bound LIMIT's value, so binding it again expires
        // the prepared statement and every page would be prepared anew.
        sql += " ORDER BY started_at DESC, id DESC LIMIT \(max(0, min(filter.limit, Int(Int32.max))))"
        if filter.offset > 0 {
            sql += " OFFSET ?"
            values.append(.int(Int64(filter.offset)))
        }
        return (sql, values)
    }

    /// A page of episodes as the API's JSON, `{"episodes": […], "next": cursor or null}`, written
    /// straight from the stored rows: no Episode, String or value is built per row. The objects
    /// are exactly `JournalBackup.episodeJSON`'s (a contract test holds the two together); at most
    /// `limit` episodes, and `next` when more follow.
    public func episodePageJSON(owner: OwnerID, filter: EpisodeFilter, limit: Int) async throws -> [UInt8] {
        var filter = filter
        filter.limit = limit + 1
        let (sql, values) = Self.episodeQuery(owner: owner, filter: filter)
        var w = JSONWriter(capacity: 320 * (limit + 1) + 64)
        var written = 0
        var last: (instant: Int64, id: [UInt8])?
        w.beginObject()
        w.key("episodes")
        w.beginArray()
        try await engine.eachRow(sql, values) { row in
            guard written < limit else {
                written += 1
                return
            }
            let instant = try Self.writeEpisode(row, to: &w)
            // Only the page's last row names the next page.
            if written == limit - 1 { last = (instant, row.withText(1) { $0.map(Array.init) ?? [] }) }
            written += 1
        }
        w.endArray()
        w.key("next")
        if written > limit, let last {
            w.value(plainASCII: Array(String(last.instant).utf8) + [UInt8(ascii: "_")] + last.id)
        } else {
            w.null()
        }
        w.endObject()
        return w.bytes
    }

    /// One stored episode row as the API's JSON object; returns its instant. Written through a
    /// cursor into room sized from the row's text: a page is fifty of these per request.
    static func writeEpisode(_ row: StoredRow, to w: inout JSONWriter) throws -> Int64 {
        guard let instant = row.int(2), let offset = row.int(3), let time = LocalTimestamp(instant: instant, utcOffsetSeconds: Int(offset)),
            let duration = row.int(4), let created = row.int(12), let updated = row.int(13)
        else { throw StorageError("the journal holds a malformed episode row") }
        let severity = row.int(7)
        // Escaping at most sextuples text; list items add quotes and commas, reliefs their keys.
        let room = 512 + LocalTimestamp.maximumISOBytes + 6 * (row.byteCount(1) + row.byteCount(6) + row.byteCount(8) + row.byteCount(11))
            + 9 * (row.byteCount(5) + row.byteCount(9)) + 23 * row.byteCount(10) + 70
        w.value(reserving: room) { out in
            out.bytes("{\"id\":")
            row.withText(1) { id in
                if let id { out.quoted(utf8: id) } else { out.bytes("null") }
            }
            out.bytes(",\"startedAt\":\"")
            time.writeISO(to: &out)
            out.bytes("\",\"durationSeconds\":")
            out.integer(duration)
            out.bytes(",\"muscles\":")
            writeList(row, 5, to: &out)
            row.withText(6) { if let side = $0 { out.bytes(",\"side\":"); out.quoted(utf8: side) } }
            if let severity { out.bytes(",\"severity\":"); out.integer(severity) }
            row.withText(8) { if let onset = $0 { out.bytes(",\"onset\":"); out.quoted(utf8: onset) } }
            out.bytes(",\"findings\":")
            writeList(row, 9, to: &out)
            out.bytes(",\"reliefs\":")
            writeReliefs(row, 10, to: &out)
            row.withText(11) { if let note = $0 { out.bytes(",\"note\":"); out.quoted(utf8: note) } }
            out.bytes(",\"createdAt\":")
            out.integer(created)
            out.bytes(",\"updatedAt\":")
            out.integer(updated)
            out.byte(UInt8(ascii: "}"))
        }
        return instant
    }

    /// A stored `;a;b;` list as a JSON array of strings.
    static func writeList(_ row: StoredRow, _ column: Int, to out: inout ByteCursor) {
        out.byte(UInt8(ascii: "["))
        row.withText(column) { text in
            guard let text else { return }
            var start = 0
            var first = true
            for index in 0...text.count where index == text.count || text[index] == UInt8(ascii: ";") {
                if index > start {
                    if !first { out.byte(UInt8(ascii: ",")) }
                    first = false
                    out.quoted(utf8: UnsafeBufferPointer(rebasing: text[start..<index]))
                }
                start = index + 1
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    /// Stored `;technique:outcome[:seconds];` reliefs as JSON objects.
    static func writeReliefs(_ row: StoredRow, _ column: Int, to out: inout ByteCursor) {
        out.byte(UInt8(ascii: "["))
        row.withText(column) { text in
            guard let text else { return }
            var start = 0
            var firstItem = true
            for index in 0...text.count where index == text.count || text[index] == UInt8(ascii: ";") {
                defer { start = index + 1 }
                guard index > start else { continue }
                // technique:outcome[:seconds], cut at the colons without building arrays.
                guard let first = text[start..<index].firstIndex(of: UInt8(ascii: ":")) else { continue }
                let second = text[(first + 1)..<index].firstIndex(of: UInt8(ascii: ":"))
                if !firstItem { out.byte(UInt8(ascii: ",")) }
                firstItem = false
                out.bytes("{\"technique\":")
                out.quoted(utf8: UnsafeBufferPointer(rebasing: text[start..<first]))
                out.bytes(",\"outcome\":")
                out.quoted(utf8: UnsafeBufferPointer(rebasing: text[(first + 1)..<(second ?? index)]))
                if let second {
                    var seconds: Int64 = 0
                    for byte in text[(second + 1)..<index] where byte >= 48 && byte <= 57 && seconds < Int64.max / 10 - 9 {
                        seconds = seconds * 10 + Int64(byte - 48)
                    }
                    out.bytes(",\"secondsToEase\":")
                    out.integer(seconds)
                }
                out.byte(UInt8(ascii: "}"))
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    /// An episode from a native row in `episodeColumns` order.
    static func episode(fromValues row: [SQLValue]) throws -> Episode {
        guard row.count == episodeColumnCount, let idText = row[1].string, let id = EntryID(idText),
            let instant = row[2].integer, let offset = row[3].integer,
            let startedAt = LocalTimestamp(instant: instant, utcOffsetSeconds: Int(offset)), let duration = row[4].integer,
            let muscles = row[5].string, let findings = row[9].string, let reliefsText = row[10].string,
            let created = row[12].integer, let updated = row[13].integer
        else { throw StorageError("the journal holds a malformed episode row") }
        var reliefs: [ReliefTried] = []
        for part in reliefsText.utf8.split(separator: UInt8(ascii: ";")) {
            do {
                reliefs.append(try JournalCSV.relief(String(Substring(part)), field: "reliefs"))
            } catch {
                throw StorageError("the journal holds an unknown relief \"\(String(Substring(part)))\"")
            }
        }
        return Episode(
            id: id, startedAt: startedAt, durationSeconds: Int(duration), muscles: try fastCodes(muscles, Muscle.self, column: "muscles"),
            side: row[6].string.flatMap { Side(rawValue: $0) }, severity: row[7].integer.map { Int($0) },
            onset: row[8].string.flatMap { Onset(rawValue: $0) }, findings: try fastCodes(findings, Finding.self, column: "findings"),
            reliefs: reliefs, note: row[11].string, createdAt: created, updatedAt: updated)
    }

    /// Codes from a stored `;a;b;` list, matched on bytes, in the stored order.
    static func fastCodes<Code: CodeList>(_ text: String, _: Code.Type, column: String) throws -> [Code] {
        var codes: [Code] = []
        for part in text.utf8.split(separator: UInt8(ascii: ";")) {
            guard let code = Code.table.all.first(where: { $0.rawValue.utf8.elementsEqual(part) }) else {
                throw StorageError("the journal holds an unknown code \"\(String(Substring(part)))\" in \(column); it may have been written by a newer CrampCare")
            }
            codes.append(code)
        }
        return codes
    }

    public func countEpisodes(owner: OwnerID, from: Int64?, before: Int64?) async throws -> Int {
        try await engine.withDatabase { db in
            var sql: SQLQueryString = "SELECT COUNT(*) AS n FROM episodes WHERE owner_id = \(bind: owner.rawValue)"
            if let from { sql += " AND started_at >= \(bind: from)" }
            if let before { sql += " AND started_at < \(bind: before)" }
            return try await db.raw(sql).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func deleteEpisode(id: EntryID, owner: OwnerID) async throws -> Bool {
        try await engine.withTransaction { session in
            let db = session.sql
            let rows = try await db.raw("DELETE FROM episodes WHERE owner_id = \(bind: owner.rawValue) AND id = \(bind: id.description) RETURNING id").all()
            return !rows.isEmpty
        }
    }

    // MARK: day logs

    static let dayColumns = "owner_id, day, fluids_ml, electrolyte_drink, exercise_minutes, exercise_intensity, steps, sitting_hours, standing_hours, sleep_hours, hot_weather, alcohol_units, caffeine_drinks, mineral_foods, medication_changes, context, updated_at"


    static let episodeColumnCount = 14
    static let dayColumnCount = 17

    static let dayUpsert = """
        ON CONFLICT (owner_id, day) DO UPDATE SET fluids_ml = excluded.fluids_ml, electrolyte_drink = excluded.electrolyte_drink,
        exercise_minutes = excluded.exercise_minutes, exercise_intensity = excluded.exercise_intensity, steps = excluded.steps,
        sitting_hours = excluded.sitting_hours, standing_hours = excluded.standing_hours, sleep_hours = excluded.sleep_hours,
        hot_weather = excluded.hot_weather, alcohol_units = excluded.alcohol_units, caffeine_drinks = excluded.caffeine_drinks,
        mineral_foods = excluded.mineral_foods, medication_changes = excluded.medication_changes, context = excluded.context,
        updated_at = excluded.updated_at
        """

    static func day(from row: any SQLRow) throws -> DayLog {
        guard let date = LocalDate(iso: try row.decode(column: "day", as: String.self)) else { throw StorageError("the journal holds a malformed date") }
        var changes: [MedicationChange] = []
        for part in try row.decode(column: "medication_changes", as: String.self).split(separator: ";") {
            do {
                changes.append(try JournalCSV.medicationChange(String(part), field: "medication_changes"))
            } catch {
                throw StorageError("the journal holds an unknown medicine change \"\(part)\"")
            }
        }
        return DayLog(
            date: date, fluidsML: try row.decode(column: "fluids_ml", as: Int?.self),
            electrolyteDrink: try row.decode(column: "electrolyte_drink", as: Int?.self).map { $0 != 0 },
            exerciseMinutes: try row.decode(column: "exercise_minutes", as: Int?.self),
            exerciseIntensity: try row.decode(column: "exercise_intensity", as: String?.self).flatMap { ExerciseIntensity(rawValue: $0) },
            steps: try row.decode(column: "steps", as: Int?.self), sittingHours: try row.decode(column: "sitting_hours", as: Double?.self),
            standingHours: try row.decode(column: "standing_hours", as: Double?.self), sleepHours: try row.decode(column: "sleep_hours", as: Double?.self),
            hotWeather: try row.decode(column: "hot_weather", as: Int?.self).map { $0 != 0 },
            alcoholUnits: try row.decode(column: "alcohol_units", as: Double?.self), caffeineDrinks: try row.decode(column: "caffeine_drinks", as: Int?.self),
            mineralFoods: try codes(try row.decode(column: "mineral_foods", as: String.self), MineralFood.self, column: "mineral_foods"),
            medicationChanges: changes,
            context: try codes(try row.decode(column: "context", as: String.self), ContextCode.self, column: "context"),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    public func saveDayLog(_ day: DayLog, owner: OwnerID) async throws {
        try await engine.withTransaction { session in
            _ = try await Self.insertRows(CollectionOfOne(day), table: "day_logs", columns: Self.dayColumns, columnCount: Self.dayColumnCount,
                                          suffix: Self.dayUpsert, session: session) { day, values in Self.dayRow(day, owner: owner, into: &values) }
        }
    }

    public func dayLog(date: LocalDate, owner: OwnerID) async throws -> DayLog? {
        try await engine.withDatabase { db in
            try await db.raw("SELECT * FROM day_logs WHERE owner_id = \(bind: owner.rawValue) AND day = \(bind: date.description)").first().map(Self.day(from:))
        }
    }

    public func dayLogs(owner: OwnerID, from: LocalDate?, through: LocalDate?) async throws -> [DayLog] {
        try await engine.withDatabase { db in
            var sql: SQLQueryString = "SELECT * FROM day_logs WHERE owner_id = \(bind: owner.rawValue)"
            if let from { sql += " AND day >= \(bind: from.description)" }
            if let through { sql += " AND day <= \(bind: through.description)" }
            sql += " ORDER BY day"
            return try await db.raw(sql).all().map(Self.day(from:))
        }
    }

    public func deleteDayLog(date: LocalDate, owner: OwnerID) async throws -> Bool {
        try await engine.withTransaction { session in
            !(try await session.sql.raw("DELETE FROM day_logs WHERE owner_id = \(bind: owner.rawValue) AND day = \(bind: date.description) RETURNING day").all()).isEmpty
        }
    }

    // MARK: profile

    public func profile(owner: OwnerID) async throws -> Profile? {
        try await engine.withDatabase { db in
            guard let row = try await db.raw("SELECT * FROM profiles WHERE owner_id = \(bind: owner.rawValue)").first() else { return nil }
            return Profile(
                birthYear: try row.decode(column: "birth_year", as: Int?.self),
                sex: try row.decode(column: "sex", as: String?.self).flatMap { Sex(rawValue: $0) },
                conditions: try Self.codes(try row.decode(column: "conditions", as: String.self), Condition.self, column: "conditions"),
                medications: try Self.codes(try row.decode(column: "medications", as: String.self), Medication.self, column: "medications"),
                timeZone: try row.decode(column: "time_zone", as: String?.self), region: try row.decode(column: "region", as: String?.self),
                reminderTimes: try row.decode(column: "reminder_times", as: String.self).split(separator: ";").compactMap { LocalTime(iso: $0) },
                updatedAt: try row.decode(column: "updated_at", as: Int64.self))
        }
    }

    public func saveProfile(_ profile: Profile, owner: OwnerID) async throws {
        try await engine.withTransaction { session in try await Self.writeProfile(profile, owner: owner, session.sql) }
    }

    static func writeProfile(_ profile: Profile, owner: OwnerID, _ db: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            owner.rawValue, profile.birthYear, profile.sex?.rawValue, list(profile.conditions), list(profile.medications),
            profile.timeZone, profile.region, ";" + profile.reminderTimes.map(\.description).joined(separator: ";") + ";", profile.updatedAt,
        ]
        try await db.raw("""
            INSERT INTO profiles (owner_id, birth_year, sex, conditions, medications, time_zone, region, reminder_times, updated_at)
            VALUES (\(binds: values))
            ON CONFLICT (owner_id) DO UPDATE SET birth_year = excluded.birth_year, sex = excluded.sex, conditions = excluded.conditions,
            medications = excluded.medications, time_zone = excluded.time_zone, region = excluded.region,
            reminder_times = excluded.reminder_times, updated_at = excluded.updated_at
            """).run()
    }

    // MARK: assessments

    public func saveAssessment(_ record: AssessmentRecord, owner: OwnerID) async throws {
        try await engine.withTransaction { session in try await Self.writeAssessment(record, owner: owner, session.sql) }
    }

    static func writeAssessment(_ record: AssessmentRecord, owner: OwnerID, _ db: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            owner.rawValue, record.id.description, record.madeAt.instant, record.madeAt.utcOffsetSeconds, record.knowledgeVersion,
            record.triage.rawValue, record.episodeID?.description, record.requestJSON, record.resultJSON,
        ]
        try await db.raw("""
            INSERT INTO assessments (owner_id, id, made_at, utc_offset_seconds, knowledge_version, triage, episode_id, request_json, result_json)
            VALUES (\(binds: values)) ON CONFLICT (owner_id, id) DO NOTHING
            """).run()
    }

    public func assessments(owner: OwnerID, limit: Int) async throws -> [AssessmentRecord] {
        try await engine.withDatabase { db in
            try await db.raw("SELECT * FROM assessments WHERE owner_id = \(bind: owner.rawValue) ORDER BY made_at DESC, id LIMIT \(bind: max(0, limit))")
                .all().map { row in
                    guard let id = EntryID(try row.decode(column: "id", as: String.self)),
                        let madeAt = LocalTimestamp(instant: try row.decode(column: "made_at", as: Int64.self),
                                                    utcOffsetSeconds: try row.decode(column: "utc_offset_seconds", as: Int.self)),
                        let triage = Triage(rawValue: try row.decode(column: "triage", as: String.self))
                    else { throw StorageError("the journal holds a malformed assessment record") }
                    return AssessmentRecord(
                        id: id, madeAt: madeAt, knowledgeVersion: try row.decode(column: "knowledge_version", as: String.self), triage: triage,
                        requestJSON: try row.decode(column: "request_json", as: String.self),
                        resultJSON: try row.decode(column: "result_json", as: String.self),
                        episodeID: try row.decode(column: "episode_id", as: String?.self).flatMap { EntryID($0) })
                }
        }
    }

    // MARK: bulk

    /// Rows per multi-row INSERT: few round trips, within both engines' limits on bound values.
    static let batchRows = 500

    public func importBatch(_ contents: JournalContents, owner: OwnerID) async throws -> ImportSummary {
        let episodes = contents.episodes
        let dayLogs = contents.dayLogs
        return try await engine.withTransaction { session in
            let db = session.sql
            var summary = ImportSummary()
            if let profile = contents.profile,
                try await db.raw("SELECT owner_id FROM profiles WHERE owner_id = \(bind: owner.rawValue)").first() == nil
            {
                try await Self.writeProfile(profile, owner: owner, db)
                summary.profileTaken = true
            }
            for record in contents.assessments {
                let added = try await db.raw("""
                    INSERT INTO assessments (owner_id, id, made_at, utc_offset_seconds, knowledge_version, triage, episode_id, request_json, result_json)
                    VALUES (\(binds: [owner.rawValue, record.id.description, record.madeAt.instant, record.madeAt.utcOffsetSeconds, record.knowledgeVersion,
                                      record.triage.rawValue, record.episodeID?.description, record.requestJSON, record.resultJSON] as [any Encodable & Sendable]))
                    ON CONFLICT (owner_id, id) DO NOTHING RETURNING id
                    """).all()
                summary.assessmentsAdded += added.count
            }
            let added = try await Self.insertRows(episodes, table: "episodes", columns: Self.episodeColumns, columnCount: Self.episodeColumnCount,
                                                  suffix: "ON CONFLICT (owner_id, id) DO NOTHING", session: session) { episode, values in
                Self.episodeRow(episode, owner: owner, into: &values)
            }
            summary.episodesAdded = added
            summary.episodesUnchanged = episodes.count - added
            _ = try await Self.insertRows(dayLogs, table: "day_logs", columns: Self.dayColumns, columnCount: Self.dayColumnCount,
                                          suffix: Self.dayUpsert, session: session) { day, values in
                Self.dayRow(day, owner: owner, into: &values)
            }
            summary.dayLogsWritten = dayLogs.count
            return summary
        }
    }

    public func importStreaming<T: Sendable>(owner: OwnerID, _ body: @Sendable (any ImportSink) async throws -> T) async throws -> (T, ImportSummary) {
        try await engine.withBulkTransaction { writer in
            let sink = StreamingSink(writer: writer, owner: owner)
            let value: T
            do {
                value = try await body(sink)
            } catch {
                // Let a batch in flight finish before the transaction rolls back.
                _ = try? await sink.finish()
                throw error
            }
            return (value, try await sink.finish())
        }
    }

    public func contents(owner: OwnerID) async throws -> JournalContents {
        let profile = try await profile(owner: owner)
        var filter = EpisodeFilter()
        filter.limit = Int.max / 2
        let episodes = try await episodes(owner: owner, filter: filter)
        let days = try await dayLogs(owner: owner, from: nil, through: nil)
        let records = try await assessments(owner: owner, limit: Int.max / 2)
        return JournalContents(profile: profile, episodes: episodes, dayLogs: days, assessments: records)
    }

    public func restore(_ contents: JournalContents, owner: OwnerID) async throws {
        try await engine.withTransaction { session in
            let db = session.sql
            _ = try await Self.erase(owner: owner, db)
            if let profile = contents.profile { try await Self.writeProfile(profile, owner: owner, db) }
            _ = try await Self.insertRows(contents.episodes, table: "episodes", columns: Self.episodeColumns,
                                          columnCount: Self.episodeColumnCount, suffix: "", session: session) { episode, values in
                Self.episodeRow(episode, owner: owner, into: &values)
            }
            _ = try await Self.insertRows(contents.dayLogs, table: "day_logs", columns: Self.dayColumns, columnCount: Self.dayColumnCount,
                                          suffix: "", session: session) { day, values in
                Self.dayRow(day, owner: owner, into: &values)
            }
            for record in contents.assessments { try await Self.writeAssessment(record, owner: owner, db) }
        }
    }

    public func eraseAll(owner: OwnerID) async throws -> EraseSummary {
        try await engine.withTransaction { session in try await Self.erase(owner: owner, session.sql) }
    }

    static func erase(owner: OwnerID, _ db: any SQLDatabase) async throws -> EraseSummary {
        var summary = EraseSummary()
        summary.episodes = try await db.raw("DELETE FROM episodes WHERE owner_id = \(bind: owner.rawValue) RETURNING id").all().count
        summary.dayLogs = try await db.raw("DELETE FROM day_logs WHERE owner_id = \(bind: owner.rawValue) RETURNING day").all().count
        summary.assessments = try await db.raw("DELETE FROM assessments WHERE owner_id = \(bind: owner.rawValue) RETURNING id").all().count
        summary.profiles = try await db.raw("DELETE FROM profiles WHERE owner_id = \(bind: owner.rawValue) RETURNING owner_id").all().count
        return summary
    }

    /// Whether the database answers (for a health check).
    public func ping() async throws {
        _ = try await engine.select("SELECT 1", [])
    }

    public func close() async throws { try await engine.close() }
}

/// Writes each batch in a task of its own. A batch's rows are encoded before it waits for the
/// batch ahead of it, and two batches may be in flight, so the caller's parsing, the encoding of
/// values and the database's work overlap.
actor StreamingSink: ImportSink {
    let writer: any RowWriter
    let owner: OwnerID
    private var inFlight: [Task<ImportSummary, any Error>] = []

    init(writer: any RowWriter, owner: OwnerID) {
        self.writer = writer
        self.owner = owner
    }

    private func enqueue(_ build: @escaping @Sendable () -> (rows: RowInsert, episodes: Int, days: Int)) async throws {
        if inFlight.count >= 2 { _ = try await inFlight.removeFirst().value }
        let previous = inFlight.last
        let writer = writer
        inFlight.append(Task {
            let batch = build()
            // Batches are written one after another, in the order they came.
            var summary = try await previous?.value ?? ImportSummary()
            let changed = try await writer.insert(batch.rows)
            summary.episodesAdded += batch.episodes > 0 ? changed : 0
            summary.episodesUnchanged += batch.episodes > 0 ? batch.episodes - changed : 0
            summary.dayLogsWritten += batch.days
            return summary
        })
    }

    func add(episodes: [Episode]) async throws {
        let owner = owner
        try await enqueue {
            // Rows of one import share their owner and their stamps: written once as literals
            // (the owner id is validated as [A-Za-z0-9_-]), they need not be bound per row.
            if let first = episodes.first,
                episodes.allSatisfy({ $0.createdAt == first.createdAt && $0.updatedAt == first.updatedAt })
            {
                return (SQLJournalStore.rowInsert(
                    episodes, table: "episodes", columns: SQLJournalStore.episodeVaryingColumns, columnCount: 11,
                    suffix: "ON CONFLICT (owner_id, id) DO NOTHING",
                    constants: ("owner_id, created_at, updated_at", "'\(owner.rawValue)',\(first.createdAt),\(first.updatedAt)")
                ) { episode, values in
                    SQLJournalStore.episodeVaryingRow(episode, into: &values)
                }, episodes.count, 0)
            }
            return (SQLJournalStore.rowInsert(
                episodes, table: "episodes", columns: SQLJournalStore.episodeColumns, columnCount: SQLJournalStore.episodeColumnCount,
                suffix: "ON CONFLICT (owner_id, id) DO NOTHING") { episode, values in
                SQLJournalStore.episodeRow(episode, owner: owner, into: &values)
            }, episodes.count, 0)
        }
    }

    func add(dayLogs: [DayLog]) async throws {
        let owner = owner
        try await enqueue {
            (SQLJournalStore.rowInsert(
                dayLogs, table: "day_logs", columns: SQLJournalStore.dayColumns, columnCount: SQLJournalStore.dayColumnCount,
                suffix: SQLJournalStore.dayUpsert) { day, values in
                SQLJournalStore.dayRow(day, owner: owner, into: &values)
            }, 0, dayLogs.count)
        }
    }

    func finish() async throws -> ImportSummary {
        var summary = ImportSummary()
        for task in inFlight { summary = try await task.value }
        inFlight.removeAll()
        return summary
    }
}
