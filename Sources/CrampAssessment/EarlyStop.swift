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
        return rules.lazy.filter { $0.when.holdsForCertain(facts, known: known) }.map(\.level).max()
    }

    /// Whether an emergency rule already holds for certain: the interview stops here.
    public func isEmergencyNow(_ request: AssessmentRequest, asked: KnownAnswers.Fields) -> Bool {
        certainLevel(request, asked: asked) == .emergency
    }

    /// The signs to count when someone answers "yes" to safety questions but names none of a
    /// question's signs: one sign for each such question (`questions` lists their signs), chosen
    /// together so that, with the answers so far, the most urgent level is certain. Counting the
    /// most urgent is the cautious reading; choosing them together finds a combination (a fever
    /// with severe pain) that one at a time could miss. Ties go to the knowledge base's order.
    public func mostUrgentSigns(for questions: [[Finding]], given request: AssessmentRequest, asked: KnownAnswers.Fields) -> [Finding] {
        let questions = questions.filter { !$0.isEmpty }
        func level(_ signs: [Finding]) -> Int {
            var trial = request
            trial.findings += signs
            trial.negatives.removeAll { signs.contains($0) }
            return certainLevel(trial, asked: asked).map { Triage.allCases.firstIndex(of: $0) ?? 0 } ?? -1
        }
        // Every combination while there are few (at most 4,096); else one question at a time.
        let combinations = questions.reduce(1) { $0 > 4096 ? $0 : $0 * $1.count }
        guard combinations <= 4096 else {
            var chosen: [Finding] = []
            for signs in questions {
                var best = signs[0], bestLevel = level(chosen + [best])
                for sign in signs.dropFirst() {
                    let found = level(chosen + [sign])
                    if found > bestLevel { (best, bestLevel) = (sign, found) }
                }
                chosen.append(best)
            }
            return chosen
        }
        var best: [Finding] = questions.map { $0[0] }
        var bestLevel = level(best)
        for index in 1..<max(1, combinations) {
            var rest = index
            var pick: [Finding] = []
            for signs in questions.reversed() {
                pick.insert(signs[rest % signs.count], at: 0)
                rest /= signs.count
            }
            let found = level(pick)
            if found > bestLevel { (best, bestLevel) = (pick, found) }
        }
        return best
    }
}
