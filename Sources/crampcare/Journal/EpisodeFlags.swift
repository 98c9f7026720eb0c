import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage

/// The fields of an episode as flags, shared by `log` and `edit`.
struct EpisodeFlags: ParsableArguments {
    @Option(
        name: .customLong(JournalField.muscles.flag),
        help:
            "A muscle that cramped: calf, hamstrings (back of thigh), quadriceps (front of thigh) or unsure; everyday words such as calves work (repeat for more)."
    )
    var muscles: [String] = []

    @Option(name: .customLong(JournalField.durationSeconds.flag), help: "How long it lasted: 90s, \"2 minutes\", 1.5h, 2:30, or a number of seconds.")
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
        help:
            "When it started: 3am, 23:30 or \"yesterday 23:30\" (the most recent such time in your time zone), 2026-11-26 07:30, ISO 8601, or now. Default: now less the duration."
    )
    var startedAt: String?

    /// The details given, by the detail each flag sets.
    var details: [EpisodeDetail: Int] { [.severity: severity].compactMapValues { $0 } }

    var isEmpty: Bool {
        muscles.isEmpty && duration == nil && details.isEmpty && side == nil && onset == nil && findings.isEmpty && reliefs.isEmpty
            && note == nil && startedAt == nil
    }

    static func code<Code: CodeList>(_ text: String, _ flag: String, _: Code.Type) throws(CLIError) -> Code {
        guard let code = Code.table.code(text.lowercased()) else {
            throw CLIError.input("--\(flag) \"\(text)\" is not accepted; accepted: \(Code.table.accepted)")
        }
        return code
    }

    static func seconds(_ text: String) throws(CLIError) -> Int {
        guard let seconds = EverydayInput.durationSeconds(text, bareUnit: .seconds) else {
            throw CLIError.input(
                "--duration \"\(text)\" is not a duration; accepted: from 1 second to 7 days, such as 90s, \"2 minutes\", 1.5h or 2:30")
        }
        return seconds
    }

    /// Muscles from `--muscle` words; a word that could be two muscles is refused naming them
    /// (the questions in a terminal ask instead).
    static func muscles(_ texts: [String]) throws(CLIError) -> [Muscle] {
        var list: [Muscle] = []
        for text in texts {
            switch EverydayInput.muscles(text) {
            case .muscles(let found) where !found.isEmpty: list += found
            case .ambiguous(let word, let choices):
                throw CLIError.input(
                    "--muscle \"\(word)\" could be \(choices.map(\.rawValue).joined(separator: " or ")); say which, such as --muscle \(choices[0].rawValue)"
                )
            default:
                throw CLIError.input(
                    "--muscle \"\(text)\" is not a muscle; accepted: calf, hamstrings (back of thigh), quadriceps (front of thigh), unsure")
            }
        }
        return Array(CodeSet(list))
    }

    /// A start time from `--at`, in the person's zone: an everyday time ("3am", "yesterday
    /// 23:30"), a local date and time, ISO 8601 with an offset, or now.
    static func start(_ text: String, clock: PersonClock) throws(CLIError) -> LocalTimestamp {
        guard let stamp = clock.startTime(text) else {
            throw CLIError.input(
                "--at \"\(text)\" is not a time it could have started; accepted: now, 3am, 23:30, \"yesterday 23:30\", 2026-11-26 07:30, or ISO 8601 such as 2026-11-26T07:30+01:00, not later than now"
            )
        }
        return stamp
    }

    /// Applies the flags that were given to an episode.
    func apply(to episode: inout Episode, clock: PersonClock) throws(CLIError) {
        if !muscles.isEmpty { episode.muscles = try Self.muscles(muscles) }
        if let duration {
            episode.durationSeconds = try Self.seconds(duration)
            // A time given replaces the range chosen before.
            episode.durationRange = nil
        }
        for (detail, value) in details { detail.set(value, in: &episode) }
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
        if let startedAt { episode.startedAt = try Self.start(startedAt, clock: clock) }
    }
}
