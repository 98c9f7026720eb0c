import CrampApplication
import CrampAssessment
import CrampJournal
import CrampKnowledge
import CrampStorage
import CrampTestSupport
import Foundation
import Testing

/// A journal on a throwaway SQLite file, closed after the test whatever happens.
func withApp(
    clock: any JournalClock = FixedClock(milliseconds: 1_780_000_000_000), zone: String = "Europe/London",
    failingKeeps: Bool = false, _ body: (CrampCareApp, SQLJournalStore) async throws -> Void
) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-app-\(UUID().uuidString)")
    let store = try await SQLJournalStore.sqlite(path: folder.appendingPathComponent("journal.sqlite").path)
    let journal: any JournalStore = failingKeeps ? UnkeepableJournal(store) : store
    let app = CrampCareApp(
        journal: journal, knowledge: try KnowledgeBase.bundled.get(), defaultZone: TimeZone(identifier: zone)!,
        defaultRegion: "GB", clock: clock)
    do {
        try await body(app, store)
    } catch {
        try? await store.close()
        throw error
    }
    try await store.close()
}

/// A small seeded generator, so a failing case can be run again.
struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11 ^ state << 7
    }
}

func generatedEpisode(_ random: inout Seeded, app: CrampCareApp, now: LocalTimestamp) -> Episode {
    let muscles = Muscle.allCases
    var episode = app.records.episode(
        startedAt: LocalTimestamp(
            instant: now.instant - Int64.random(in: 60_000...86_400_000, using: &random),
            zoneOffsetSeconds: now.utcOffsetSeconds),
        durationSeconds: Int.random(in: 1...3600, using: &random),
        muscles: [muscles[Int.random(in: 0..<muscles.count, using: &random)]], now: now.instant)
    episode.severity = Bool.random(using: &random) ? Int.random(in: 0...10, using: &random) : nil
    episode.side = Bool.random(using: &random) ? Side.allCases.randomElement(using: &random) : nil
    episode.onset = Bool.random(using: &random) ? Onset.allCases.randomElement(using: &random) : nil
    episode.findings = Array(CodeSet((0..<Int.random(in: 0...3, using: &random)).compactMap { _ in Finding.allCases.randomElement(using: &random) }))
    return episode
}

@Suite struct LogAndCheck {
    @Test func aLoggedCrampIsCheckedAndTheCheckKeptOncePerVersion() async throws {
        try await withApp { app, store in
            let now = app.defaultClock.now()
            var episode = app.records.episode(startedAt: now, durationSeconds: 120, muscles: [.calf], now: now.instant)
            episode.findings = [.calfSwelling, .calfWarmthRedness]
            let logged = try await app.log(episode, owner: .local)
            let check = try #require(logged.check)
            #expect(check.result.triage >= .urgent)
            let record = try #require(check.assessment.keeping.record)
            #expect(record.episodeID == episode.id)
            #expect(record.madeAt == now)
            // Checking the same version again (a retried send) keeps one record.
            _ = try await app.check(episode, owner: .local)
            #expect(try await store.assessments(owner: .local, limit: 10).count == 1)
            // Read back, it is the same check, and reading writes nothing.
            let kept = try #require(try await app.keptCheck(episode, owner: .local))
            #expect(kept.result.triage == check.result.triage)
            #expect(kept.result.redFlags.map(\.rule.id) == check.result.redFlags.map(\.rule.id))
            #expect(try await store.assessments(owner: .local, limit: 10).count == 1)
            // A changed episode is a new version: it has no kept check until it is checked.
            var changed = episode
            changed.updatedAt += 1000
            #expect(try await app.keptCheck(changed, owner: .local) == nil)
            _ = try await app.check(changed, owner: .local)
            #expect(try await store.assessments(owner: .local, limit: 10).count == 2)
        }
    }

    /// Hazard H21 over generated presentations: when the journal cannot keep the check, the
    /// check is the same as when it can, red flags and all, and says it was not kept.
    @Test func aCheckThatCannotBeKeptIsStillGivenUnchanged() async throws {
        var random = Seeded(state: 0x4821)
        try await withApp { working, _ in
            try await withApp(failingKeeps: true) { failing, _ in
                let now = working.defaultClock.now()
                for _ in 0..<150 {
                    let episode = generatedEpisode(&random, app: working, now: now)
                    let kept = try #require(try await working.log(episode, owner: .local).check)
                    let notKept = try #require(try await failing.log(episode, owner: .local).check)
                    #expect(kept.assessment.keeping.record != nil)
                    #expect(notKept.assessment.keeping.failure == "the disk is full")
                    #expect(notKept.result.triage == kept.result.triage, "\(episode.findings)")
                    #expect(notKept.result.redFlags.map(\.rule.id) == kept.result.redFlags.map(\.rule.id))
                    #expect(notKept.result.safetyNet.map(\.advice) == kept.result.safetyNet.map(\.advice))
                }
            }
        }
    }

