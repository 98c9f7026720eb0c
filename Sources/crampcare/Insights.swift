import ArgumentParser
import CrampApplication
import CrampInsights
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation

/// The day `--as-of` gives; nil for today where the person is.
func asOfDay(_ text: String?) throws(CLIError) -> LocalDate? {
    guard let text else { return nil }
    guard let date = LocalDate(iso: text) else { throw CLIError.input("--as-of \"\(text)\" is not a date; accepted: YYYY-MM-DD") }
    return date
}

struct InsightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights",
        abstract: "Trends, possible triggers, what relief works and patterns that mean \"see a doctor\", from your journal.")

    @OptionGroup var journal: JournalOptions
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Compute as of this day (YYYY-MM-DD). Default: today.", valueName: "date"))
    var asOf: String?
    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await withJournal(journal) { opened in
            let knowledge = opened.knowledge
            let insights = try await opened.app.insights(owner: owner, asOf: try asOfDay(asOf)).insights
            if json {
                Console.write(insights.json(knowledge: knowledge) + [0x0A])
            } else {
                Console.print(
                    InsightsText(insights: insights, knowledge: knowledge, style: Style(enabled: Console.colourEnabled), width: Console.width)
                        .render())
            }
        }
    }
}

/// The insights for a terminal: headings, a sparkline and aligned tables.
struct InsightsText {
    let insights: Insights
    let knowledge: KnowledgeBase
    let style: Style
    let width: Int

