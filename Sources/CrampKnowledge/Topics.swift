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
        var out: [Topic] = []
        func sentence(_ steps: [String]) -> String { steps.joined(separator: " ") }

        var crampSections = [
            TopicSection(heading: "What a cramp is", paragraphs: [cramp.whatIsACramp], sources: cramp.whatIsACrampSources),
            TopicSection(heading: "Can the knee itself cramp?", paragraphs: [cramp.kneeItself], sources: cramp.sources),
        ]
        for muscle in cramp.muscles {
            crampSections.append(TopicSection(heading: muscle.name, paragraphs: [muscle.whereItIs, muscle.whatItDoes], sources: muscle.sources))
        }
        out.append(
            Topic(
                id: "cramp", title: "What a knee cramp is", summary: "What a cramp is, and the muscles around the knee that cramp.",
                sections: crampSections))

        out.append(
            Topic(
                id: "causes", title: "What causes cramps", summary: "The things that make a cramp more likely.",
                sections: factors.map { factor in
                    TopicSection(
                        heading: factor.name, paragraphs: [factor.summary], listTitle: "What points to it",
                        list: pointers(of: factor.evidence), sources: factor.sources)
                }))

        var mimicSections = [
            TopicSection(
                heading: "The signs of a cramp",
                paragraphs: [sentence(cramp.features.map(\.label) + [cramp.shortEpisodeLabel])],
                sources: cramp.sources)
        ]
        for alternative in alternatives {
            mimicSections.append(
                TopicSection(heading: alternative.name, paragraphs: [alternative.summary, alternative.tellsApart], sources: alternative.sources))
        }
        out.append(
            Topic(
                id: "symptoms", title: "Symptoms, and what else it could be",
                summary: "How a cramp feels, and how to tell it from things that look like one.", sections: mimicSections))

        var reliefSections: [TopicSection] = []
        for item in relief where item.onlyFrom == nil {
            var paragraphs = [sentence(item.steps)]
            if let hold = item.holdSeconds {
                paragraphs.append("Hold for \(hold) seconds\(item.repeats.map { ", \($0) times" } ?? "").")
            }
            reliefSections.append(TopicSection(heading: item.title, paragraphs: paragraphs, sources: item.sources))
        }
        for caution in cautions {
            reliefSections.append(TopicSection(heading: caution.title, paragraphs: [caution.text], sources: caution.sources))
        }
        out.append(
            Topic(
                id: "relief", title: "Relief when a cramp strikes", summary: "What to do during a cramp and after it, and what to avoid.",
                sections: reliefSections))

        out.append(
            Topic(
                id: "prevention", title: "Preventing cramps", summary: "Daily habits that make cramps less likely.",
                sections: prevention.filter { $0.kind == .habit }.map {
                    TopicSection(heading: $0.title, paragraphs: [$0.why, sentence($0.steps)], sources: $0.sources)
                }))
        out.append(
            Topic(
                id: "exercises", title: "Exercises for the legs",
                summary: "A programme to stretch and strengthen the muscles around the knee, to help prevent cramps.",
                sections: prevention.filter { $0.kind == .exercise }.map { item in
                    var paragraphs = [item.why, sentence(item.steps)]
                    if let sets = item.sets { paragraphs.append("How much: \(sets). \(item.progression ?? "")") }
                    if let gentler = item.gentler {
                        paragraphs.append("A gentler way, for older adults: \(gentler.title). \(sentence(gentler.steps))")
                    }
                    return TopicSection(heading: item.title, paragraphs: paragraphs, sources: item.sources)
                }))
        out.append(
            Topic(
                id: "in-the-muscle", title: "How a cramp happens in the muscle", summary: "What goes on inside the muscle and nerve.",
                sections: factors.map { TopicSection(heading: $0.name, paragraphs: [$0.mechanism], sources: $0.sources) }))
        out.append(
            Topic(
                id: "ageing", title: "Cramps and ageing", summary: "Why cramps become more common as we get older.",
                sections: factors.map { TopicSection(heading: $0.name, paragraphs: [$0.ageing], sources: $0.sources) }))

        var doctorSections: [TopicSection] = []
        for (level, heading) in [(Triage.emergency, "Call the emergency number"), (.urgent, "Be seen today"), (.soon, "Book an appointment")] {
            let chosen = rules.filter { $0.level == level }
            doctorSections.append(
                TopicSection(
                    heading: heading, paragraphs: chosen.map { "\($0.title). \($0.reason)" },
                    sources: Array(Set(chosen.flatMap(\.sources))).sorted()))
        }
        out.append(
            Topic(
                id: "see-a-doctor", title: "When to get help", summary: "The signs that mean a doctor should see you, and how fast.",
                sections: doctorSections))

        out.append(
            Topic(
                id: "questions", title: "Common questions", summary: "Answers to what people often ask.",
                sections: questions.map { TopicSection(heading: $0.question, paragraphs: [$0.answer], sources: $0.sources) }))
        return out.map(explainingGlossaryTerms)
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

/// One answer to a free-text question.
public struct SearchHit: Sendable {
    public enum Kind: Sendable { case question, topic, section, glossary }
    public let kind: Kind
    public let topicID: String
    public let heading: String
    public let text: String
    public let sources: [String]
    public let score: Double
}