    @Test func aFreeStandingAssessmentThatCannotBeKeptStillGivesItsResult() async throws {
        try await withApp(failingKeeps: true) { app, _ in
            let request = try AssessmentRequest.decode(
                json: Array(#"{"age":70,"episode":{"durationMinutes":3,"muscles":["calf"]},"findings":["chest_pain"]}"#.utf8))
            let assessment = await app.assess(request, keepFor: .local)
            #expect(assessment.result.triage == .emergency)
            #expect(assessment.keeping.failure != nil)
            await #expect(throws: (any Error).self) {
                try await app.keep(
                    [
                        app.records.assessment(
                            request, assessment.result,
                            madeAt: app.defaultClock.now(), owner: .local)
                    ],
                    owner: .local)
            }
        }
    }

    @Test func aBadEpisodeIsRefusedBeforeAnythingIsWritten() async throws {
        try await withApp { app, store in
            let now = app.defaultClock.now()
            var episode = app.records.episode(startedAt: now, durationSeconds: 120, muscles: [.calf], now: now.instant)
            episode.severity = 11
            await #expect(throws: JournalError.self) { try await app.log(episode, owner: .local) }
            let episodes = try await store.countEpisodes(owner: .local, from: nil, before: nil)
            let records = try await store.assessments(owner: .local, limit: 10)
            #expect(episodes == 0)
            #expect(records.isEmpty)
        }
    }
}

@Suite struct ReliefLog {
    @Test func aSessionLoggedLateIsTakenToHaveBegunAtMostTwelveHoursAgo() async throws {
        let now: Int64 = 1_780_000_000_000
        try await withApp(clock: FixedClock(milliseconds: now)) { app, _ in
            for (started, seconds) in [(now - 90_000, 90), (now - 20 * 3_600_000, 12 * 3600), (now + 60_000, 1), (Int64.min, 12 * 3600)] {
                let logged = try await app.logRelief(muscle: .calf, outcome: .helped, startedAt: started, owner: .local)
                #expect(logged.episode.durationSeconds == seconds)
                #expect(logged.episode.reliefs == [ReliefTried(technique: .stretch, outcome: .helped)])
                #expect(logged.check != nil)
            }
        }
    }

    @Test func theStepsNeverOfferPainkillersAndSuitThePerson() async throws {
        try await withApp { app, _ in
            for muscle in CrampCareApp.reliefMuscles {
                let session = try await app.startRelief(muscle: muscle, owner: nil)
                #expect(!session.steps.isEmpty)
                #expect(session.steps.allSatisfy { $0.item.technique != .painkiller })
            }
        }
    }
}

@Suite struct Clocks {
    /// Every local time read back in its zone gives the same wall clock, except inside a
    /// daylight-saving gap; a day is 23 to 25 hours long.
    @Test func localTimesRoundTripInEveryZone() {
        var random = Seeded(state: 0xC10C)
        let zones = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "America/Sao_Paulo", "UTC"]
        for _ in 0..<3000 {
            let clock = PersonClock(zone: TimeZone(identifier: zones.randomElement(using: &random)!)!, source: FixedClock(milliseconds: 0))
            let date = LocalDate(daysSinceEpoch: Int.random(in: -40_000...60_000, using: &random))
            let seconds = Int.random(in: 0..<86_400, using: &random) / 60 * 60
            let stamp = clock.local(date: date, secondsOfDay: seconds)
            let start = clock.midnight(of: date)
            let length = clock.midnight(of: date.adding(days: 1)) - start
            #expect((82_800_000...90_000_000).contains(length), "\(clock.zone.identifier) \(date)")
            if stamp.localDate == date, stamp.localSecondsOfDay == seconds { continue }
            // Only a wall time that does not exist (skipped forward) may move, by at most the jump.
            let before = clock.stamp(stamp.instant - 3 * 3_600_000).utcOffsetSeconds
            #expect(before != stamp.utcOffsetSeconds, "\(clock.zone.identifier) \(date) \(seconds)")
        }
    }

    @Test func theProfilesZoneIsThePersonsClock() async throws {
        try await withApp(zone: "UTC") { app, _ in
            _ = try await app.save(Profile(timeZone: "Pacific/Kiritimati", updatedAt: 0), owner: .local)
            let clock = try await app.clock(owner: .local)
            #expect(clock.zone.identifier == "Pacific/Kiritimati")
            #expect(clock.now().utcOffsetSeconds == 14 * 3600)
            #expect(app.defaultClock.now().utcOffsetSeconds == 0)
            await #expect(throws: JournalError.self) { try await app.save(Profile(timeZone: "London", updatedAt: 0), owner: .local) }
        }
    }
}