    func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ["  " + style.bold(line(header))] + rows.map { "  " + line($0) }
    }

    func render() -> String {
        var lines = [style.bold("Insights") + " for \(insights.covered): \(insights.episodeCount) episodes, \(insights.dayLogCount) day logs."]
        for (title, section) in [
            ("See a doctor", patternLines()), ("Trend", trendLines()), ("Possible triggers", triggerLines()), ("What relief works", reliefLines()),
        ] {
            lines += ["", style.bold(title.uppercased())] + section
        }
        lines.append("")
        lines.append(style.dim(wrap(knowledge.disclaimer, width: width)))
        return lines.joined(separator: "\n")
    }

    /// A paragraph wrapped to the terminal.
    func add(to lines: inout [String], _ text: String) { lines.append(wrap(text, width: width)) }

    /// The diary patterns that call for a check.
    func patternLines() -> [String] {
        var lines: [String] = []
        if insights.patterns.isEmpty {
            add(to: &lines, "None of the diary patterns that call for a check were found.")
        } else {
            for found in insights.patterns {
                lines.append(
                    wrap(
                        "\(found.pattern.level == .urgent ? "URGENT" : "SOON"): \(found.pattern.title). \(found.evidence).", width: width,
                        indent: "  ", firstIndent: "- "))
                lines.append(wrap(found.pattern.advice, width: width, indent: "  ", firstIndent: "  "))
            }
        }

        return lines
    }

    /// The weekly counts, the recent rate and the 28-day periods.
    func trendLines() -> [String] {
        var lines: [String] = []
        let weeks = insights.trends.weeklyCounts.suffix(26)
        if weeks.isEmpty {
            add(to: &lines, "No whole week logged yet.")
        } else {
            lines.append("  Episodes per week, last \(weeks.count): \(Charts.sparkline(weeks.map(\.count))) (most \(weeks.map(\.count).max() ?? 0))")
        }
        if let recent = insights.trends.recent {
            if let ratio = recent.ratio {
                add(
                    to: &lines,
                    "Last 4 weeks: \(recent.episodes) episodes, against \(recent.referenceEpisodes) in the 8 weeks before: \(Format.ratio(ratio.value)) times the rate "
                        + "(95% interval \(Format.ratio(ratio.lower)) to \(Format.ratio(ratio.upper))).")
            } else {
                add(to: &lines, "No episodes in the last 12 weeks.")
            }
        } else {
            add(to: &lines, "The journal covers less than 12 weeks, so the recent rate is not compared yet.")
        }
        if let change = insights.trends.medicationChange, let ratio = change.ratio, let date = insights.trends.medicationChangeDate {
            add(
                to: &lines,
                "Since the medicine change on \(date): \(Format.ratio(ratio.value)) times the rate before (\(Format.ratio(ratio.lower)) to \(Format.ratio(ratio.upper)))."
            )
        }
        let periods = insights.trends.periods.suffix(6)
        if !periods.isEmpty {
            lines += table(
                ["28 days to", "episodes", "95% interval", "median length", "median severity", "at night"],
                periods.map { period in
                    [
                        period.last.description, String(period.episodes),
                        "\(Format.decimal(period.interval.lower, places: 1))–\(Format.decimal(period.interval.upper, places: 1))",
                        Format.minutes(period.medianDurationSeconds), period.medianSeverity.map { Format.decimal($0, places: 1) } ?? "—",
                        Format.percent(period.nightShare),
                    ]
                })
        }

        return lines
    }

    /// The possible triggers, at the tier the diary allows.
    func triggerLines() -> [String] {
        var lines: [String] = []
        let analysis = insights.triggers
        switch analysis.tier {
        case .notEnoughData:
            add(to: &lines, "Not enough data yet: \(analysis.needed ?? ""). (\(analysis.days) logged days, \(analysis.crampDays) with a cramp.)")
        case .descriptive, .inferential:
            if analysis.tier == .descriptive {
                add(
                    to: &lines,
                    "Early signals only, from \(analysis.days) logged days (\(analysis.crampDays) with a cramp). Needs \(analysis.needed ?? "").")
            } else {
                add(to: &lines, "From \(analysis.days) logged days, \(analysis.crampDays) with a cramp.")
            }
            lines += table(
                ["exposure", "days with/without", "cramp days with/without", "relative risk (95%)", "q", "evidence"],
                analysis.findings.map { finding in
                    [
                        finding.exposure.label, "\(finding.daysWith)/\(finding.daysWithout)",
                        "\(Format.percent(finding.rateWith))/\(Format.percent(finding.rateWithout))",
                        finding.relativeRisk.map(Format.ratioInterval) ?? "—",
                        Format.pValue(finding.q), finding.verdict.words + (finding.missing.map { ": \($0)" } ?? ""),
                    ]
                })
            add(to: &lines, "A possible trigger is a pattern in your diary, not a proven cause.")
        }

        return lines
    }

    /// What relief works, and how long cramps last with nothing tried.
    func reliefLines() -> [String] {
        var lines: [String] = []
        if insights.relief.isEmpty {
            add(to: &lines, "No relief logged yet.")
        } else {
            lines += table(
                ["technique", "uses", "helped", "95% interval", "median length"],
                insights.relief.map { effect in
                    [
                        effect.technique.rawValue, String(effect.uses), "\(effect.helped) (\(effect.partly) partly)",
                        effect.interval.map(Format.percentInterval) ?? "after \(ReliefEffect.minimumUses) uses",
                        Format.minutes(effect.medianDurationSeconds),
                    ]
                })
        }
        add(to: &lines, "With nothing tried: \(insights.untreatedCount) episodes, median length \(Format.minutes(insights.untreatedMedianSeconds)).")
        return lines
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A printable report of your journal for a clinician (HTML, or PDF through Chromium).",
        usage: "crampcare report --out <file> [--pdf] [--as-of <date>] [options]")

    @OptionGroup var journal: JournalOptions
    @Option(help: ArgumentHelp("The file to write.", valueName: "file"))
    var out: String
    @Flag(help: "Write a PDF, printed by headless Chromium (chromium must be installed).")
    var pdf = false
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Report as of this day (YYYY-MM-DD). Default: today.", valueName: "date"))
    var asOf: String?

    func run() async throws {
        try await withJournal(journal) { opened in
            let asOf = try asOfDay(asOf)
            let browser = pdf ? try Self.chromium() : nil
            let view = try await opened.app.insights(owner: owner, asOf: asOf)
            let insights = view.insights
            let document = ClinicianReport(contents: view.contents, insights: insights, knowledge: opened.knowledge).document()
            if let browser {
                try Self.printPDF(document, browser: browser, to: out)
            } else {
                try writeAtomically(Array(document.utf8), to: out)
            }
            Console.error("Wrote the report for \(insights.covered) to \(out).")
        }
    }

    static func chromium() throws(CLIError) -> String {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in Settings().path.split(separator: ":") where access("\(folder)/\(name)", X_OK) == 0 {
                return "\(folder)/\(name)"
            }
        }
        throw CLIError.unavailable(
            "--pdf needs Chromium, and none was found on PATH (chromium, chromium-browser or google-chrome); install it (apt-get install chromium) or write HTML without --pdf"
        )
    }

    /// Prints through headless Chromium into a temporary file, then moves it into place.
    static func printPDF(_ document: String, browser: String, to path: String) throws(CLIError) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-report-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CLIError.storage("cannot make a temporary folder for the PDF: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html")
        let printed = folder.appendingPathComponent("report.pdf")
        do {
            try Data(document.utf8).write(to: page)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: browser)
            var arguments = [
                "--headless", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(folder.path)/profile",
                "--print-to-pdf=\(printed.path)", page.absoluteString,
            ]
            if getuid() == 0 { arguments.insert("--no-sandbox", at: 0) }
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0, let bytes = FileManager.default.contents(atPath: printed.path),
                bytes.starts(with: Array("%PDF".utf8))
            else {
                throw CLIError.unavailable("Chromium (\(browser)) did not print the report; nothing was written to \(path)")
            }
            try writeAtomically([UInt8](bytes), to: path)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.unavailable("could not run Chromium (\(browser)): \(error.localizedDescription); nothing was written to \(path)")
        }
    }
}
