import CrampJournal
import CrampKnowledge
import Foundation
import Testing

@testable import CrampStorage

/// The engines the contract runs on. PostgreSQL joins when the test command has started a server
/// and set CRAMPCARE_TEST_POSTGRES_URL (scripts/test always does; CI requires it).
enum Engines {
    static let postgresURL = ProcessInfo.processInfo.environment["CRAMPCARE_TEST_POSTGRES_URL"]
    static var names: [String] { postgresURL == nil ? ["sqlite"] : ["sqlite", "postgres"] }

    /// A fresh store, open for `body` and closed after (PostgreSQL's pool runs meanwhile); on
    /// PostgreSQL each test gets owners of its own, so tests never see each other.
    static func withStore(_ name: String, _ body: (SQLJournalStore) async throws -> Void) async throws {
        let location =
            name == "postgres"
            ? postgresURL!
            : FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-\(UUID().uuidString)/journal.sqlite").path
        try await SQLJournalStore.withJournal(location) { store in try await body(store) }
    }
}

func uniqueOwner() -> OwnerID { OwnerID("t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20))! }

func stamp(_ text: String) -> LocalTimestamp { LocalTimestamp(iso: text)! }

func sampleEpisode(_ time: String, muscles: [Muscle] = [.calf], severity: Int? = 5, note: String? = nil) -> Episode {
    Episode(
        id: EntryID.random(), startedAt: stamp(time), durationSeconds: 120, muscles: muscles, side: .left, severity: severity,
        onset: .sleep, findings: [.visibleKnot, .reliefByStretchingSample],
        reliefs: [ReliefTried(technique: .stretch, outcome: .helped, secondsToEase: 45), ReliefTried(technique: .massage, outcome: .partly)],
        note: note, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000)
}

extension Finding { static let reliefByStretchingSample = Finding.relievedByStretching }

@Suite(.serialized) struct JournalStoreContract {
    @Test func ciTestsBothEngines() {
        // The test command always starts PostgreSQL; CI must never pass on SQLite alone.
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(Engines.postgresURL != nil, "CRAMPCARE_TEST_POSTGRES_URL is not set: PostgreSQL was not started")
        }
    }

    /// Adding is creating: a second add of the same id writes nothing and says so; another owner
    /// may hold the same id.
    @Test(arguments: Engines.names)
    func addingAnEpisodeNeverOverwrites(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            let episode = sampleEpisode("2026-03-01T23:15:00+05:30", note: "first")
            let added = try await store.addEpisode(episode, owner: owner)
            #expect(added == .added)
            var changed = episode
            changed.note = "second"
            changed.severity = 1
            #expect(try await store.addEpisode(changed, owner: owner) == .exists)
            #expect(try await store.episode(id: episode.id, owner: owner) == episode)
            #expect(try await store.addEpisode(changed, owner: uniqueOwner()) == .added)
        }
    }

    /// A deleted episode's id is remembered: adding it again (a phone's queue sending late)
    /// writes nothing and says so, for that owner only, also after the journal is erased.
    @Test(arguments: Engines.names)
    func aDeletedEpisodeIsNeverAddedAgain(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            let episode = sampleEpisode("2026-03-01T23:15:00Z")
            #expect(try await store.addEpisode(episode, owner: owner) == .added)
            #expect(try await store.deleteEpisode(id: episode.id, owner: owner))
            #expect(try await store.addEpisode(episode, owner: owner) == .deleted)
            #expect(try await store.episode(id: episode.id, owner: owner) == nil)
            // Deleting again, or an id never kept, leaves nothing behind.
            #expect(try await !store.deleteEpisode(id: episode.id, owner: owner))
            let never = sampleEpisode("2026-03-02T23:15:00Z")
            #expect(try await !store.deleteEpisode(id: never.id, owner: owner))
            #expect(try await store.addEpisode(never, owner: owner) == .added)
            #expect(try await store.addEpisode(episode, owner: uniqueOwner()) == .added)
            // The person's own undo puts it back; then it is an episode like any other.
            #expect(try await store.putBack(episode, owner: owner) == .added)
            #expect(try await store.episode(id: episode.id, owner: owner) == episode)
            #expect(try await store.addEpisode(episode, owner: owner) == .exists)
            #expect(try await store.deleteEpisode(id: episode.id, owner: owner))
            #expect(try await store.addEpisode(never, owner: owner) == .exists)
            _ = try await store.eraseAll(owner: owner)
            #expect(try await store.addEpisode(episode, owner: owner) == .deleted)
            #expect(try await store.addEpisode(never, owner: owner) == .added)
        }
    }

    /// An edit never brings a deleted episode back: a save of its id is refused.
    @Test(arguments: Engines.names)
    func anEditNeverBringsADeletedEpisodeBack(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            var episode = sampleEpisode("2026-03-03T23:15:00Z")
            try await store.saveEpisode(episode, owner: owner)
            #expect(try await store.deleteEpisode(id: episode.id, owner: owner))
            episode.severity = 3
            await #expect(throws: EpisodeDeleted(id: episode.id)) { try await store.saveEpisode(episode, owner: owner) }
            #expect(try await store.episode(id: episode.id, owner: owner) == nil)
            // Another owner's episode with the same id is theirs.
            try await store.saveEpisode(episode, owner: uniqueOwner())
        }
    }

    /// Deletes racing edits and adds of the same episodes, many at once on the pool's
    /// connections: whenever a delete says it deleted, the episode is gone at the end, and a save
    /// refused as deleted left nothing.
    @Test(arguments: Engines.names)
    func aDeleteRacingEditsAndAddsAlwaysWins(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            var random = SystemRandomNumberGenerator()
            for round in 0..<40 {
                let episode = sampleEpisode("2026-03-04T23:\(10 + round % 40):00Z")
                try await store.saveEpisode(episode, owner: owner)
                let deleted = try await withThrowingTaskGroup(of: Bool?.self) { group in
                    for task in 0..<6 {
                        let kind = task == 0 ? 0 : Int.random(in: 0...2, using: &random)
                        group.addTask {
                            switch kind {
                            case 0: return try await store.deleteEpisode(id: episode.id, owner: owner)
                            case 1:
                                var edited = episode
                                edited.severity = task
                                do { try await store.saveEpisode(edited, owner: owner) } catch is EpisodeDeleted {}
                                return nil
                            default:
                                _ = try await store.addEpisode(episode, owner: owner)
                                return nil
                            }
                        }
                    }
                    var deleted = false
                    for try await result in group where result == true { deleted = true }
                    return deleted
                }
                #expect(deleted, "round \(round): the delete found the episode saved before it")
                #expect(try await store.episode(id: episode.id, owner: owner) == nil, "round \(round)")
            }
        }
    }

    /// Single-row writes are kept prepared (PostgreSQL fixes a prepared statement's parameter
    /// types when it first prepares it): a first write whose optional values are all empty must
    /// not stop later writes that fill them in, nor the other way round, on any connection.
    @Test(arguments: Engines.names)
    func keptWritesTakeEmptyAndFilledValuesInAnyOrder(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            var bare = sampleEpisode("2026-03-02T01:00:00Z", severity: nil)
            bare.side = nil
            bare.onset = nil
            bare.findings = []
            bare.reliefs = []
            for detail in EpisodeDetail.all { detail.set(nil, in: &bare) }
            var full = sampleEpisode("2026-03-02T02:00:00Z", severity: 9, note: "filled")
            for detail in EpisodeDetail.all { detail.set(detail.range.upperBound, in: &full) }
            // More rounds than the pool has connections, so every connection prepares both orders.
            for round in 0..<40 {
                var first = round.isMultiple(of: 2) ? bare : full
                var second = round.isMultiple(of: 2) ? full : bare
                first.id = EntryID.random()
                second.id = EntryID.random()
                #expect(try await store.addEpisode(first, owner: owner) == .added)
                try await store.saveEpisode(second, owner: owner)
                #expect(try await store.episode(id: first.id, owner: owner) == first)
                #expect(try await store.episode(id: second.id, owner: owner) == second)
            }
        }
    }

    @Test(arguments: Engines.names)
    func episodesRoundTripExactly(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            var episode = sampleEpisode("2026-03-01T23:15:00+05:30", note: "woke up, \"hard\" knot;\nleft calf")
            try await store.saveEpisode(episode, owner: owner)
            #expect(try await store.episode(id: episode.id, owner: owner) == episode)
            // The offset it was logged in is kept, not just the instant.
            #expect(try await store.episode(id: episode.id, owner: owner)?.startedAt.description == "2026-03-01T23:15:00+05:30")
            episode.severity = 8
            episode.updatedAt += 1000
            try await store.saveEpisode(episode, owner: owner)
            #expect(try await store.episode(id: episode.id, owner: owner)?.severity == 8)
            #expect(try await store.deleteEpisode(id: episode.id, owner: owner))
            #expect(try await store.episode(id: episode.id, owner: owner) == nil)
            #expect(try await !store.deleteEpisode(id: episode.id, owner: owner))
        }
    }

    @Test(arguments: Engines.names)
    func everyCallIsScopedToItsOwner(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let alice = uniqueOwner()
            let bob = uniqueOwner()
            let episode = sampleEpisode("2026-03-02T07:00:00Z")
            try await store.saveEpisode(episode, owner: alice)
            let day = DayLog(date: LocalDate(iso: "2026-03-02")!, fluidsML: 1500, updatedAt: 1)
            try await store.saveDayLog(day, owner: alice)
            try await store.saveProfile(Profile(birthYear: 1960, updatedAt: 1), owner: alice)
            #expect(try await store.episode(id: episode.id, owner: bob) == nil)
            #expect(try await store.episodes(owner: bob, filter: EpisodeFilter()).isEmpty)
            #expect(try await store.dayLog(date: day.date, owner: bob) == nil)
            #expect(try await store.profile(owner: bob) == nil)
            #expect(try await !store.deleteEpisode(id: episode.id, owner: bob))
            #expect(try await store.eraseAll(owner: bob) == EraseSummary())
            #expect(try await store.episode(id: episode.id, owner: alice) == episode)
        }
    }

    @Test(arguments: Engines.names)
    func filtersAndPaging(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            for day in 1...20 {
                let muscles: [Muscle] = day % 2 == 0 ? [.calf] : [.hamstrings, .quadriceps]
                try await store.saveEpisode(
                    sampleEpisode("2026-04-\(day < 10 ? "0" : "")\(day)T06:00:00Z", muscles: muscles, severity: day % 11), owner: owner)
            }
            var filter = EpisodeFilter()
            filter.muscles = [.calf]
            #expect(try await store.episodes(owner: owner, filter: filter).count == 10)
            filter = EpisodeFilter()
            filter.from = stamp("2026-04-10T00:00:00Z").instant
            filter.before = stamp("2026-04-15T00:00:00Z").instant
            let range = try await store.episodes(owner: owner, filter: filter)
            #expect(range.map(\.startedAt.localDate.day) == [14, 13, 12, 11, 10])
            filter = EpisodeFilter()
            filter.minimumSeverity = 8
            #expect(try await store.episodes(owner: owner, filter: filter).allSatisfy { ($0.severity ?? 0) >= 8 })
            filter = EpisodeFilter()
            filter.limit = 7
            filter.offset = 14
            #expect(try await store.episodes(owner: owner, filter: filter).count == 6)
            #expect(try await store.countEpisodes(owner: owner, from: nil, before: nil) == 20)
        }
    }

    @Test(arguments: Engines.names)
    func dayLogsReplaceByDate(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            let date = LocalDate(iso: "2026-05-01")!
            let first = DayLog(
                date: date, fluidsML: 900, electrolyteDrink: false, exerciseMinutes: 30, exerciseIntensity: .hard,
                steps: 12000, sittingHours: 7.5, standingHours: 2, sleepHours: 6.25, hotWeather: true, alcoholUnits: 2.5,
                caffeineDrinks: 3, mineralFoods: [.potassium, .calcium],
                medicationChanges: [MedicationChange(kind: .start, medication: .statin)], context: [.heavySweating], updatedAt: 5)
            try await store.saveDayLog(first, owner: owner)
            #expect(try await store.dayLog(date: date, owner: owner) == first)
            let second = DayLog(date: date, fluidsML: 2000, updatedAt: 6)
            try await store.saveDayLog(second, owner: owner)
            #expect(try await store.dayLog(date: date, owner: owner) == second)
            #expect(try await store.dayLogs(owner: owner, from: date, through: date).count == 1)
            #expect(try await store.deleteDayLog(date: date, owner: owner))
        }
    }

    @Test(arguments: Engines.names)
    func importIsAtomicAndIdempotent(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            let episodes = (0..<1200).map { index in
                sampleEpisode("2026-01-01T00:00:00Z").with(instant: stamp("2026-01-01T00:00:00Z").instant + Int64(index) * 3_600_000)
            }
            let days = (0..<30).map { DayLog(date: LocalDate(iso: "2026-01-01")!.adding(days: $0), fluidsML: 1000 + $0, updatedAt: 1) }
            let first = try await store.importBatch(JournalContents(episodes: episodes, dayLogs: days), owner: owner)
            #expect(first.episodesAdded == 1200)
            let second = try await store.importBatch(JournalContents(episodes: episodes, dayLogs: days), owner: owner)
            #expect(second.episodesAdded == 0)
            #expect(second.episodesUnchanged == 1200)
            #expect(try await store.countEpisodes(owner: owner, from: nil, before: nil) == 1200)
            // A batch that fails half way writes nothing: the second copy of one id breaks it.
            let duplicate = sampleEpisode("2027-01-01T00:00:00Z")
            await #expect(throws: (any Error).self) {
                _ = try await store.restore(JournalContents(episodes: [duplicate, duplicate]), owner: owner)
            }
            #expect(try await store.countEpisodes(owner: owner, from: nil, before: nil) == 1200)
        }
    }

    @Test(arguments: Engines.names)
    func streamingImportIsExactIdempotentAndAtomic(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            let base = stamp("2026-01-01T06:30:00-08:00").instant
            // Several batches, mixed stamps (bound per row) and shared ones (written as literals),
            // texts with quotes, new lines and non-ASCII, and empty and missing optional values.
            let batches = (0..<3).map { batch in
                (0..<700).map { index in
                    var episode = sampleEpisode(
                        "2026-01-01T06:30:00-08:00", note: index % 3 == 0 ? nil : index % 3 == 1 ? "" : "Wadenkrampf \"nachts\";\nkurz"
                    )
                    .with(instant: base + Int64(batch * 700 + index) * 60_000)
                    if batch == 1 { episode.createdAt += Int64(index) }
                    episode.side = index % 2 == 0 ? nil : .right
                    for detail in EpisodeDetail.all {
                        detail.set(index % 11 == 10 ? nil : detail.range.lowerBound + index % (detail.range.count), in: &episode)
                    }
                    return episode
                }
            }
            let days = (0..<40).map {
                DayLog(date: LocalDate(iso: "2026-01-01")!.adding(days: $0), fluidsML: 1000 + $0, sleepHours: 6.5, updatedAt: 1)
            }
            let (_, first) = try await store.importStreaming(owner: owner) { sink in
                for batch in batches { try await sink.add(episodes: batch) }
                try await sink.add(dayLogs: days)
            }
            #expect(first.episodesAdded == 2100 && first.episodesUnchanged == 0 && first.dayLogsWritten == 40)
            for episode in batches.joined() where episode.id.hashValue % 50 == 0 {
                #expect(try await store.episode(id: episode.id, owner: owner) == episode)
            }
            #expect(try await store.dayLogs(owner: owner, from: nil, through: nil) == days)
            let (_, again) = try await store.importStreaming(owner: owner) { sink in
                for batch in batches { try await sink.add(episodes: batch) }
            }
            #expect(again.episodesAdded == 0 && again.episodesUnchanged == 2100)
            // An import that fails after writing batches leaves the journal as it was.
            struct Stop: Error {}
            let extra = (0..<900).map { sampleEpisode("2027-01-01T00:00:00Z").with(instant: base + 10_000_000_000 + Int64($0) * 60_000) }
            await #expect(throws: Stop.self) {
                _ = try await store.importStreaming(owner: owner) { sink in
                    try await sink.add(episodes: extra)
                    try await sink.add(dayLogs: [DayLog(date: LocalDate(iso: "2026-01-01")!, fluidsML: 1, updatedAt: 2)])
                    throw Stop()
                }
            }
            #expect(try await store.countEpisodes(owner: owner, from: nil, before: nil) == 2100)
            #expect(try await store.dayLog(date: LocalDate(iso: "2026-01-01")!, owner: owner)?.fluidsML == 1000)
            // The store goes on working on its ordinary connection afterwards.
            try await store.saveEpisode(extra[0], owner: owner)
            #expect(try await store.countEpisodes(owner: owner, from: nil, before: nil) == 2101)
        }
    }

    @Test(arguments: Engines.names)
    func episodePagesAreTheBackupsEpisodeJSON(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            var generator = SystemRandomNumberGenerator()
            var episodes: [Episode] = []
            for index in 0..<137 {
                var episode = sampleEpisode(
                    "2026-01-01T00:00:00Z", note: [nil, "", "a \"quoted\" note;\nwith: colons\t\u{1}\\", "Wadenkrampf – nachts"][index % 4]
                )
                .with(instant: 1_760_000_000_000 + Int64(index / 3) * 3_600_000 + Int64(index % 3) * 1500)
                episode.startedAt = LocalTimestamp(instant: episode.startedAt.instant, utcOffsetSeconds: [0, 19_800, -28_800, 3600][index % 4])!
                episode.muscles = [[.calf], [.hamstrings, .quadriceps], [.unsure]][index % 3]
                episode.side = index % 5 == 0 ? nil : .right
                // Every detail, at random within its range or missing.
                for detail in EpisodeDetail.all {
                    detail.set(index % 7 == 0 ? nil : Int.random(in: detail.range, using: &generator), in: &episode)
                }
                episode.onset = index % 2 == 0 ? nil : .walking
                episode.findings = index % 3 == 0 ? [] : [.visibleKnot]
                episode.reliefs =
                    index % 4 == 0
                    ? [] : [ReliefTried(technique: .heat, outcome: .no), ReliefTried(technique: .stretch, outcome: .helped, secondsToEase: index)]
                episodes.append(episode)
            }
            try await store.restore(JournalContents(episodes: episodes), owner: owner)
            var filter = EpisodeFilter()
            var pages = 0
            repeat {
                let bytes = try await store.episodePageJSON(owner: owner, filter: filter, limit: 20)
                filter.limit = 21
                var expected = try await store.episodes(owner: owner, filter: filter)
                let more = expected.count > 20
                if more { expected.removeLast() }
                var writer =
                    "{\"episodes\":[" + expected.map { String(decoding: JournalBackup.episodeJSON($0), as: UTF8.self) }.joined(separator: ",")
                    + "],\"next\":"
                writer += more ? "\"\(EpisodeCursor(instant: expected.last!.startedAt.instant, id: expected.last!.id))\"}" : "null}"
                #expect(String(decoding: bytes, as: UTF8.self) == writer)
                filter.after = more ? EpisodeCursor(instant: expected.last!.startedAt.instant, id: expected.last!.id) : nil
                pages += 1
            } while filter.after != nil
            #expect(pages == 7)
        }
    }

    @Test(arguments: Engines.names)
    func backupRestoreAndErase(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let owner = uniqueOwner()
            try await store.saveProfile(
                Profile(
                    birthYear: 1950, sex: .female, conditions: [.diabetes], medications: [.statin],
                    timeZone: "Europe/London", region: "GB", reminderTimes: [LocalTime(iso: "21:30")!], updatedAt: 9), owner: owner)
            try await store.saveEpisode(sampleEpisode("2026-02-01T22:00:00-05:00"), owner: owner)
            try await store.saveDayLog(DayLog(date: LocalDate(iso: "2026-02-01")!, sleepHours: 7, updatedAt: 2), owner: owner)
            try await store.saveAssessment(
                AssessmentRecord(
                    id: EntryID.random(), madeAt: stamp("2026-02-01T22:05:00-05:00"), knowledgeVersion: "2026.11.0",
                    triage: .selfCare, requestJSON: #"{"age":76}"#, resultJSON: #"{"triage":"self_care"}"#), owner: owner)
            let contents = try await store.contents(owner: owner)
            let backup = JournalBackup.encode(contents)
            let other = uniqueOwner()
            try await store.restore(try JournalBackup.decode(backup, currentYear: 2026), owner: other)
            #expect(JournalBackup.encode(try await store.contents(owner: other)) == backup)
            let erased = try await store.eraseAll(owner: owner)
            #expect(erased.episodes == 1 && erased.dayLogs == 1 && erased.assessments == 1 && erased.profiles == 1)
            #expect(try await store.contents(owner: owner) == JournalContents())
        }
    }
}

extension Episode {
    func with(instant: Int64) -> Episode {
        var copy = self
        copy.startedAt = LocalTimestamp(instant: instant, utcOffsetSeconds: startedAt.utcOffsetSeconds)!
        copy.id = EntryID.random()
        return copy
    }
}
