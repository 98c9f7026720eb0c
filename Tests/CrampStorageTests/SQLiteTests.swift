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
