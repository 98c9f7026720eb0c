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
                Console.print(
                    PlanText(
                        plan: plan, reminderTimes: times, knowledge: knowledge, style: Style(enabled: Console.colourEnabled), width: Console.width
                    ).render())
            }
        }
    }
}

struct PlanText {
    let plan: PersonalPlan
    let reminderTimes: [LocalTime]
    let knowledge: KnowledgeBase
    let style: Style
    let width: Int

    func render() -> String {
        var lines: [String] = [style.bold("Your prevention plan")]
        if !plan.seeFirst.isEmpty {
            lines.append("")
            lines.append(
                wrap(
                    style.bold("First: ")
                        + "your last check found \(plan.seeFirst.joined(separator: "; ")). Get that seen before you start new exercise.",
                    width: width))
        }
        if plan.olderAdult {
            lines.append("")
            lines.append(wrap("At 65 and over the plan gives gentler versions. Build up slowly, with a physiotherapist if you can.", width: width))
        }
        for (number, item) in plan.items.enumerated() {
            lines.append("")
            lines.append(style.bold("\(number + 1). \(item.title)"))
            lines.append(wrap(item.reason, width: width, indent: "   ", firstIndent: "   "))
            for step in item.steps { lines.append(wrap(step, width: width, indent: "     ", firstIndent: "   - ")) }
            if let sets = item.sets { lines.append("   Sets: \(sets)") }
            if let progression = item.progression { lines.append(wrap("Each week: \(progression)", width: width, indent: "   ", firstIndent: "   ")) }
            for caution in item.cautions { lines.append(wrap("Caution: \(caution)", width: width, indent: "   ", firstIndent: "   ")) }
            if let reminder = item.item.reminder {
                lines.append(style.dim("   Reminder: " + PlanCalendar.describe(reminder, reminderTimes: reminderTimes)))
            }
            lines.append(
                style.dim(
                    wrap(
                        "Sources: " + item.item.sources.map { knowledge.sources[$0]?.publisher ?? $0 }.joined(separator: ", "), width: width,
                        indent: "   ", firstIndent: "   ")))
        }
        if !plan.leftOut.isEmpty {
            lines.append("")
            lines.append(
                wrap("Left out for now: " + plan.leftOut.map { "\($0.item.title) (\($0.reason))" }.joined(separator: "; ") + ".", width: width))
        }
        lines.append("")
        lines.append(style.dim(wrap(knowledge.disclaimer, width: width)))
        return lines.joined(separator: "\n")
    }
}
