import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage

/// The fields of an episode as flags, shared by `log` and `edit`.
struct EpisodeFlags: ParsableArguments {
    @Option(name: .customLong(JournalField.muscles.flag), help: "A muscle that cramped: quadriceps, hamstrings, calf or unsure (repeat for more).")
    var muscles: [String] = []

    @Option(name: .customLong(JournalField.durationSeconds.flag), help: "How long it lasted: 90s, 2m, 1.5h, or seconds.")
    var duration: String?

    @Option(name: .customLong(JournalField.severity.flag), help: "How bad, 0 (no pain) to 10 (worst).")
    var severity: Int?

    @Option(name: .customLong(JournalField.side.flag), help: "left, right or both.")
    var side: String?

    @Option(
        name: .customLong(JournalField.onset.flag),
        help: "What you were doing: rest, sleep, sitting, standing, walking, during_exercise, after_exercise.")
    var onset: String?

    @Option(name: .customLong(JournalField.findings.flag), help: "A sign you noticed, as an assessment code such as visible_knot (repeat for more).")
    var findings: [String] = []

    @Option(
        name: .customLong(JournalField.reliefs.flag),
        help: "What you tried and whether it helped: technique:outcome[:seconds], such as stretch:helped or massage:partly:60 (repeat).")
    var reliefs: [String] = []

    @Option(name: .customLong(JournalField.note.flag), help: "A note in your own words.")
    var note: String?

    @Option(
        name: .customLong(JournalField.startedAt.flag),
        help: "When it started: ISO 8601 (2026-11-26T07:30+01:00), a local time today (07:30), or \"now\". Default: now less the duration.")
    var startedAt: String?

    var isEmpty: Bool {
        muscles.isEmpty && duration == nil && severity == nil && side == nil && onset == nil && findings.isEmpty && reliefs.isEmpty
            && note == nil && startedAt == nil
    }

    static func code<Code: CodeList>(_ text: String, _ flag: String, _: Code.Type) throws(CLIError) -> Code {
        guard let code = Code.table.code(text.lowercased()) else {
            throw CLIError.input("--\(flag) \"\(text)\" is not accepted; accepted: \(Code.table.accepted)")
        }
        return code
    }

    static func seconds(_ text: String) throws(CLIError) -> Int {
        guard let minutes = Interview.minutes(text), minutes > 0, minutes * 60 <= Double(JournalLimits.maxDurationSeconds) else {
            throw CLIError.input("--duration \"\(text)\" is not a duration; accepted: from 1 second to 7 days, such as 90s, 2m, 1.5h")
        }
        return max(1, Int((minutes * 60).rounded()))
    }

    /// A start time from `--at`: ISO 8601 with an offset, a local date and time, a local time today, or now.
    static func start(_ text: String, now: LocalTimestamp) throws(CLIError) -> LocalTimestamp {
        if text == "now" { return now }
        if let stamp = LocalTimestamp(iso: text) { return stamp }
        if let stamp = LocalTimestamp(iso: text + ":00" + offsetText(now.utcOffsetSeconds))
            ?? LocalTimestamp(iso: text + offsetText(now.utcOffsetSeconds))
        {
            return stamp
        }
        if let time = LocalTime(iso: text) {
            var stamp = LocalTimestamp(iso: "\(now.localDate)T\(time):00\(offsetText(now.utcOffsetSeconds))")!
            // A time later than now means yesterday's.
            if stamp.instant > now.instant { stamp = LocalTimestamp(instant: stamp.instant - 86_400_000, zoneOffsetSeconds: stamp.utcOffsetSeconds) }
            return stamp
        }
        throw CLIError.input("--at \"\(text)\" is not a time; accepted: now, HH:MM today, or ISO 8601 such as 2026-11-26T07:30+01:00")
    }

    static func offsetText(_ seconds: Int) -> String {
        let minutes = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + "\(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
    }

