// Searching the knowledge base's words: the common questions, the topics and the glossary.

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
        let documents = searchDocuments()
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

    /// A searchable answer: what it shows, and its fields' terms with their weights.
    struct SearchDocument {
        let hit: SearchHit
        /// Field terms with their weights: heading-like fields first.
        let fields: [(terms: Set<String>, weight: Double)]
    }

    /// Everything searched: the common questions, each topic and its sections, the glossary.
    func searchDocuments() -> [SearchDocument] {
        var documents: [SearchDocument] = []
        func terms(_ text: String) -> Set<String> { Set(searchTerms(text)) }
        for question in questions {
            documents.append(
                SearchDocument(
                    hit: SearchHit(
                        kind: .question, topicID: "questions", heading: question.question, text: question.answer,
                        sources: question.sources, score: 0),
                    fields: [(terms(question.question), 3), (terms(question.keywords.joined(separator: " ")), 2), (terms(question.answer), 1)]))
        }
        for topic in topics() where topic.id != "questions" {
            documents.append(
                SearchDocument(
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
                    SearchDocument(
                        hit: SearchHit(
                            kind: .section, topicID: topic.id, heading: section.heading, text: text,
                            sources: section.sources, score: 0),
                        fields: [(terms(section.heading), 2.5), (terms(topic.title), 1), (terms(body), 1)]))
            }
        }
        for entry in glossary {
            documents.append(
                SearchDocument(
                    hit: SearchHit(kind: .glossary, topicID: "glossary", heading: entry.term, text: entry.plain, sources: [], score: 0),
                    fields: [(terms(([entry.term] + entry.forms).joined(separator: " ")), 2), (terms(entry.plain), 0.5)]))
        }

        return documents
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
