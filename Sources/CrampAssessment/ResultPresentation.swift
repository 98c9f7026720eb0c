public import CrampKnowledge

/// A result as a person reads it: the banner, then the sections in the order they are shown,
/// each with its heading and wording: what to do now first, then when to get help, then why,
/// then the rest. The terminal, Markdown and the web templates render this
/// one model, so the order, the words and when a caution shows are decided here only.
public struct ResultPresentation: Sendable {
    public enum SectionKind: String, Sendable {
        case redFlags, verdict, alternatives, factors, relief, prevention, safetyNet, unscreened, sources
    }

    /// A short mark after an item's title: a red flag's level, a factor's score, a hold.
    public struct Tag: Sendable {
        public enum Kind: String, Sendable { case level, score, hold }
        public let kind: Kind
        /// The code behind it (a triage level's code), for styling.
        public let code: String
        public let text: String
    }

    /// A line under an item, with an optional label ("Why", "How to tell").
    public struct Detail: Sendable {
        public let label: String?
        public let text: String
        /// A "because you said" line: the person's own answers.
        public let isBecause: Bool
    }

    public struct Item: Sendable {
        public let title: String
        public let tag: Tag?
        /// Said after the title on the same line.
        public let summary: String?
        public let details: [Detail]
        public let steps: [String]
        public let cautions: [String]
        /// A source's publisher and address.
        public let byline: String?
        public let url: String?

        init(
            title: String, tag: Tag? = nil, summary: String? = nil, details: [Detail] = [], steps: [String] = [], cautions: [String] = [],
            byline: String? = nil, url: String? = nil
        ) {
            self.title = title
            self.tag = tag
            self.summary = summary
            self.details = details
            self.steps = steps
            self.cautions = cautions
            self.byline = byline
            self.url = url
        }
    }

    public struct Section: Sendable {
        public let kind: SectionKind
        public let heading: String
        public let paragraphs: [String]
        public let items: [Item]
    }

    public let triage: Triage
    public let title: String
    public let action: String
    /// The number to call, shown as a button, for an emergency.
    public let callNumber: String?
    /// The muscle whose timed stretch the result offers, for a guided session one tap away;
    /// nil when it offers none (a possible clot, an injury, care first).
    public let guidedStretch: Muscle?
    public let notices: [String]
    public let sections: [Section]
    public let disclaimer: String
    public let knowledgeVersion: String

    /// At most this many contributing factors are shown, the strongest first.
    public static let shownFactors = 4

    public init(_ result: AssessmentResult, knowledge: KnowledgeBase, numbers: EmergencyNumbers) {
        let words = TriageWords.banner(result.triage, numbers: numbers)
        triage = result.triage
        title = words.title
        action = words.action
        callNumber = result.triage == .emergency ? numbers.emergency : nil
        guidedStretch =
            result.sessionRelief.lazy.filter { $0.item.technique == .stretch && $0.item.holdSeconds != nil }
            .compactMap { advice in Muscle.stretched.first(where: advice.item.muscles.contains) }.first
        notices = result.notices
        disclaimer = knowledge.disclaimer
        knowledgeVersion = result.knowledgeVersion
        let builder = SectionBuilder(result: result, knowledge: knowledge)
        sections = [
            builder.relief(), builder.safetyNet(), builder.unscreened(), builder.redFlags(), builder.verdict(), builder.alternatives(),
            builder.factors(), builder.prevention(), builder.sources(),
        ].compactMap { $0 }
    }

    /// How strongly a factor fits what the person said, in words (its score is 0 to 1: the share
    /// of its signs they reported, weighted as the knowledge base weighs them).
    public static func strength(_ score: Double) -> String {
        if score >= 0.7 { return "fits what you said well" }
        if score >= 0.4 { return "fits some of what you said" }
        return "fits a little of what you said"
    }

    /// Whether it sounds like a cramp, in words.
    public static func verdict(_ result: AssessmentResult) -> String {
        if result.likelyCramp { return "It sounds like a muscle cramp." }
        if result.alternatives.contains(where: { $0.alternative.kind == .mimic }) {
            return "It may not be a simple cramp. Something else could explain it better (see below)."
        }
        return "There is not enough here to say it is a typical cramp."
    }
}

/// Builds each section of a presentation; nil for a section with nothing to say.
private struct SectionBuilder {
    typealias Section = ResultPresentation.Section
    typealias Item = ResultPresentation.Item
    typealias Detail = ResultPresentation.Detail
    typealias Tag = ResultPresentation.Tag

