public import CrampKnowledge

/// The words a person reads for a result, shared by every interface.
public enum TriageWords {
    /// What the banner says for each level: the level in words and what to do now. The terminal
    /// and the web app say the same words.
    public static func banner(_ triage: Triage, numbers: EmergencyNumbers) -> (title: String, action: String) {
        switch triage {
        case .emergency:
            return (
                "EMERGENCY: call \(numbers.emergency) now",
                "Call the emergency number \(numbers.emergency) now, or have someone take you to the emergency department. Do not wait to see if it passes."
            )
        case .urgent:
            let line = numbers.urgent.map { " You can call \($0) for advice." } ?? ""
            return (
                "URGENT: be seen today",
                "Contact a doctor or urgent care service today.\(line) If it gets worse, call \(numbers.emergency)."
            )
        case .soon:
            return (
                "SOON: book an appointment",
                "Book an appointment with your doctor in the next days to weeks. If it gets much worse, or a sign under \"Get help if\" comes, get help sooner."
            )
        case .selfCare:
            return (
                "SELF-CARE: you can look after this at home",
                "This sounds safe to manage at home. Watch for the signs under \"Get help if\"."
            )
        }
    }
}

extension TriageWords {
    /// What a past check said, for the journal's list of kept checks.
    public static func past(_ triage: Triage) -> String {
        switch triage {
        case .emergency: "Emergency: it said to call the emergency number"
        case .urgent: "Urgent: it said to be seen the same day"
        case .soon: "Soon: it said to book an appointment"
        case .selfCare: "Self-care: it said this was safe to manage at home"
        }
    }
}

extension KnowledgeBase {
    /// What to avoid while easing a cramp, shown with every set of relief steps.
    public var reliefCautions: [Caution] {
        cautions.filter { ["avoid_jerky", "painkillers_after_only"].contains($0.id) }
    }

    /// A request code in words, for "because you said".
    public func label(code: String) -> String {
        if let finding = Finding(rawValue: code) { return findings[finding]?.label ?? code }
        if let context = ContextCode(rawValue: code) { return self.context[context]?.label ?? code }
        if let condition = Condition(rawValue: code) { return conditions[condition]?.label ?? code }
        if let medication = Medication(rawValue: code) { return medications[medication]?.label ?? code }
        if let onset = Onset(rawValue: code) { return "started when \(onsetLabels[onset] ?? code)" }
        if let muscle = Muscle(rawValue: code) { return muscleLabels[muscle] ?? code }
        switch code {
        case "age": return "your age"
        case "episodesLast30Days": return "how often it happens"
        case "durationMinutes": return "how long it lasted"
        default: return code
        }
    }
}

extension AssessmentResult {
    /// The relief a guided session walks through: everything offered but painkillers, which do
    /// not ease a cramp (the cautions say they are for soreness afterwards).
    public var sessionRelief: [ReliefAdvice] { relief.filter { $0.item.technique != .painkiller } }

    /// Every source the result's items cite, in the order they first appear.
    public var sourceIDs: [String] {
        var seen: [String] = []
        let lists =
            redFlags.map(\.rule.sources) + alternatives.map(\.alternative.sources)
            + factors.prefix(4).map(\.factor.sources) + relief.map(\.item.sources)
            + prevention.map(\.item.sources) + safetyNet.map(\.sources)
        for id in lists.joined() where !seen.contains(id) { seen.append(id) }
        return seen
    }
}
