public import CrampJournal
import Foundation

/// The insights' charts as SVG: each has a title and a description for screen readers (role
/// img, aria-labelledby), draws in currentColor so it follows the page's colours, and escapes
/// every text it shows.
public enum Charts {
    /// A chart's drawing area. The report's is wide with small print; the phone's is drawn near
    /// the size it is shown at, so its labels stay readable on a 360 px screen.
    public struct Canvas: Sendable {
        let width: Double
        let height: Double
        let margin: (left: Double, right: Double, top: Double, bottom: Double)
        let fontSize: Int

        public static let report = Canvas(width: 640, height: 220, margin: (44, 12, 12, 36), fontSize: 12)
        public static let phone = Canvas(width: 340, height: 200, margin: (34, 10, 12, 40), fontSize: 15)
    }

    static let width = Canvas.report.width
    static let height = Canvas.report.height
    static let margin = Canvas.report.margin

    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String(format: "%.1f", value)
    }

    static func frame(
        id: String, title: String, description: String, height: Double = height, canvas: Canvas = .report, _ body: String
    ) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(number(canvas.width)) \(number(height))" width="100%" role="img" \
        aria-labelledby="\(id)-title \(id)-desc" class="chart" font-family="sans-serif" font-size="\(canvas.fontSize)">\
        <title id="\(id)-title">\(escape(title))</title><desc id="\(id)-desc">\(escape(description))</desc>\(body)</svg>
        """
    }

    /// Episodes per week, as bars.
    public static func episodesPerWeek(
        _ weeks: [(start: LocalDate, count: Int)], id: String = "weekly", title: String = "Episodes per week", canvas: Canvas = .report
    ) -> String {
        guard !weeks.isEmpty else {
            return empty(id: id, title: title, "No whole week logged yet.", canvas: canvas)
        }
        let (width, height, margin) = (canvas.width, canvas.height, canvas.margin)
        let most = max(1, weeks.map(\.count).max() ?? 1)
        let plotWidth = width - margin.left - margin.right
        let plotHeight = height - margin.top - margin.bottom
        let step = plotWidth / Double(weeks.count)
        var body = axis(maximum: Double(most), plotHeight: plotHeight, label: "episodes", canvas: canvas)
        for (index, week) in weeks.enumerated() {
            let barHeight = plotHeight * Double(week.count) / Double(most)
            let x = margin.left + Double(index) * step + step * 0.15
            body +=
                "<rect x=\"\(number(x))\" y=\"\(number(margin.top + plotHeight - barHeight))\" width=\"\(number(max(1, step * 0.7)))\" "
                + "height=\"\(number(barHeight))\" fill=\"currentColor\" opacity=\"0.75\"><title>Week from \(week.start): \(week.count)</title></rect>"
        }
        body += dateLabels(first: weeks.first!.start, last: weeks.last!.start, canvas: canvas)
        let total = weeks.map(\.count).reduce(0, +)
        let description =
            "\(weeks.count) weeks from \(weeks.first!.start.words) to \(weeks.last!.start.adding(days: 6).words); \(total) cramps; "
            + "most in one week: \(most); last week: \(weeks.last!.count)."
        return frame(id: id, title: title, description: description, canvas: canvas, body)
    }

    /// Severity (0–10) of each episode over time, as dots.
    public static func severityOverTime(
        _ episodes: [Episode], id: String = "severity", title: String = "Severity over time", canvas: Canvas = .report
    ) -> String {
        let points = episodes.compactMap { episode in episode.severity.map { (Diary.day(of: episode).daysSinceEpoch, $0) } }.sorted { $0.0 < $1.0 }
        guard let first = points.first?.0, let last = points.last?.0 else {
            return empty(id: id, title: title, "No cramp with a score yet.", canvas: canvas)
        }
        let (width, height, margin) = (canvas.width, canvas.height, canvas.margin)
        let plotWidth = width - margin.left - margin.right
        let plotHeight = height - margin.top - margin.bottom
        let span = Double(max(1, last - first))
        var body = axis(maximum: 10, plotHeight: plotHeight, label: "severity", canvas: canvas)
        for (day, severity) in points {
            let x = margin.left + plotWidth * Double(day - first) / span
            let y = margin.top + plotHeight * (1 - Double(severity) / 10)
            body += "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"\(canvas.fontSize > 12 ? 4 : 3)\" fill=\"currentColor\" opacity=\"0.6\"/>"
        }
        body += dateLabels(first: LocalDate(daysSinceEpoch: first), last: LocalDate(daysSinceEpoch: last), canvas: canvas)
        let severities = points.map { Double($0.1) }
        let description =
            "\(points.count) cramps from \(LocalDate(daysSinceEpoch: first).words) to \(LocalDate(daysSinceEpoch: last).words); "
            + "middle score \(Format.decimal(Statistics.median(severities) ?? 0, places: 1)) of 10."
        return frame(id: id, title: title, description: description, canvas: canvas, body)
    }

    /// Relative risks with their intervals on a log scale, one row per exposure tested.
    public static func forestPlot(_ findings: [TriggerFinding], id: String = "forest") -> String {
        let title = "Cramp days with and without each exposure (relative risk)"
        let rows = findings.filter { $0.relativeRisk != nil }
        guard !rows.isEmpty else {
            return empty(id: id, title: title, "Not enough days yet to compare.")
        }
        let labelWidth = 200.0
        let rowHeight = 24.0
        let chartHeight = margin.top + Double(rows.count) * rowHeight + 30
        let low = log(0.1), high = log(10.0)
        let plotWidth = width - labelWidth - margin.right
        func x(_ value: Double) -> Double { labelWidth + plotWidth * (min(max(log(value), low), high) - low) / (high - low) }
        var body =
            "<line x1=\"\(number(x(1)))\" y1=\"\(number(margin.top))\" x2=\"\(number(x(1)))\" y2=\"\(number(chartHeight - 26))\" stroke=\"currentColor\" stroke-dasharray=\"4 3\"/>"
        for tick in [0.1, 0.5, 1, 2, 10] {
            body +=
                "<text x=\"\(number(x(tick)))\" y=\"\(number(chartHeight - 10))\" text-anchor=\"middle\" fill=\"currentColor\">\(Format.ratio(tick))</text>"
        }
        var parts: [String] = []
        for (index, finding) in rows.enumerated() {
            let risk = finding.relativeRisk!
            let y = margin.top + Double(index) * rowHeight + rowHeight / 2
            body += "<text x=\"4\" y=\"\(number(y + 4))\" fill=\"currentColor\">\(escape(finding.exposure.label))</text>"
            body +=
                "<line x1=\"\(number(x(risk.lower)))\" y1=\"\(number(y))\" x2=\"\(number(x(risk.upper)))\" y2=\"\(number(y))\" stroke=\"currentColor\" stroke-width=\"2\"/>"
            let strong = finding.verdict == .possibleTrigger || finding.verdict == .possibleProtector
            body +=
                "<rect x=\"\(number(x(risk.value) - 4))\" y=\"\(number(y - 4))\" width=\"8\" height=\"8\" fill=\"\(strong ? "currentColor" : "none")\" stroke=\"currentColor\"/>"
            parts.append(
                "\(finding.exposure.label) \(Format.ratio(risk.value)) (\(Format.ratio(risk.lower)) to \(Format.ratio(risk.upper))), \(finding.verdict.words)"
            )
        }
        return frame(
            id: id, title: title, description: "Relative risk with 95% interval; 1 means no difference. " + parts.joined(separator: "; ") + ".",
            height: chartHeight, body)
    }

    /// How often each technique helped, with its Wilson interval.
    public static func reliefEffectiveness(_ effects: [ReliefEffect], id: String = "relief") -> String {
        let title = "How often each relief helped"
        let rows = effects.filter { $0.interval != nil }
        guard !rows.isEmpty else {
            return empty(id: id, title: title, "No technique used \(ReliefEffect.minimumUses) times yet.")
        }
        let labelWidth = 120.0
        let rowHeight = 24.0
        let chartHeight = margin.top + Double(rows.count) * rowHeight + 30
        let plotWidth = width - labelWidth - margin.right
        func x(_ share: Double) -> Double { labelWidth + plotWidth * min(max(share, 0), 1) }
        var body = ""
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            body +=
                "<text x=\"\(number(x(tick)))\" y=\"\(number(chartHeight - 10))\" text-anchor=\"middle\" fill=\"currentColor\">\(Format.percent(tick))</text>"
        }
        var parts: [String] = []
        for (index, effect) in rows.enumerated() {
            let share = effect.interval!
            let y = margin.top + Double(index) * rowHeight + rowHeight / 2
            body += "<text x=\"4\" y=\"\(number(y + 4))\" fill=\"currentColor\">\(escape(effect.technique.rawValue))</text>"
            body +=
                "<rect x=\"\(number(x(0)))\" y=\"\(number(y - 7))\" width=\"\(number(x(share.value) - x(0)))\" height=\"14\" fill=\"currentColor\" opacity=\"0.5\"/>"
            body +=
                "<line x1=\"\(number(x(share.lower)))\" y1=\"\(number(y))\" x2=\"\(number(x(share.upper)))\" y2=\"\(number(y))\" stroke=\"currentColor\" stroke-width=\"2\"/>"
            parts.append(
                "\(effect.technique.rawValue): helped \(effect.helped) of \(effect.uses), \(Format.percent(share.value)) (\(Format.percent(share.lower)) to \(Format.percent(share.upper)))"
            )
        }
        return frame(
            id: id, title: title, description: "Share of uses that helped, with 95% interval. " + parts.joined(separator: "; ") + ".",
            height: chartHeight, body)
    }

    /// A chart with nothing to draw yet: one line saying why, read out as its description.
    static func empty(id: String, title: String, _ message: String, canvas: Canvas = .report) -> String {
        frame(
            id: id, title: title, description: message, height: 40, canvas: canvas,
            "<text x=\"8\" y=\"24\" fill=\"currentColor\">\(escape(message))</text>")
    }

    static func axis(maximum: Double, plotHeight: Double, label: String, canvas: Canvas = .report) -> String {
        let (width, margin) = (canvas.width, canvas.margin)
        var body =
            "<line x1=\"\(number(margin.left))\" y1=\"\(number(margin.top))\" x2=\"\(number(margin.left))\" y2=\"\(number(margin.top + plotHeight))\" stroke=\"currentColor\"/>"
        body +=
            "<line x1=\"\(number(margin.left))\" y1=\"\(number(margin.top + plotHeight))\" x2=\"\(number(width - margin.right))\" y2=\"\(number(margin.top + plotHeight))\" stroke=\"currentColor\"/>"
        for fraction in [0.0, 0.5, 1.0] {
            let y = margin.top + plotHeight * (1 - fraction)
            let value = maximum * fraction
            body +=
                "<text x=\"\(number(margin.left - 6))\" y=\"\(number(y + 4))\" text-anchor=\"end\" fill=\"currentColor\">\(Format.decimal(value, places: value == value.rounded() ? 0 : 1))</text>"
        }
        return body
    }

    static func dateLabels(first: LocalDate, last: LocalDate, canvas: Canvas = .report) -> String {
        let y = canvas.height - 12
        // The report keeps ISO dates (a clinician's records); the phone reads "3 Mar 2026".
        let (from, to) = canvas.fontSize > 12 ? (first.words, last.words) : (first.description, last.description)
        return "<text x=\"\(number(canvas.margin.left))\" y=\"\(number(y))\" fill=\"currentColor\">\(from)</text>"
            + "<text x=\"\(number(canvas.width - canvas.margin.right))\" y=\"\(number(y))\" text-anchor=\"end\" fill=\"currentColor\">\(to)</text>"
    }

    /// A terminal sparkline of counts: one block per value, scaled to the largest.
    public static func sparkline(_ values: [Int]) -> String {
        let blocks = Array("▁▂▃▄▅▆▇█")
        let most = values.max() ?? 0
        guard most > 0 else { return String(repeating: "▁", count: values.count) }
        return String(values.map { blocks[min(blocks.count - 1, $0 * (blocks.count - 1) / most)] })
    }
}

/// Text made safe inside HTML or SVG, as element content or a quoted attribute: the one escaper
/// of every page, chart, report and template.
public enum HTMLText {
    /// Works over Unicode scalars, never `Character`: a `"` followed by a combining mark (U+0301)
    /// is one `Character` unequal to `"`, which a per-`Character` escaper lets through, while the
    /// browser reads the `"` and ends the attribute.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "`": out.append(contentsOf: "&#96;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
