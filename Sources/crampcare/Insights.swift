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
        abstract: "What your journal shows, in plain words: when to see a doctor, how often, what may bring cramps on, what helps.")

    @OptionGroup var journal: JournalOptions
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Compute as of this day (YYYY-MM-DD). Default: today.", valueName: "date"))
    var asOf: String?
    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await withJournal(journal) { opened in
            let knowledge = opened.knowledge
            let view = try await opened.app.insights(owner: owner, asOf: try asOfDay(asOf))
            if json {
                Console.write(view.insights.json(knowledge: knowledge) + [0x0A])
            } else {
                let text = InsightsText(
                    words: view.words, insights: view.insights, knowledge: knowledge, style: Style(enabled: Console.colourEnabled))
                let rendered = text.render()
                Console.page(rendered.text, kept: rendered.kept)
            }
        }
    }
}

/// The insights for a terminal: the plain-words sections, with a sparkline of the weeks. The
/// statistics are in `crampcare report`, as on the web app.
struct InsightsText {
    let words: InsightWords
    let insights: Insights
    let knowledge: KnowledgeBase
    let style: Style

    /// The text, and how many of its first lines the pager must show whole (when to see a doctor).
    func render() -> (text: String, kept: Int) {
        var lines = [style.bold("Insights"), words.summary]
        var kept = 0
        for section in words.sections {
            if section.kind == .howOften {
                kept = Console.lineCount(lines.joined(separator: "\n"), width: Console.width)
            }
            lines += ["", style.bold(section.title.uppercased())]
            for item in section.items {
                var text = item.label.map { style.bold($0 + ":") + " " } ?? ""
                text += item.text
                if !item.sources.isEmpty {
                    text += " " + style.dim("Sources: " + knowledge.sourceNames(item.sources).joined(separator: "; ") + ".")
                }
                lines.append("- " + text)
            }
            if section.kind == .howOften {
                let weeks = insights.trends.weeklyCounts.suffix(12).map(\.count)
                if !weeks.isEmpty {
                    lines.append("- Cramps each week, the last \(weeks.count): \(Charts.sparkline(weeks)) (most in a week: \(weeks.max() ?? 0))")
                }
            }
        }
        lines += ["", "The numbers behind this, for your doctor: crampcare report --out report.html", "", style.dim(knowledge.disclaimer)]
        return (lines.joined(separator: "\n"), kept)
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
