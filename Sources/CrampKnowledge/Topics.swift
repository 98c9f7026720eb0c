/// A page of the knowledge base for people: `crampcare learn TOPIC` and the web app's pages.
public struct Topic: Sendable {
    public let id: String
    public let title: String
    public let summary: String
    public let sections: [TopicSection]

    public init(id: String, title: String, summary: String, sections: [TopicSection]) {
        self.id = id
        self.title = title
        self.summary = summary
        self.sections = sections
    }
}

public struct TopicSection: Sendable {
    public let heading: String
    public let paragraphs: [String]
    /// Items shown as a list after the paragraphs (read one by one, not as one long sentence).
    public let listTitle: String?
    public let list: [String]
    public let sources: [String]

    public init(heading: String, paragraphs: [String], listTitle: String? = nil, list: [String] = [], sources: [String]) {
        self.heading = heading
        self.paragraphs = paragraphs
        self.listTitle = listTitle
        self.list = list
        self.sources = sources
    }
}

extension KnowledgeBase {
    /// Every topic, built from the structured items, with each glossary term explained where it
    /// first appears in the topic.
    public func topics() -> [Topic] {
        ([crampTopic(), causesTopic(), symptomsTopic(), reliefTopic()] + preventionTopics() + mechanismTopics() + [doctorTopic(), questionsTopic()])
            .map(explainingGlossaryTerms)
    }

    static func sentence(_ steps: [String]) -> String { steps.joined(separator: " ") }

    func crampTopic() -> Topic {
        var crampSections = [
            TopicSection(heading: "What a cramp is", paragraphs: [cramp.whatIsACramp], sources: cramp.whatIsACrampSources),
            TopicSection(heading: "Can the knee itself cramp?", paragraphs: [cramp.kneeItself], sources: cramp.sources),
        ]
        for muscle in cramp.muscles {
            crampSections.append(TopicSection(heading: muscle.name, paragraphs: [muscle.whereItIs, muscle.whatItDoes], sources: muscle.sources))
        }
        return Topic(
            id: "cramp", title: "What a knee cramp is", summary: "What a cramp is, and the muscles around the knee that cramp.",
            sections: crampSections)
    }

    func causesTopic() -> Topic {
        Topic(
            id: "causes", title: "What causes cramps", summary: "The things that make a cramp more likely.",
            sections: factors.map { factor in
                TopicSection(
                    heading: factor.name, paragraphs: [factor.summary], listTitle: "What points to it",
                    list: pointers(of: factor.evidence), sources: factor.sources)
            })
    }

    func symptomsTopic() -> Topic {
        var mimicSections = [
            TopicSection(
                heading: "The signs of a cramp",
                paragraphs: [Self.sentence(cramp.features.map(\.label) + [cramp.shortEpisodeLabel])],
                sources: cramp.sources)
        ]
        for alternative in alternatives {
            mimicSections.append(
                TopicSection(heading: alternative.name, paragraphs: [alternative.summary, alternative.tellsApart], sources: alternative.sources))
        }
        return Topic(
            id: "symptoms", title: "Symptoms, and what else it could be",
            summary: "How a cramp feels, and how to tell it from things that look like one.", sections: mimicSections)
    }

    func reliefTopic() -> Topic {
        var reliefSections: [TopicSection] = []
        for item in relief where item.onlyFrom == nil {
            var paragraphs = [Self.sentence(item.steps)]
            if let hold = item.holdSeconds {
                paragraphs.append("Hold for \(hold) seconds\(item.repeats.map { ", \($0) times" } ?? "").")
            }
            reliefSections.append(TopicSection(heading: item.title, paragraphs: paragraphs, sources: item.sources))
        }
        // The insights page's own caution about what a diary cannot see is not relief advice.
        for caution in cautions where caution.id != "diary_cannot_see_everything" {
            reliefSections.append(TopicSection(heading: caution.title, paragraphs: [caution.text], sources: caution.sources))
        }
        return Topic(
            id: "relief", title: "Relief when a cramp strikes", summary: "What to do during a cramp and after it, and what to avoid.",
            sections: reliefSections)
    }

    /// The daily habits, and the exercise programme.
    func preventionTopics() -> [Topic] {
        [
            Topic(
                id: "prevention", title: "Preventing cramps", summary: "Daily habits that make cramps less likely.",
                sections: prevention.filter { $0.kind == .habit }.map {
                    TopicSection(heading: $0.title, paragraphs: [$0.why, Self.sentence($0.steps)], sources: $0.sources)
                }),
            Topic(
                id: "exercises", title: "Exercises for the legs",
                summary: "A programme to stretch and strengthen the muscles around the knee, to help prevent cramps.",
                sections: prevention.filter { $0.kind == .exercise }.map { item in
                    var paragraphs = [item.why, Self.sentence(item.steps)]
                    if let sets = item.sets { paragraphs.append("How much: \(sets). \(item.progression ?? "")") }
                    if let gentler = item.gentler {
                        paragraphs.append("A gentler way, for older adults: \(gentler.title). \(Self.sentence(gentler.steps))")
                    }
                    return TopicSection(heading: item.title, paragraphs: paragraphs, sources: item.sources)
                }),
        ]
    }

    /// What happens in the muscle, and with age, factor by factor.
    func mechanismTopics() -> [Topic] {
        [
            Topic(
                id: "in-the-muscle", title: "How a cramp happens in the muscle", summary: "What goes on inside the muscle and nerve.",
                sections: factors.map { TopicSection(heading: $0.name, paragraphs: [$0.mechanism], sources: $0.sources) }),
            Topic(
                id: "ageing", title: "Cramps and ageing", summary: "Why cramps become more common as we get older.",
                sections: factors.map { TopicSection(heading: $0.name, paragraphs: [$0.ageing], sources: $0.sources) }),
        ]
    }

