public import CrampJournal
import SQLKit

/// A hosted-mode account: the owner its journal rows carry, and the address it signs in with.
public struct Account: Sendable, Equatable {
    public let owner: OwnerID
    public let email: String
    public let createdAt: Int64
}

/// A secret that stands for an account: a browser session (expires) or an API token (until
/// revoked). Only its SHA-256 digest is stored, so a copy of the database opens no account.
public enum CredentialKind: String, Sendable {
    case session
    case apiToken = "api"
}

/// An API token as its owner sees it in a list: never the secret, only an id made of the first
/// characters of its digest.
public struct APITokenInfo: Sendable, Equatable {
    public let id: String
    public let label: String
    public let createdAt: Int64

    public init(id: String, label: String, createdAt: Int64) {
        self.id = id
        self.label = label
        self.createdAt = createdAt
    }
}

/// Accounts, credentials and failed sign-ins, on the journal's database. Every query about a
/// credential names its owner (the owner is part of the secret the client holds).
public final class AccountStore: Sendable {
    let engine: any SQLEngine

    public init(journal: SQLJournalStore) {
        engine = journal.engine
    }

    /// Creates the account; nil when the address is taken.
    public func createAccount(owner: OwnerID, email: String, passwordHash: String, now: Int64) async throws -> Account? {
        try await engine.withTransaction { session in
            let rows = try await session.sql.raw("""
                INSERT INTO accounts (owner_id, email, password_hash, created_at)
                VALUES (\(bind: owner.rawValue), \(bind: email), \(bind: passwordHash), \(bind: now))
                ON CONFLICT (email) DO NOTHING RETURNING owner_id
                """).all()
            return rows.isEmpty ? nil : Account(owner: owner, email: email, createdAt: now)
        }
    }

    /// The account signing in with this address, with its password hash.
    public func account(email: String) async throws -> (account: Account, passwordHash: String)? {
        try await engine.withDatabase { db in
            guard let row = try await db.raw("SELECT owner_id, email, password_hash, created_at FROM accounts WHERE email = \(bind: email)").first(),
                let owner = OwnerID(try row.decode(column: "owner_id", as: String.self))
            else { return nil }
            return (Account(owner: owner, email: try row.decode(column: "email", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self)),
                    try row.decode(column: "password_hash", as: String.self))
        }
    }

    public func account(owner: OwnerID) async throws -> Account? {
        try await engine.withDatabase { db in
            guard let row = try await db.raw("SELECT email, created_at FROM accounts WHERE owner_id = \(bind: owner.rawValue)").first() else { return nil }
            return Account(owner: owner, email: try row.decode(column: "email", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self))
        }
    }

    /// Deletes the account and everything it owns, in one transaction.
    public func deleteAccount(owner: OwnerID) async throws -> EraseSummary {
        try await engine.withTransaction { session in
            let db = session.sql
            let summary = try await SQLJournalStore.erase(owner: owner, db)
            try await db.raw("DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue)").run()
            try await db.raw("DELETE FROM accounts WHERE owner_id = \(bind: owner.rawValue)").run()
            return summary
        }
    }

    public func addCredential(owner: OwnerID, digest: String, kind: CredentialKind, label: String?, now: Int64, expiresAt: Int64?) async throws {
        try await engine.withTransaction { session in
            try await session.sql.raw("""
                INSERT INTO credentials (owner_id, digest, kind, label, created_at, expires_at)
                VALUES (\(bind: owner.rawValue), \(bind: digest), \(bind: kind.rawValue), \(bind: label), \(bind: now), \(bind: expiresAt))
                """).run()
        }
    }

    /// Whether the owner holds a live credential of this kind with this digest.
    public func isValid(owner: OwnerID, digest: String, kind: CredentialKind, now: Int64) async throws -> Bool {
        try await engine.withDatabase { db in
            try await db.raw("""
                SELECT 1 AS found FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND digest = \(bind: digest)
                AND kind = \(bind: kind.rawValue) AND (expires_at IS NULL OR expires_at > \(bind: now))
                """).first() != nil
        }
    }

    @discardableResult
    public func removeCredential(owner: OwnerID, digest: String) async throws -> Bool {
        try await engine.withTransaction { session in
            try await !session.sql.raw("DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND digest = \(bind: digest) RETURNING digest").all().isEmpty
        }
    }

    public func apiTokens(owner: OwnerID) async throws -> [APITokenInfo] {
        try await engine.withDatabase { db in
            try await db.raw("""
                SELECT digest, label, created_at FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND kind = \(bind: CredentialKind.apiToken.rawValue)
                ORDER BY created_at, digest
                """).all().map { row in
                APITokenInfo(id: String(try row.decode(column: "digest", as: String.self).prefix(Self.tokenIDLength)),
                             label: try row.decode(column: "label", as: String?.self) ?? "", createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    /// Characters of a token's digest that name it in lists and URLs.
    public static let tokenIDLength = 16

    /// Revokes the API token whose digest starts with `id`.
    public func revokeAPIToken(owner: OwnerID, id: String) async throws -> Bool {
        guard id.count == Self.tokenIDLength, id.allSatisfy({ $0.isHexDigit }) else { return false }
        return try await engine.withTransaction { session in
            try await !session.sql.raw("""
                DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND kind = \(bind: CredentialKind.apiToken.rawValue)
                AND digest LIKE \(bind: id.lowercased() + "%") RETURNING digest
                """).all().isEmpty
        }
    }

    /// Counts one failed sign-in for `subject` (an account or an address) and returns the failures
    /// in the current window. One statement, so concurrent instances never lose a count.
    public func recordFailure(subject: String, now: Int64, windowMilliseconds: Int64) async throws -> Int {
        let windowStart = now - windowMilliseconds
        return try await engine.withTransaction { session in
            let row = try await session.sql.raw("""
                INSERT INTO sign_in_failures (subject, window_started_at, failures) VALUES (\(bind: subject), \(bind: now), 1)
                ON CONFLICT (subject) DO UPDATE SET
                    failures = CASE WHEN sign_in_failures.window_started_at < \(bind: windowStart) THEN 1 ELSE sign_in_failures.failures + 1 END,
                    window_started_at = CASE WHEN sign_in_failures.window_started_at < \(bind: windowStart) THEN \(bind: now) ELSE sign_in_failures.window_started_at END
                RETURNING failures
                """).first()
            return try row?.decode(column: "failures", as: Int.self) ?? 1
        }
    }

    /// Failed sign-ins for `subject` in the current window, and when that window closes.
    public func failures(subject: String, now: Int64, windowMilliseconds: Int64) async throws -> (count: Int, windowEndsAt: Int64) {
        try await engine.withDatabase { db in
            guard let row = try await db.raw("SELECT window_started_at, failures FROM sign_in_failures WHERE subject = \(bind: subject)").first() else {
                return (0, now)
            }
            let started = try row.decode(column: "window_started_at", as: Int64.self)
            guard started >= now - windowMilliseconds else { return (0, now) }
            return (try row.decode(column: "failures", as: Int.self), started + windowMilliseconds)
        }
    }

    public func clearFailures(subject: String) async throws {
        try await engine.withTransaction { session in
            try await session.sql.raw("DELETE FROM sign_in_failures WHERE subject = \(bind: subject)").run()
        }
    }
}
