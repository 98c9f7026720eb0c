import CrampJSON
public import CrampJournal
import CrampKnowledge
public import ServiceLifecycle
import Synchronization

/// The journal on SQL: one implementation for SQLite and PostgreSQL. Every statement names the
/// owner, as a bound value, so no call reaches another owner's rows. Each table's columns are
/// declared once, in `Tables/`.
public final class SQLJournalStore: JournalStore {
    let engine: any SQLEngine
    /// Told of each committed write, with its owner, after the commit: the server keeps shared
    /// diaries' need summaries current with it. A personal journal has none.
    private let afterWrite = Mutex<(@Sendable (OwnerID) async -> Void)?>(nil)

    /// Opens the store on an engine and brings its schema up to date (the engine must be able to
    /// answer: a PostgreSQL pool running).
    init(engine: any SQLEngine) async throws {
        self.engine = engine
        do {
            try await open()
        } catch {
            // An engine must be closed before it goes (SQLite traps on an open connection).
            try? await engine.close()
            throw error
        }
    }

    private init(unopened engine: any SQLEngine) {
        self.engine = engine
    }

    /// Checks the database answers and brings its schema up to date.
    public func open() async throws {
        if let postgres = engine as? PostgresEngine { try await postgres.check() }
        try await Schema.migrate(engine)
    }

    /// The journal in an SQLite file (created, mode 0600, when missing), opened.
    public static func sqlite(path: String) async throws -> SQLJournalStore {
        try await SQLJournalStore(engine: try await SQLiteEngine.open(path: path))
    }

