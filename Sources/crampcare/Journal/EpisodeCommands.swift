import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage

/// `log`: a cramp logged, then checked at once.
struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log a cramp in your journal; it is then checked for red flags at once.",
        usage: "crampcare log [--muscle <muscle>] [--duration <duration>] [options]",
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
                try interview.askEpisode(into: &episode, clock: opened.clock)
            } else {
                guard !fields.muscles.isEmpty else { throw CLIError.input("--muscle is needed: calf, hamstrings, quadriceps or unsure") }
                guard fields.duration != nil else { throw CLIError.input("--duration is needed, such as 90s, \"2 minutes\" or 1.5h") }
                try fields.apply(to: &episode, clock: opened.clock)
                if fields.startedAt == nil {
                    // Logged after it happened: it started the duration ago.
                    episode.startedAt = LocalTimestamp(
                        instant: now.instant - Int64(episode.durationSeconds) * 1000, zoneOffsetSeconds: now.utcOffsetSeconds)
                }
            }
            let logged = try await flagged { try await opened.app.log(episode, owner: owner, check: !noAssess) }
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
    var parts = ["\(muscles), \(episode.lasted)"]
    for detail in EpisodeDetail.all {
        if let value = detail.value(in: episode) { parts.append("\(detail.heading.lowercased()) \(detail.reading(value))") }
    }
    parts.append("started \(episode.startedAt)")
    return parts.joined(separator: ", ")
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