@Suite struct Transfers {
    @Test func aCSVExportGivesBothTablesOldestFirstAndAnImportOfItAddsNothing() async throws {
        try await withApp { app, _ in
            var random = Seeded(state: 0xE7)
            let now = app.defaultClock.now()
            for _ in 0..<40 { _ = try await app.log(generatedEpisode(&random, app: app, now: now), owner: .local, check: false) }
            let export = try await app.export(.csv, owner: .local)
            #expect(export.files.map(\.name) == ["episodes.csv", "daily.csv"])
            let rows = String(decoding: export.files[0].bytes, as: UTF8.self).split(whereSeparator: \.isNewline).dropFirst()
            #expect(rows.count == 40)
            let backup = try await app.export(.json, owner: .local)
            let contents = try JournalBackup.decode(backup.files[0].bytes, currentYear: 2026)
            let summary = try await app.importBackup(contents, mode: .merge, owner: .local)
            #expect(summary.episodesAdded == 0)
            #expect(summary.episodesUnchanged == 40)
            let erased = try await app.erase(owner: .local)
            #expect(erased.episodes == 40)
        }
    }

    /// The CSV import is the application's: read in chunks of any size, it restores an export
    /// exactly into an empty journal, and a file with one bad row anywhere, or one episode twice,
    /// writes nothing and says which line.
    @Test(arguments: [1, 7, 4096])
    func aCSVExportImportsBackExactlyAndABadRowWritesNothing(chunkSize: Int) async throws {
        var random = Seeded(state: 0xC5 &+ UInt64(chunkSize))
        var exported: [UInt8] = []
        var originals: [Episode] = []
        try await withApp { app, store in
            let now = app.defaultClock.now()
            for _ in 0..<30 { _ = try await app.log(generatedEpisode(&random, app: app, now: now), owner: .local, check: false) }
            exported = try await app.export(.csv, tables: [.episodes], owner: .local).files[0].bytes
            originals = try await store.episodes(owner: .local, filter: EpisodeFilter())
        }
        try await withApp { app, store in
            // The export ends its records with CRLF (RFC 4180).
            let text = String(decoding: exported, as: UTF8.self)
            let newline = text.contains("\r\n") ? "\r\n" : "\n"
            var lines = text.components(separatedBy: newline)
            let bad = 1 + Int(random.next() % UInt64(originals.count))
            let good = lines
            lines[bad] = lines[bad].replacingOccurrences(of: ",", with: ",not a number,", options: [], range: nil)
            let refused = await #expect(throws: CSVRefused.self) {
                try await app.importCSV(Chunks(Array(lines.joined(separator: newline).utf8), size: chunkSize), owner: .local)
            }
            #expect(refused?.problems.first?.hasPrefix("line \(bad + 1):") == true, "\(refused?.problems ?? [])")
            #expect(try await store.episodes(owner: .local, filter: EpisodeFilter()).isEmpty)

            let twice = good[0...1] + good[1...]
            await #expect(throws: CSVRefused.self) {
                try await app.importCSV(Chunks(Array(twice.joined(separator: newline).utf8), size: chunkSize), owner: .local)
            }
            #expect(try await store.episodes(owner: .local, filter: EpisodeFilter()).isEmpty)

            let checked = try await app.checkCSV(Chunks(exported, size: chunkSize), owner: .local)
            #expect(checked.episodes == originals.count)
            let summary = try await app.importCSV(Chunks(exported, size: chunkSize), owner: .local)
            #expect(summary.episodesAdded == originals.count)
            #expect(try await store.episodes(owner: .local, filter: EpisodeFilter()) == originals)
        }
    }
}

/// A file in chunks of one size.
struct Chunks: ByteChunks {
    let bytes: [UInt8]
    let size: Int
    var offset = 0

    init(_ bytes: [UInt8], size: Int) {
        self.bytes = bytes
        self.size = size
    }

    mutating func next() -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        defer { offset += size }
        return Array(bytes[offset..<min(offset + size, bytes.count)])
    }
}

/// Relief kept on the phone for a cramp with no network: only what the person's last kept check
/// allowed (issue 16), never more than their profile allows now.
@Suite struct OfflineReliefFromTheLastCheck {
    /// Stretching, rubbing, warming or walking on a leg with a clot picture can dislodge a clot
    /// (NHS, DVT): none may be offered after such a check, for any muscle.
    static let clotFindings: [Finding] = [.calfSwelling, .wholeLegSwelling, .calfWarmthRedness, .calfTenderness, .signInOneLeg, .lastingLegPain]
    static let handsOn: Set<ReliefTechnique> = [.stretch, .massage, .heat, .walking]

