import CrampAssessment
import CrampKnowledge

/// Renders a result for a person: plain text for the terminal, or Markdown.
struct Report {
    enum Format { case text, markdown }

    let knowledge: KnowledgeBase
    let numbers: EmergencyNumbers
    let format: Format
    let style: Style
    let width: Int

    private var lines: [String] = []
    /// How many lines of the last text rendered must never be behind a pager: the banner, what
    /// to do first, when to get help, and the red flags behind the advice.
    private(set) var kept = 0

    init(knowledge: KnowledgeBase, numbers: EmergencyNumbers, format: Format, style: Style, width: Int) {
        self.knowledge = knowledge
        self.numbers = numbers
        self.format = format
        self.style = format == .text ? style : Style(enabled: false)
        self.width = width
    }

    private mutating func heading(_ text: String) {
        lines.append("")
        lines.append(format == .markdown ? "## \(text)" : style.bold(text.uppercased()))
    }

    private mutating func paragraph(_ text: String) {
        lines.append(format == .markdown ? text : wrap(text, width: width))
    }

    private mutating func bullet(_ text: String, level: Int = 0) {
        let pad = String(repeating: "  ", count: level)
        lines.append(format == .markdown ? "\(pad)- \(text)" : wrap(text, width: width, indent: pad + "  ", firstIndent: pad + "- "))
    }

    static func banner(_ triage: Triage, numbers: EmergencyNumbers) -> (title: String, action: String) {
        TriageWords.banner(triage, numbers: numbers)
    }

    private func bannerColour(_ triage: Triage) -> String {
        switch triage {
        case .emergency: "1;97;41"
        case .urgent: "1;30;43"
        case .soon: "1;30;46"
        case .selfCare: "1;30;42"
        }
    }

    mutating func render(_ result: AssessmentResult) -> String {
        render(ResultPresentation(result, knowledge: knowledge, numbers: numbers))
    }

    mutating func render(_ shown: ResultPresentation) -> String {
        lines = []
        if format == .markdown {
            lines.append("# \(shown.title)")
            lines.append("")
            lines.append("**\(shown.action)**")
        } else {
            let bar = String(repeating: "=", count: min(width, 72))
            lines.append(bar)
            lines.append(style.enabled ? style.paint(" \(shown.title) ", bannerColour(shown.triage)) : " \(shown.title)")
            lines.append(bar)
            lines.append(wrap(shown.action, width: width))
        }
        for notice in shown.notices { lines.append(""); paragraph(notice) }
        kept = lines.count
        for section in shown.sections {
            heading(section.heading)
            for text in section.paragraphs { paragraph(text) }
            for item in section.items { self.item(item) }
            // Where the full programme is, in the terminal's words.
            if section.kind == .prevention { paragraph("Run `crampcare learn prevention` and `crampcare learn exercises` for the full programme.") }
            if [.relief, .safetyNet, .unscreened, .redFlags].contains(section.kind) || kept == 0 {
                kept = lines.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false).count
            }
        }
        lines.append("")
        paragraph("\(shown.disclaimer) (Knowledge base \(shown.knowledgeVersion).)")
        return lines.joined(separator: "\n")
    }

    /// One item as a bullet, its lines, steps and cautions under it.
    private mutating func item(_ item: ResultPresentation.Item) {
        var first = item.byline.map { "\($0): \(item.title)." } ?? style.bold(item.title)
        if item.details.isEmpty, item.steps.isEmpty, item.cautions.isEmpty, item.tag == nil, item.summary == nil, item.byline == nil {
            first = item.title
        }
        if let tag = item.tag {
            switch tag.kind {
            case .level: first += " [\(tag.code)]"
            case .score, .hold: first += " (\(tag.text))"
            }
        }
        if let summary = item.summary { first += ": \(summary)" }
        if let url = item.url { first += " \(url)" }
        bullet(first)
        for detail in item.details { bullet(detail.label.map { "\($0): \(detail.text)" } ?? detail.text, level: 1) }
        for step in item.steps { bullet(step, level: 1) }
        for caution in item.cautions { bullet("Caution: \(caution)", level: 1) }
    }

}
