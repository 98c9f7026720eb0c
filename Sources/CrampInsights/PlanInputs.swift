public import CrampAssessment
import CrampJSON
public import CrampJournal
public import CrampKnowledge

/// Turns a journal into what the planner needs: the profile, what the assessments found, and the
/// diary's possible triggers.
public enum PlanInputs {
    /// How far back an assessment's findings and context still decide what is ruled out.
    public static let recentDays = 30
    /// How long an urgent or emergency result stays "see a clinician first".
    public static let openRedFlagDays = 14

    /// The urgent or emergency checks of the `openRedFlagDays` through `today`, as given (the
    /// plan's "see first" and the insights' "first" read the same ones).
    public static func openChecks(_ records: [AssessmentRecord], today: LocalDate) -> [AssessmentRecord] {
        let window = today.adding(days: -openRedFlagDays)...today
        return records.filter { $0.triage >= .urgent && window.contains($0.madeAt.localDate) }
    }

    public static func request(contents: JournalContents, insights: Insights, today: LocalDate, knowledge: KnowledgeBase) -> PlanRequest {
        var request = PlanRequest()
        if let profile = contents.profile {
            request.age = profile.birthYear.map { today.year - $0 }
            request.conditions = profile.conditions
            request.medications = profile.medications
        }
        var muscles: [Muscle] = []
        for episode in insights.episodes {
            for muscle in episode.muscles where muscle != .unsure && !muscles.contains(muscle) { muscles.append(muscle) }
        }
        request.muscles = muscles

        // The diary's possible triggers first: they are this person's own evidence.
        var factors: [(id: String, foundIn: String)] = []
        for finding in insights.triggers.findings where finding.verdict == .possibleTrigger {
            guard let factor = finding.exposure.kind.factor else { continue }
            factors.append((factor, "your diary: \(finding.exposure.label.lowercased()) is a possible trigger"))
        }
        // Then the factors the assessments found, the most often found first.
        var counts: [String: Int] = [:]
        var firstSeen: [String: Int] = [:]
        let records = contents.assessments.sorted { $0.madeAt.instant > $1.madeAt.instant }
        let recentStart = today.adding(days: -recentDays)
        var context: [ContextCode] = []
        var findings: [Finding] = []
        for (order, record) in records.enumerated() {
            guard let result = try? JSONParser.parse(record.resultJSON) else { continue }
            for factor in result["factors"]?.arrayValue ?? [] {
                guard let id = factor["id"]?.stringValue else { continue }
                counts[id, default: 0] += 1
                if firstSeen[id] == nil { firstSeen[id] = order }
            }
            guard record.madeAt.localDate >= recentStart, let requestJSON = try? JSONParser.parse(record.requestJSON),
                let decoded = try? AssessmentRequest.decode(requestJSON, medicineNames: knowledge.medicineNames)
            else { continue }
            for code in decoded.context where !context.contains(code) { context.append(code) }
            for code in decoded.findings where !findings.contains(code) { findings.append(code) }
            for condition in decoded.conditions where !request.conditions.contains(condition) { request.conditions.append(condition) }
            for medication in decoded.medications where !request.medications.contains(medication) { request.medications.append(medication) }
        }
        for id in counts.keys.sorted(by: { (counts[$0]!, -firstSeen[$0]!, $1) > (counts[$1]!, -firstSeen[$1]!, $0) }) {
            factors.append((id, counts[id]! == 1 ? "found in your assessment" : "found in \(counts[id]!) of your assessments"))
        }
        request.factors = factors
        request.context = context
        request.findings = findings
        // Every check of the last 14 days, not only the latest: a reassuring check after an urgent
        // one does not cancel it.
        for record in openChecks(records, today: today) {
            request.openChecks += 1
            guard let result = try? JSONParser.parse(record.resultJSON) else { continue }
            for id in (result["redFlags"]?.arrayValue ?? []).compactMap({ $0["id"]?.stringValue }) where !request.openRedFlags.contains(id) {
                request.openRedFlags.append(id)
            }
        }
        return request
    }
}
