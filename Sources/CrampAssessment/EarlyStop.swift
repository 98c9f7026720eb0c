public import CrampKnowledge

/// An interview must not finish its questions before saying that something is an emergency.
/// These judge the answers given so far, with every question not yet asked left unknown, so
/// that a stop never rests on a placeholder value.
extension Assessor {
    /// The highest level that some rule reaches for certain on the answers so far, whatever the
    /// unanswered questions turn out to be; nil when none does yet. Signs in `request.negatives`
    /// were answered "no"; the fields in `asked` were asked (an empty code list among them means
    /// none applies); everything else is unknown.
    public func certainLevel(_ request: AssessmentRequest, asked: KnownAnswers.Fields) -> Triage? {
        let facts = request.facts
        let known = KnownAnswers(fields: asked, deniedFindings: CodeSet(request.negatives))
        return knowledge.rules.lazy.filter { $0.when.holdsForCertain(facts, known: known) }.map(\.level).max()
    }

    /// Whether an emergency rule already holds for certain: the interview stops here.
    public func isEmergencyNow(_ request: AssessmentRequest, asked: KnownAnswers.Fields) -> Bool {
        certainLevel(request, asked: asked) == .emergency
    }

    /// The sign to count when someone answers "yes" to a safety question but names none of its
    /// signs: the one that, with the answers so far, makes the most urgent rule certain; the
    /// knowledge base's order breaks ties. Counting the most urgent is the cautious reading.
    public func mostUrgentSign(of signs: [Finding], given request: AssessmentRequest, asked: KnownAnswers.Fields) -> Finding? {
        var best: (sign: Finding, level: Triage?)?
        for sign in signs {
            var trial = request
            trial.findings.append(sign)
            trial.negatives.removeAll { $0 == sign }
            let level = certainLevel(trial, asked: asked)
            guard let current = best else {
                best = (sign, level)
                continue
            }
            if let level, current.level.map({ level > $0 }) ?? true { best = (sign, level) }
        }
        return best?.sign
    }
}
