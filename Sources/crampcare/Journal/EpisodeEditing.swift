import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage

/// `show`, `edit` and `delete`: one logged episode.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one logged episode.")

    @OptionGroup var journal: JournalOptions

    @Argument(help: "The episode's id (or the start of it, at least 8 characters).")
    var id: String

    @Flag(help: "Print it as JSON.")
    var json = false

    func run() async throws {
        try await withJournal(journal) { opened in
            let knowledge = opened.knowledge
            let episode = try await findEpisode(id, in: opened.journal)
            if json {
                Console.write(JournalBackup.episodeJSON(episode) + [0x0A])
                return
            }
            Console.print("Episode \(episode.id)")
            Console.print("  started   \(episode.startedAt)")
            Console.print("  lasted    \(episode.lasted)")
            Console.print("  muscles   \(episode.muscles.map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: ", "))")
            if let side = episode.side { Console.print("  side      \(side.rawValue)") }
            for detail in EpisodeDetail.all {
                if let value = detail.value(in: episode) { Console.print("  \(detail.heading.lowercased().padding(8))  \(detail.reading(value))") }
            }
            if let onset = episode.onset { Console.print("  onset     \(knowledge.onsetLabels[onset] ?? onset.rawValue)") }
            if !episode.findings.isEmpty {
                Console.print("  noticed   \(episode.findings.map { knowledge.findings[$0]?.label ?? $0.rawValue }.joined(separator: "; "))")
            }
            for relief in episode.reliefs {
                let eased = relief.secondsToEase.map { ", eased after \(DurationRange.words($0))" } ?? ""
                Console.print("  tried     \(relief.technique.rawValue): \(relief.outcome.rawValue)\(eased)")
            }
            if let note = episode.note { Console.print("  note      \(note)") }
        }
    }
}

/// An episode by full id or by a unique start of it.
func findEpisode(_ text: String, in store: any JournalStore) async throws -> Episode {
    if let id = EntryID(text) {
        guard let episode = try await store.episode(id: id, owner: owner) else { throw CLIError.notFound("no episode \(text) in the journal") }
        return episode
    }
    let prefix = text.lowercased()
    guard prefix.count >= 8, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
        throw CLIError.input("\"\(text)\" is not an episode id; give the id from crampcare history (at least its first 8 characters)")
    }
    var filter = EpisodeFilter()
    filter.limit = Int.max / 2
    let matches = try await store.episodes(owner: owner, filter: filter).filter { $0.id.description.hasPrefix(prefix) }
    guard let first = matches.first else { throw CLIError.notFound("no episode starting \(text) in the journal") }
    guard matches.count == 1 else { throw CLIError.input("\(matches.count) episodes start with \(text); give more of the id") }
    return first
}

struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change a logged episode: only the fields you give change.",
        usage: "crampcare edit <id> [--muscle <muscle>] [--duration <duration>] [options]",
        discussion: "Example: crampcare edit 3f2a9c1e --severity 4 --relief stretch:helped --note \"after a long walk\""
    )

    @OptionGroup var journal: JournalOptions
    @Argument(help: "The episode's id (or its first 8 or more characters).")
    var id: String
    @OptionGroup var fields: EpisodeFlags

    func run() async throws {
        try await withJournal(journal) { opened in
            guard !fields.isEmpty else { throw CLIError.input("give at least one field to change, such as --severity 4; see crampcare edit --help") }
            var episode = try await findEpisode(id, in: opened.journal)
            try fields.apply(to: &episode, clock: opened.clock)
            episode = try await flagged { try await opened.app.update(episode, owner: owner) }
            Console.print("Updated \(episode.id) (\(describe(episode, knowledge: opened.knowledge))).")
        }
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a logged episode.")

    @OptionGroup var journal: JournalOptions
    @Argument(help: "The episode's id (or its first 8 or more characters).")
    var id: String
    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.")
    var yes = false

    func run() async throws {
        try await withJournal(journal) { opened in
            let knowledge = opened.knowledge
            let store = opened.journal
            let episode = try await findEpisode(id, in: store)
            if !yes {
                guard Console.stdinIsTerminal else { throw CLIError.input("add --yes to delete without a terminal to confirm in") }
                Console.write(Array("Delete \(describe(episode, knowledge: knowledge))? [y/N] ".utf8))
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    Console.print("Nothing deleted.")
                    return
                }
            }
            _ = try await store.deleteEpisode(id: episode.id, owner: owner)
            Console.print("Deleted \(episode.id).")
        }
    }
}
