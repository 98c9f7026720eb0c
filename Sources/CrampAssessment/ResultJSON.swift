import CrampJSON
public import CrampKnowledge

/// Writes results as contract JSON. The fixed text of each knowledge item is encoded once, when
/// the encoder is built, and appended as bytes per result: encoding dominates the cost of a request.
public struct ResultEncoder: Sendable {
    // Fixed fragments, by the item's index in the knowledge base.
    private let ruleMembers: [[UInt8]]
    private let alternativeMembers: [[UInt8]]
    private let factorMembers: [[UInt8]]
    private let reliefMembers: [[UInt8]]
    private let safetyNetObjects: [[UInt8]]
    private let questionText: [Finding: String]
    private let disclaimer: [UInt8]
    private let version: [UInt8]
    // The compact form's `{"id": …}` objects.
    private let reliefIDObjects: [[UInt8]]
    private let preventionIDObjects: [[UInt8]]
    private let safetyNetIDObjects: [[UInt8]]
    // Prevention items by index and variant (0 usual, 1 gentler): everything but the cautions.
    private let preventionHeads: [[[UInt8]]]
    private let preventionBodies: [[[UInt8]]]
    private let preventionSources: [[UInt8]]
    /// `"why":…` by item and by the factor it answers (0: none, else the factor's index + 1).
    private let preventionWhy: [[[UInt8]]]
    private let factorIDs: [[UInt8]]
    private let checkQuestionObjects: [Finding: [UInt8]]

    public init(knowledge kb: KnowledgeBase) {
        ruleMembers = Self.ruleMembers(kb)
        alternativeMembers = Self.alternativeMembers(kb)
        factorMembers = Self.factorMembers(kb)
        reliefMembers = Self.reliefMembers(kb)
        safetyNetObjects = Self.safetyNetObjects(kb)
        (preventionHeads, preventionBodies) = Self.preventionParts(kb)
        preventionSources = kb.prevention.map { item in
            Self.members { w in
                w.key("sources"); w.stringArray(item.sources)
            }
        }
        preventionWhy = Self.preventionWhy(kb)
        factorIDs = kb.factors.map { JSONWriter.quoted($0.id) }
        var checks: [Finding: [UInt8]] = [:]
        for (finding, info) in kb.findings {
            var w = JSONWriter()
            w.beginObject()
            w.key("code"); w.value(finding.rawValue)
            w.key("question"); w.value(info.question ?? finding.rawValue)
            w.endObject()
            checks[finding] = w.bytes
        }
        checkQuestionObjects = checks
        var questions: [Finding: String] = [:]
        for (finding, info) in kb.findings { questions[finding] = info.question }
        questionText = questions
        disclaimer = JSONWriter.quoted(kb.disclaimer)
        version = JSONWriter.quoted(kb.version)
        func idObject(_ id: String) -> [UInt8] { Array("{\"id\":".utf8) + JSONWriter.quoted(id) + [UInt8(ascii: "}")] }
        reliefIDObjects = kb.relief.map { idObject($0.id) }
        preventionIDObjects = kb.prevention.map { idObject($0.id) }
        safetyNetIDObjects = kb.safetyNet.map { idObject($0.id) }
    }

    /// An object's members without its braces: callers splice them into an object they write.
    private static func members(_ build: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        build(&writer)
        writer.endObject()
        return Array(writer.bytes.dropFirst().dropLast())
    }

    private static func ruleMembers(_ kb: KnowledgeBase) -> [[UInt8]] {
        kb.rules.map { rule in
            members { w in
                w.key("title"); w.value(rule.title)
                w.key("reason"); w.value(rule.reason)
                w.key("advice"); w.value(rule.advice)
                w.key("sources"); w.stringArray(rule.sources)
            }
        }
    }

    private static func alternativeMembers(_ kb: KnowledgeBase) -> [[UInt8]] {
        kb.alternatives.map { alternative in
            members { w in
                w.key("kind"); w.value(alternative.kind.rawValue)
                w.key("name"); w.value(alternative.name)
                w.key("summary"); w.value(alternative.summary)
                w.key("tellsApart"); w.value(alternative.tellsApart)
                w.key("sources"); w.stringArray(alternative.sources)
            }
        }
    }

    private static func factorMembers(_ kb: KnowledgeBase) -> [[UInt8]] {
        kb.factors.map { factor in
            members { w in
                w.key("name"); w.value(factor.name)
                w.key("explanation"); w.value(factor.summary)
                w.key("mechanism"); w.value(factor.mechanism)
                w.key("sources"); w.stringArray(factor.sources)
            }
        }
    }

