import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampJournal
import CrampKnowledge
import CrampStorage
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A guided relief session: the stretch for the muscle that cramped, held with a live countdown,
/// then the other relief that suits the person and what to avoid; at the end it logs the cramp
/// and whether it helped. Over a pipe it prints one line per step instead of animating.
struct Relieve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A guided relief session for a cramp happening now: timed stretches, then what else helps.",
        usage: "crampcare relieve [--muscle <muscle>] [--no-log] [options]",
        discussion: "Ctrl-C stops at any point. At the end it asks whether it helped and logs the cramp (unless --no-log).")

    @OptionGroup var journal: JournalOptions
    @Option(help: "The muscle that cramped: calf, hamstrings or quadriceps. Asked when not given.")
    var muscle: String?
    @Flag(help: "Do not log the cramp in the journal afterwards.")
    var noLog = false
    /// For tests and demonstrations: 0.1 runs every timer ten times faster.
    @Option(name: .customLong("time-scale"), help: .hidden)
    var timeScale: Double = 1

    func run() async throws {
        let knowledge = try loadKnowledge()
        guard timeScale > 0, timeScale <= 1 else {
            Console.error("crampcare: --time-scale \(timeScale) is out of range; accepted: more than 0, up to 1")
            throw ExitCode(2)
        }
        try await withJournal(journal) { opened in
            let interactive = Console.stdoutIsTerminal
            let session = ReliefSessionView(
                style: Style(enabled: Console.colourEnabled && interactive), interactive: interactive,
                width: Console.width, timeScale: timeScale)
            let chosen =
                try muscle.map { text throws(CLIError) -> Muscle in
                    let found = try EpisodeFlags.muscles([text])
                    guard found.count == 1, CrampCareApp.reliefMuscles.contains(found[0]) else {
                        throw CLIError.input("--muscle \"\(text)\" is not one of: calf, hamstrings (back of thigh), quadriceps (front of thigh)")
                    }
                    return found[0]
                } ?? session.askMuscle(knowledge: knowledge)
            let relief = try await opened.app.startRelief(muscle: chosen, owner: owner)
            guard try await session.run(relief, knowledge: knowledge) else {
                Console.print("\nStopped. Nothing was logged.")
                throw ExitCode(130)
            }
            guard !noLog else { return }
            let outcome = try session.askOutcome()
            let logged = try await opened.app.logRelief(muscle: chosen, outcome: outcome, startedAt: relief.startedAt.instant, owner: owner)
            Console.print(
                "Logged this cramp (\(knowledge.muscleLabels[chosen] ?? chosen.rawValue), stretch \(outcome.rawValue)) as \(logged.episode.id).")
            if let check = logged.check {
                warnIfNotKept(check)
                if check.result.triage > .selfCare { printAssessmentSummary(check, app: opened.app) }
            }
        }
    }
}

/// Ctrl-C during a session: noticed at the next tick, so the terminal is left tidy.
final class Interruption: Sendable {
    static let shared = Interruption()
    private let flag = Atomic<Bool>(false)
    private let holder = SourceHolder()

    /// Keeps the signal source alive; set once, before any Ctrl-C can arrive.
    private final class SourceHolder: @unchecked Sendable {
        var source: (any DispatchSourceSignal)?
    }

    var happened: Bool { flag.load(ordering: .relaxed) }

    func watch() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in flag.store(true, ordering: .relaxed) }
        source.resume()
        holder.source = source
    }
}

/// The session in a terminal: the steps with a live countdown, or one line per step over a pipe.
struct ReliefSessionView {
    let style: Style
    let interactive: Bool
    let width: Int
    let timeScale: Double

    /// Redraws per second while counting down: smooth enough to read, cheap enough to idle.
    static let ticksPerSecond = 4

    func askMuscle(knowledge: KnowledgeBase) throws(CLIError) -> Muscle {
        // The same numbers as every other list of muscles (1 is the calf).
        let choices = CrampCareApp.reliefMuscles
        Console.print("Which muscle is cramping?")
        for (index, muscle) in choices.enumerated() { Console.print("  \(index + 1). \(knowledge.muscleLabels[muscle] ?? muscle.rawValue)") }
        while true {
            guard let line = prompt("Number or name: ") else { throw CLIError.input("no muscle given; use --muscle calf, hamstrings or quadriceps") }
            switch EverydayInput.muscles(line, numbered: choices) {
            case .muscles(let found) where found.count == 1 && choices.contains(found[0]): return found[0]
            case .ambiguous(let word, let could):
                Console.print(
                    "\"\(word)\" could be \(could.filter(choices.contains).map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: " or "))."
                )
            default: break
            }
            Console.print("Please answer 1, 2 or 3 (or calf, back of thigh, front of thigh).")
        }
    }

