import CrampJournal
import Foundation
import Testing

@testable import CrampStorage

/// Invitations and grants on both engines: a code is used once, even when many accept it at
/// once on the pool's connections; a revoked grant is seen as revoked by the next read.
@Suite struct SharingStoreContract {
    static func invitation(_ owner: OwnerID, now: Int64) -> Invitation {
        Invitation(
            id: "", owner: owner, scope: .view, notes: false, sharedName: "Ann", sharedBirthYear: 1950, endsAt: nil, createdAt: now,
            expiresAt: now + SharingRules.invitationMilliseconds)
    }

    @Test(arguments: Engines.names)
    func aCodeIsUsedOnceWhateverTheRace(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let sharing = SharingStore(journal: store)
            let owner = uniqueOwner()
            let now: Int64 = 1_780_000_000_000
            for round in 0..<10 {
                let digest = "\(owner.rawValue)-\(round)-" + String(repeating: "a", count: 20)
                try await sharing.addInvitation(Self.invitation(owner, now: now), digest: digest)
                let grantees = (0..<8).map { _ in uniqueOwner() }
                let results = try await withThrowingTaskGroup(of: Acceptance.self) { group in
                    for grantee in grantees {
                        group.addTask {
                            try await sharing.accept(
                                digest: digest, grantee: grantee, granteeName: "G", grantID: EntryID.random().description, now: now + 1)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let accepted = results.filter { if case .accepted = $0 { true } else { false } }
                #expect(accepted.count == 1, "round \(round): \(results)")
                #expect(results.allSatisfy { if case .accepted = $0 { true } else { $0 == .unknown } })
            }
            #expect(try await sharing.grants(owner: owner).count == 10)
        }
    }

    @Test(arguments: Engines.names)
    func aGrantIsPendingUntilConfirmedAndEndsWhenRevokedOrPastItsDate(engine: String) async throws {
        try await Engines.withStore(engine) { store in
            let sharing = SharingStore(journal: store)
            let owner = uniqueOwner(), grantee = uniqueOwner(), stranger = uniqueOwner()
            let now: Int64 = 1_780_000_000_000
            // Digests are unique across every owner (a PostgreSQL journal outlives a run).
            func key(_ name: String) -> String { "\(owner.rawValue)-\(name)" }
            var invitation = Self.invitation(owner, now: now)
            #expect(try await sharing.accept(digest: key("none"), grantee: grantee, granteeName: "G", grantID: "g0", now: now) == .unknown)
            try await sharing.addInvitation(invitation, digest: key("d1"))
            #expect(try await sharing.accept(digest: key("d1"), grantee: owner, granteeName: "G", grantID: "g1", now: now) == .own)
            guard case .accepted(let grant) = try await sharing.accept(digest: key("d1"), grantee: grantee, granteeName: "G", grantID: "g1", now: now)
            else { Issue.record("not accepted"); return }
            #expect(grant.state(at: now) == .pending)
            #expect(try await !sharing.confirm(owner: stranger, id: "g1", now: now))
            #expect(try await sharing.confirm(owner: owner, id: "g1", now: now))
            #expect(try await sharing.grant(owner: owner, grantee: grantee, now: now)?.state(at: now) == .active)
            #expect(try await sharing.grant(owner: owner, grantee: stranger, now: now) == nil)
            // A second invitation for the same pair while the first lives is refused.
            try await sharing.addInvitation(invitation, digest: key("d2"))
            #expect(try await sharing.accept(digest: key("d2"), grantee: grantee, granteeName: "G", grantID: "g2", now: now) == .alreadyShared)
            #expect(try await !sharing.revoke(id: "g1", by: stranger, now: now))
            #expect(try await sharing.revoke(id: "g1", by: owner, now: now + 5))
            #expect(try await sharing.grant(owner: owner, grantee: grantee, now: now + 6)?.state(at: now + 6) == .revoked)
            // Revoked, it can be shared again; an end date ends it.
            invitation = Invitation(
                id: "", owner: owner, scope: .log, notes: true, sharedName: "Ann", sharedBirthYear: nil, endsAt: now + 100, createdAt: now,
                expiresAt: now + SharingRules.invitationMilliseconds)
            try await sharing.addInvitation(invitation, digest: key("d3"))
            guard case .accepted = try await sharing.accept(digest: key("d3"), grantee: grantee, granteeName: "G", grantID: "g3", now: now + 7)
            else { Issue.record("not accepted again"); return }
            #expect(try await sharing.confirm(owner: owner, id: "g3", now: now + 8))
            #expect(try await sharing.grant(owner: owner, grantee: grantee, now: now + 50)?.id == "g3")
            #expect(try await sharing.grant(owner: owner, grantee: grantee, now: now + 100)?.state(at: now + 100) == .expired)
            // Expired invitations are neither listed nor accepted.
            try await sharing.addInvitation(Self.invitation(owner, now: now), digest: key("d4"))
            let later = now + SharingRules.invitationMilliseconds
            #expect(try await sharing.invitations(owner: owner, now: later).isEmpty)
            #expect(try await sharing.accept(digest: key("d4"), grantee: stranger, granteeName: "G", grantID: "g4", now: later) == .unknown)
        }
    }
}
