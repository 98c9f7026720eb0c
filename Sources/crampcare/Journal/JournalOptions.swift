import ArgumentParser
import CrampApplication
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation

/// Where the journal is: `--database`, else `CRAMPCARE_DATABASE`, else the XDG data directory.
struct JournalOptions: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "The journal: a file path (SQLite) or a postgres:// URL. Default: $CRAMPCARE_DATABASE, else $XDG_DATA_HOME/crampcare/journal.sqlite.",
            valueName: "path-or-url"))
    var database: String?

    /// The settings with this flag first.
    var settings: Settings { Settings(flags: ["crampcare.database": database]) }

    var location: String { settings.database }
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
func personalApp(_ store: any JournalStore, knowledge: KnowledgeBase, settings: Settings) -> CrampCareApp {
    CrampCareApp(
        journal: store, knowledge: knowledge, defaultZone: TimeZone.current, defaultRegion: KnowledgeBase.region(fromLocale: settings.locale))
}

/// Runs `body` with the journal open (PostgreSQL's pool running beside it in a task group of its
/// own) and always closes it, turning storage failures into a clear message and exit code 74.
func withJournal<T: Sendable>(_ options: JournalOptions, _ body: (OpenJournal) async throws -> T) async throws -> T {
    let knowledge = try loadKnowledge()
    let settings = options.settings
    do {
        return try await SQLJournalStore.withJournal(settings.database) { store in
            let app = personalApp(store, knowledge: knowledge, settings: settings)
            return try await body(OpenJournal(app: app, clock: try await app.clock(owner: owner)))
        }
    } catch {
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
