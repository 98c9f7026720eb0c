public import CrampJournal
import SQLKit

/// What accepting an invitation did.
public enum Acceptance: Sendable, Equatable {
    /// A grant waiting for the person to confirm it.
    case accepted(Grant)
    /// No invitation with this code: never made, used, withdrawn or past its 7 days.
    case unknown
    /// The invitation is the person's own.
    case own
    /// The invitee already holds a grant for this diary that is not ended.
    case alreadyShared
}

/// Invitations, grants and the audit trail, on the journal's database. Every query names the
/// diary's owner or the grantee, and the trail is only ever inserted into (the account's
/// deletion is the one thing that removes its rows).
public final class SharingStore: Sendable {
    let engine: any SQLEngine

    public init(journal: SQLJournalStore) {
        engine = journal.engine
    }

    // MARK: invitations

    public func addInvitation(_ invitation: Invitation, digest: String) async throws {
        try await engine.withTransaction { session in
            try await session.sql.raw(
                """
                INSERT INTO invitations (owner_id, digest, scope, notes, shared_name, shared_birth_year, ends_at, created_at, expires_at)
                VALUES (\(bind: invitation.owner.rawValue), \(bind: digest), \(bind: invitation.scope.rawValue), \(bind: invitation.notes ? 1 : 0),
                        \(bind: invitation.sharedName), \(bind: invitation.sharedBirthYear), \(bind: invitation.endsAt), \(bind: invitation.createdAt),
                        \(bind: invitation.expiresAt))
                """
            ).run()
        }
    }

    /// The owner's invitations still open, newest first.
    public func invitations(owner: OwnerID, now: Int64) async throws -> [Invitation] {
        try await engine.withDatabase { db in
            try await db.raw(
                """
                SELECT digest, scope, notes, shared_name, shared_birth_year, ends_at, created_at, expires_at FROM invitations
                WHERE owner_id = \(bind: owner.rawValue) AND expires_at > \(bind: now) ORDER BY created_at DESC, digest
                """
            ).all().compactMap { row in try Self.invitation(row, owner: owner) }
        }
    }

    static let invitationIDLength = 16

    static func invitation(_ row: any SQLRow, owner: OwnerID) throws -> Invitation? {
        guard let scope = GrantScope(rawValue: try row.decode(column: "scope", as: String.self)) else { return nil }
        return Invitation(
            id: String(try row.decode(column: "digest", as: String.self).prefix(invitationIDLength)), owner: owner, scope: scope,
            notes: try row.decode(column: "notes", as: Int.self) != 0, sharedName: try row.decode(column: "shared_name", as: String.self),
            sharedBirthYear: try row.decode(column: "shared_birth_year", as: Int?.self), endsAt: try row.decode(column: "ends_at", as: Int64?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self), expiresAt: try row.decode(column: "expires_at", as: Int64.self))
    }

    /// Withdraws the owner's invitation whose digest starts with `id`.
    public func withdrawInvitation(owner: OwnerID, id: String) async throws -> Bool {
        guard id.count == Self.invitationIDLength, id.allSatisfy({ $0.isHexDigit }) else { return false }
        return try await engine.withTransaction { session in
            try await !session.sql.raw(
                """
                DELETE FROM invitations WHERE owner_id = \(bind: owner.rawValue) AND digest LIKE \(bind: id.lowercased() + "%") RETURNING digest
                """
            ).all().isEmpty
        }
    }