    private static func reliefMembers(_ kb: KnowledgeBase) -> [[UInt8]] {
        kb.relief.map { item in
            members { w in
                w.key("id"); w.value(item.id)
                w.key("technique"); w.value(item.technique.rawValue)
                w.key("title"); w.value(item.title)
                w.key("steps"); w.stringArray(item.steps)
                if let hold = item.holdSeconds { w.key("holdSeconds"); w.value(hold) }
                if let repeats = item.repeats { w.key("repeats"); w.value(repeats) }
                w.key("sources"); w.stringArray(item.sources)
            }
        }
    }

    private static func safetyNetObjects(_ kb: KnowledgeBase) -> [[UInt8]] {
        kb.safetyNet.map { item in
            var w = JSONWriter()
            w.beginObject()
            w.key("id"); w.value(item.id)
            w.key("advice"); w.value(item.advice)
            w.key("sources"); w.stringArray(item.sources)
            w.endObject()
            return w.bytes
        }
    }

    /// Prevention items by index and variant (0 usual, 1 gentler): the head, then the body.
    private static func preventionParts(_ kb: KnowledgeBase) -> ([[[UInt8]]], [[[UInt8]]]) {
        let heads = kb.prevention.map { item in
            [false, true].map { gentler in
                members { w in
                    w.key("id"); w.value(item.id)
                    w.key("kind"); w.value(item.kind.rawValue)
                    w.key("title"); w.value(gentler ? item.gentler?.title ?? item.title : item.title)
                }
            }
        }
        let bodies = kb.prevention.map { item in
            [false, true].map { gentler in
                members { w in
                    w.key("steps"); w.stringArray(gentler ? item.gentler?.steps ?? item.steps : item.steps)
                    if !gentler, let sets = item.sets { w.key("sets"); w.value(sets) }
                    if !gentler, let progression = item.progression { w.key("progression"); w.value(progression) }
                    if gentler { w.key("variant"); w.value("gentler") }
                }
            }
        }
        return (heads, bodies)
    }

    private static func preventionWhy(_ kb: KnowledgeBase) -> [[[UInt8]]] {
        kb.prevention.map { item in
            ([nil] + kb.factors.map { Optional($0) }).map { factor in
                members { w in
                    w.key("why")
                    w.value(PreventionAdvice(item: item, answers: factor, gentler: false, cautions: []).why)
                }
            }
        }
    }

    /// `because`, straight from the evidence bits: request codes, then field names.
    private static func writeBecause(_ evidence: Evidence, onset: Onset?, to w: inout JSONWriter) {
        w.beginArray()
        for ordinal in evidence.findings.ordinals { w.raw(Finding.table.quoted[ordinal]) }
        for ordinal in evidence.context.ordinals { w.raw(ContextCode.table.quoted[ordinal]) }
        for ordinal in evidence.conditions.ordinals { w.raw(Condition.table.quoted[ordinal]) }
        for ordinal in evidence.medications.ordinals { w.raw(Medication.table.quoted[ordinal]) }
        if evidence.onset, let onset { w.raw(Onset.table.quoted[onset.ordinal]) }
        for ordinal in evidence.muscles.ordinals { w.raw(Muscle.table.quoted[ordinal]) }
        if evidence.age { w.value("age") }
        if evidence.episodes { w.value("episodesLast30Days") }
        if evidence.duration { w.value("durationMinutes") }
        w.endArray()
    }

    private static func writeCodes(_ set: CodeSet<Finding>, to w: inout JSONWriter) {
        w.beginArray()
        for ordinal in set.ordinals { w.raw(Finding.table.quoted[ordinal]) }
        w.endArray()
    }

    private static func rounded(_ score: Double) -> Double { (score * 1000).rounded() / 1000 }

    /// The full result, as `crampcare assess --json` prints it and the API answers.
    public func encode(_ result: AssessmentResult) -> [UInt8] { encode(result, compact: false) }

    /// The compact form for `--ndjson`: knowledge items by id only, no text.
    public func encodeCompact(_ result: AssessmentResult) -> [UInt8] { encode(result, compact: true) }