    /// Applies the flags that were given to an episode.
    func apply(to episode: inout Episode, now: LocalTimestamp) throws(CLIError) {
        if !muscles.isEmpty {
            var list: [Muscle] = []
            for text in muscles { list.append(try Self.code(text, "muscle", Muscle.self)) }
            episode.muscles = Array(CodeSet(list))
        }
        if let duration { episode.durationSeconds = try Self.seconds(duration) }
        if let severity { episode.severity = severity }
        if let side { episode.side = try Self.code(side, "side", Side.self) }
        if let onset { episode.onset = try Self.code(onset, "onset", Onset.self) }
        if !findings.isEmpty {
            var list: [Finding] = []
            for text in findings { list.append(try Self.code(text, "finding", Finding.self)) }
            episode.findings = Array(CodeSet(list))
        }
        if !reliefs.isEmpty {
            var list: [ReliefTried] = []
            for (index, text) in reliefs.enumerated() {
                do throws(JournalError) {
                    list.append(try JournalCSV.relief(text, field: "--relief"))
                } catch {
                    throw CLIError.input("--relief \(index + 1): \(error.problem)")
                }
            }
            episode.reliefs = list
        }
        if let note { episode.note = note.isEmpty ? nil : note }
        if let startedAt { episode.startedAt = try Self.start(startedAt, now: now) }
    }
}

struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log a cramp in your journal; it is then checked for red flags at once.",
        discussion: """
            In a terminal with no flags, asks the questions. Otherwise: --muscle and --duration are \
            needed, for example: crampcare log --muscle calf --duration 2m --severity 6 --relief stretch:helped. \
            With --ndjson, reads episodes as JSON lines (the backup's episode fields) from stdin and \
            prints {"line":N,"id":…} for each once it is safely written.
            """
    )

    @OptionGroup var journal: JournalOptions
    @OptionGroup var fields: EpisodeFlags

    @Flag(help: "Read episodes as JSON lines from stdin; acknowledge each once written.")
    var ndjson = false

    @Flag(help: "Print the logged episode and its assessment as JSON.")
    var json = false

    @Flag(help: "Do not run the assessment after logging.")
    var noAssess = false

    func run() async throws {
        try await withJournal(journal) { opened in
            let knowledge = opened.knowledge
            if ndjson {
                try await streamEpisodes(opened)
                return
            }
            let now = opened.clock.now()
            var episode = opened.app.records.episode(startedAt: now, durationSeconds: 60, muscles: [], now: now.instant)
            if fields.isEmpty, Console.stdinIsTerminal {
                var interview = Interview(
                    knowledge: knowledge, assessor: opened.app.assessor,
                    numbers: knowledge.emergencyNumbers(region: nil), style: Style(enabled: Console.colourEnabled))
                try interview.askEpisode(into: &episode, now: now)
            } else {
                guard !fields.muscles.isEmpty else { throw CLIError.input("--muscle is needed: quadriceps, hamstrings, calf or unsure") }
                guard fields.duration != nil else { throw CLIError.input("--duration is needed, such as 90s, 2m or 1.5h") }
                try fields.apply(to: &episode, now: now)
                if fields.startedAt == nil {
                    // Logged after it happened: it started the duration ago.
                    episode.startedAt = LocalTimestamp(
                        instant: now.instant - Int64(episode.durationSeconds) * 1000, zoneOffsetSeconds: now.utcOffsetSeconds)
                }
            }
            let logged = try await opened.app.log(episode, owner: owner, check: !noAssess)
            if let check = logged.check { warnIfNotKept(check) }
            let result = logged.check?.result
            if json {
                var w = JSONWriter()
                w.beginObject()
                w.key("episode"); w.raw(JournalBackup.episodeJSON(episode))
                if let result { w.key("assessment"); w.raw(opened.app.resultEncoder.encode(result)) }
                w.endObject()
                Console.write(w.bytes + [0x0A])
            } else {
                Console.print("Logged \(episode.id) (\(describe(episode, knowledge: knowledge))).")
                if let check = logged.check { printAssessmentSummary(check, app: opened.app) }
            }
        }
    }

    /// One episode per JSON line in; each acknowledged on stdout only after its transaction commits.
    private func streamEpisodes(_ opened: OpenJournal) async throws {
        var failures = 0
        var lines = NDJSONLines(fd: 0)
        while let next = try lines.next() {
            guard case .text(let line, let number) = next else {
                failures += 1
                if case .tooLong(let number) = next { Console.write(NDJSONLines.tooLongError(line: number)) }
                continue
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let episode = try JournalBackup.episode(fromJSON: Array(line), now: opened.clock.source.millisecondsNow())
                _ = try await opened.app.log(episode, owner: owner, check: false)
                Console.print("{\"line\":\(number),\"id\":\"\(episode.id)\"}")
            } catch let error as JournalError {
                failures += 1
                Console.write(ndjsonError(line: number, field: error.field, message: error.description))
            }
        }
        if failures > 0 {
            throw CLIError.input("\(failures) line\(failures == 1 ? "" : "s") could not be logged (see the error objects)")
        }
    }
}