    /// Uses the invitation with this digest: taken by one statement (single use, even on two
    /// instances at once) and turned into a pending grant in the same transaction.
    public func accept(digest: String, grantee: OwnerID, granteeName: String, grantID: String, now: Int64) async throws -> Acceptance {
        try await engine.withTransaction { session in
            let db = session.sql
            guard
                let row = try await db.raw(
                    """
                    SELECT owner_id, digest, scope, notes, shared_name, shared_birth_year, ends_at, created_at, expires_at FROM invitations
                    WHERE digest = \(bind: digest) AND expires_at > \(bind: now)
                    """
                ).first(), let owner = OwnerID(try row.decode(column: "owner_id", as: String.self)),
                let invitation = try Self.invitation(row, owner: owner)
            else { return .unknown }
            // The person's own code leaves it open for the one it was made for.
            if owner == grantee { return .own }
            let live = try await db.raw(
                """
                SELECT id FROM grants WHERE owner_id = \(bind: owner.rawValue) AND grantee_id = \(bind: grantee.rawValue)
                AND revoked_at IS NULL AND (ends_at IS NULL OR ends_at > \(bind: now))
                """
            ).all()
            guard live.isEmpty else { return .alreadyShared }
            // Single use: only the one that deletes it goes on.
            let taken = try await db.raw(
                "DELETE FROM invitations WHERE owner_id = \(bind: owner.rawValue) AND digest = \(bind: digest) RETURNING digest"
            ).all()
            guard !taken.isEmpty else { return .unknown }
            let grant = Grant(
                id: grantID, owner: owner, grantee: grantee, granteeName: granteeName, sharedName: invitation.sharedName,
                sharedBirthYear: invitation.sharedBirthYear, scope: invitation.scope, notes: invitation.notes, createdAt: now, confirmedAt: nil,
                endsAt: invitation.endsAt, revokedAt: nil)
            try await db.raw(
                """
                INSERT INTO grants (owner_id, id, grantee_id, grantee_name, shared_name, shared_birth_year, scope, notes, created_at, confirmed_at,
                                    ends_at, revoked_at)
                VALUES (\(bind: owner.rawValue), \(bind: grantID), \(bind: grantee.rawValue), \(bind: granteeName), \(bind: grant.sharedName),
                        \(bind: grant.sharedBirthYear), \(bind: grant.scope.rawValue), \(bind: grant.notes ? 1 : 0), \(bind: now), NULL,
                        \(bind: grant.endsAt), NULL)
                """
            ).run()
            return .accepted(grant)
        }
    }

    // MARK: grants

    static let grantColumns =
        "g.owner_id, g.id, g.grantee_id, g.grantee_name, g.shared_name, g.shared_birth_year, g.scope, g.notes, g.created_at, g.confirmed_at, g.ends_at, g.revoked_at"

    static func grant(_ row: any SQLRow) throws -> Grant? {
        guard let owner = OwnerID(try row.decode(column: "owner_id", as: String.self)),
            let grantee = OwnerID(try row.decode(column: "grantee_id", as: String.self)),
            let scope = GrantScope(rawValue: try row.decode(column: "scope", as: String.self))
        else { return nil }
        return Grant(
            id: try row.decode(column: "id", as: String.self), owner: owner, grantee: grantee,
            granteeName: try row.decode(column: "grantee_name", as: String.self), sharedName: try row.decode(column: "shared_name", as: String.self),
            sharedBirthYear: try row.decode(column: "shared_birth_year", as: Int?.self), scope: scope,
            notes: try row.decode(column: "notes", as: Int.self) != 0, createdAt: try row.decode(column: "created_at", as: Int64.self),
            confirmedAt: try row.decode(column: "confirmed_at", as: Int64?.self), endsAt: try row.decode(column: "ends_at", as: Int64?.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self))
    }

    /// The grants the owner has given, newest first, with each grantee's address.
    public func grants(owner: OwnerID) async throws -> [GrantListing] {
        try await listings(
            "SELECT \(Self.grantColumns), a.email FROM grants g LEFT JOIN accounts a ON a.owner_id = g.grantee_id WHERE g.owner_id = ",
            owner)
    }

    /// The grants the account holds, newest first, with each diary owner's address.
    public func grants(grantee: OwnerID) async throws -> [GrantListing] {
        try await listings(
            "SELECT \(Self.grantColumns), a.email FROM grants g LEFT JOIN accounts a ON a.owner_id = g.owner_id WHERE g.grantee_id = ",
            grantee)
    }

    private func listings(_ select: String, _ who: OwnerID) async throws -> [GrantListing] {
        try await engine.withDatabase { db in
            try await db.raw(SQLQueryString(select) + "\(bind: who.rawValue) ORDER BY g.created_at DESC, g.id").all().compactMap { row in
                try Self.grant(row).map { GrantListing(grant: $0, otherEmail: try row.decode(column: "email", as: String?.self)) }
            }
        }
    }

