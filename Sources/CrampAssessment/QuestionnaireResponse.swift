import CrampJSON
import CrampKnowledge

/// A QuestionnaireResponse's items read into a request's members, item by item.
struct ResponseReader {
    let interview: AssessmentInterview?
    let medicineNames: [String: Medication]
    var request: [(key: String, value: JSONValue)] = []
    var episode: [(key: String, value: JSONValue)] = []
    var findings: [JSONValue] = []
    var negatives: [JSONValue] = []
    var lists: [String: [JSONValue]] = [:]
    /// Safety questions answered "yes" or "not sure" without a sign, and those answered "no".
    var unnamed: [String] = []
    var screenedNo: [String] = []
    var asked: KnownAnswers.Fields = []

    init(interview: AssessmentInterview?, medicineNames: [String: Medication]) {
        self.interview = interview
        self.medicineNames = medicineNames
    }

    func answers(_ item: JSONValue, _ linkID: String) throws(RequestError) -> [JSONValue] {
        guard let list = item["answer"]?.arrayValue, !list.isEmpty else {
            throw RequestError(field: linkID, problem: "has no answer; leave the item out instead")
        }
        return list
    }

    func single(_ item: JSONValue, _ linkID: String, _ key: String) throws(RequestError) -> JSONValue {
        let list = try answers(item, linkID)
        guard list.count == 1, let value = list[0][key] else {
            throw RequestError(field: linkID, problem: "needs exactly one \(key) answer")
        }
        return value
    }

    func codes(_ item: JSONValue, _ linkID: String) throws(RequestError) -> [JSONValue] {
        var out: [JSONValue] = []
        for (index, answer) in try answers(item, linkID).enumerated() {
            guard let code = answer["valueCoding"]?["code"], code.stringValue != nil else {
                throw RequestError(field: "\(linkID)[\(index)]", problem: "needs a valueCoding with a code")
            }
            out.append(code)
        }
        return out
    }

    func oneCode(_ item: JSONValue, _ linkID: String) throws(RequestError) -> JSONValue {
        let code = try codes(item, linkID)
        guard code.count == 1 else { throw RequestError(field: linkID, problem: "needs exactly one answer") }
        return code[0]
    }

    mutating func walk(_ items: [JSONValue], depth: Int) throws(RequestError) {
        guard depth < 8 else { throw RequestError(field: "item", problem: "nested too deep") }
        for item in items {
            guard let linkID = item["linkId"]?.stringValue else { throw RequestError(field: "item", problem: "an item has no linkId") }
            if let children = item["item"]?.arrayValue {
                try walk(children, depth: depth + 1)
            } else {
                try read(item, linkID)
            }
        }
    }

    mutating func read(_ item: JSONValue, _ linkID: String) throws(RequestError) {
        switch linkID {
        case "age": request.append(("age", try single(item, linkID, "valueInteger")))
        case "sex": request.append(("sex", try oneCode(item, linkID)))
        case "episodesLast30Days": request.append(("episodesLast30Days", try single(item, linkID, "valueInteger")))
        case "episode.durationMinutes":
            let list = try answers(item, linkID)
            guard list.count == 1, let value = list[0]["valueDecimal"] ?? list[0]["valueInteger"] else {
                throw RequestError(field: linkID, problem: "needs exactly one valueDecimal answer")
            }
            episode.append(("durationMinutes", value))
        case "episode.muscles": episode.append(("muscles", .array(try codes(item, linkID))))
        case "episode.side", "episode.onset": episode.append((String(linkID.dropFirst("episode.".count)), try oneCode(item, linkID)))
        case "episode.severity": episode.append(("severity", try single(item, linkID, "valueInteger")))
        case "context", "conditions", "medications": lists[linkID, default: []] += try codes(item, linkID)
        case _ where linkID.hasPrefix("screen."): try readScreen(item, linkID)
        default: try readFinding(item, linkID)
        }
    }

    mutating func readScreen(_ item: JSONValue, _ linkID: String) throws(RequestError) {
        if let interview {
            guard case .screen(let signs)? = interview.question(linkID)?.kind, signs.count > 1 else {
                throw RequestError(field: linkID, problem: "is not a question of this questionnaire")
            }
        }
        let code = try codes(item, linkID)
        guard code.count == 1, let text = code[0].stringValue, AssessmentQuestionnaire.screenAnswers.contains(where: { $0.code == text }) else {
            throw RequestError(field: linkID, problem: "needs exactly one answer: yes, no or unsure")
        }
        if text != "no" { unnamed.append(linkID) } else { screenedNo.append(linkID) }
    }