    @Test func withNoCheckKeptThePhoneKeepsTheGentleStretch() async throws {
        try await withApp { app, _ in
            let relief = try await app.offlineRelief(owner: .local)
            #expect(relief == nil)
        }
    }

    @Test func aPlainCrampCheckAllowsEachMusclesOwnStretch() async throws {
        try await withApp { app, _ in
            var request = AssessmentRequest(age: 70, durationMinutes: 2, muscles: [.calf])
            request.onset = .sleep
            _ = await app.assess(request, keepFor: .local)
            let relief = try #require(try await app.offlineRelief(owner: .local))
            #expect(relief.triage == .selfCare)
            for entry in relief.muscles {
                #expect(entry.steps.contains { $0.item.technique == .stretch && $0.item.muscles.contains(entry.muscle) }, "\(entry.muscle)")
                #expect(entry.steps.allSatisfy { $0.item.technique != .painkiller })
            }
        }
    }

    @Test func aMedicineAddedSinceTheCheckAddsItsCaution() async throws {
        try await withApp { app, store in
            _ = await app.assess(AssessmentRequest(age: 70, durationMinutes: 2, muscles: [.calf]), keepFor: .local)
            try await store.saveProfile(Profile(medications: [.anticoagulant], updatedAt: 1), owner: .local)
            let relief = try #require(try await app.offlineRelief(owner: .local))
            let massage = try #require(relief.muscles[0].steps.first { $0.item.technique == .massage })
            #expect(massage.cautions.contains { $0.contains("blood thinner") })
        }
    }

    /// Many presentations around the rules: whatever the last check found, each item offered
    /// offline is one a fresh check of the same answers with that muscle offers, safe at the
    /// check's triage, and in today's session; with a clot picture nothing hands-on is offered.
    @Test func nothingIsOfferedThatTheCheckOrTodayRulesOut() async throws {
        let knowledge = try KnowledgeBase.bundled.get()
        let assessor = Assessor(knowledge: knowledge)
        var random = Seeded(state: 0x0FF1_11E)
        var sawNone = false, sawSome = false
        for round in 0..<60 {
            try await withApp { app, store in
                var request = AssessmentRequest(
                    age: Int.random(in: 16...95, using: &random), durationMinutes: [0.5, 2, 9, 30, 240].randomElement(using: &random)!,
                    muscles: [Muscle.allCases.randomElement(using: &random)!])
                let rate = [0.0, 0.04, 0.1].randomElement(using: &random)!
                request.findings = Finding.allCases.filter { _ in Double.random(in: 0..<1, using: &random) < rate }
                request.conditions = Condition.allCases.filter { _ in Double.random(in: 0..<1, using: &random) < 0.05 }
                request.medications = Medication.allCases.filter { _ in Double.random(in: 0..<1, using: &random) < 0.05 }
                let kept = await app.assess(request, keepFor: .local)
                let profile = Profile(
                    conditions: Condition.allCases.filter { _ in Double.random(in: 0..<1, using: &random) < 0.05 },
                    medications: Medication.allCases.filter { _ in Double.random(in: 0..<1, using: &random) < 0.05 }, updatedAt: 1)
                try await store.saveProfile(profile, owner: .local)
                let relief = try #require(try await app.offlineRelief(owner: .local))
                #expect(relief.triage >= kept.result.triage)
                let clot = !Set(request.findings).isDisjoint(with: Self.clotFindings)
                for entry in relief.muscles {
                    var widened = request
                    if !widened.muscles.contains(entry.muscle) { widened.muscles.append(entry.muscle) }
                    let fresh = Set(assessor.assess(widened).sessionRelief.map(\.item.id))
                    let today = Set(try await app.startRelief(muscle: entry.muscle, owner: .local).steps.map(\.item.id))
                    for step in entry.steps {
                        let item = step.item
                        #expect(fresh.contains(item.id) && today.contains(item.id), "round \(round): \(item.id) for \(entry.muscle)")
                        #expect(item.safeUpTo >= kept.result.triage, "round \(round): \(item.id) at \(kept.result.triage)")
                        #expect(item.technique != .painkiller)
                        #expect(!(clot && Self.handsOn.contains(item.technique)), "round \(round): \(item.id) after a clot picture")
                        #expect(item.muscles.isEmpty || item.muscles.contains(entry.muscle))
                    }
                    if entry.steps.isEmpty { sawNone = true } else { sawSome = true }
                }
            }
        }
        // The generator reaches both: checks that rule everything out and checks that allow some.
        #expect(sawNone && sawSome)
    }
}
