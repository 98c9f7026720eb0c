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
        if let startedAt { episode.startedAt = try Self.start(startedAt, now: now) }
    }
}