    func doctorTopic() -> Topic {
        var doctorSections: [TopicSection] = []
        for (level, heading) in [(Triage.emergency, "Call the emergency number"), (.urgent, "Be seen today"), (.soon, "Book an appointment")] {
            let chosen = rules.filter { $0.level == level }
            doctorSections.append(
                TopicSection(
                    heading: heading, paragraphs: chosen.map { "\($0.title). \($0.reason)" },
                    sources: Array(Set(chosen.flatMap(\.sources))).sorted()))
        }
        return Topic(
            id: "see-a-doctor", title: "When to get help", summary: "The signs that mean a doctor should see you, and how fast.",
            sections: doctorSections)
    }

    func questionsTopic() -> Topic {
        Topic(
            id: "questions", title: "Common questions", summary: "Answers to what people often ask.",
            sections: questions.map { TopicSection(heading: $0.question, paragraphs: [$0.answer], sources: $0.sources) })
    }

    /// The answers that point to a factor, in words, from its evidence.
    public func pointers(of evidence: [WeightedEvidence]) -> [String] {
        var all = Facts(age: 0, durationMinutes: 0)
        for piece in evidence {
            let found = piece.when.pointers
            all.findings.bits |= found.findings.bits
            all.context.bits |= found.context.bits
            all.conditions.bits |= found.conditions.bits
            all.medications.bits |= found.medications.bits
            all.age = max(all.age, found.age)
        }
        var labels: [String] = []
        labels += all.findings.compactMap { findings[$0]?.label }
        labels += all.context.compactMap { context[$0]?.label }
        labels += all.conditions.compactMap { conditions[$0]?.label }
        labels += all.medications.compactMap { medications[$0]?.label }
        if all.age > 0 { labels.append("age over 50, and more so over 65 and 75") }
        return labels
    }

    /// The glossary as a topic of its own (not annotated: it is the explanation).
    public func glossaryTopic() -> Topic {
        Topic(
            id: "glossary", title: "Glossary", summary: "Medical words in plain English.",
            sections: glossary.map { TopicSection(heading: $0.term, paragraphs: [$0.plain], sources: []) })
    }

    /// Adds "(plain words)" after the first use of each glossary term in a topic.
    func explainingGlossaryTerms(_ topic: Topic) -> Topic {
        var explained = Set<String>()
        var sections: [TopicSection] = []
        func explain(_ paragraph: String) -> String {
            var text = paragraph
            for entry in glossary where !explained.contains(entry.term) {
                for form in [entry.term] + entry.forms {
                    if let range = Self.wordRange(of: form, in: text) {
                        text.insert(contentsOf: " (\(entry.plain))", at: range.upperBound)
                        explained.insert(entry.term)
                        break
                    }
                }
            }
            return text
        }
        for section in topic.sections {
            let paragraphs = section.paragraphs.map(explain)
            let list = section.list.map(explain)
            sections.append(
                TopicSection(
                    heading: section.heading, paragraphs: paragraphs, listTitle: section.listTitle,
                    list: list, sources: section.sources))
        }
        return Topic(id: topic.id, title: topic.title, summary: topic.summary, sections: sections)
    }

    /// The first whole-word, case-insensitive match of a phrase that is not already followed by
    /// an explanation in brackets.
    static func wordRange(of phrase: String, in text: String) -> Range<String.Index>? {
        let lowerText = text.lowercased()
        guard lowerText.count == text.count else { return nil }
        var searchStart = lowerText.startIndex
        let needle = phrase.lowercased()
        while let found = lowerText[searchStart...].firstRange(of: needle) {
            let before = found.lowerBound == lowerText.startIndex ? nil : lowerText[lowerText.index(before: found.lowerBound)]
            let after = found.upperBound == lowerText.endIndex ? nil : lowerText[found.upperBound]
            let boundaryBefore = before.map { !$0.isLetter && !$0.isNumber && $0 != "-" } ?? true
            let boundaryAfter = after.map { !$0.isLetter && !$0.isNumber && $0 != "-" && $0 != "'" } ?? true
            let alreadyExplained = lowerText[found.upperBound...].hasPrefix(" (")
            // Never inside brackets: that is an explanation already, or an aside.
            var depth = 0
            for character in lowerText[..<found.lowerBound] {
                if character == "(" { depth += 1 } else if character == ")" { depth = max(0, depth - 1) }
            }
            if boundaryBefore, boundaryAfter, !alreadyExplained, depth == 0 {
                let lower = text.index(text.startIndex, offsetBy: lowerText.distance(from: lowerText.startIndex, to: found.lowerBound))
                let upper = text.index(lower, offsetBy: needle.count)
                return lower..<upper
            }
            searchStart = found.upperBound
        }
        return nil
    }
}

extension KnowledgeBase {
    /// Where the advice comes from, and the knowledge base's history, as a topic.
    public func sourcesTopic() -> Topic {
        Topic(
            id: "sources", title: "Sources", summary: "Where the advice comes from, and the knowledge base version.",
            sections: sourceOrder.compactMap { sources[$0] }.map {
                TopicSection(heading: "\($0.publisher): \($0.title)", paragraphs: ["\($0.url) (accessed \($0.accessed))"], sources: [])
            } + [
                TopicSection(
                    heading: "Knowledge base \(version)",
                    paragraphs: changelog.map { "\($0.version) (\($0.date)): \($0.changes.joined(separator: " "))" }, sources: [])
            ])
    }

    /// Every topic a reader can open: the topics, the glossary and the sources.
    public func allTopics() -> [Topic] { topics() + [glossaryTopic(), sourcesTopic()] }
}
