import CrampJournal
import CrampKnowledge
import Foundation
import Synchronization
import Testing

@testable import CrampStorage

/// The patient list's need summaries on both engines (issue 17): every write that changes a
/// diary marks its summary stale in the write's own transaction (a write that changes nothing,
/// or rolls back, does not); a summary is saved only against the change count it was worked out
/// at; the list is one query that says which summaries are current; the sweep finds the stale
/// and the day-old ones of shared diaries only; deleting the account removes the row.
@Suite struct NeedSummaryContract {
    static let now: Int64 = 1_780_000_000_000

    /// An owner whose diary is shared with `grantee` (confirmed).
    static func shared(_ sharing: SharingStore, owner: OwnerID, grantee: OwnerID) async throws {
        let digest = "\(owner.rawValue)-need-" + String(repeating: "b", count: 20)
        try await sharing.addInvitation(SharingStoreContract.invitation(owner, now: now), digest: digest)
        guard
            case .accepted(let grant) = try await sharing.accept(
                digest: digest, grantee: grantee, granteeName: "G", grantID: "g-\(owner.rawValue)", now: now)
        else { throw StorageError("not accepted") }
        #expect(try await sharing.confirm(owner: owner, id: grant.id, now: now))
    }

    static let summary = NeedSummary(
        latestEmergency: LocalDate(iso: "2026-05-01"), latestUrgent: LocalDate(iso: "2026-05-20"), lastLogged: LocalDate(iso: "2026-05-30"),
        patterns: [.init(kind: .risingRate, level: .soon), .init(kind: .weaknessOrNumbness, level: .urgent)], zone: "Europe/London")

