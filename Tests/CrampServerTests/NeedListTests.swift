import CrampApplication
import CrampInsights
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import Testing

@testable import CrampServer

/// The patient list reads kept need summaries (issue 17): after any mix of writes to shared
/// diaries each summary is current without the list working anything out, and the list's
/// reasons are the ones worked out afresh from each whole diary; a summary left stale (a write
/// from a process that keeps none) is worked out by the list; the sweep moves day-old ones on.
@Suite struct NeedList {
    static let now: Int64 = SystemClock().millisecondsNow()

    static func episode(daysAgo: Int, minutes: Int) -> Episode {
        Episode(
            id: EntryID.random(), startedAt: LocalTimestamp(instant: now - Int64(daysAgo) * 86_400_000, utcOffsetSeconds: 0)!,
            durationSeconds: minutes * 60, muscles: [.calf], side: .left, severity: 6, onset: .sleep, findings: [], reliefs: [], note: nil,
            createdAt: now, updatedAt: now)
    }

    static func check(_ triage: Triage, daysAgo: Int) -> AssessmentRecord {
        AssessmentRecord(
            id: EntryID.random(), madeAt: LocalTimestamp(instant: now - Int64(daysAgo) * 86_400_000, utcOffsetSeconds: 0)!, knowledgeVersion: "t",
            triage: triage, requestJSON: "{}", resultJSON: "{}")
    }

    static func share(_ sharing: SharingStore, _ owner: OwnerID, with grantee: OwnerID) async throws {
        let digest = "\(owner.rawValue)-list-" + String(repeating: "c", count: 20)
        let invitation = Invitation(
            id: "", owner: owner, scope: .view, notes: false, sharedName: "P \(owner.rawValue.prefix(6))", sharedBirthYear: nil, endsAt: nil,
            createdAt: now, expiresAt: now + SharingRules.invitationMilliseconds)
        try await sharing.addInvitation(invitation, digest: digest)
        guard
            case .accepted(let grant) = try await sharing.accept(
                digest: digest, grantee: grantee, granteeName: "G", grantID: EntryID.random().description, now: now)
        else { throw StorageError("not accepted") }
        _ = try await sharing.confirm(owner: owner, id: grant.id, now: now)
    }

    static func owner() -> OwnerID { OwnerID("n" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20))! }

    @Test func afterAnyWritesTheKeptSummariesAreCurrentAndGiveTheFreshReasons() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-needs-\(UUID().uuidString)")
        let store = try await SQLJournalStore.sqlite(path: folder.appendingPathComponent("journal.sqlite").path)
        let clock = MovableClock()
        let services = CrampServices(journal: store, knowledge: try KnowledgeBase.bundled.get(), hosted: true, clock: clock)
        // Another process on the same database that keeps no summaries (a personal-mode CLI).
        let elsewhere = CrampServices(
            journal: try await SQLJournalStore.sqlite(path: folder.appendingPathComponent("journal.sqlite").path), knowledge: services.knowledge,
            hosted: false)
        do {
            let grantee = Self.owner()
            let patients = (0..<5).map { _ in Self.owner() }
            for patient in patients {
                try await Self.share(services.sharing, patient, with: grantee)
                // As the confirmation does.
                await services.needs.refresh(patient)
            }
            var random = SystemRandomNumberGenerator()
            func compare(_ round: Int) async throws {
                let listed = try await services.needs.patients(grantee: grantee)
                #expect(listed.count == patients.count)
                for (listing, need) in listed {
                    let fresh = try await services.app.need(owner: listing.grant.owner)
                    #expect(need.reasons == fresh.reasons, "round \(round): \(need.reasons) against \(fresh.reasons)")
                }
                let ranks = listed.map(\.need.rank)
                #expect(ranks == ranks.sorted())
            }
            for round in 0..<60 {
                let patient = patients.randomElement(using: &random)!
                switch Int.random(in: 0..<6, using: &random) {
                case 0, 1:
                    // Now and then a long cramp (the long-cramps pattern), over the last two months.
                    let minutes = Bool.random(using: &random) ? 45 : 2
                    try await services.store.saveEpisode(
                        Self.episode(daysAgo: Int.random(in: 0...60, using: &random), minutes: minutes), owner: patient)
                case 2:
                    try await services.store.saveAssessment(
                        Self.check(Triage.allCases.randomElement(using: &random)!, daysAgo: Int.random(in: 0...30, using: &random)), owner: patient)
                case 3:
                    let date = LocalTimestamp(instant: Self.now, utcOffsetSeconds: 0)!.localDate.adding(days: -Int.random(in: 0...40, using: &random))
                    try await services.store.saveDayLog(DayLog(date: date, fluidsML: 1500, updatedAt: Self.now), owner: patient)
                case 4:
                    let kept = try await services.store.episodes(owner: patient, filter: EpisodeFilter())
                    if let gone = kept.randomElement(using: &random) { _ = try await services.store.deleteEpisode(id: gone.id, owner: patient) }
                default:
                    _ = try await services.store.eraseAll(owner: patient)
                }
                // The write's own refresh left every shared summary current: the list works nothing out.
                for (_, stored) in try await services.sharing.patientList(grantee: grantee, now: clock.millisecondsNow()) {
                    #expect(stored.current, "round \(round)")
                }
                if round % 6 == 5 { try await compare(round) }
            }
            // A write the keeping process never heard of: the list sees it stale and works it out.
            let quiet = patients[0]
            try await elsewhere.store.saveAssessment(Self.check(.emergency, daysAgo: 1), owner: quiet)
            let stale = try await services.sharing.patientList(grantee: grantee, now: clock.millisecondsNow())
            #expect(stale.first { $0.listing.grant.owner == quiet }?.need.current == false)
            let listed = try await services.needs.patients(grantee: grantee)
            #expect(listed.first { $0.listing.grant.owner == quiet }?.need.rank == 0, "the emergency check puts them first")
            #expect(listed.first?.need.rank == 0)
            #expect(try await services.sharing.patientList(grantee: grantee, now: clock.millisecondsNow()).allSatisfy(\.need.current))
            try await compare(99)
            // A day on, the sweep works each summary out again (the patterns' windows move).
            clock.move(seconds: 25 * 3600)
            let swept = try await services.needs.sweep(limit: 10_000)
            #expect(swept >= patients.count)
            let after = try await services.sharing.patientList(grantee: grantee, now: clock.millisecondsNow())
            #expect(after.allSatisfy { ($0.need.computedAt ?? 0) > Self.now + 24 * 3_600_000 })
            #expect(try await services.needs.sweep(limit: 10_000) == 0, "nothing is due twice")
        } catch {
            try? await elsewhere.store.close()
            try? await store.close()
            throw error
        }
        try await elsewhere.store.close()
        try await store.close()
    }
}