    let result: AssessmentResult
    let knowledge: KnowledgeBase

    /// "Because you said", in the knowledge base's words.
    func because(_ evidence: Evidence) -> [Detail] {
        let codes = result.because(evidence).map { knowledge.label(code: $0) }
        return codes.isEmpty ? [] : [Detail(label: "Because you said", text: codes.joined(separator: ", "), isBecause: true)]
    }

    func redFlags() -> Section? {
        guard !result.redFlags.isEmpty else { return nil }
        return Section(
            kind: .redFlags, heading: "Why this advice", paragraphs: [],
            items: result.redFlags.map { hit in
                var details = [Detail(label: "Why", text: hit.rule.reason, isBecause: false)]
                if result.showsAdvice(of: hit) { details.append(Detail(label: "What to do", text: hit.rule.advice, isBecause: false)) }
                return Item(
                    title: hit.rule.title,
                    tag: Tag(kind: .level, code: hit.rule.level.rawValue, text: hit.rule.level.rawValue.replacing("_", with: " ")),
                    details: details + because(hit.evidence))
            })
    }

    func verdict() -> Section? {
        Section(kind: .verdict, heading: "Is it a cramp?", paragraphs: [ResultPresentation.verdict(result)], items: [])
    }

    func alternatives() -> Section? {
        guard !result.alternatives.isEmpty else { return nil }
        return Section(
            kind: .alternatives, heading: "What else it might be", paragraphs: [],
            items: result.alternatives.map { hit in
                Item(
                    title: hit.alternative.name, summary: hit.alternative.summary,
                    details: [Detail(label: "How to tell", text: hit.alternative.tellsApart, isBecause: false)])
            })
    }

    func factors() -> Section? {
        guard !result.factors.isEmpty else { return nil }
        return Section(
            kind: .factors, heading: "What may be behind it", paragraphs: [],
            items: result.factors.prefix(ResultPresentation.shownFactors).map { hit in
                Item(
                    title: hit.factor.name, tag: Tag(kind: .score, code: "", text: ResultPresentation.strength(hit.score)),
                    summary: hit.factor.summary,
                    details: [Detail(label: nil, text: hit.factor.mechanism, isBecause: false)] + because(hit.evidence))
            })
    }

    func relief() -> Section? {
        guard !result.relief.isEmpty else { return nil }
        var items = result.relief.map { advice in
            Item(
                title: advice.item.title,
                tag: advice.item.holdSeconds.map { seconds in
                    Tag(kind: .hold, code: "", text: "hold \(seconds) seconds" + (advice.item.repeats.map { ", \($0) times" } ?? ""))
                }, steps: advice.item.steps, cautions: advice.cautions)
        }
        // What to avoid while easing a cramp, with the steps; not while waiting for care.
        if result.triage <= .soon {
            items += knowledge.reliefCautions.map { Item(title: $0.title, summary: $0.text) }
        }
        return Section(
            kind: .relief, heading: result.triage >= .urgent ? "While you wait for care" : "What to do now", paragraphs: [], items: items)
    }

    func prevention() -> Section? {
        guard !result.prevention.isEmpty else { return nil }
        return Section(
            kind: .prevention, heading: "To stop it coming back", paragraphs: [],
            items: result.prevention.map { Item(title: $0.title, summary: $0.why, cautions: $0.cautions) })
    }

    func safetyNet() -> Section? {
        Section(kind: .safetyNet, heading: "Get help if", paragraphs: [], items: result.safetyNet.map { Item(title: $0.advice) })
    }

    /// Only for a self-care answer: a "yes" to any of these would change it.
    func unscreened() -> Section? {
        guard result.triage == .selfCare, !result.unscreenedRedFlags.isEmpty else { return nil }
        return Section(
            kind: .unscreened, heading: "Questions that could change this advice",
            paragraphs: ["These were not answered. A \"yes\" to any of them would change the advice:"],
            items: result.unscreenedRedFlags.map { Item(title: knowledge.findings[$0]?.question ?? $0.rawValue) })
    }

    func sources() -> Section? {
        Section(
            kind: .sources, heading: "Sources", paragraphs: [],
            items: result.sourceIDs.compactMap { knowledge.sources[$0] }.map { Item(title: $0.title, byline: $0.publisher, url: $0.url) })
    }
}