    @Test(arguments: Engines.names)
    func eachWriteMarksTheSummaryStaleAndASaveNeedsTheVersionItWasWorkedOutAt(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let sharing = SharingStore(journal: store)
            let owner = uniqueOwner(), grantee = uniqueOwner()
            try await Self.shared(sharing, owner: owner, grantee: grantee)
            let told = Mutex<[OwnerID]>([])
            store.onWrite { who in told.withLock { $0.append(who) } }
            func stored() async throws -> StoredNeed {
                let list = try await sharing.patientList(grantee: grantee, now: Self.now)
                try #require(list.count == 1)
                return list[0].need
            }
            #expect(try await stored() == StoredNeed(summary: nil, current: false, computedAt: nil))
            var version = try await sharing.needVersion(owner: owner)
            #expect(try await sharing.saveNeed(Self.summary, owner: owner, version: version, at: Self.now))
            #expect(try await stored() == StoredNeed(summary: Self.summary, current: true, computedAt: Self.now))

            let kept = sampleEpisode("2026-05-01T22:00:00Z")
            let day = DayLog(date: LocalDate(iso: "2026-05-02")!, fluidsML: 1200, updatedAt: 1)
            let check = AssessmentRecord(
                id: EntryID.random(), madeAt: stamp("2026-05-03T08:00:00Z"), knowledgeVersion: "t", triage: .urgent, requestJSON: "{}",
                resultJSON: "{}")
            // Each write, and whether it changes the diary.
            let writes: [(String, Bool, () async throws -> Void)] = [
                ("save a cramp", true, { try await store.saveEpisode(kept, owner: owner) }),
                ("add a new cramp", true, { _ = try await store.addEpisode(sampleEpisode("2026-05-04T22:00:00Z"), owner: owner) }),
                ("add the same cramp again", false, { _ = try await store.addEpisode(kept, owner: owner) }),
                ("delete a cramp", true, { _ = try await store.deleteEpisode(id: kept.id, owner: owner) }),
                ("delete it again", false, { _ = try await store.deleteEpisode(id: kept.id, owner: owner) }),
                ("put it back", true, { _ = try await store.putBack(kept, owner: owner) }),
                ("save a day", true, { try await store.saveDayLog(day, owner: owner) }),
                ("delete the day", true, { _ = try await store.deleteDayLog(date: day.date, owner: owner) }),
                ("delete a missing day", false, { _ = try await store.deleteDayLog(date: day.date, owner: owner) }),
                ("save the profile", true, { try await store.saveProfile(Profile(birthYear: 1950, updatedAt: 2), owner: owner) }),
                ("keep a check", true, { try await store.saveAssessment(check, owner: owner) }),
                ("import", true, { _ = try await store.importBatch(JournalContents(dayLogs: [day]), owner: owner) }),
                (
                    "stream an import", true,
                    {
                        _ = try await store.importStreaming(owner: owner) { sink in
                            try await sink.add(episodes: [sampleEpisode("2026-05-06T22:00:00Z")])
                        }
                    }
                ),
                ("restore", true, { try await store.restore(JournalContents(episodes: [kept]), owner: owner) }),
                ("erase", true, { _ = try await store.eraseAll(owner: owner) }),
            ]
            for (name, changes, write) in writes {
                told.withLock { $0 = [] }
                try await write()
                #expect(try await stored().current == !changes, "\(name)")
                #expect(told.withLock { $0 } == (changes ? [owner] : []), "\(name): told once after the commit")
                // The summary worked out before the write is refused; one at the new count is kept.
                #expect(try await sharing.saveNeed(Self.summary, owner: owner, version: version, at: Self.now) == !changes, "\(name)")
                let next = try await sharing.needVersion(owner: owner)
                #expect(changes ? next > version : next == version, "\(name)")
                version = next
                #expect(try await sharing.saveNeed(Self.summary, owner: owner, version: version, at: Self.now))
                #expect(try await stored().current)
            }
            // A write that rolls back (a deleted cramp saved again) changes no count.
            let gone = sampleEpisode("2026-05-07T22:00:00Z")
            try await store.saveEpisode(gone, owner: owner)
            version = try await sharing.needVersion(owner: owner)
            #expect(try await sharing.saveNeed(Self.summary, owner: owner, version: version, at: Self.now))
            #expect(try await store.deleteEpisode(id: gone.id, owner: owner))
            version = try await sharing.needVersion(owner: owner)
            #expect(try await sharing.saveNeed(Self.summary, owner: owner, version: version, at: Self.now))
            await #expect(throws: EpisodeDeleted.self) { try await store.saveEpisode(gone, owner: owner) }
            #expect(try await stored().current)
            #expect(try await sharing.needVersion(owner: owner) == version)
            // Deleting the account takes the row with it.
            _ = try await AccountStore(journal: store).deleteAccount(owner: owner)
            #expect(try await store.engine.select("SELECT 1 FROM need_summaries WHERE owner_id = ?", [.text(owner.rawValue)]).isEmpty)
        }
    }

    @Test(arguments: Engines.names)
    func theSweepFindsStaleAndDayOldSummariesOfSharedDiariesOnly(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let sharing = SharingStore(journal: store)
            let grantee = uniqueOwner()
            let fresh = uniqueOwner(), old = uniqueOwner(), stale = uniqueOwner(), never = uniqueOwner(), unshared = uniqueOwner()
            for owner in [fresh, old, stale, never] { try await Self.shared(sharing, owner: owner, grantee: grantee) }
            let day: Int64 = 86_400_000
            for (owner, at) in [(fresh, Self.now), (old, Self.now - 2 * day), (stale, Self.now), (unshared, Self.now - 9 * day)] {
                let version = try await sharing.needVersion(owner: owner)
                #expect(try await sharing.saveNeed(Self.summary, owner: owner, version: version, at: at))
            }
            try await store.saveDayLog(DayLog(date: LocalDate(iso: "2026-05-02")!, fluidsML: 900, updatedAt: 1), owner: stale)
            // A PostgreSQL journal outlives a run: only this test's diaries are looked at.
            let ours: Set = [fresh, old, stale, never, unshared]
            let due = try await sharing.dueNeeds(before: Self.now - day, now: Self.now, limit: 10_000).filter(ours.contains)
            #expect(Set(due) == [old, stale, never])
            #expect(due.first == never || due.first == old, "never worked out and oldest first: \(due)")
            #expect(try await sharing.dueNeeds(before: Self.now - day, now: Self.now, limit: 1).count == 1)
            #expect(try await sharing.needsRefresh(owner: stale, now: Self.now))
            #expect(try await !sharing.needsRefresh(owner: fresh, now: Self.now))
            #expect(try await !sharing.needsRefresh(owner: unshared, now: Self.now), "a diary shared with no one is never worked out")
            // A revoked grant takes the diary off the list and out of the sweep.
            let grant = try #require(try await sharing.grant(owner: old, grantee: grantee, now: Self.now))
            #expect(try await sharing.revoke(id: grant.id, by: old, now: Self.now))
            #expect(try await !sharing.dueNeeds(before: Self.now - day, now: Self.now + 1, limit: 10_000).contains(old))
            #expect(try await sharing.patientList(grantee: grantee, now: Self.now + 1).map(\.listing.grant.owner).contains(old) == false)
        }
    }
}
