import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage

/// `history`: logged episodes, newest first, with filters.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List logged episodes, newest first, with filters.", usage: "crampcare history [--range <range>] [--muscle <muscle>] [options]")

    @OptionGroup var journal: JournalOptions
    @Option(help: "From this date (YYYY-MM-DD), inclusive.")
    var from: String?
    @Option(help: "To this date (YYYY-MM-DD), inclusive.")
    var to: String?
    @Option(
        help:
            "A range in words instead: today, yesterday, \"last week\" (the last 7 days), \"this week\", \"last month\" (30 days), \"last 10 days\", or 2026-11-01..2026-11-30."
    )
    var range: String?
    @Option(name: .customLong("muscle"), help: "Only episodes in this muscle (repeat for more).")
    var muscles: [String] = []
    @Option(help: "Only episodes at least this severe (0-10).")
    var minSeverity: Int?
    @Option(help: "Only episodes at most this severe (0-10).")
    var maxSeverity: Int?
    @Option(help: "How many to show.")
    var limit: Int = 50
    @Option(help: "How many to skip (for paging).")
    var offset: Int = 0
    @Flag(help: "Print JSON (one array of episodes).")
    var json = false

    func run() async throws {
        try await withJournal(journal) { opened in
            let knowledge = opened.knowledge
            let store = opened.journal
            var filter = EpisodeFilter()
            func day(_ text: String, _ flag: String) throws(CLIError) -> LocalDate {
                guard let date = LocalDate(iso: text) else { throw CLIError.input("--\(flag) \"\(text)\" is not a date; accepted: YYYY-MM-DD") }
                return date
            }
            var first = try from.map { try day($0, "from") }
            var last = try to.map { try day($0, "to") }
            if let range {
                guard from == nil, to == nil else { throw CLIError.input("--range is given with --from or --to; give one or the other") }
                guard let days = EverydayInput.dateRange(range, today: opened.clock.today) else {
                    throw CLIError.input(
                        "--range \"\(range)\" is not a range; accepted: today, yesterday, \"last week\", \"this week\", \"last month\", \"last 10 days\", or 2026-11-01..2026-11-30"
                    )
                }
                (first, last) = (days.from, days.through)
            }
            (filter.from, filter.before) = opened.clock.instants(from: first, through: last)
            filter.muscles = try EpisodeFlags.muscles(muscles)
            for (value, flag) in [(minSeverity, "min-severity"), (maxSeverity, "max-severity")] {
                if let value, !(0...10).contains(value) { throw CLIError.input("--\(flag) \(value) is out of range; accepted: 0 to 10") }
            }
            guard limit > 0, limit <= 100_000 else { throw CLIError.input("--limit \(limit) is out of range; accepted: 1 to 100000") }
            guard offset >= 0 else { throw CLIError.input("--offset \(offset) is out of range; accepted: 0 or more") }
            filter.minimumSeverity = minSeverity
            filter.maximumSeverity = maxSeverity
            filter.limit = limit
            filter.offset = offset
            let episodes = try await store.episodes(owner: owner, filter: filter)
            if !json {
                // A recent check that today's knowledge base would triage urgent or higher comes first.
                for item in try await opened.app.raisedNotices(owner: owner) {
                    Console.print("NOTE: \(item.notice)\n")
                }
            }
            if json {
                var bytes: [UInt8] = [UInt8(ascii: "[")]
                for (index, episode) in episodes.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    bytes += JournalBackup.episodeJSON(episode)
                }
                Console.write(bytes + [UInt8(ascii: "]"), 0x0A])
                return
            }
            let unfiltered = first == nil && last == nil && muscles.isEmpty && minSeverity == nil && maxSeverity == nil && offset == 0
            let checks = unfiltered ? try await opened.app.keptChecks(owner: owner, limit: 10) : []
            defer {
                if !checks.isEmpty {
                    Console.print("\nChecks you kept (the newest \(checks.count)):")
                    for check in checks {
                        let flags = check.redFlags.isEmpty ? "" : " · " + check.redFlags.map(\.title).joined(separator: "; ")
                        Console.print("  \(check.record.madeAt.localDate) \(clock(check.record.madeAt))  \(TriageWords.past(check.triage))\(flags)")
                    }
                }
            }
            guard !episodes.isEmpty else {
                Console.print("No episodes match. Log one with: crampcare log")
                return
            }
            let listed = EpisodeDetail.all.filter(\.listed)
            let rows = episodes.map { episode in
                [
                    String(episode.id.description.prefix(8)), "\(episode.startedAt.localDate) \(clock(episode.startedAt))",
                    episode.lasted, episode.muscles.map(\.rawValue).joined(separator: "+"),
                    episode.side?.rawValue ?? "",
                ] + listed.map { $0.value(in: episode).map(String.init) ?? "" } + [
                    episode.reliefs.map { "\($0.technique.rawValue):\($0.outcome.rawValue)" }.joined(separator: " ")
                ]
            }
            printTable(["id", "started", "lasted", "muscles", "side"] + listed.map { $0.heading.lowercased() } + ["relief"], rows)
            _ = knowledge
        }
    }

    private func clock(_ stamp: LocalTimestamp) -> String {
        let seconds = stamp.localSecondsOfDay
        return "\(seconds / 3600 < 10 ? "0" : "")\(seconds / 3600):\(seconds / 60 % 60 < 10 ? "0" : "")\(seconds / 60 % 60)"
    }
}

/// A plain text table with columns sized to their content.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            cell + String(repeating: " ", count: widths[index] - cell.count)
        }.joined(separator: "  ").trimmingCharacters()
    }
    let style = Style(enabled: Console.colourEnabled)
    Console.print(style.bold(line(header)))
    for row in rows { Console.print(line(row)) }
}