extension KnowledgeBase {
    /// Words reduced to a common form: lower case, synonyms folded, simple plurals dropped.
    public func searchTerms(_ text: String) -> [String] {
        let stop: Set<String> = [
            "a", "an", "the", "i", "my", "me", "is", "are", "it", "do", "does", "can", "to", "of",
            "in", "on", "and", "or", "what", "when", "how", "should", "get", "be", "with", "for",
            "at", "this", "that", "you", "your", "have", "has", "am", "will", "if", "from", "about",
        ]
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "'" || character == "&" {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var terms: [String] = []
        for (index, raw) in words.enumerated() {
            let word = raw.replacing("'s", with: "")
            if index + 1 < words.count, let joined = synonyms["\(word) \(words[index + 1])"] {
                terms.append(joined)
                continue
            }
            if stop.contains(word) { continue }
            if let head = synonyms[word] {
                terms.append(head)
            } else if word.count > 4, word.hasSuffix("s"), let head = synonyms[String(word.dropLast())] {
                terms.append(head)
            } else if word.count > 4, word.hasSuffix("s") {
                terms.append(String(word.dropLast()))
            } else {
                terms.append(word)
            }
        }
        return terms
    }

    /// Finds the best answers to a question in the common questions, the topics and the glossary.
    /// Each matching term counts by how rare it is across everything searched (IDF), weighted by
    /// where it matched: a question or heading counts more than body text.
    public func search(_ query: String, limit: Int = 3) -> [SearchHit] {
        let wanted = Set(searchTerms(query))
        guard !wanted.isEmpty else { return [] }

        struct Document {
            let hit: SearchHit
            /// Field terms with their weights: heading-like fields first.
            let fields: [(terms: Set<String>, weight: Double)]
        }
        var documents: [Document] = []
        func terms(_ text: String) -> Set<String> { Set(searchTerms(text)) }
        for question in questions {
            documents.append(
                Document(
                    hit: SearchHit(
                        kind: .question, topicID: "questions", heading: question.question, text: question.answer,
                        sources: question.sources, score: 0),
                    fields: [(terms(question.question), 3), (terms(question.keywords.joined(separator: " ")), 2), (terms(question.answer), 1)]))
        }
        for topic in topics() where topic.id != "questions" {
            documents.append(
                Document(
                    hit: SearchHit(
                        kind: .topic, topicID: topic.id, heading: topic.title,
                        text: topic.summary + "\n\n" + topic.sections.map { "- \($0.heading)" }.joined(separator: "\n"),
                        sources: [], score: 0),
                    fields: [(terms(topic.title), 3), (terms(topic.summary), 1.5)]))
            for section in topic.sections {
                let body = (section.paragraphs + section.list).joined(separator: " ")
                var text = section.paragraphs.joined(separator: "\n\n")
                if !section.list.isEmpty {
                    text += "\n\n\(section.listTitle ?? ""):\n" + section.list.map { "- \($0)" }.joined(separator: "\n")
                }
                documents.append(
                    Document(
                        hit: SearchHit(
                            kind: .section, topicID: topic.id, heading: section.heading, text: text,
                            sources: section.sources, score: 0),
                        fields: [(terms(section.heading), 2.5), (terms(topic.title), 1), (terms(body), 1)]))
            }
        }
        for entry in glossary {
            documents.append(
                Document(
                    hit: SearchHit(kind: .glossary, topicID: "glossary", heading: entry.term, text: entry.plain, sources: [], score: 0),
                    fields: [(terms(([entry.term] + entry.forms).joined(separator: " ")), 2), (terms(entry.plain), 0.5)]))
        }

        var frequency: [String: Int] = [:]
        for document in documents {
            for term in Set(document.fields.flatMap(\.terms)) where wanted.contains(term) { frequency[term, default: 0] += 1 }
        }
        let count = Double(documents.count)
        let rarity = frequency.mapValues { log1p(count / Double($0)) }
        let totalRarity = rarity.values.reduce(0, +)
        var scored: [(offset: Int, hit: SearchHit)] = []
        for (offset, document) in documents.enumerated() {
            var score = 0.0
            var matchedRarity = 0.0
            for term in wanted {
                guard let idf = rarity[term] else { continue }
                let weight = document.fields.filter { $0.terms.contains(term) }.map(\.weight).max() ?? 0
                guard weight > 0 else { continue }
                score += weight * idf
                matchedRarity += idf
            }
            guard score > 0 else { continue }
            // A document that misses the distinctive words of the question should not win on the
            // common ones: scale by the share of the question's weight it matched, squared.
            let coverage = matchedRarity / totalRarity
            score *= coverage * coverage
            // Curated answers to common questions come first when they match as well.
            if document.hit.kind == .question { score *= 1.15 }
            let hit = document.hit
            scored.append(
                (
                    offset,
                    SearchHit(
                        kind: hit.kind, topicID: hit.topicID, heading: hit.heading, text: hit.text,
                        sources: hit.sources, score: score)
                ))
        }
        scored.sort { ($0.hit.score, $1.offset) > ($1.hit.score, $0.offset) }
        return scored.prefix(limit).map(\.hit)
    }

    /// ln(1 + x), without Foundation.
    private func log1p(_ x: Double) -> Double {
        // Natural log by the series of atanh: ln(y) = 2 atanh((y-1)/(y+1)); y = 1 + x > 1 here.
        let y = 1 + x
        var exponent = 0.0
        var mantissa = y
        while mantissa > 2 { mantissa /= 2; exponent += 1 }
        let z = (mantissa - 1) / (mantissa + 1)
        var term = z
        var sum = 0.0
        var k = 1.0
        while abs(term) > 1e-12 {
            sum += term / k
            term *= z * z
            k += 2
        }
        return 2 * sum + exponent * 0.6931471805599453
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
