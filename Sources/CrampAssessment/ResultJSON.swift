import CrampJSON
public import CrampKnowledge

/// Writes results as contract JSON. The fixed text of each knowledge item is encoded once, when
/// the encoder is built, and appended as bytes per result: encoding dominates the cost of a request.
public struct ResultEncoder: Sendable {
    private let ruleMembers: [String: [UInt8]]
    private let alternativeMembers: [AlternativeID: [UInt8]]
    private let factorMembers: [String: [UInt8]]
    private let reliefMembers: [String: [UInt8]]
    private let safetyNetObjects: [String: [UInt8]]
    private let questionText: [Finding: String]
    private let disclaimer: [UInt8]

    public init(knowledge kb: KnowledgeBase) {
        func members(_ build: (inout JSONWriter) -> Void) -> [UInt8] {
            var writer = JSONWriter()
            writer.beginObject()
            build(&writer)
            writer.endObject()
            // Strip the braces: callers splice these members into an object they are writing.
            return Array(writer.bytes.dropFirst().dropLast())
        }
        var rules: [String: [UInt8]] = [:]
        for rule in kb.rules {
            rules[rule.id] = members { w in
                w.key("title"); w.value(rule.title)
                w.key("reason"); w.value(rule.reason)
                w.key("advice"); w.value(rule.advice)
                w.key("sources"); w.stringArray(rule.sources)
            }
        }
        ruleMembers = rules
        var alternatives: [AlternativeID: [UInt8]] = [:]
        for alternative in kb.alternatives {
            alternatives[alternative.id] = members { w in
                w.key("kind"); w.value(alternative.kind.rawValue)
                w.key("name"); w.value(alternative.name)
                w.key("summary"); w.value(alternative.summary)
                w.key("tellsApart"); w.value(alternative.tellsApart)
                w.key("sources"); w.stringArray(alternative.sources)
            }
        }
        alternativeMembers = alternatives
        var factors: [String: [UInt8]] = [:]
        for factor in kb.factors {
            factors[factor.id] = members { w in
                w.key("name"); w.value(factor.name)
                w.key("explanation"); w.value(factor.summary)
                w.key("mechanism"); w.value(factor.mechanism)
                w.key("sources"); w.stringArray(factor.sources)
            }
        }
        factorMembers = factors
        var relief: [String: [UInt8]] = [:]
        for item in kb.relief {
            relief[item.id] = members { w in
                w.key("id"); w.value(item.id)
                w.key("technique"); w.value(item.technique.rawValue)
                w.key("title"); w.value(item.title)
                w.key("steps"); w.stringArray(item.steps)
                if let hold = item.holdSeconds { w.key("holdSeconds"); w.value(hold) }
                if let repeats = item.repeats { w.key("repeats"); w.value(repeats) }
                w.key("sources"); w.stringArray(item.sources)
            }
        }
        reliefMembers = relief
        var net: [String: [UInt8]] = [:]
        for item in kb.safetyNet {
            var w = JSONWriter()
            w.beginObject()
            w.key("id"); w.value(item.id)
            w.key("advice"); w.value(item.advice)
            w.key("sources"); w.stringArray(item.sources)
            w.endObject()
            net["\(item.id)|\(item.priority)"] = w.bytes
        }
        safetyNetObjects = net
        var questions: [Finding: String] = [:]
        for (finding, info) in kb.findings { questions[finding] = info.question }
        questionText = questions
        disclaimer = JSONWriter.quoted(kb.disclaimer)
    }

    private static func rounded(_ score: Double) -> Double { (score * 1000).rounded() / 1000 }