    /// The store at a file path (SQLite) or a `postgres://` URL, not yet opened: its `services`
    /// (PostgreSQL's connection pool) must run before `open()` and while it is used.
    public static func at(_ location: String) async throws -> SQLJournalStore {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return SQLJournalStore(unopened: try PostgresEngine.make(url: location))
        }
        return SQLJournalStore(unopened: try await SQLiteEngine.open(path: location))
    }

    /// What must run while the store is used: PostgreSQL's connection pool; nothing for SQLite.
    public var services: [any Service] {
        (engine as? PostgresEngine).map { [$0.client] } ?? []
    }

    /// Runs `body` with the store at `location` opened, its services running in a task group of
    /// this call's own, and closes it after, whatever happens.
    public static func withJournal<T: Sendable>(_ location: String, _ body: (SQLJournalStore) async throws -> T) async throws -> T {
        let store = try await at(location)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in store.services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            do {
                try await store.open()
                let value = try await body(store)
                try await store.close()
                return value
            } catch {
                try? await store.close()
                throw error
            }
        }
    }

    public var engineName: String { engine.name }

    /// Rows per multi-row INSERT: few round trips, within both engines' limits on bound values.
    static let batchRows = 500

    // MARK: reading and writing rows

    func read<Table: JournalTable>(_: Table.Type, _ condition: String, _ values: [SQLValue]) async throws -> [Table.Record] {
        var records: [Table.Record] = []
        try await engine.eachRow(Table.select(condition), values) { row in
            records.append(try Table.read(ColumnReader(row: row, table: Table.name)))
        }
        return records
    }

    /// The one write path for records: an INSERT of any number of rows with the table's suffix.
    /// Returns how many rows changed.
    static func write<Table: JournalTable>(
        _: Table.Type, _ records: some Collection<Table.Record>, owner: OwnerID, suffix: String,
        in session: some RowWriter
    ) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        return try await session.insert(Table.insert(records, owner: owner, suffix: suffix))
    }

    /// Sets what is told of each committed write.
    public func onWrite(_ body: @escaping @Sendable (OwnerID) async -> Void) {
        afterWrite.withLock { $0 = body }
    }

    func changed(_ owner: OwnerID) async {
        guard let body = afterWrite.withLock({ $0 }) else { return }
        await body(owner)
    }

    // MARK: episodes

    public func saveEpisode(_ episode: Episode, owner: OwnerID, trail: [AuditRecord]) async throws {
        let key: [SQLValue] = [.text(owner.rawValue), .text(episode.id.description)]
        try await engine.withTransaction { session in
            guard try await session.select(Self.tombstone, key).isEmpty else { throw EpisodeDeleted(id: episode.id) }
            _ = try await Self.write(EpisodesTable.self, CollectionOfOne(episode), owner: owner, suffix: EpisodesTable.upsert, in: session)
            _ = try await session.insert(NeedSummaries.touch(owner))
            if !trail.isEmpty { _ = try await session.insert(SharingStore.rows(trail)) }
            // As for an add: a delete committed while the write waited on its row is seen now.
            guard try await session.select(Self.tombstone, key).isEmpty else { throw EpisodeDeleted(id: episode.id) }
        }
        await changed(owner)
    }

    static let tombstone = "SELECT 1 FROM \(deletedEpisodes) WHERE owner_id = ? AND id = ?"

    public func addEpisode(_ episode: Episode, owner: OwnerID) async throws -> EpisodeAdded {
        let key: [SQLValue] = [.text(owner.rawValue), .text(episode.id.description)]
        let tombstone = Self.tombstone
        do {
            let added: EpisodeAdded = try await engine.withTransaction { session in
                guard try await session.select(tombstone, key).isEmpty else { return .deleted }
                let written = try await Self.write(
                    EpisodesTable.self, CollectionOfOne(episode), owner: owner, suffix: EpisodesTable.insertOrIgnore, in: session)
                // Asked again after the insert: on PostgreSQL a delete committed while the insert
                // waited on its row is seen only now, and the insert is rolled back.
                if written > 0, try await !session.select(tombstone, key).isEmpty { throw DeletedMeanwhile() }
                if written > 0 { _ = try await session.insert(NeedSummaries.touch(owner)) }
                return written > 0 ? .added : .exists
            }
            if added == .added { await changed(owner) }
            return added
        } catch is DeletedMeanwhile {
            return .deleted
        }
    }

    struct DeletedMeanwhile: Error {}

    public func putBack(_ episode: Episode, owner: OwnerID) async throws -> EpisodeAdded {
        let key: [SQLValue] = [.text(owner.rawValue), .text(episode.id.description)]
        let added: EpisodeAdded = try await engine.withTransaction { session in
            _ = try await session.execute("DELETE FROM \(Self.deletedEpisodes) WHERE owner_id = ? AND id = ?", key)
            let written = try await Self.write(
                EpisodesTable.self, CollectionOfOne(episode), owner: owner, suffix: EpisodesTable.insertOrIgnore, in: session)
            if written > 0 { _ = try await session.insert(NeedSummaries.touch(owner)) }
            return written > 0 ? .added : .exists
        }
        if added == .added { await changed(owner) }
        return added
    }

    /// The ids of deleted episodes, per owner (migration 6): no health data, only what stops a
    /// deleted cramp from coming back.
    static let deletedEpisodes = "deleted_episodes"

    public func episode(id: EntryID, owner: OwnerID) async throws -> Episode? {
        try await read(EpisodesTable.self, "owner_id = ? AND id = ?", [.text(owner.rawValue), .text(id.description)]).first
    }

    public func episodes(owner: OwnerID, filter: EpisodeFilter) async throws -> [Episode] {
        let (sql, values) = Self.episodeQuery(owner: owner, filter: filter)
        var episodes: [Episode] = []
        try await engine.eachRow(sql, values) { row in episodes.append(try EpisodesTable.read(ColumnReader(row: row, table: EpisodesTable.name))) }
        return episodes
    }

    /// The list read, newest first.
    static func episodeQuery(owner: OwnerID, filter: EpisodeFilter) -> (String, [SQLValue]) {
        // CAST keeps SQLite from planning with the bound owner's value: a plain `owner_id = ?`
        // before this ORDER BY expires the kept statement at every new binding.
        var sql = EpisodesTable.select("owner_id = CAST(? AS TEXT)")
        var values: [SQLValue] = [.text(owner.rawValue)]
        if let from = filter.from { sql += " AND started_at >= ?"; values.append(.int(from)) }
        if let before = filter.before { sql += " AND started_at < ?"; values.append(.int(before)) }
        if !filter.muscles.isEmpty {
            // Patterns from the muscle codes themselves ([a-z_], never the request's text): a bound
            // LIKE pattern expires the kept statement.
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
        // LIMIT as an integer literal: SQLite plans with a bound LIMIT's value, so binding it again
        // expires the prepared statement and every page would be prepared anew.
        sql += " ORDER BY started_at DESC, id DESC LIMIT \(max(0, min(filter.limit, Int(Int32.max))))"
        if filter.offset > 0 {
            sql += " OFFSET ?"
            values.append(.int(Int64(filter.offset)))
        }
        return (sql, values)
    }

    /// A page of episodes as the API's JSON, written straight from the stored rows; at most
    /// `limit` episodes, and `next` when more follow.
    public func episodePageJSON(owner: OwnerID, filter: EpisodeFilter, limit: Int, notes: Bool) async throws -> [UInt8] {
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
            let instant = try EpisodesTable.writeJSON(row, to: &w, notes: notes)
            // Only the page's last row names the next page.
            if written == limit - 1 { last = (instant, row.withText(EpisodesTable.Column.id.position) { $0.map(Array.init) ?? [] }) }
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

    public func countEpisodes(owner: OwnerID, from: Int64?, before: Int64?) async throws -> Int {
        var sql = "SELECT COUNT(*) FROM episodes WHERE owner_id = ?"
        var values: [SQLValue] = [.text(owner.rawValue)]
        if let from { sql += " AND started_at >= ?"; values.append(.int(from)) }
        if let before { sql += " AND started_at < ?"; values.append(.int(before)) }
        return try await engine.select(sql, values).first?.first?.integer.flatMap { Int(exactly: $0) } ?? 0
    }

    public func deleteEpisode(id: EntryID, owner: OwnerID) async throws -> Bool {
        let key: [SQLValue] = [.text(owner.rawValue), .text(id.description)]
        let deleted = try await engine.withTransaction { session in
            guard try await session.execute("DELETE FROM \(EpisodesTable.name) WHERE owner_id = ? AND id = ?", key) > 0 else { return false }
            _ = try await session.execute(
                "INSERT INTO \(Self.deletedEpisodes) (owner_id, id, deleted_at) VALUES (?, ?, ?) ON CONFLICT (owner_id, id) DO NOTHING",
                key + [.int(SystemClock().millisecondsNow())])
            _ = try await session.insert(NeedSummaries.touch(owner))
            return true
        }
        if deleted { await changed(owner) }
        return deleted
    }

    // MARK: day logs

    public func saveDayLog(_ day: DayLog, owner: OwnerID) async throws {
        try await engine.withTransaction { session in
            _ = try await Self.write(DayLogsTable.self, CollectionOfOne(day), owner: owner, suffix: DayLogsTable.upsert, in: session)
            _ = try await session.insert(NeedSummaries.touch(owner))
        }
        await changed(owner)
    }

    public func dayLog(date: LocalDate, owner: OwnerID) async throws -> DayLog? {
        try await read(DayLogsTable.self, "owner_id = ? AND day = ?", [.text(owner.rawValue), .text(date.description)]).first
    }

    public func dayLogs(owner: OwnerID, from: LocalDate?, through: LocalDate?) async throws -> [DayLog] {
        var condition = "owner_id = ?"
        var values: [SQLValue] = [.text(owner.rawValue)]
        if let from { condition += " AND day >= ?"; values.append(.text(from.description)) }
        if let through { condition += " AND day <= ?"; values.append(.text(through.description)) }
        return try await read(DayLogsTable.self, condition + " ORDER BY day", values)
    }

    public func deleteDayLog(date: LocalDate, owner: OwnerID) async throws -> Bool {
        let deleted = try await engine.withTransaction { session in
            let rows = try await session.execute(
                "DELETE FROM \(DayLogsTable.name) WHERE owner_id = ? AND day = ?", [.text(owner.rawValue), .text(date.description)])
            if rows > 0 { _ = try await session.insert(NeedSummaries.touch(owner)) }
            return rows > 0
        }
        if deleted { await changed(owner) }
        return deleted
    }

    // MARK: profile

    public func profile(owner: OwnerID) async throws -> Profile? {
        try await read(ProfilesTable.self, "owner_id = ?", [.text(owner.rawValue)]).first
    }

    public func saveProfile(_ profile: Profile, owner: OwnerID) async throws {
        try await engine.withTransaction { session in
            _ = try await Self.write(ProfilesTable.self, CollectionOfOne(profile), owner: owner, suffix: ProfilesTable.upsert, in: session)
            _ = try await session.insert(NeedSummaries.touch(owner))
        }
        await changed(owner)
    }

    // MARK: assessments

    public func saveAssessment(_ record: AssessmentRecord, owner: OwnerID) async throws {
        try await engine.withTransaction { session in
            _ = try await Self.write(
                AssessmentsTable.self, CollectionOfOne(record), owner: owner, suffix: AssessmentsTable.insertOrIgnore, in: session)
            _ = try await session.insert(NeedSummaries.touch(owner))
        }
        await changed(owner)
    }

    public func assessments(owner: OwnerID, limit: Int) async throws -> [AssessmentRecord] {
        try await read(AssessmentsTable.self, "owner_id = ? ORDER BY made_at DESC, id LIMIT ?", [.text(owner.rawValue), .int(max(0, limit))])
    }

    public func assessment(id: EntryID, owner: OwnerID) async throws -> AssessmentRecord? {
        try await read(AssessmentsTable.self, "owner_id = ? AND id = ?", [.text(owner.rawValue), .text(id.description)]).first
    }

    // MARK: bulk

    public func importBatch(_ contents: JournalContents, owner: OwnerID) async throws -> ImportSummary {
        let summary = try await engine.withTransaction { session in
            var summary = ImportSummary()
            if let profile = contents.profile,
                try await session.select("SELECT owner_id FROM \(ProfilesTable.name) WHERE owner_id = ?", [.text(owner.rawValue)]).isEmpty
            {
                _ = try await Self.write(ProfilesTable.self, CollectionOfOne(profile), owner: owner, suffix: "", in: session)
                summary.profileTaken = true
            }
            summary.assessmentsAdded = try await Self.write(
                AssessmentsTable.self, contents.assessments, owner: owner,
                suffix: AssessmentsTable.insertOrIgnore, in: session)
            summary.episodesAdded = try await Self.write(
                EpisodesTable.self, contents.episodes, owner: owner, suffix: EpisodesTable.insertOrIgnore,
                in: session)
            summary.episodesUnchanged = contents.episodes.count - summary.episodesAdded
            _ = try await Self.write(DayLogsTable.self, contents.dayLogs, owner: owner, suffix: DayLogsTable.upsert, in: session)
            summary.dayLogsWritten = contents.dayLogs.count
            _ = try await session.insert(NeedSummaries.touch(owner))
            return summary
        }
        await changed(owner)
        return summary
    }

    public func importStreaming<T: Sendable>(owner: OwnerID, _ body: @Sendable (any ImportSink) async throws -> T) async throws -> (T, ImportSummary)
    {
        let result = try await engine.withBulkTransaction { writer in
            _ = try await writer.insert(NeedSummaries.touch(owner))
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
        await changed(owner)
        return result
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
            _ = try await Self.erase(owner: owner, session)
            if let profile = contents.profile {
                _ = try await Self.write(ProfilesTable.self, CollectionOfOne(profile), owner: owner, suffix: "", in: session)
            }
            _ = try await Self.write(EpisodesTable.self, contents.episodes, owner: owner, suffix: "", in: session)
            _ = try await Self.write(DayLogsTable.self, contents.dayLogs, owner: owner, suffix: "", in: session)
            _ = try await Self.write(AssessmentsTable.self, contents.assessments, owner: owner, suffix: AssessmentsTable.insertOrIgnore, in: session)
            _ = try await session.insert(NeedSummaries.touch(owner))
        }
        await changed(owner)
    }

    public func eraseAll(owner: OwnerID) async throws -> EraseSummary {
        let summary = try await engine.withTransaction { session in
            let summary = try await Self.erase(owner: owner, session)
            _ = try await session.insert(NeedSummaries.touch(owner))
            return summary
        }
        await changed(owner)
        return summary
    }

    /// Deletes every record of the owner. The ids of deleted episodes stay (no health data, and a
    /// phone's old queue must not bring erased cramps back) unless the account itself goes.
    static func erase(owner: OwnerID, _ session: SQLSession, forgetDeleted: Bool = false) async throws -> EraseSummary {
        let owner: [SQLValue] = [.text(owner.rawValue)]
        var summary = EraseSummary()
        summary.episodes = try await session.execute("DELETE FROM \(EpisodesTable.name) WHERE owner_id = ?", owner)
        summary.dayLogs = try await session.execute("DELETE FROM \(DayLogsTable.name) WHERE owner_id = ?", owner)
        summary.assessments = try await session.execute("DELETE FROM \(AssessmentsTable.name) WHERE owner_id = ?", owner)
        summary.profiles = try await session.execute("DELETE FROM \(ProfilesTable.name) WHERE owner_id = ?", owner)
        if forgetDeleted { _ = try await session.execute("DELETE FROM \(deletedEpisodes) WHERE owner_id = ?", owner) }
        return summary
    }

    /// Whether the database answers (for a health check).
    public func ping() async throws {
        _ = try await engine.select("SELECT 1", [])
    }

    public func close() async throws {
        // The server's refresh holds this store: letting go of it here ends that cycle.
        afterWrite.withLock { $0 = nil }
        try await engine.close()
    }
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
        inFlight.append(
            Task {
                let batch = build()
                // Batches are written one after another, in the order they came.
                var summary = try await previous?.value ?? ImportSummary()
                let changed = batch.rows.values.isEmpty ? 0 : try await writer.insert(batch.rows)
                summary.episodesAdded += batch.episodes > 0 ? changed : 0
                summary.episodesUnchanged += batch.episodes > 0 ? batch.episodes - changed : 0
                summary.dayLogsWritten += batch.days
                return summary
            })
    }

    func add(episodes: [Episode]) async throws {
        let owner = owner
        try await enqueue { (EpisodesTable.insert(episodes, owner: owner, suffix: EpisodesTable.insertOrIgnore), episodes.count, 0) }
    }

    func add(dayLogs: [DayLog]) async throws {
        let owner = owner
        try await enqueue { (DayLogsTable.insert(dayLogs, owner: owner, suffix: DayLogsTable.upsert), 0, dayLogs.count) }
    }

    func finish() async throws -> ImportSummary {
        var summary = ImportSummary()
        for task in inFlight { summary = try await task.value }
        inFlight.removeAll()
        return summary
    }
}
