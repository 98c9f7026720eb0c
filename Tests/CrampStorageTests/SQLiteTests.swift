import CrampJournal
import Foundation
import SQLKit
import Testing

@testable import CrampStorage

@Suite struct SQLiteJournalFileTests {
    @Test func theFileIsPrivateAndDurable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-\(UUID().uuidString)/nested")
        let path = folder.appendingPathComponent("journal.sqlite").path
        let engine = try await SQLiteEngine.open(path: path)
        let store = try await SQLJournalStore(engine: engine)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let pragmas = try await engine.withDatabase { db in
            (
                try await db.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self),
                try await db.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self),
                try await db.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
            )
        }
        #expect(pragmas.0 == "wal")
        #expect(pragmas.1 == 2)  // FULL
        #expect(pragmas.2 == 1)
        try await store.close()
    }

    @Test func migrationsAreRecordedAndIdempotent() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-\(UUID().uuidString).sqlite").path
        let first = try await SQLJournalStore(engine: try await SQLiteEngine.open(path: path))
        try await first.close()
        let engine = try await SQLiteEngine.open(path: path)
        let second = try await SQLJournalStore(engine: engine)
        let versions = try await engine.withDatabase { db in
            try await db.raw("SELECT version FROM _migrations ORDER BY version").all().map { try $0.decode(column: "version", as: Int.self) }
        }
        #expect(versions == Schema.migrations.map(\.version))
        try await second.close()
    }

    /// Migration 5: a day log stored before it, with an empty list of mineral foods, is "not
    /// logged" (the form could not say "none"); one naming a food was logged; after it, "none of
    /// them" and "not logged" are kept apart.
    @Test func mineralFoodsFromBeforeTheMarkAreNotLoggedUnlessTheyNameAFood() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-\(UUID().uuidString).sqlite").path
        let owner = uniqueOwner()
        let engine = try await SQLiteEngine.open(path: path)
        let store = try await SQLJournalStore(engine: engine)
        // Back to version 4: the column gone, rows as version 4 wrote them.
        try await engine.withTransaction { session in
            try await session.sql.raw("DELETE FROM _migrations WHERE version = 5").run()
            try await session.sql.raw("ALTER TABLE day_logs DROP COLUMN mineral_foods_logged").run()
            for (day, foods) in [("2026-03-01", ""), ("2026-03-02", "potassium;calcium")] {
                try await session.sql.raw(
                    "INSERT INTO day_logs (owner_id, day, mineral_foods, medication_changes, context, updated_at) VALUES (\(bind: owner.rawValue), \(bind: day), \(bind: foods), '', '', 0)"
                ).run()
            }
        }
        try await store.close()
        let upgraded = try await SQLJournalStore(engine: try await SQLiteEngine.open(path: path))
        let read = try await upgraded.dayLogs(owner: owner, from: nil, through: nil)
        #expect(read.map(\.mineralFoods) == [nil, [.potassium, .calcium]])
        try await upgraded.saveDayLog(DayLog(date: LocalDate(iso: "2026-03-03")!, mineralFoods: [], updatedAt: 1), owner: owner)
        try await upgraded.saveDayLog(DayLog(date: LocalDate(iso: "2026-03-04")!, updatedAt: 1), owner: owner)
        let after = try await upgraded.dayLogs(owner: owner, from: LocalDate(iso: "2026-03-03"), through: nil)
        #expect(after.map(\.mineralFoods) == [[], nil])
        try await upgraded.close()
    }

    @Test func aNewerSchemaIsRefusedClearly() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-\(UUID().uuidString).sqlite").path
        let engine = try await SQLiteEngine.open(path: path)
        let store = try await SQLJournalStore(engine: engine)
        try await engine.withTransaction { session in
            try await session.sql.raw("INSERT INTO _migrations (version, name, applied_at) VALUES (99, 'future', 0)").run()
        }
        try await store.close()
        await #expect(throws: StorageError.self) { _ = try await SQLJournalStore(engine: try await SQLiteEngine.open(path: path)) }
    }
}
