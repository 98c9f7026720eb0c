import CrampJournal
import SQLKit

/// One schema change: a version, a name, and the statements that make it. Each is applied in its
/// own transaction and recorded in `_migrations`, so a change is either whole or absent.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [String]
}

/// The versioned schema. Every table's key starts with `owner_id`, so a large deployment can
/// distribute the tables by owner (Citus on PostgreSQL) without a schema change. The same
/// statements run on SQLite and PostgreSQL: `BIGINT` and `DOUBLE PRECISION` map to SQLite's
/// integer and real affinities.
enum Schema {
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "journal tables",
            statements: [
                """
                CREATE TABLE episodes (
                    owner_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    started_at BIGINT NOT NULL,
                    utc_offset_seconds INTEGER NOT NULL,
                    duration_seconds INTEGER NOT NULL,
                    muscles TEXT NOT NULL,
                    side TEXT,
                    severity INTEGER,
                    onset TEXT,
                    findings TEXT NOT NULL,
                    reliefs TEXT NOT NULL,
                    note TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (owner_id, id)
                )
                """,
                "CREATE INDEX episodes_by_time ON episodes (owner_id, started_at, id)",
                """
                CREATE TABLE day_logs (
                    owner_id TEXT NOT NULL,
                    day TEXT NOT NULL,
                    fluids_ml INTEGER,
                    electrolyte_drink INTEGER,
                    exercise_minutes INTEGER,
                    exercise_intensity TEXT,
                    steps INTEGER,
                    sitting_hours DOUBLE PRECISION,
                    standing_hours DOUBLE PRECISION,
                    sleep_hours DOUBLE PRECISION,
                    hot_weather INTEGER,
                    alcohol_units DOUBLE PRECISION,
                    caffeine_drinks INTEGER,
                    mineral_foods TEXT NOT NULL,
                    medication_changes TEXT NOT NULL,
                    context TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (owner_id, day)
                )
                """,
                """
                CREATE TABLE profiles (
                    owner_id TEXT NOT NULL PRIMARY KEY,
                    birth_year INTEGER,
                    sex TEXT,
                    conditions TEXT NOT NULL,
                    medications TEXT NOT NULL,
                    time_zone TEXT,
                    region TEXT,
                    reminder_times TEXT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE assessments (
                    owner_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    made_at BIGINT NOT NULL,
                    utc_offset_seconds INTEGER NOT NULL,
                    knowledge_version TEXT NOT NULL,
                    triage TEXT NOT NULL,
                    episode_id TEXT,
                    request_json TEXT NOT NULL,
                    result_json TEXT NOT NULL,
                    PRIMARY KEY (owner_id, id)
                )
                """,
                "CREATE INDEX assessments_by_time ON assessments (owner_id, made_at)",
            ]),
        // Hosted mode: accounts, browser sessions and API tokens (kept as SHA-256 digests, never
        // as the secret), and failed sign-ins counted in the database so every instance sees them.
        Migration(
            version: 2, name: "accounts",
            statements: [
                """
                CREATE TABLE accounts (
                    owner_id TEXT NOT NULL PRIMARY KEY,
                    email TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX accounts_by_email ON accounts (email)",
                """
                CREATE TABLE credentials (
                    owner_id TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    label TEXT,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT,
                    PRIMARY KEY (owner_id, digest)
                )
                """,
                """
                CREATE TABLE sign_in_failures (
                    subject TEXT NOT NULL PRIMARY KEY,
                    window_started_at BIGINT NOT NULL,
                    failures INTEGER NOT NULL
                )
                """,
            ]),
        // ASVS V3: sessions end after an idle time (`last_used_at`); API tokens carry a scope;
        // accounts may hold a TOTP second factor.
        Migration(
            version: 3, name: "sessions_scopes_second_factor",
            statements: [
                "ALTER TABLE credentials ADD COLUMN last_used_at BIGINT",
                "ALTER TABLE credentials ADD COLUMN scope TEXT",
                "ALTER TABLE accounts ADD COLUMN totp_secret TEXT",
                "ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT",
            ]),
        // The night log: a duration chosen as a range, whether the red-flag questions that
        // follow a quick log were answered, and the glass a day's drinks are counted in.
        Migration(
            version: 4, name: "night_log",
            statements: [
                "ALTER TABLE episodes ADD COLUMN duration_range TEXT",
                "ALTER TABLE episodes ADD COLUMN safety_questions TEXT",
                "ALTER TABLE profiles ADD COLUMN glass_ml INTEGER",
            ]),
        // "No mineral-rich food" apart from "not logged": before, both were an empty list, so
        // only a list that names a food is known to have been logged.
        Migration(
            version: 5, name: "mineral_foods_logged",
            statements: [
                "ALTER TABLE day_logs ADD COLUMN mineral_foods_logged INTEGER",
                "UPDATE day_logs SET mineral_foods_logged = 1 WHERE mineral_foods <> ''",
            ]),
        // A deleted episode's id, so that a phone's queue sending it again cannot bring it back.
        Migration(
            version: 6, name: "deleted_episodes",
            statements: [
                "CREATE TABLE deleted_episodes (owner_id TEXT NOT NULL, id TEXT NOT NULL, deleted_at BIGINT NOT NULL, PRIMARY KEY (owner_id, id))"
            ]),
        // Sharing by consent: invitations (the code's digest only), grants, and the audit trail
        // of every read and write through a grant (insert only; the account's deletion removes it).
        Migration(
            version: 7, name: "sharing",
            statements: [
                """
                CREATE TABLE invitations (
                    owner_id TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    notes INTEGER NOT NULL,
                    shared_name TEXT NOT NULL,
                    shared_birth_year INTEGER,
                    ends_at BIGINT,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    PRIMARY KEY (owner_id, digest)
                )
                """,
                "CREATE UNIQUE INDEX invitations_by_digest ON invitations (digest)",
                """
                CREATE TABLE grants (
                    owner_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    grantee_id TEXT NOT NULL,
                    grantee_name TEXT NOT NULL,
                    shared_name TEXT NOT NULL,
                    shared_birth_year INTEGER,
                    scope TEXT NOT NULL,
                    notes INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    confirmed_at BIGINT,
                    ends_at BIGINT,
                    revoked_at BIGINT,
                    PRIMARY KEY (owner_id, id)
                )
                """,
                "CREATE INDEX grants_by_grantee ON grants (grantee_id, owner_id)",
                """
                CREATE TABLE audit_trail (
                    owner_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    actor_id TEXT NOT NULL,
                    grant_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    PRIMARY KEY (owner_id, id)
                )
                """,
                "CREATE INDEX audit_by_time ON audit_trail (owner_id, at)",
            ]),
        // A carer's entries say who logged them (kept through every change).
        Migration(version: 8, name: "logged_by", statements: ["ALTER TABLE episodes ADD COLUMN logged_by TEXT"]),
        // The patient list's need summary per diary: `version` counts the diary's changes (bumped in
        // each write's transaction), `computed_version` the change it was worked out at.
        Migration(
            version: 9, name: "need_summaries",
            statements: [
                """
                CREATE TABLE need_summaries (
                    owner_id TEXT NOT NULL PRIMARY KEY,
                    version BIGINT NOT NULL,
                    computed_version BIGINT,
                    computed_at BIGINT,
                    zone TEXT,
                    latest_emergency TEXT,
                    latest_urgent TEXT,
                    last_logged TEXT,
                    patterns TEXT NOT NULL DEFAULT ''
                )
                """,
                "CREATE INDEX need_summaries_by_age ON need_summaries (computed_at)",
            ]),
    ]

    /// The newest version this build knows.
    static var latest: Int { migrations.map(\.version).max() ?? 0 }

    /// Applies every migration not applied yet. Safe to run from several processes at once: each
    /// step re-checks inside its transaction (on PostgreSQL under an advisory lock).
    static func migrate(_ engine: any SQLEngine) async throws {
        try await engine.withTransaction { session in
            // Under the lock too: two instances starting on a new database at once would both
            // create the table, and PostgreSQL refuses the second (a unique violation in pg_type).
            if engine.name == "postgres" { try await session.sql.raw("SELECT pg_advisory_xact_lock(7241906)").run() }
            try await session.sql.raw(
                "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
        }
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            try await engine.withTransaction { session in
                let db = session.sql
                if engine.name == "postgres" {
                    // One migrator at a time across every instance.
                    try await db.raw("SELECT pg_advisory_xact_lock(7241906)").run()
                }
                let applied = try await db.raw("SELECT version FROM _migrations WHERE version = \(bind: migration.version)").all()
                guard applied.isEmpty else { return }
                for statement in migration.statements { try await db.raw(SQLQueryString(statement)).run() }
                try await db.raw(
                    "INSERT INTO _migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: SystemClock().millisecondsNow()))"
                ).run()
            }
        }
        let newest = try await engine.withDatabase { db in
            try await db.raw("SELECT MAX(version) AS version FROM _migrations").first()?.decode(column: "version", as: Int?.self)
        }
        if let newest, newest > latest {
            throw StorageError("the journal was written by a newer CrampCare (schema \(newest), this one knows up to \(latest)); update CrampCare")
        }
    }
}
