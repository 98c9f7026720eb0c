import Benchmark
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation

/// A journal of 100,000 episodes, one every ~50 minutes over about ten years, built once.
func makeJournal() async throws -> (SQLJournalStore, now: Int64) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-bench-\(UUID().uuidString).sqlite").path
    let store = try await SQLJournalStore.sqlite(path: path)
    var generator = SystemRandomNumberGenerator()
    let start: Int64 = 1_480_000_000_000
    var episodes: [Episode] = []
    episodes.reserveCapacity(100_000)
    for index in 0..<100_000 {
        let instant = start + Int64(index) * 3_000_000 + Int64.random(in: 0..<600_000, using: &generator)
        episodes.append(
            Episode(
                id: EntryID.random(), startedAt: LocalTimestamp(instant: instant, utcOffsetSeconds: 3600)!,
                durationSeconds: Int.random(in: 10...900, using: &generator), muscles: [.calf], side: .left,
                severity: Int.random(in: 0...10, using: &generator), onset: .sleep, findings: [.visibleKnot],
                reliefs: [ReliefTried(technique: .stretch, outcome: .helped)], createdAt: instant, updatedAt: instant))
    }
    _ = try await store.importBatch(JournalContents(episodes: episodes), owner: .local)
    return (store, start + 100_000 * 3_000_000)
}

let benchmarks: @Sendable () -> Void = {
    // What GET /api/v1/episodes does per request: one page of 50, read and written as JSON.
    Benchmark(
        "Journal: pages of 50 as JSON, walking 10,000 episodes (SQLite)",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal, .throughput], maxIterations: 20_000,
            setup: { try await PageFixture.shared.prepare() })
    ) { benchmark in
        let (store, cursors) = try await PageFixture.shared.journal()
        var index = 0
        for _ in benchmark.scaledIterations {
            var filter = EpisodeFilter()
            filter.after = cursors[index]
            index = (index + 1) % cursors.count
            blackHole(try await store.episodePageJSON(owner: .local, filter: filter, limit: 50))
        }
    }

    Benchmark(
        "Journal: last 30 days of 100,000 episodes (SQLite)",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal, .throughput], maxIterations: 500,
            setup: { try await JournalFixture.shared.prepare() })
    ) { benchmark in
        let (store, now) = try await JournalFixture.shared.journal()
        var filter = EpisodeFilter()
        filter.from = now - 30 * 86_400_000
        filter.before = now
        filter.limit = 10_000
        for _ in benchmark.scaledIterations {
            blackHole(try await store.episodes(owner: .local, filter: filter))
        }
    }
}

/// Builds the journal once for every iteration.
actor JournalFixture {
    static let shared = JournalFixture()
    private var built: (SQLJournalStore, Int64)?

    func prepare() async throws { _ = try await journal() }

    func journal() async throws -> (SQLJournalStore, Int64) {
        if let built { return built }
        let made = try await makeJournal()
        built = (made.0, made.now)
        return (made.0, made.now)
    }
}

/// 10,000 episodes and the cursor of every page of 50, built once.
actor PageFixture {
    static let shared = PageFixture()
    private var built: (SQLJournalStore, [EpisodeCursor?])?

    func prepare() async throws { _ = try await journal() }

    func journal() async throws -> (SQLJournalStore, [EpisodeCursor?]) {
        if let built { return built }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-pages-\(UUID().uuidString).sqlite").path
        let store = try await SQLJournalStore.sqlite(path: path)
        var generator = SystemRandomNumberGenerator()
        var episodes: [Episode] = []
        for index in 0..<10_000 {
            let instant = 1_700_000_000_000 + Int64(index) * 20_000_000
            episodes.append(
                Episode(
                    id: EntryID.random(), startedAt: LocalTimestamp(instant: instant, utcOffsetSeconds: 0)!,
                    durationSeconds: Int.random(in: 10...900, using: &generator), muscles: [.calf], side: .left,
                    severity: Int.random(in: 0...10, using: &generator), onset: .sleep, findings: [.visibleKnot],
                    reliefs: [ReliefTried(technique: .stretch, outcome: .helped)], createdAt: instant, updatedAt: instant))
        }
        _ = try await store.importBatch(JournalContents(episodes: episodes), owner: .local)
        var cursors: [EpisodeCursor?] = [nil]
        let ordered = episodes.sorted { ($0.startedAt.instant, $0.id.description) > ($1.startedAt.instant, $1.id.description) }
        for end in stride(from: 49, to: ordered.count - 1, by: 50) {
            cursors.append(EpisodeCursor(instant: ordered[end].startedAt.instant, id: ordered[end].id))
        }
        built = (store, cursors)
        return (store, cursors)
    }
}
