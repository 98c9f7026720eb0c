public import CrampJournal
import SQLKit

/// The need summaries behind the patient list (migration 9). Every write to a diary bumps its
/// row's `version` in the write's own transaction, so a summary worked out before the write is
/// known to be stale even if the process dies before working it out again; a summary is saved
/// only against the version it was worked out at, so a write that lands meanwhile is never lost.
enum NeedSummaries {
    static let table = "need_summaries"

    /// The bump, as a row insert so that the bulk import can write it too.
    static func touch(_ owner: OwnerID) -> RowInsert {
        RowInsert(
            table: table, columns: "owner_id, version", columnCount: 2,
            suffix: "ON CONFLICT (owner_id) DO UPDATE SET version = \(table).version + 1", shared: nil,
            values: [.text(owner.rawValue), .int(1)])
    }

    /// A grant that lets its holder see the diary now (confirmed, not revoked, not ended).
    static func live(_ grants: String, now: Int64) -> SQLQueryString {
        // Spaced on both sides: it is joined to the statements' text around it.
        """
         (\(unsafeRaw: grants).confirmed_at IS NOT NULL AND \(unsafeRaw: grants).revoked_at IS NULL AND \
        (\(unsafeRaw: grants).ends_at IS NULL OR \(unsafeRaw: grants).ends_at > \(bind: now))) \

        """
    }
}

/// A diary's summary as stored, and whether it is still current.
public struct StoredNeed: Sendable, Equatable {
    public let summary: NeedSummary?
    /// False when the diary changed after the summary was worked out (or it never was).
    public let current: Bool
    public let computedAt: Int64?
}

extension SharingStore {
    /// The grants `grantee` holds that are live now, each with its diary's stored need summary
    /// and the diary owner's address: one query on the grantee index, joined by primary keys.
    public func patientList(grantee: OwnerID, now: Int64) async throws -> [(listing: GrantListing, need: StoredNeed)] {
        try await engine.withDatabase { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.grantColumns), a.email, s.version, s.computed_version, s.computed_at, s.zone, s.latest_emergency,
                s.latest_urgent, s.last_logged, s.patterns FROM grants g
                LEFT JOIN accounts a ON a.owner_id = g.owner_id LEFT JOIN need_summaries s ON s.owner_id = g.owner_id
                WHERE g.grantee_id = \(bind: grantee.rawValue) AND
                """ + NeedSummaries.live("g", now: now) + " ORDER BY g.created_at DESC, g.id"
            ).all().compactMap { row in
                guard let grant = try Self.grant(row), grant.state(at: now) == .active else { return nil }
                return (GrantListing(grant: grant, otherEmail: try row.decode(column: "email", as: String?.self)), try Self.storedNeed(row))
            }
        }
    }

    static func storedNeed(_ row: any SQLRow) throws -> StoredNeed {
        let version = try row.decode(column: "version", as: Int64?.self)
        let computed = try row.decode(column: "computed_version", as: Int64?.self)
        let computedAt = try row.decode(column: "computed_at", as: Int64?.self)
        guard computed != nil else { return StoredNeed(summary: nil, current: false, computedAt: nil) }
        func day(_ column: String) throws -> LocalDate? { try row.decode(column: column, as: String?.self).flatMap { LocalDate(iso: $0) } }
        let summary = NeedSummary(
            latestEmergency: try day("latest_emergency"), latestUrgent: try day("latest_urgent"), lastLogged: try day("last_logged"),
            patterns: NeedSummary.patterns(codes: try row.decode(column: "patterns", as: String?.self) ?? ""),
            zone: try row.decode(column: "zone", as: String?.self))
        return StoredNeed(summary: summary, current: version == computed, computedAt: computedAt)
    }

    /// The diary's change count, its row made if it has none yet. Read it before reading the
    /// diary to work the summary out, and save against it.
    public func needVersion(owner: OwnerID) async throws -> Int64 {
        try await engine.withTransaction { session in
            _ = try await session.execute(
                "INSERT INTO need_summaries (owner_id, version) VALUES (?, 0) ON CONFLICT (owner_id) DO NOTHING", [.text(owner.rawValue)])
            return try await session.select("SELECT version FROM need_summaries WHERE owner_id = ?", [.text(owner.rawValue)]).first?.first?
                .integer ?? 0
        }
    }

    /// Saves a summary worked out at `version`; false (and nothing saved) when the diary has
    /// changed since, whose own refresh then saves the newer one.
    @discardableResult
    public func saveNeed(_ summary: NeedSummary, owner: OwnerID, version: Int64, at now: Int64) async throws -> Bool {
        try await engine.executeAlone(
            """
            UPDATE need_summaries SET computed_version = ?, computed_at = ?, zone = ?, latest_emergency = ?, latest_urgent = ?,
            last_logged = ?, patterns = ? WHERE owner_id = ? AND version = ?
            """,
            [
                .int(version), .int(now), .text(summary.zone), .text(summary.latestEmergency?.description),
                .text(summary.latestUrgent?.description), .text(summary.lastLogged?.description), .text(summary.patternCodes),
                .text(owner.rawValue), .int(version),
            ]) > 0
    }

    /// Whether the owner's diary is shared now and its summary is not current: what a write's
    /// refresh asks first (one lookup by primary key for a diary shared with no one).
    public func needsRefresh(owner: OwnerID, now: Int64) async throws -> Bool {
        try await engine.withDatabase { db in
            try await !db.raw(
                """
                SELECT 1 AS stale FROM grants g LEFT JOIN need_summaries s ON s.owner_id = g.owner_id
                WHERE g.owner_id = \(bind: owner.rawValue) AND (s.computed_version IS NULL OR s.computed_version <> s.version) AND
                """ + NeedSummaries.live("g", now: now) + " LIMIT 1"
            ).all().isEmpty
        }
    }

    /// Shared diaries whose summary is stale or was worked out before `before`, oldest first: the
    /// daily refresh's work (the patterns' windows move with the days even when nothing is logged).
    public func dueNeeds(before: Int64, now: Int64, limit: Int) async throws -> [OwnerID] {
        try await engine.withDatabase { db in
            try await db.raw(
                """
                SELECT DISTINCT g.owner_id, COALESCE(s.computed_at, 0) AS age FROM grants g LEFT JOIN need_summaries s ON s.owner_id = g.owner_id
                WHERE (s.computed_at IS NULL OR s.computed_at < \(bind: before) OR s.computed_version <> s.version) AND
                """ + NeedSummaries.live("g", now: now)
                    + " ORDER BY age LIMIT \(unsafeRaw: String(max(0, min(limit, 10_000))))"
            ).all().compactMap { OwnerID(try $0.decode(column: "owner_id", as: String.self)) }
        }
    }
}
