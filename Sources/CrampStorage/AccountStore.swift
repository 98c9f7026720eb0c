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
    /// A browser that signed in to this account before (OWASP's device cookie): its failed
    /// attempts are counted apart from strangers', so a stranger cannot lock it out.
    case device
}

/// What an API token may do.
public enum TokenScope: String, Sendable, CaseIterable {
    /// Read everything, change nothing.
    case read
    /// Read and write, as the account's owner can on the API.
    case full
    /// Log a cramp (and check one) only: a narrow credential a phone can keep, so logging at
    /// night needs no password while reading the diary still needs a session or another token.
    case log
}

/// A live credential as a request presents it.
public struct CredentialUse: Sendable, Equatable {
    public let scope: TokenScope?
    public let expiresAt: Int64?
}

/// An API token as its owner sees it in a list: never the secret, only an id made of the first
/// characters of its digest.
public struct APITokenInfo: Sendable, Equatable {
    public let id: String
    public let label: String
    public let createdAt: Int64
    public let scope: TokenScope
    public let expiresAt: Int64?
    public let lastUsedAt: Int64?

    public init(id: String, label: String, createdAt: Int64, scope: TokenScope, expiresAt: Int64?, lastUsedAt: Int64? = nil) {
        self.id = id
        self.label = label
        self.createdAt = createdAt
        self.scope = scope
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
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
            let rows = try await session.sql.raw(
                """
                INSERT INTO accounts (owner_id, email, password_hash, created_at)
                VALUES (\(bind: owner.rawValue), \(bind: email), \(bind: passwordHash), \(bind: now))
                ON CONFLICT (email) DO NOTHING RETURNING owner_id
                """
            ).all()
            return rows.isEmpty ? nil : Account(owner: owner, email: email, createdAt: now)
        }
    }

    public func setPasswordHash(owner: OwnerID, passwordHash: String) async throws {
        try await engine.withTransaction { session in
            try await session.sql.raw("UPDATE accounts SET password_hash = \(bind: passwordHash) WHERE owner_id = \(bind: owner.rawValue)").run()
        }
    }

    /// The account's second factor: its secret (base32), whether it is confirmed, and the last
    /// time step used. A secret not yet confirmed is kept as `pending:SECRET`.
    public func secondFactor(owner: OwnerID) async throws -> (secret: String, confirmed: Bool, lastStep: Int64?)? {
        try await engine.withDatabase { db in
            guard let row = try await db.raw("SELECT totp_secret, totp_last_step FROM accounts WHERE owner_id = \(bind: owner.rawValue)").first(),
                let stored = try row.decode(column: "totp_secret", as: String?.self)
            else { return nil }
            let pending = stored.hasPrefix("pending:")
            return (
                pending ? String(stored.dropFirst("pending:".count)) : stored, !pending, try row.decode(column: "totp_last_step", as: Int64?.self)
            )
        }
    }

    /// Sets (or with nil removes) the second factor's secret; `confirmed` false keeps it pending.
    public func setSecondFactor(owner: OwnerID, secret: String?, confirmed: Bool, step: Int64? = nil) async throws {
        let stored = secret.map { confirmed ? $0 : "pending:\($0)" }
        try await engine.withTransaction { session in
            try await session.sql.raw(
                """
                UPDATE accounts SET totp_secret = \(bind: stored), totp_last_step = \(bind: step) WHERE owner_id = \(bind: owner.rawValue)
                """
            ).run()
        }
    }

    /// Records a used time step, only if it is later than every step used before: one
    /// statement, so a code cannot be used twice even on two instances at once.
    public func useSecondFactorStep(owner: OwnerID, step: Int64) async throws -> Bool {
        try await engine.withTransaction { session in
            try await !session.sql.raw(
                """
                UPDATE accounts SET totp_last_step = \(bind: step)
                WHERE owner_id = \(bind: owner.rawValue) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING owner_id
                """
            ).all().isEmpty
        }
    }

    /// The account signing in with this address, with its password hash.
    public func account(email: String) async throws -> (account: Account, passwordHash: String)? {
        try await engine.withDatabase { db in
            guard let row = try await db.raw("SELECT owner_id, email, password_hash, created_at FROM accounts WHERE email = \(bind: email)").first(),
                let owner = OwnerID(try row.decode(column: "owner_id", as: String.self))
            else { return nil }
            return (
                Account(
                    owner: owner, email: try row.decode(column: "email", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self)),
                try row.decode(column: "password_hash", as: String.self)
            )
        }
    }

    public func account(owner: OwnerID) async throws -> Account? {
        try await engine.withDatabase { db in
            guard let row = try await db.raw("SELECT email, created_at FROM accounts WHERE owner_id = \(bind: owner.rawValue)").first() else {
                return nil
            }
            return Account(
                owner: owner, email: try row.decode(column: "email", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self)
            )
        }
    }

    /// Deletes the account and everything it owns, in one transaction: the journal, the
    /// credentials, the grants it gave and its audit trail; the grants it held end.
    public func deleteAccount(owner: OwnerID) async throws -> EraseSummary {
        try await engine.withTransaction { session in
            let db = session.sql
            let summary = try await SQLJournalStore.erase(owner: owner, session, forgetDeleted: true)
            try await SharingStore.forget(owner: owner, db, now: SystemClock().millisecondsNow())
            try await db.raw("DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue)").run()
            try await db.raw("DELETE FROM accounts WHERE owner_id = \(bind: owner.rawValue)").run()
            return summary
        }
    }

    public func addCredential(
        owner: OwnerID, digest: String, kind: CredentialKind, label: String?, now: Int64, expiresAt: Int64?,
        scope: TokenScope? = nil
    ) async throws {
        try await engine.withTransaction { session in
            try await session.sql.raw(
                """
                INSERT INTO credentials (owner_id, digest, kind, label, created_at, expires_at, last_used_at, scope)
                VALUES (\(bind: owner.rawValue), \(bind: digest), \(bind: kind.rawValue), \(bind: label), \(bind: now), \(bind: expiresAt),
                        \(bind: now), \(bind: scope?.rawValue))
                """
            ).run()
        }
    }

    /// The owner's live credential of this kind with this digest, or nil: expired, or (with
    /// `idleMilliseconds`) unused for longer than that. Its last use is recorded at most once a
    /// minute, so most requests only read.
    public func use(owner: OwnerID, digest: String, kind: CredentialKind, now: Int64, idleMilliseconds: Int64? = nil) async throws -> CredentialUse? {
        let found = try await engine.select(kept: CredentialLookup.self, [.text(owner.rawValue), .text(digest), .text(kind.rawValue), .int(now)])
            .first.map { row in
                (use: CredentialUse(scope: row[0].string.flatMap(TokenScope.init(rawValue:)), expiresAt: row[1].integer), lastUsed: row[2].integer)
            }
        guard let found else { return nil }
        if let idleMilliseconds, (found.lastUsed ?? 0) < now - idleMilliseconds { return nil }
        if (found.lastUsed ?? 0) < now - 60_000 {
            try await engine.withTransaction { session in
                try await session.sql.raw(
                    """
                    UPDATE credentials SET last_used_at = \(bind: now) WHERE owner_id = \(bind: owner.rawValue) AND digest = \(bind: digest)
                    """
                ).run()
            }
        }
        return found.use
    }

    /// Whether the owner holds a live credential of this kind with this digest.
    public func isValid(owner: OwnerID, digest: String, kind: CredentialKind, now: Int64) async throws -> Bool {
        try await use(owner: owner, digest: digest, kind: kind, now: now) != nil
    }

    /// How many live credentials of this kind the owner holds.
    public func liveCredentials(owner: OwnerID, kind: CredentialKind, now: Int64, idleMilliseconds: Int64) async throws -> Int {
        try await engine.withDatabase { db in
            try await db.raw(
                """
                SELECT digest FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND kind = \(bind: kind.rawValue)
                AND (expires_at IS NULL OR expires_at > \(bind: now)) AND last_used_at >= \(bind: now - idleMilliseconds)
                """
            ).all().count
        }
    }

    /// Ends every credential of this kind the owner holds but `keeping`; how many ended.
    @discardableResult
    public func removeCredentials(owner: OwnerID, kind: CredentialKind, keeping: String? = nil) async throws -> Int {
        try await engine.withTransaction { session in
            try await session.sql.raw(
                """
                DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND kind = \(bind: kind.rawValue)
                AND digest <> \(bind: keeping ?? "") RETURNING digest
                """
            ).all().count
        }
    }

    /// The new password's hash, every session but `keeping` ended and every API token revoked
    /// (a token made from a stolen session must not outlive the reset), in one transaction.
    public func changePassword(owner: OwnerID, passwordHash: String, keepingSession: String?) async throws {
        try await engine.withTransaction { session in
            try await session.sql.raw("UPDATE accounts SET password_hash = \(bind: passwordHash) WHERE owner_id = \(bind: owner.rawValue)").run()
            try await session.sql.raw(
                """
                DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND kind = \(bind: CredentialKind.session.rawValue)
                AND digest <> \(bind: keepingSession ?? "")
                """
            ).run()
            try await session.sql.raw(
                """
                DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND kind = \(bind: CredentialKind.apiToken.rawValue)
                """
            ).run()
        }
    }

    @discardableResult
    public func removeCredential(owner: OwnerID, digest: String) async throws -> Bool {
        try await engine.withTransaction { session in
            try await !session.sql.raw(
                "DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND digest = \(bind: digest) RETURNING digest"
            ).all().isEmpty
        }
    }

    public func apiTokens(owner: OwnerID) async throws -> [APITokenInfo] {
        try await engine.withDatabase { db in
            try await db.raw(
                """
                SELECT digest, label, created_at, scope, expires_at, last_used_at FROM credentials
                WHERE owner_id = \(bind: owner.rawValue) AND kind = \(bind: CredentialKind.apiToken.rawValue)
                ORDER BY created_at, digest
                """
            ).all().map { row in
                APITokenInfo(
                    id: String(try row.decode(column: "digest", as: String.self).prefix(Self.tokenIDLength)),
                    label: try row.decode(column: "label", as: String?.self) ?? "", createdAt: try row.decode(column: "created_at", as: Int64.self),
                    // Tokens made before scopes existed had every right.
                    scope: try row.decode(column: "scope", as: String?.self).flatMap(TokenScope.init(rawValue:)) ?? .full,
                    expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
                    lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self))
            }
        }
    }

    /// Characters of a token's digest that name it in lists and URLs.
    public static let tokenIDLength = 16

    /// Revokes the API token whose digest starts with `id`.
    public func revokeAPIToken(owner: OwnerID, id: String) async throws -> Bool {
        guard id.count == Self.tokenIDLength, id.allSatisfy({ $0.isHexDigit }) else { return false }
        return try await engine.withTransaction { session in
            try await !session.sql.raw(
                """
                DELETE FROM credentials WHERE owner_id = \(bind: owner.rawValue) AND kind = \(bind: CredentialKind.apiToken.rawValue)
                AND digest LIKE \(bind: id.lowercased() + "%") RETURNING digest
                """
            ).all().isEmpty
        }
    }

    /// Counts one attempt for `subject` (an account, a device, an address) and returns the
    /// attempts in the current window and when it closes. One statement, run *before* the
    /// password is checked, so that concurrent guesses on any instance cannot all pass a check
    /// made before any of them was counted.
    public func countAttempt(subject: String, now: Int64, windowMilliseconds: Int64) async throws -> (count: Int, windowEndsAt: Int64) {
        let windowStart = now - windowMilliseconds
        return try await engine.withTransaction { session in
            let row = try await session.sql.raw(
                """
                INSERT INTO sign_in_failures (subject, window_started_at, failures) VALUES (\(bind: subject), \(bind: now), 1)
                ON CONFLICT (subject) DO UPDATE SET
                    failures = CASE WHEN sign_in_failures.window_started_at < \(bind: windowStart) THEN 1 ELSE sign_in_failures.failures + 1 END,
                    window_started_at = CASE WHEN sign_in_failures.window_started_at < \(bind: windowStart) THEN \(bind: now) ELSE sign_in_failures.window_started_at END
                RETURNING failures, window_started_at
                """
            ).first()
            let count = try row?.decode(column: "failures", as: Int.self) ?? 1
            let started = try row?.decode(column: "window_started_at", as: Int64.self) ?? now
            return (count, started + windowMilliseconds)
        }
    }

    /// Takes back one attempt (a right password from an address that others share).
    public func forgiveAttempt(subject: String) async throws {
        try await engine.withTransaction { session in
            try await session.sql.raw("UPDATE sign_in_failures SET failures = failures - 1 WHERE subject = \(bind: subject) AND failures > 0").run()
        }
    }

    public func clearFailures(subject: String) async throws {
        try await engine.withTransaction { session in
            try await session.sql.raw("DELETE FROM sign_in_failures WHERE subject = \(bind: subject)").run()
        }
    }
}

/// The check on nearly every hosted request: kept prepared.
enum CredentialLookup: KeptStatement {
    static let sql = """
        SELECT scope, expires_at, last_used_at FROM credentials WHERE owner_id = ? AND digest = ? AND kind = ?
        AND (expires_at IS NULL OR expires_at > ?)
        """
}