    mutating func readFinding(_ item: JSONValue, _ linkID: String) throws(RequestError) {
        guard linkID.hasPrefix("finding.") else {
            throw RequestError(field: linkID, problem: "is not a question of this questionnaire")
        }
        let name = String(linkID.dropFirst("finding.".count))
        guard Finding(rawValue: name) != nil else {
            throw RequestError(field: linkID, problem: "is not a question of this questionnaire (no finding \"\(name)\")")
        }
        guard case .bool(let present) = try single(item, linkID, "valueBoolean") else {
            throw RequestError(field: linkID, problem: "needs a valueBoolean answer (true or false)")
        }
        if present { findings.append(.string(name)) } else { negatives.append(.string(name)) }
    }

    /// The lists into the request's members, and which answers were given.
    mutating func finish() {
        if !findings.isEmpty { request.append(("findings", .array(findings))) }
        if !negatives.isEmpty { request.append(("negatives", .array(negatives))) }
        for key in ["context", "conditions", "medications"] { if let list = lists[key] { request.append((key, .array(list))) } }
        if request.contains(where: { $0.key == "age" }) { asked.insert(.age) }
        for (key, field) in [("durationMinutes", KnownAnswers.Fields.duration), ("muscles", .muscles), ("side", .side), ("onset", .onset)]
        where episode.contains(where: { $0.key == key }) {
            asked.insert(field)
        }
        for (key, field) in [("context", KnownAnswers.Fields.context), ("conditions", .conditions), ("medications", .medications)]
        where lists[key] != nil {
            asked.insert(field)
        }
    }

    func decoded(_ members: [(key: String, value: JSONValue)], _ episode: [(key: String, value: JSONValue)]) throws(RequestError) -> AssessmentRequest
    {
        var members = members
        if !episode.isEmpty { members.append(("episode", .object(episode))) }
        var built = try AssessmentRequest.decode(.object(members), medicineNames: medicineNames)
        // "Yes" or "not sure" with no sign named: the most urgent sign of each such question.
        if let interview, !unnamed.isEmpty {
            let present = CodeSet(built.findings)
            let signs = unnamed.compactMap { id -> [Finding]? in
                guard case .screen(let list)? = interview.question(id)?.kind, !list.contains(where: present.contains) else { return nil }
                return list
            }
            let chosen = interview.assessor.mostUrgentSigns(for: signs, given: built, asked: asked)
            built.findings = Array(CodeSet(built.findings + chosen))
            built.negatives.removeAll { chosen.contains($0) }
        }
        return built
    }

    /// An interface that cannot ask every safety question gives no triage, and says so.
    func checkEverySafetyQuestion(_ built: AssessmentRequest) throws(RequestError) {
        guard let interview else { return }
        let answered = CodeSet(built.findings + built.negatives)
        for question in interview.questions {
            guard case .screen(let signs) = question.kind, !signs.contains(where: answered.contains), !unnamed.contains(question.id),
                !screenedNo.contains(question.id)
            else { continue }
            throw RequestError(
                field: "step.\(question.id.dropFirst("screen.".count))",
                problem: "the safety question \"\(question.text)\" is not answered; "
                    + "CrampCare gives no triage until every safety question is answered (yes, no or unsure)")
        }
    }

    /// The answers so far with neutral values where the response stopped, when they already
    /// make an emergency certain; nil otherwise (and always without an interview).
    func emergencySoFar() -> AssessmentRequest? {
        guard let interview else { return nil }
        var partial = request
        if !partial.contains(where: { $0.key == "age" }) { partial.append(("age", .number(40, isInteger: true))) }
        var partialEpisode = episode
        if !partialEpisode.contains(where: { $0.key == "durationMinutes" }) {
            partialEpisode.append(("durationMinutes", .number(1, isInteger: true)))
        }
        if !partialEpisode.contains(where: { $0.key == "muscles" }) { partialEpisode.append(("muscles", .array([.string("unsure")]))) }
        guard let stopped = try? decoded(partial, partialEpisode), interview.assessor.isEmergencyNow(stopped, asked: asked) else { return nil }
        return stopped
    }
}
