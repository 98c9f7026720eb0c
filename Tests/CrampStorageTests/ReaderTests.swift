import CrampJournal
import CrampKnowledge
import Foundation
import Testing

@testable import CrampStorage

@Suite struct SQLiteReaderTests {
    @Test func keptStatementsAreNotPreparedAgain() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("journal.sqlite").path
        let store = try await SQLJournalStore(engine: try await SQLiteEngine.open(path: path))
        let owner = OwnerID.local
        try await store.restore(
            JournalContents(
                episodes: (0..<120).map { index in
                    Episode(
                        id: EntryID.random(), startedAt: LocalTimestamp(instant: 1_760_000_000_000 + Int64(index) * 60_000, utcOffsetSeconds: 0)!,
                        durationSeconds: 60, muscles: [.calf], severity: 5, createdAt: 1, updatedAt: 1)
                }), owner: owner)
        let reader = try SQLiteReader(path: path)
        var filter = EpisodeFilter()
        filter.limit = 51
        for round in 0..<6 {
            if round == 5 { filter.muscles = [.calf]; filter.from = 1_760_000_000_000; filter.maximumSeverity = 10 }
            if round > 0 { filter.after = EpisodeCursor(instant: 1_760_000_000_000 + Int64(100 - round) * 60_000, id: EntryID.random()) }
            let (sql, values) = SQLJournalStore.episodeQuery(owner: owner, filter: filter)
            var rows = 0
            try reader.each(sql, values) { _ in rows += 1 }
            #expect(rows > 0)
        }
        #expect(reader.reprepareCounts().values.allSatisfy { $0 == 0 }, "\(reader.reprepareCounts())")
        reader.close()
        try await store.close()
    }

    @Test func deepPagesSeekInsteadOfWalking() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("journal.sqlite").path
        let store = try await SQLJournalStore(engine: try await SQLiteEngine.open(path: path))
        try await store.restore(
            JournalContents(
                episodes: (0..<5000).map { index in
                    Episode(
                        id: EntryID.random(), startedAt: LocalTimestamp(instant: 1_760_000_000_000 + Int64(index / 2) * 60_000, utcOffsetSeconds: 0)!,
                        durationSeconds: 60, muscles: [.calf], severity: 5, createdAt: 1, updatedAt: 1)
                }), owner: .local)
        let reader = try SQLiteReader(path: path)
        var filter = EpisodeFilter()
        filter.limit = 51
        // Near the oldest end: walking from the newest would take tens of thousands of steps.
        filter.after = EpisodeCursor(instant: 1_760_000_000_000 + 60 * 60_000, id: EntryID("ffffffff-ffff-5fff-bfff-ffffffffffff")!)
        let (sql, values) = SQLJournalStore.episodeQuery(owner: .local, filter: filter)
        var rows = 0
        try reader.each(sql, values) { _ in rows += 1 }
        #expect(rows == 51)
        #expect((reader.vmSteps()[sql] ?? .max) < 2000)
        reader.close()
        try await store.close()
    }
}
