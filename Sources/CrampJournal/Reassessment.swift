public import CrampAssessment
import CrampKnowledge

/// A kept assessment that today's knowledge base would triage higher, at urgent or emergency.
public struct RaisedAssessment: Sendable {
    public let record: AssessmentRecord
    public let now: AssessmentResult
}

/// After the knowledge base changes, recent kept assessments are judged again: a result that
/// was reassuring under old rules must not stay reassuring when the rules now say "today".
public enum Reassessment {
    /// How far back a kept assessment is judged again.
    public static let days = 14

    /// The assessments of the last `days` days, made with another knowledge version, whose
    /// request today's rules triage at urgent or emergency and higher than it was; newest first.
    /// A request that no longer reads (a code since removed) is left alone.
    public static func raised(_ records: [AssessmentRecord], assessor: Assessor, today: LocalDate) -> [RaisedAssessment] {
        let since = today.adding(days: -days)
        var out: [RaisedAssessment] = []
        for record in records where record.knowledgeVersion != assessor.knowledge.version && record.madeAt.localDate >= since {
            guard let request = try? AssessmentRequest.decode(json: Array(record.requestJSON.utf8)) else { continue }
            let result = assessor.assess(request)
            if result.triage >= .urgent, result.triage > record.triage { out.append(RaisedAssessment(record: record, now: result)) }
        }
        return out.sorted { $0.record.madeAt.instant > $1.record.madeAt.instant }
    }
}

extension RaisedAssessment {
    /// What the home page, the journal and `crampcare history` say about it, in one wording.
    public var notice: String {
        let was = record.triage == .selfCare ? "self-care" : record.triage.rawValue
        let level = now.triage == .emergency ? "an EMERGENCY" : "URGENT"
        let why = now.redFlags.first { $0.rule.level == now.triage }?.rule.title ?? ""
        let action =
            now.triage == .emergency
            ? "If it is still happening, call the emergency number now."
            : "If it is still happening, get seen today. If it has gone, tell your doctor about it."
        return "Your check of \(record.madeAt.localDate) said \(was). CrampCare's advice has been updated, and the same answers "
            + "would now be \(level)\(why.isEmpty ? "" : ": \(why)"). \(action)"
    }
}