    /// The full result, as `crampcare assess --json` prints it and the API answers.
    public func encode(_ result: AssessmentResult) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("triage"); w.value(result.triage.rawValue)
        w.key("likelyCramp"); w.value(result.likelyCramp)
        w.key("redFlags"); w.beginArray()
        for hit in result.redFlags {
            w.beginObject()
            w.key("id"); w.value(hit.rule.id)
            w.key("triage"); w.value(hit.rule.level.rawValue)
            w.key("because"); w.stringArray(result.because(hit.evidence))
            w.rawMembers(ruleMembers[hit.rule.id] ?? [])
            w.endObject()
        }
        w.endArray()
        w.key("alternatives"); w.beginArray()
        for hit in result.alternatives {
            w.beginObject()
            w.key("id"); w.value(hit.alternative.id.rawValue)
            w.key("score"); w.value(Self.rounded(hit.score))
            w.key("because"); w.stringArray(result.because(hit.evidence))
            w.rawMembers(alternativeMembers[hit.alternative.id] ?? [])
            w.endObject()
        }
        w.endArray()
        w.key("factors"); w.beginArray()
        for hit in result.factors {
            w.beginObject()
            w.key("id"); w.value(hit.factor.id)
            w.key("score"); w.value(Self.rounded(hit.score))
            w.key("because"); w.stringArray(result.because(hit.evidence))
            w.rawMembers(factorMembers[hit.factor.id] ?? [])
            w.endObject()
        }
        w.endArray()
        w.key("relief"); w.beginArray()
        for advice in result.relief {
            w.beginObject()
            w.rawMembers(reliefMembers[advice.item.id] ?? [])
            if !advice.cautions.isEmpty { w.key("cautions"); w.stringArray(advice.cautions) }
            w.endObject()
        }
        w.endArray()
        w.key("prevention"); w.beginArray()
        for advice in result.prevention {
            w.beginObject()
            w.key("id"); w.value(advice.item.id)
            w.key("kind"); w.value(advice.item.kind.rawValue)
            w.key("title"); w.value(advice.title)
            w.key("why"); w.value(advice.why)
            if let factor = advice.answers { w.key("answers"); w.value(factor.id) }
            w.key("steps"); w.stringArray(advice.steps)
            if !advice.gentler, let sets = advice.item.sets { w.key("sets"); w.value(sets) }
            if !advice.gentler, let progression = advice.item.progression { w.key("progression"); w.value(progression) }
            if advice.gentler { w.key("variant"); w.value("gentler") }
            if !advice.cautions.isEmpty { w.key("cautions"); w.stringArray(advice.cautions) }
            w.key("sources"); w.stringArray(advice.item.sources)
            w.endObject()
        }
        w.endArray()
        w.key("safetyNet"); w.beginArray()
        for item in result.safetyNet { w.raw(safetyNetObjects["\(item.id)|\(item.priority)"] ?? []) }
        w.endArray()
        w.key("unscreenedRedFlags"); w.stringArray(result.unscreenedRedFlags.map(\.rawValue))
        if result.triage == .selfCare, !result.unscreenedRedFlags.isEmpty {
            // Which answers would change a self-care result.
            w.key("checkQuestions"); w.beginArray()
            for finding in result.unscreenedRedFlags {
                w.beginObject()
                w.key("code"); w.value(finding.rawValue)
                w.key("question"); w.value(questionText[finding] ?? finding.rawValue)
                w.endObject()
            }
            w.endArray()
        }
        if !result.notices.isEmpty { w.key("notices"); w.stringArray(result.notices) }
        w.key("disclaimer"); w.raw(disclaimer)
        w.key("knowledgeVersion"); w.value(result.knowledgeVersion)
        w.endObject()
        return w.bytes
    }

    /// The compact form for `--ndjson`: knowledge items by id only, no text.
    public func encodeCompact(_ result: AssessmentResult) -> [UInt8] {
        var w = JSONWriter(capacity: 768)
        w.beginObject()
        w.key("triage"); w.value(result.triage.rawValue)
        w.key("likelyCramp"); w.value(result.likelyCramp)
        w.key("redFlags"); w.beginArray()
        for hit in result.redFlags {
            w.beginObject()
            w.key("id"); w.value(hit.rule.id)
            w.key("triage"); w.value(hit.rule.level.rawValue)
            w.key("because"); w.stringArray(result.because(hit.evidence))
            w.endObject()
        }
        w.endArray()
        w.key("alternatives"); w.beginArray()
        for hit in result.alternatives {
            w.beginObject()
            w.key("id"); w.value(hit.alternative.id.rawValue)
            w.key("because"); w.stringArray(result.because(hit.evidence))
            w.endObject()
        }
        w.endArray()
        w.key("factors"); w.beginArray()
        for hit in result.factors {
            w.beginObject()
            w.key("id"); w.value(hit.factor.id)
            w.key("score"); w.value(Self.rounded(hit.score))
            w.key("because"); w.stringArray(result.because(hit.evidence))
            w.endObject()
        }
        w.endArray()
        func ids(_ key: String, _ list: [String]) {
            w.key(key); w.beginArray()
            for id in list { w.beginObject(); w.key("id"); w.value(id); w.endObject() }
            w.endArray()
        }
        ids("relief", result.relief.map(\.item.id))
        ids("prevention", result.prevention.map(\.item.id))
        ids("safetyNet", result.safetyNet.map(\.id))
        w.key("unscreenedRedFlags"); w.stringArray(result.unscreenedRedFlags.map(\.rawValue))
        w.key("knowledgeVersion"); w.value(result.knowledgeVersion)
        w.endObject()
        return w.bytes
    }
}