/// A one-line description of an episode for people.
func describe(_ episode: Episode, knowledge: KnowledgeBase) -> String {
    let muscles = episode.muscles.map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: " and ")
    var parts = ["\(muscles), \(durationText(episode.durationSeconds))"]
    if let severity = episode.severity { parts.append("severity \(severity)/10") }
    parts.append("started \(episode.startedAt)")
    return parts.joined(separator: ", ")
}

func durationText(_ seconds: Int) -> String {
    if seconds < 90 { return "\(seconds) s" }
    if seconds < 5400 { return "\((seconds + 30) / 60) min" }
    return String(format1(Double(seconds) / 3600)) + " h"
}

func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
}

/// The log's check could not be kept: the advice stands, with a warning (H21); and a check made
/// without a year of birth says it assumed an adult.
func warnIfNotKept(_ check: EpisodeCheck) {
    if let failure = check.assessment.keeping.failure {
        Console.error("crampcare: the check was not kept in the journal: \(failure)")
    }
    if !check.ageKnown {
        Console.error(
            "crampcare: your year of birth is not in your profile, so this check assumed an adult; set it with: crampcare profile --birth-year YYYY")
    }
}

/// The banner and any red flags, at once, after logging.
func printAssessmentSummary(_ check: EpisodeCheck, app: CrampCareApp) {
    let result = check.result
    let (title, action) = TriageWords.banner(result.triage, numbers: app.numbers(region: check.region))
    let style = Style(enabled: Console.colourEnabled)
    Console.print("")
    Console.print(style.bold(title))
    Console.print(wrap(action, width: Console.width))
    for hit in result.redFlags {
        Console.print(wrap("\(hit.rule.title): \(hit.rule.advice)", width: Console.width, indent: "  ", firstIndent: "- "))
    }
    Console.print("Get help if:")
    for item in result.safetyNet { Console.print(wrap(item.advice, width: Console.width, indent: "  ", firstIndent: "- ")) }
    if result.triage <= .soon {
        Console.print("For relief steps and what may be behind it: crampcare learn relief, or crampcare assess.")
    }
}

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
            Console.print("  lasted    \(durationText(episode.durationSeconds))")
            Console.print("  muscles   \(episode.muscles.map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: ", "))")
            if let side = episode.side { Console.print("  side      \(side.rawValue)") }
            if let severity = episode.severity { Console.print("  severity  \(severity)/10") }
            if let onset = episode.onset { Console.print("  onset     \(knowledge.onsetLabels[onset] ?? onset.rawValue)") }
            if !episode.findings.isEmpty {
                Console.print("  noticed   \(episode.findings.map { knowledge.findings[$0]?.label ?? $0.rawValue }.joined(separator: "; "))")
            }
            for relief in episode.reliefs {
                let eased = relief.secondsToEase.map { ", eased after \(durationText($0))" } ?? ""
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
            try fields.apply(to: &episode, now: opened.clock.now())
            episode = try await opened.app.update(episode, owner: owner)
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

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List logged episodes, newest first, with filters.")

    @OptionGroup var journal: JournalOptions
    @Option(help: "From this date (YYYY-MM-DD), inclusive.")
    var from: String?
    @Option(help: "To this date (YYYY-MM-DD), inclusive.")
    var to: String?
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
            (filter.from, filter.before) = opened.clock.instants(
                from: try from.map { try day($0, "from") }, through: try to.map { try day($0, "to") })
            for text in muscles { filter.muscles.append(try EpisodeFlags.code(text, "muscle", Muscle.self)) }
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
                    Console.print(wrap("NOTE: \(item.notice)", width: Console.width) + "\n")
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
            guard !episodes.isEmpty else {
                Console.print("No episodes match. Log one with: crampcare log")
                return
            }
            let rows = episodes.map { episode in
                [
                    String(episode.id.description.prefix(8)), "\(episode.startedAt.localDate) \(clock(episode.startedAt))",
                    durationText(episode.durationSeconds), episode.muscles.map(\.rawValue).joined(separator: "+"),
                    episode.side?.rawValue ?? "", episode.severity.map { "\($0)" } ?? "",
                    episode.reliefs.map { "\($0.technique.rawValue):\($0.outcome.rawValue)" }.joined(separator: " "),
                ]
            }
            printTable(["id", "started", "lasted", "muscles", "side", "severity", "relief"], rows)
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
