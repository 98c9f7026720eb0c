import ArgumentParser
import CrampJSON
import CrampKnowledge

struct Learn: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read about knee cramps: what they are, causes, mimics, relief, prevention, exercises and more.",
        discussion:
            "Without a topic, lists the topics. Topics: cramp, causes, symptoms, relief, prevention, exercises, in-the-muscle, ageing, see-a-doctor, questions, glossary, sources."
    )

    @Argument(help: "The topic to read (its id, or words from its title).")
    var topic: String?

    @Flag(help: "Print every topic.")
    var all = false

    @Option(help: "text, json or markdown.")
    var format: OutputFormat = .text

    func run() throws {
        let knowledge = try loadKnowledge()
        try reporting {
            let topics = knowledge.allTopics()
            var chosen: [Topic]
            if all {
                chosen = topics
            } else if let topic {
                let wanted = topic.lowercased()
                if let exact = topics.first(where: { $0.id == wanted }) {
                    chosen = [exact]
                } else {
                    let terms = Set(knowledge.searchTerms(topic))
                    chosen = Array(
                        topics.filter { !terms.isDisjoint(with: knowledge.searchTerms($0.id.replacing("-", with: " ") + " " + $0.title)) }.prefix(1))
                }
                guard !chosen.isEmpty else {
                    throw CLIError.input("no topic \"\(topic)\"; topics: \(topics.map(\.id).joined(separator: ", "))")
                }
            } else {
                if format == .json {
                    chosen = topics
                } else {
                    Console.print("Topics (crampcare learn TOPIC):")
                    for topic in topics { Console.print("  \(topic.id.padding(16))\(topic.summary)") }
                    return
                }
            }
            switch format {
            case .json: Console.write(Self.json(chosen, knowledge: knowledge) + [0x0A])
            case .text, .markdown:
                Console.print(chosen.map { Self.render($0, knowledge: knowledge, markdown: format == .markdown) }.joined(separator: "\n\n"))
            }
        }
    }

    static func render(_ topic: Topic, knowledge: KnowledgeBase, markdown: Bool) -> String {
        let width = Console.width
        let style = Style(enabled: !markdown && Console.colourEnabled)
        var lines = [markdown ? "# \(topic.title)" : style.bold(topic.title.uppercased()), ""]
        for section in topic.sections {
            lines.append(markdown ? "## \(section.heading)" : style.bold(section.heading))
            for paragraph in section.paragraphs { lines.append(markdown ? paragraph : wrap(paragraph, width: width, indent: "  ")) }
            if !section.list.isEmpty {
                if let title = section.listTitle { lines.append(markdown ? "\n\(title):\n" : "  \(title):") }
                for item in section.list {
                    lines.append(markdown ? "- \(item)" : wrap(item, width: width, indent: "      ", firstIndent: "    - "))
                }
            }
            if !section.sources.isEmpty {
                let names = section.sources.compactMap { knowledge.sources[$0].map { "\($0.publisher)" } }
                let unique = names.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                lines.append(markdown ? "_Sources: \(unique.joined(separator: ", "))_" : style.dim("  Sources: \(unique.joined(separator: ", "))"))
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ topics: [Topic], knowledge: KnowledgeBase) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("knowledgeVersion"); w.value(knowledge.version)
        w.key("topics"); w.beginArray()
        for topic in topics {
            w.beginObject()
            w.key("id"); w.value(topic.id)
            w.key("title"); w.value(topic.title)
            w.key("summary"); w.value(topic.summary)
            w.key("sections"); w.beginArray()
            for section in topic.sections {
                w.beginObject()
                w.key("heading"); w.value(section.heading)
                w.key("paragraphs"); w.stringArray(section.paragraphs)
                if let title = section.listTitle { w.key("listTitle"); w.value(title) }
                if !section.list.isEmpty { w.key("list"); w.stringArray(section.list) }
                w.key("sources"); w.stringArray(section.sources)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.key("glossary"); w.beginArray()
        for entry in knowledge.glossary {
            w.beginObject()
            w.key("term"); w.value(entry.term)
            w.key("forms"); w.stringArray(entry.forms)
            w.key("plain"); w.value(entry.plain)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}

struct Ask: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a question in your own words; the answer comes from the knowledge base, with its sources."
    )

    @Argument(parsing: .remaining, help: "Your question, such as \"can dehydration cause cramps?\"")
    var question: [String] = []

    @Flag(help: "Print the answers as JSON.")
    var json = false

    func run() throws {
        let knowledge = try loadKnowledge()
        try reporting {
            let text = question.joined(separator: " ").trimmingCharacters()
            guard !text.isEmpty else { throw CLIError.input("ask needs a question, such as: crampcare ask \"can dehydration cause cramps?\"") }
            let hits = knowledge.search(text)
            if json {
                var w = JSONWriter()
                w.beginObject()
                w.key("question"); w.value(text)
                w.key("answers"); w.beginArray()
                for hit in hits {
                    w.beginObject()
                    w.key("topic"); w.value(hit.topicID)
                    w.key("heading"); w.value(hit.heading)
                    w.key("text"); w.value(hit.text)
                    w.key("sources"); w.stringArray(hit.sources)
                    w.endObject()
                }
                w.endArray()
                w.endObject()
                Console.write(w.bytes + [0x0A])
                if hits.isEmpty { throw ExitCode(1) }
                return
            }
            guard let best = hits.first else {
                Console.print("CrampCare has no answer to that. Try other words, or read a topic: crampcare learn")
                throw ExitCode(1)
            }
            let width = Console.width
            let style = Style(enabled: Console.colourEnabled)
            Console.print(style.bold(best.heading))
            Console.print(wrap(best.text, width: width))
            let sources = best.sources.compactMap { knowledge.sources[$0] }
            if !sources.isEmpty {
                Console.print("")
                Console.print("Sources:")
                for source in sources {
                    Console.print(wrap("\(source.publisher): \(source.title). \(source.url)", width: width, indent: "    ", firstIndent: "  - "))
                }
            }
            if hits.count > 1 {
                Console.print("")
                Console.print("See also: " + hits.dropFirst().map { "\($0.heading) (crampcare learn \($0.topicID))" }.joined(separator: "; "))
            }
            Console.print("")
            Console.print(wrap(knowledge.disclaimer, width: width))
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
