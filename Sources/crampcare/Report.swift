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
        lines = []
        let (title, action) = Self.banner(result.triage, numbers: numbers)
        if format == .markdown {
            lines.append("# \(title)")
            lines.append("")
            lines.append("**\(action)**")
        } else {
            let bar = String(repeating: "=", count: min(width, 72))
            lines.append(bar)
            lines.append(style.enabled ? style.paint(" \(title) ", bannerColour(result.triage)) : " \(title)")
            lines.append(bar)
            lines.append(wrap(action, width: width))
        }
        for notice in result.notices { lines.append(""); paragraph(notice) }

        if !result.redFlags.isEmpty {
            heading("Red flags")
            for hit in result.redFlags {
                bullet("\(style.bold(hit.rule.title)) [\(hit.rule.level.rawValue)]")
                bullet("Why: \(hit.rule.reason)", level: 1)
                if result.showsAdvice(of: hit) { bullet("What to do: \(hit.rule.advice)", level: 1) }
                let because = result.because(hit.evidence).map(label)
                if !because.isEmpty { bullet("Because you said: \(because.joined(separator: ", "))", level: 1) }
            }
        }

        heading("Is it a cramp?")
        if result.likelyCramp {
            paragraph("It sounds like a muscle cramp.")
        } else if result.alternatives.contains(where: { $0.alternative.kind == .mimic }) {
            paragraph("It may not be a simple cramp. Something else could explain it better (see below).")
        } else {
            paragraph("There is not enough here to say it is a typical cramp.")
        }
        if !result.alternatives.isEmpty {
            heading("What else it might be")
            for hit in result.alternatives {
                bullet("\(style.bold(hit.alternative.name)): \(hit.alternative.summary)")
                bullet("How to tell: \(hit.alternative.tellsApart)", level: 1)
            }
        }
        if !result.factors.isEmpty {
            heading("What may be behind it")
            for hit in result.factors.prefix(4) {
                bullet("\(style.bold(hit.factor.name)) (\(Int((hit.score * 100).rounded()))%): \(hit.factor.summary)")
                bullet(hit.factor.mechanism, level: 1)
                let because = result.because(hit.evidence).map(label)
                if !because.isEmpty { bullet("Because you said: \(because.joined(separator: ", "))", level: 1) }
            }
        }
        if !result.relief.isEmpty {
            heading(result.triage >= .urgent ? "While you wait for care" : "What to do now")
            for advice in result.relief {
                var title = style.bold(advice.item.title)
                if let hold = advice.item.holdSeconds {
                    title += " (hold \(hold) seconds\(advice.item.repeats.map { ", \($0) times" } ?? ""))"
                }
                bullet(title)
                for step in advice.item.steps { bullet(step, level: 1) }
                for caution in advice.cautions { bullet("Caution: \(caution)", level: 1) }
            }
            if result.triage <= .soon {
                for caution in knowledge.reliefCautions {
                    bullet("\(style.bold(caution.title)): \(caution.text)")
                }
            }
        }
        if !result.prevention.isEmpty {
            heading("To stop it coming back")
            for advice in result.prevention {
                bullet("\(style.bold(advice.title)): \(advice.why)")
                for caution in advice.cautions { bullet("Caution: \(caution)", level: 1) }
            }
            paragraph("Run `crampcare learn prevention` and `crampcare learn exercises` for the full programme.")
        }
        heading("Get help if")
        for item in result.safetyNet { bullet(item.advice) }
        if result.triage == .selfCare, !result.unscreenedRedFlags.isEmpty {
            heading("Questions that could change this advice")
            paragraph("These were not answered. A \"yes\" to any of them would change the advice:")
            for finding in result.unscreenedRedFlags {
                bullet(knowledge.findings[finding]?.question ?? finding.rawValue)
            }
        }
        heading("Sources")
        for id in sourceIDs(result) {
            guard let source = knowledge.sources[id] else { continue }
            bullet("\(source.publisher): \(source.title). \(source.url)")
        }
        lines.append("")
        paragraph("\(knowledge.disclaimer) (Knowledge base \(result.knowledgeVersion).)")
        return lines.joined(separator: "\n")
    }

    private func sourceIDs(_ result: AssessmentResult) -> [String] { result.sourceIDs }

    private func label(_ code: String) -> String { knowledge.label(code: code) }
}
