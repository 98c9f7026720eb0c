import ArgumentParser
import CrampJournal
import CrampStorage

import CrampApplication
import CrampKnowledge
import Foundation

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
            return try await SQLJournalStore.open(target)
        } catch let error as StorageError {
            throw CLIError.storage(error.message)
        } catch {
            throw CLIError.storage("cannot open the journal: \(error)")
        }
    }
}

/// The owner every CLI call acts for: a personal journal has one.
let owner = OwnerID.local

/// An open journal: the use cases over it and the person's clock (their profile's time zone,
/// else the machine's).
struct OpenJournal: Sendable {
    let app: CrampCareApp
    let clock: PersonClock

    var journal: any JournalStore { app.journal }
    var knowledge: KnowledgeBase { app.knowledge }
}

/// The use cases for a personal journal: the machine's zone and locale when the profile names none.
func personalApp(_ store: any JournalStore, knowledge: KnowledgeBase) -> CrampCareApp {
    CrampCareApp(journal: store, knowledge: knowledge, defaultZone: TimeZone.current,
                 defaultRegion: KnowledgeBase.region(fromLocale: Console.environment))
}

/// Runs `body` with an open journal and always closes it, turning storage failures into a clear
/// message and exit code 74.
func withJournal<T>(_ options: JournalOptions, _ body: (OpenJournal) async throws -> T) async throws -> T {
    let knowledge = try loadKnowledge()
    let store: SQLJournalStore
    do {
        store = try await options.open()
    } catch {
        Console.error("crampcare: \(error.message)")
        throw ExitCode(error.exitCode)
    }
    do {
        let app = personalApp(store, knowledge: knowledge)
        let value = try await body(OpenJournal(app: app, clock: try await app.clock(owner: owner)))
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
