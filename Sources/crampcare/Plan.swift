import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Your prevention plan: stretches, strengthening, habits and reminders, each with why it is in your plan.",
        usage: "crampcare plan [--ics <file>] [--json] [options]",
        discussion: "Built from your profile, the factors your assessments found and your diary's possible triggers. "
            + "--ics writes the routines as calendar events with reminders (at your profile's reminder times and time zone).")

    @OptionGroup var journal: JournalOptions
    @Flag(help: "Print JSON.")
    var json = false
    @Option(help: ArgumentHelp("Also write the reminders as an iCalendar file (RFC 5545).", valueName: "file"))
    var ics: String?
    @Option(help: ArgumentHelp("The plan's first day (YYYY-MM-DD). Default: tomorrow.", valueName: "date"))
    var start: String?
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Plan as of this day (YYYY-MM-DD). Default: today.", valueName: "date"))
    var asOf: String?

    func run() async throws {
        try await withJournal(journal) { opened in
            let knowledge = opened.knowledge
            let asOf = try asOfDay(asOf)
            var first: LocalDate?
            if let start {
                guard let date = LocalDate(iso: start) else { throw CLIError.input("--start \"\(start)\" is not a date; accepted: YYYY-MM-DD") }
                first = date
            }
            let view = try await opened.app.plan(owner: owner, asOf: asOf)
            let plan = view.plan
            let zone = view.zoneName
            let times = view.reminderTimes
            if let ics {
                let text = opened.app.planCalendar(view, start: first)
                try writeAtomically(Array(text.utf8), to: ics)
                Console.error("Wrote \(plan.items.filter { $0.item.reminder != nil }.count) reminders to \(ics) (time zone \(zone)).")
            }
            if json {
                Console.write(PlanJSON.encode(plan, reminderTimes: times, zone: zone, knowledge: knowledge) + [0x0A])
            } else {
                let text = PlanText(view: view, knowledge: knowledge, style: Style(enabled: Console.colourEnabled), width: Console.width)
                let rendered = text.render()
                Console.page(rendered.text, kept: rendered.kept)
            }
        }
    }
}

/// The plan for a terminal: what to see first, this week, then how to do each part.
struct PlanText {
    let view: PlanView
    let knowledge: KnowledgeBase
    let style: Style
    let width: Int

    var plan: PersonalPlan { view.plan }

    func due(_ list: [PlanCalendar.Due]) -> [String] {
        list.map { "  \($0.time)  \($0.title) (\($0.index + 1)), \($0.minutes) min" }
    }

    /// The text, and how many of its first lines the pager must show whole (what to see first).
    func render() -> (text: String, kept: Int) {
        var lines: [String] = [style.bold("Your prevention plan")]
        if let first = plan.seeFirstWords {
            lines += ["", style.bold("First: ") + first]
        }
        if let unanswered = view.unansweredWords {
            lines += ["", style.bold("First: ") + unanswered + " Run: crampcare show \(view.unanswered[0].id)"]
        }
        if plan.olderAdult {
            lines += ["", "At 65 and over the plan gives gentler versions. Build up slowly, with a physiotherapist if you can."]
        }
        // What to see first is never paged away; the week follows on the first screen.
        let kept = Console.lineCount(lines.joined(separator: "\n"), width: width)
        let week = view.week
        lines += ["", style.bold("THIS WEEK")]
        if week.isEmpty {
            lines.append("Nothing in your plan has a set time. The parts below are for every day.")
        } else {
            if !week.everyDay.isEmpty { lines += ["Every day:"] + due(week.everyDay) }
            for (offset, day) in week.days.enumerated() where !day.due.isEmpty {
                lines += ["\(week.label(offset)):"] + due(day.due)
            }
            if view.reminderTimes.isEmpty {
                lines.append(style.dim("Times are defaults: set yours with crampcare profile --reminder 07:30 --reminder 21:00."))
            }
        }
        lines += ["", style.bold("HOW TO DO EACH ONE")]
        for (number, item) in plan.items.enumerated() {
            lines.append("")
            lines.append(style.bold("\(number + 1). \(item.title)"))
            lines.append("   " + item.reason)
            for step in item.steps where !step.isEmpty { lines.append("   - " + step) }
            if let sets = item.sets, !sets.isEmpty { lines.append("   Sets: \(sets)") }
            if let progression = item.progression, !progression.isEmpty { lines.append("   Each week: \(progression)") }
            for caution in item.cautions where !caution.isEmpty { lines.append("   Caution: \(caution)") }
            if let reminder = item.item.reminder {
                lines.append(style.dim("   Reminder: " + PlanCalendar.describe(reminder, reminderTimes: view.reminderTimes)))
            }
            lines.append(style.dim("   Sources: " + item.item.sources.map { knowledge.sources[$0]?.publisher ?? $0 }.joined(separator: ", ")))
        }
        if !plan.leftOut.isEmpty {
            lines += ["", "Left out for now: " + plan.leftOut.map { "\($0.item.title) (\($0.reason))" }.joined(separator: "; ") + "."]
        }
        lines += ["", style.dim(knowledge.disclaimer)]
        return (lines.joined(separator: "\n"), kept)
    }
}