    func askOutcome() throws(CLIError) -> ReliefTried.Outcome {
        while true {
            guard let line = prompt("Did it help? (y)es, (p)artly or (n)o: ") else {
                throw CLIError.input("no answer to \"Did it help?\"; accepted: yes, partly, no (or use --no-log)")
            }
            switch line.trimmingCharacters(in: .whitespaces).lowercased() {
            case "y", "yes": return .helped
            case "p", "partly": return .partly
            case "n", "no": return .no
            default: Console.print("Please answer y, p or n.")
            }
        }
    }

    func prompt(_ text: String) -> String? {
        Console.write(Array(text.utf8))
        return readLine()
    }

    /// The whole session; false when stopped with Ctrl-C.
    func run(_ session: ReliefSession, knowledge: KnowledgeBase) async throws -> Bool {
        let muscle = session.muscle
        Interruption.shared.watch()
        defer { if interactive { Console.write(Array("\u{1B}[?25h".utf8)) } }
        let label = knowledge.muscleLabels[muscle] ?? muscle.rawValue
        Console.print(style.bold("Relief for a cramp in the \(label.lowercased())") + " · Ctrl-C stops at any time")
        let items = session.steps
        guard !items.isEmpty else {
            Console.print(wrap("Nothing here suits what you have told CrampCare. Run crampcare assess for advice.", width: width))
            return true
        }
        for advice in items {
            let item = advice.item
            Console.print("")
            Console.print(style.bold(item.title))
            if !item.drawing.isEmpty { for line in item.drawing { Console.print("    " + line) } }
            for step in item.steps { Console.print(wrap(step, width: width, indent: "    ", firstIndent: "  - ")) }
            for caution in advice.cautions { Console.print(wrap("Caution: \(caution)", width: width, indent: "    ", firstIndent: "  ")) }
            if let hold = item.holdSeconds {
                let repeats = item.repeats ?? 1
                for round in 1...repeats {
                    guard try await countdown("Hold \(round) of \(repeats)", seconds: hold) else { return false }
                    if round < repeats {
                        guard try await countdown("Rest", seconds: CrampCareApp.reliefRestSeconds) else { return false }
                    }
                }
            }
            if Interruption.shared.happened { return false }
        }
        Console.print("")
        Console.print(style.bold("What to avoid"))
        for caution in knowledge.reliefCautions {
            let text = caution.title == "What to avoid" ? caution.text : "\(caution.title): \(caution.text)"
            Console.print(wrap(text, width: width, indent: "    ", firstIndent: "  - "))
        }
        Console.print(
            style.dim(
                wrap(
                    "If the cramp does not ease within 10 minutes, or the calf is swollen, warm or red, run crampcare assess. "
                        + knowledge.disclaimer, width: width)))
        return !Interruption.shared.happened
    }

    /// Counts down `seconds`, redrawing one line in place on a terminal; over a pipe it prints a
    /// line at the start and one at the end. False when interrupted.
    func countdown(_ label: String, seconds: Int) async throws -> Bool {
        let clock = ContinuousClock()
        let total = Duration.milliseconds(Int64(Double(seconds) * 1000 * timeScale))
        let start = clock.now
        if !interactive {
            Console.print("\(label): \(seconds) seconds")
        } else {
            Console.write(Array("\u{1B}[?25l".utf8))
        }
        var tick = 0
        while true {
            if Interruption.shared.happened {
                if interactive { Console.write(Array("\r\u{1B}[K".utf8)) }
                return false
            }
            let elapsed = clock.now - start
            if elapsed >= total { break }
            if interactive {
                let fraction = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let totalSeconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
                let left = Int((Double(seconds) * (1 - fraction / totalSeconds)).rounded(.up))
                Console.write(Array(line(label, done: fraction / totalSeconds, left: left).utf8))
            }
            tick += 1
            // Sleep to the next tick on the clock, so drawing time does not drift the count.
            let next = start + .milliseconds(Int64(1000 * timeScale) * Int64(tick) / Int64(Self.ticksPerSecond))
            try await Task.sleep(until: min(next, start + total), clock: clock)
        }
        if interactive {
            Console.write(Array(("\r\u{1B}[K" + "  \(label): done\n").utf8))
        } else {
            Console.print("\(label): done")
        }
        return true
    }

    /// `  Hold 1 of 3  [██████████░░░░░░░░░░]  12 s`, drawn over itself.
    func line(_ label: String, done: Double, left: Int) -> String {
        let barWidth = max(10, min(30, width - label.count - 16))
        let filled = min(barWidth, max(0, Int((done * Double(barWidth)).rounded(.down))))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        return "\r  \(label)  [\(bar)]  \(left) s\u{1B}[K"
    }
}