    private func encode(_ result: AssessmentResult, compact: Bool) -> [UInt8] {
        var w = JSONWriter(capacity: compact ? 768 : 4096)
        let onset = result.request.onset
        w.beginObject()
        w.key("triage"); w.raw(Triage.table.quoted[result.triage.ordinal])
        w.key("likelyCramp"); w.value(result.likelyCramp)
        writeHits(result, compact: compact, onset: onset, to: &w)
        writeAdvice(result, compact: compact, to: &w)
        w.key("unscreenedRedFlags"); Self.writeCodes(result.unscreened, to: &w)
        if !compact, result.triage == .selfCare, !result.unscreened.isEmpty { writeCheckQuestions(result.unscreened, to: &w) }
        if !compact, !result.notices.isEmpty { w.key("notices"); w.stringArray(result.notices) }
        if !compact { w.key("disclaimer"); w.raw(disclaimer) }
        w.key("knowledgeVersion"); w.raw(version)
        w.endObject()
        return w.bytes
    }

    /// The red flags, alternatives and factors, each with its `because`.
    private func writeHits(_ result: AssessmentResult, compact: Bool, onset: Onset?, to w: inout JSONWriter) {
        w.key("redFlags"); w.beginArray()
        for hit in result.redFlags {
            w.beginObject()
            w.key("id"); w.value(hit.rule.id)
            w.key("triage"); w.raw(Triage.table.quoted[hit.rule.level.ordinal])
            w.key("because"); Self.writeBecause(hit.evidence, onset: onset, to: &w)
            if !compact { w.rawMembers(ruleMembers[hit.rule.index]) }
            w.endObject()
        }
        w.endArray()
        w.key("alternatives"); w.beginArray()
        for hit in result.alternatives {
            w.beginObject()
            w.key("id"); w.raw(AlternativeID.table.quoted[hit.alternative.id.ordinal])
            if !compact { w.key("score"); w.value(Self.rounded(hit.score)) }
            w.key("because"); Self.writeBecause(hit.evidence, onset: onset, to: &w)
            if !compact { w.rawMembers(alternativeMembers[hit.alternative.index]) }
            w.endObject()
        }
        w.endArray()
        w.key("factors"); w.beginArray()
        for hit in result.factors {
            w.beginObject()
            w.key("id"); w.value(hit.factor.id)
            w.key("score"); w.value(Self.rounded(hit.score))
            w.key("because"); Self.writeBecause(hit.evidence, onset: onset, to: &w)
            if !compact { w.rawMembers(factorMembers[hit.factor.index]) }
            w.endObject()
        }
        w.endArray()
    }

    /// Relief, prevention and the safety net: by id alone in the compact form.
    private func writeAdvice(_ result: AssessmentResult, compact: Bool, to w: inout JSONWriter) {
        w.key("relief"); w.beginArray()
        for advice in result.relief {
            if compact {
                w.raw(reliefIDObjects[advice.item.index])
                continue
            }
            w.beginObject()
            w.rawMembers(reliefMembers[advice.item.index])
            if !advice.cautions.isEmpty { w.key("cautions"); w.stringArray(advice.cautions) }
            w.endObject()
        }
        w.endArray()
        w.key("prevention"); w.beginArray()
        for advice in result.prevention {
            if compact {
                w.raw(preventionIDObjects[advice.item.index])
                continue
            }
            let variant = advice.gentler ? 1 : 0
            w.beginObject()
            w.rawMembers(preventionHeads[advice.item.index][variant])
            w.rawMembers(preventionWhy[advice.item.index][advice.answers.map { $0.index + 1 } ?? 0])
            if let factor = advice.answers { w.key("answers"); w.raw(factorIDs[factor.index]) }
            w.rawMembers(preventionBodies[advice.item.index][variant])
            if !advice.cautions.isEmpty { w.key("cautions"); w.stringArray(advice.cautions) }
            w.rawMembers(preventionSources[advice.item.index])
            w.endObject()
        }
        w.endArray()
        w.key("safetyNet"); w.beginArray()
        for item in result.safetyNet { w.raw(compact ? safetyNetIDObjects[item.index] : safetyNetObjects[item.index]) }
        w.endArray()
    }

    /// Which answers would change a self-care result.
    private func writeCheckQuestions(_ unscreened: CodeSet<Finding>, to w: inout JSONWriter) {
        w.key("checkQuestions"); w.beginArray()
        for finding in unscreened {
            if let object = checkQuestionObjects[finding] {
                w.raw(object)
            } else {
                w.beginObject()
                w.key("code"); w.value(finding.rawValue)
                w.key("question"); w.value(finding.rawValue)
                w.endObject()
            }
        }
        w.endArray()
    }
}
