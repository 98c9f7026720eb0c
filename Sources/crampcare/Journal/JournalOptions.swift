import ArgumentParser
import CrampJournal
import CrampStorage

#if canImport(Glibc)
import Glibc
#endif

/// Where the journal is: `--database`, else `CRAMPCARE_DATABASE`, else the XDG data directory.
struct JournalOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: ArgumentHelp(
        "The journal: a file path (SQLite) or a postgres:// URL. Default: $CRAMPCARE_DATABASE, else $XDG_DATA_HOME/crampcare/journal.sqlite.",
        valueName: "path-or-url"))
    var database: String?

    var location: String {
        if let database, !database.isEmpty { return database }
        if let configured = Console.environment("CRAMPCARE_DATABASE"), !configured.isEmpty { return configured }
        return Self.defaultPath()
    }

    static func defaultPath() -> String {
        if let data = Console.environment("XDG_DATA_HOME"), data.hasPrefix("/") { return "\(data)/crampcare/journal.sqlite" }
        let home = Console.environment("HOME") ?? "."
        return "\(home)/.local/share/crampcare/journal.sqlite"
    }

    /// Opens the journal, bringing its schema up to date.
    func open() async throws(CLIError) -> SQLJournalStore {
        let target = location
        do {
            if target.hasPrefix("postgres://") || target.hasPrefix("postgresql://") {
                return try await SQLJournalStore(engine: try await PostgresEngine.connect(url: target))
            }
            return try await SQLJournalStore(engine: try await SQLiteEngine.open(path: target))
        } catch let error as StorageError {
            throw CLIError.storage(error.message)
        } catch {
            throw CLIError.storage("cannot open the journal: \(error)")
        }
    }
}

/// The owner every CLI call acts for: a personal journal has one.
let owner = OwnerID.local

/// Runs `body` with an open journal and always closes it, turning storage failures into a clear
/// message and exit code 74.
func withJournal<T>(_ options: JournalOptions, _ body: (SQLJournalStore) async throws -> T) async throws -> T {
    let store: SQLJournalStore
    do {
        store = try await options.open()
    } catch {
        Console.error("crampcare: \(error.message)")
        throw ExitCode(error.exitCode)
    }
    do {
        // Times are the person's own: their profile's time zone when set, else the machine's.
        if let zone = try await store.profile(owner: owner)?.timeZone {
            setenv("TZ", zone, 1)
            tzset()
        }
        let value = try await body(store)
        try await store.close()
        return value
    } catch {
        try? await store.close()
        switch error {
        case let error as CLIError:
            Console.error("crampcare: \(error.message)")
            throw ExitCode(error.exitCode)
        case let error as JournalError:
            Console.error("crampcare: \(error.description)")
            throw ExitCode(2)
        case let error as StorageError:
            Console.error("crampcare: \(error.message)")
            throw ExitCode(74)
        case is ExitCode, is CleanExit:
            throw error
        default:
            Console.error("crampcare: the journal could not be read or written: \(error)")
            throw ExitCode(74)
        }
    }
}

/// The current time and the local UTC offset (from TZ or the system's zone).
enum LocalClock {
    static func now() -> LocalTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        return LocalTimestamp(instant: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000, zoneOffsetSeconds: Int(parts.tm_gmtoff))
    }

    static var today: LocalDate { now().localDate }
}