    /// The grant `grantee` holds for `owner`'s diary: the live one if there is one, else the
    /// latest ended one (so a refused attempt is recorded against it); nil if none was ever held.
    public func grant(owner: OwnerID, grantee: OwnerID, now: Int64) async throws -> Grant? {
        let rows = try await engine.withDatabase { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.grantColumns) FROM grants g WHERE g.owner_id = \(bind: owner.rawValue) AND g.grantee_id = \(bind: grantee.rawValue)
                ORDER BY g.created_at DESC, g.id
                """
            ).all().compactMap { try Self.grant($0) }
        }
        return rows.first { $0.state(at: now) == .active || $0.state(at: now) == .pending } ?? rows.first
    }

    /// Confirms the owner's pending grant; false when there is none with the id (or it ended).
    public func confirm(owner: OwnerID, id: String, now: Int64) async throws -> Bool {
        try await engine.withTransaction { session in
            try await !session.sql.raw(
                """
                UPDATE grants SET confirmed_at = \(bind: now) WHERE owner_id = \(bind: owner.rawValue) AND id = \(bind: id)
                AND confirmed_at IS NULL AND revoked_at IS NULL AND (ends_at IS NULL OR ends_at > \(bind: now)) RETURNING id
                """
            ).all().isEmpty
        }
    }

    /// Ends a grant, by its owner (revoke, or refuse a pending one) or its grantee (leave it).
    /// Effective on the next request on every instance: each access reads the grant afresh.
    public func revoke(id: String, by who: OwnerID, now: Int64) async throws -> Bool {
        try await engine.withTransaction { session in
            try await !session.sql.raw(
                """
                UPDATE grants SET revoked_at = \(bind: now) WHERE id = \(bind: id) AND revoked_at IS NULL
                AND (owner_id = \(bind: who.rawValue) OR grantee_id = \(bind: who.rawValue)) RETURNING id
                """
            ).all().isEmpty
        }
    }

    // MARK: the audit trail

    public func record(_ entries: [AuditRecord]) async throws {
        guard !entries.isEmpty else { return }
        try await engine.withTransaction { session in _ = try await session.insert(Self.rows(entries)) }
    }

    /// Trail entries as one multi-row insert (a list of 500 patients records 500 reads): written
    /// here and inside a write's own transaction.
    static func rows(_ entries: [AuditRecord]) -> RowInsert {
        var values: [SQLValue] = []
        values.reserveCapacity(entries.count * 8)
        for entry in entries {
            values += [
                .text(entry.owner.rawValue), .text(entry.id.description), .text(entry.actor.rawValue), .text(entry.grantID),
                .text(entry.action.rawValue), .text(entry.target), .text(entry.outcome.rawValue), .int(entry.at),
            ]
        }
        return RowInsert(
            table: "audit_trail", columns: "owner_id, id, actor_id, grant_id, action, target, outcome, at", columnCount: 8, suffix: "",
            shared: nil, values: values)
    }

    /// The owner's trail, newest first, at most `limit` entries before `before` (a page).
    public func trail(owner: OwnerID, limit: Int, before: Int64? = nil) async throws -> [AuditRecord] {
        try await entries(owner: owner, limit: max(0, min(limit, 10_000)), before: before)
    }

    /// The owner's whole trail, newest first (their export).
    public func trail(owner: OwnerID) async throws -> [AuditRecord] {
        try await entries(owner: owner, limit: nil, before: nil)
    }

    func entries(owner: OwnerID, limit: Int?, before: Int64?) async throws -> [AuditRecord] {
        try await engine.withDatabase { db in
            var query =
                SQLQueryString(
                    "SELECT id, actor_id, grant_id, action, target, outcome, at FROM audit_trail WHERE owner_id = ") + "\(bind: owner.rawValue)"
            if let before { query = query + " AND at < " + "\(bind: before)" }
            query = query + " ORDER BY at DESC, id DESC"
            if let limit { query = query + " LIMIT \(unsafeRaw: String(limit))" }
            return try await db.raw(query).all().compactMap { row in
                guard let id = EntryID(try row.decode(column: "id", as: String.self)),
                    let actor = OwnerID(try row.decode(column: "actor_id", as: String.self)),
                    let action = GrantAction(rawValue: try row.decode(column: "action", as: String.self)),
                    let outcome = AuditRecord.Outcome(rawValue: try row.decode(column: "outcome", as: String.self))
                else { return nil }
                return AuditRecord(
                    id: id, owner: owner, actor: actor, grantID: try row.decode(column: "grant_id", as: String.self), action: action,
                    target: try row.decode(column: "target", as: String.self), outcome: outcome, at: try row.decode(column: "at", as: Int64.self))
            }
        }
    }

    /// Removes the person's invitations, the grants they gave and their trail, and ends the
    /// grants they held (their holders' diaries keep the trail of what they did): part of
    /// deleting the account, in its transaction.
    static func forget(owner: OwnerID, _ db: any SQLDatabase, now: Int64) async throws {
        try await db.raw("DELETE FROM invitations WHERE owner_id = \(bind: owner.rawValue)").run()
        try await db.raw("DELETE FROM grants WHERE owner_id = \(bind: owner.rawValue)").run()
        try await db.raw("UPDATE grants SET revoked_at = \(bind: now) WHERE grantee_id = \(bind: owner.rawValue) AND revoked_at IS NULL").run()
        try await db.raw("DELETE FROM audit_trail WHERE owner_id = \(bind: owner.rawValue)").run()
        try await db.raw("DELETE FROM need_summaries WHERE owner_id = \(bind: owner.rawValue)").run()
    }
}
