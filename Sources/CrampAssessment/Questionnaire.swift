public import CrampJSON
public import CrampKnowledge

/// The assessment's questions as an HL7 FHIR R4 `Questionnaire`, and a matching
/// `QuestionnaireResponse` read back as a request, so another health app can ask the questions
/// and let CrampCare answer. linkIds are the request's own field paths (`episode.muscles`,
/// `finding.calf_swelling`), so an error names what the person answered.
public enum AssessmentQuestionnaire {
    public static let url = "urn:crampcare:questionnaire:assessment"

    static func system(_ list: String) -> String { "urn:crampcare:code:\(list)" }

    /// The answer codes of a screening question: "not sure" counts as yes.
    public static let screenAnswers: [(code: String, display: String)] = [("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")]

    /// The Questionnaire resource as JSON, generated from the interview: its screening questions
    /// first, in its order, each a group whose signs are enabled by a "yes" or "not sure".
    public static func questionnaire(interview: AssessmentInterview) -> [UInt8] {
        let writer = QuestionnaireWriter(interview: interview)
        writer.write()
        return writer.w.bytes
    }

    /// True when a parsed document is a QuestionnaireResponse (rather than a contract request).
    public static func isResponse(_ value: JSONValue) -> Bool { value["resourceType"]?.stringValue == "QuestionnaireResponse" }

    /// A QuestionnaireResponse to this questionnaire, as a request; checked like any request. With
    /// an interview, a screening "yes" or "not sure" that names no sign counts the most urgent
    /// one, and a response that stops at an emergency (only "yes, chest pain", say) is that
    /// emergency rather than an error about the questions it never reached.
    public static func request(
        fromResponse value: JSONValue, medicineNames: [String: Medication] = [:],
        interview: AssessmentInterview? = nil
    ) throws(RequestError) -> AssessmentRequest {
        guard isResponse(value) else {
            throw RequestError(field: "resourceType", problem: "expected \"QuestionnaireResponse\"")
        }
        if let reference = value["questionnaire"] {
            guard let text = reference.stringValue, text == url || text.hasPrefix(url + "|") else {
                throw RequestError(field: "questionnaire", problem: "\(reference.excerpt) is not this questionnaire; accepted: \(url)")
            }
        }
        if let status = value["status"] {
            guard let text = status.stringValue, ["completed", "amended"].contains(text) else {
                throw RequestError(field: "status", problem: "\(status.excerpt) is not a finished response; accepted: completed, amended")
            }
        }
        var request: [(key: String, value: JSONValue)] = []
        var episode: [(key: String, value: JSONValue)] = []
        var findings: [JSONValue] = []
        var negatives: [JSONValue] = []
        var lists: [String: [JSONValue]] = [:]
        var unnamed: [String] = []
        var screenedNo: [String] = []

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
        func walk(_ items: [JSONValue], depth: Int) throws(RequestError) {
            guard depth < 8 else { throw RequestError(field: "item", problem: "nested too deep") }
            for item in items {
                guard let linkID = item["linkId"]?.stringValue else { throw RequestError(field: "item", problem: "an item has no linkId") }
                if let children = item["item"]?.arrayValue {
                    try walk(children, depth: depth + 1)
                    continue
                }
                switch linkID {
                case "age": request.append(("age", try single(item, linkID, "valueInteger")))
                case "sex":
                    let code = try codes(item, linkID)
                    guard code.count == 1 else { throw RequestError(field: linkID, problem: "needs exactly one answer") }
                    request.append(("sex", code[0]))
                case "episodesLast30Days": request.append(("episodesLast30Days", try single(item, linkID, "valueInteger")))
                case "episode.durationMinutes":
                    let list = try answers(item, linkID)
                    guard list.count == 1, let value = list[0]["valueDecimal"] ?? list[0]["valueInteger"] else {
                        throw RequestError(field: linkID, problem: "needs exactly one valueDecimal answer")
                    }
                    episode.append(("durationMinutes", value))
                case "episode.muscles": episode.append(("muscles", .array(try codes(item, linkID))))
                case "episode.side", "episode.onset":
                    let code = try codes(item, linkID)
                    guard code.count == 1 else { throw RequestError(field: linkID, problem: "needs exactly one answer") }
                    episode.append((String(linkID.dropFirst("episode.".count)), code[0]))
                case "episode.severity": episode.append(("severity", try single(item, linkID, "valueInteger")))
                case "context", "conditions", "medications": lists[linkID, default: []] += try codes(item, linkID)
                case _ where linkID.hasPrefix("screen."):
                    if let interview {
                        guard case .screen(let signs)? = interview.question(linkID)?.kind, signs.count > 1 else {
                            throw RequestError(field: linkID, problem: "is not a question of this questionnaire")
                        }
                    }
                    let code = try codes(item, linkID)
                    guard code.count == 1, let text = code[0].stringValue, screenAnswers.contains(where: { $0.code == text }) else {
                        throw RequestError(field: linkID, problem: "needs exactly one answer: yes, no or unsure")
                    }
                    if text != "no" { unnamed.append(linkID) } else { screenedNo.append(linkID) }
                default:
                    guard linkID.hasPrefix("finding.") else {
                        throw RequestError(field: linkID, problem: "is not a question of this questionnaire")
                    }
                    let name = String(linkID.dropFirst("finding.".count))
                    guard Finding(rawValue: name) != nil else {
                        throw RequestError(field: linkID, problem: "is not a question of this questionnaire (no finding \"\(name)\")")
                    }
                    let code = JSONValue.string(name)
                    guard case .bool(let present) = try single(item, linkID, "valueBoolean") else {
                        throw RequestError(field: linkID, problem: "needs a valueBoolean answer (true or false)")
                    }
                    if present { findings.append(code) } else { negatives.append(code) }
                }
            }
        }
        try walk(value["item"]?.arrayValue ?? [], depth: 0)
        if !findings.isEmpty { request.append(("findings", .array(findings))) }
        if !negatives.isEmpty { request.append(("negatives", .array(negatives))) }
        for key in ["context", "conditions", "medications"] { if let list = lists[key] { request.append((key, .array(list))) } }
        var asked: KnownAnswers.Fields = []
        if request.contains(where: { $0.key == "age" }) { asked.insert(.age) }
        for (key, field) in [("durationMinutes", KnownAnswers.Fields.duration), ("muscles", .muscles), ("side", .side), ("onset", .onset)]
        where episode.contains(where: { $0.key == key }) {
            asked.insert(field)
        }
        for (key, field) in [("context", KnownAnswers.Fields.context), ("conditions", .conditions), ("medications", .medications)]
        where lists[key] != nil {
            asked.insert(field)
        }
        func decoded(
            _ members: [(key: String, value: JSONValue)], _ episode: [(key: String, value: JSONValue)]
        ) throws(RequestError) -> AssessmentRequest {
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
        do throws(RequestError) {
            let built = try decoded(request, episode)
            // Asked in the interview's order, the questions stop at the first emergency, as they
            // do in the terminal and on the web: the same answers give the same result everywhere.
            if let interview, case .emergency(let stopped, _) = interview.run(from: built).end { return stopped }
            // An interface that cannot ask every safety question gives no triage, and says so.
            if let interview {
                let answered = CodeSet(built.findings + built.negatives)
                for question in interview.questions {
                    guard case .screen(let signs) = question.kind, !signs.contains(where: answered.contains),
                        !unnamed.contains(question.id), !screenedNo.contains(question.id)
                    else { continue }
                    let step = "step.\(question.id.dropFirst("screen.".count))"
                    throw RequestError(
                        field: step,
                        problem: "the safety question \"\(question.text)\" is not answered; "
                            + "CrampCare gives no triage until every safety question is answered (yes, no or unsure)")
                }
            }
            return built
        } catch {
            // The questions the response never reached do not hide an emergency it did answer.
            guard let interview else { throw error }
            var partial = request
            if !partial.contains(where: { $0.key == "age" }) { partial.append(("age", .number(40, isInteger: true))) }
            var partialEpisode = episode
            if !partialEpisode.contains(where: { $0.key == "durationMinutes" }) {
                partialEpisode.append(("durationMinutes", .number(1, isInteger: true)))
            }
            if !partialEpisode.contains(where: { $0.key == "muscles" }) { partialEpisode.append(("muscles", .array([.string("unsure")]))) }
            guard let stopped = try? decoded(partial, partialEpisode), interview.assessor.isEmergencyNow(stopped, asked: asked) else { throw error }
            return stopped
        }
    }
}

/// Writes the Questionnaire one part at a time: its header, the person and the cramp, the
/// screening groups, the other questions, and the lists.
final class QuestionnaireWriter {
    let interview: AssessmentInterview
    var knowledge: KnowledgeBase { interview.knowledge }
    var w = JSONWriter(capacity: 32_768)

    init(interview: AssessmentInterview) { self.interview = interview }

    func write() {
        let knowledge = knowledge
        w.beginObject()
        w.key("resourceType"); w.value("Questionnaire")
        w.key("id"); w.value("crampcare-assessment")
        w.key("url"); w.value(AssessmentQuestionnaire.url)
        w.key("version"); w.value(knowledge.version)
        w.key("name"); w.value("CrampCareAssessment")
        w.key("title"); w.value("CrampCare: a cramp around the knee")
        w.key("status"); w.value("active")
        w.key("subjectType"); w.stringArray(["Patient"])
        w.key("date"); w.value(knowledge.reviewed)
        w.key("publisher"); w.value("CrampCare")
        w.key("description");
        w.value(
            "The questions CrampCare asks about a muscle cramp in the thigh or calf. Answer with a QuestionnaireResponse; "
                + "a finding answered false counts as denied. " + knowledge.disclaimer)
        w.key("item")
        w.beginArray()
        personAndCramp()
        screen()
        others()
        lists()
        w.endArray()
        w.endObject()
    }

    func system(_ list: String) -> String { AssessmentQuestionnaire.system(list) }

    func choices(_ pairs: [(code: String, display: String)], list: String) {
        w.key("answerOption")
        w.beginArray()
        for pair in pairs {
            w.beginObject()
            w.key("valueCoding")
            w.beginObject()
            w.key("system"); w.value(system(list))
            w.key("code"); w.value(pair.code)
            w.key("display"); w.value(pair.display)
            w.endObject()
            w.endObject()
        }
        w.endArray()
    }
    func group(_ linkID: String, _ text: String, _ items: () -> Void) {
        w.beginObject()
        w.key("linkId"); w.value(linkID)
        w.key("text"); w.value(text)
        w.key("type"); w.value("group")
        w.key("item")
        w.beginArray()
        items()
        w.endArray()
        w.endObject()
    }
    func options<Code: CodeList>(_ codes: [Code], list: String, label: (Code) -> String) {
        choices(codes.map { ($0.rawValue, label($0)) }, list: list)
    }
    func question(_ linkID: String, _ text: String, _ type: String, required: Bool = false, repeats: Bool = false, extra: () -> Void = {}) {
        w.beginObject()
        w.key("linkId"); w.value(linkID)
        w.key("text"); w.value(text)
        w.key("type"); w.value(type)
        if required { w.key("required"); w.value(true) }
        if repeats { w.key("repeats"); w.value(true) }
        extra()
        w.endObject()
    }

    /// The person and the cramp itself.
    func personAndCramp() {
        let knowledge = knowledge
        question("age", "How old are you?", "integer", required: true)
        question("sex", "Sex", "choice") { options(Sex.allCases, list: "sex") { knowledge.sexLabels[$0] ?? $0.rawValue } }
        w.beginObject()
        w.key("linkId"); w.value("episode")
        w.key("text"); w.value("The cramp")
        w.key("type"); w.value("group")
        w.key("required"); w.value(true)
        w.key("item")
        w.beginArray()
        question("episode.durationMinutes", "How many minutes did it last?", "decimal", required: true)
        question("episode.muscles", "Which muscle?", "choice", required: true, repeats: true) {
            options(Muscle.allCases, list: "muscle") { knowledge.muscleLabels[$0] ?? $0.rawValue }
        }
        question("episode.side", "Which side?", "choice") { options(Side.allCases, list: "side") { knowledge.sideLabels[$0] ?? $0.rawValue } }
        question("episode.onset", "What were you doing when it started?", "choice") {
            options(Onset.allCases, list: "onset") { knowledge.onsetLabels[$0] ?? $0.rawValue }
        }
        question("episode.severity", "How bad was it, from 0 (none) to 10 (worst)?", "integer")
        w.endArray()
        w.endObject()
        question("episodesLast30Days", "How many cramps have you had in the last 30 days?", "integer")
    }

    /// One group per screening question, in the interview's order.
    func screen() {
        let knowledge = knowledge
        let screenAnswers = AssessmentQuestionnaire.screenAnswers
        // One group per screening question, in the interview's order (most time-critical first);
        // a question with several signs asks yes, no or not sure, and enables its signs on a yes.
        for item in interview.questions {
            guard case .screen(let signs) = item.kind else { continue }
            let step = String(item.id.dropFirst("screen.".count))
            group("step.\(step)", item.text) {
                if signs.count > 1 {
                    question(item.id, item.text, "choice") { choices(screenAnswers, list: "answer") }
                }
                for finding in signs {
                    let info = knowledge.findings[finding]
                    question("finding.\(finding.rawValue)", info?.question ?? info?.label ?? finding.rawValue, "boolean") {
                        guard signs.count > 1 else { return }
                        w.key("enableWhen")
                        w.beginArray()
                        for code in ["yes", "unsure"] {
                            w.beginObject()
                            w.key("question"); w.value(item.id)
                            w.key("operator"); w.value("=")
                            w.key("answerCoding")
                            w.beginObject()
                            w.key("system"); w.value(system("answer"))
                            w.key("code"); w.value(code)
                            w.endObject()
                            w.endObject()
                        }
                        w.endArray()
                        w.key("enableBehavior"); w.value("any")
                    }
                }
            }
        }
    }

    /// The other questions: what the interview asks after the screen.
    func others() {
        let knowledge = knowledge
        // The other questions: what the interview asks after the screen.
        for step in knowledge.otherSteps {
            let findings = Finding.allCases.filter { knowledge.findings[$0]?.step == step.id }
            guard !findings.isEmpty else { continue }
            group("step.\(step.id)", step.text) {
                for finding in findings {
                    let info = knowledge.findings[finding]
                    question("finding.\(finding.rawValue)", info?.question ?? info?.label ?? finding.rawValue, "boolean")
                }
            }
        }
    }

    /// Context, conditions and medicines.
    func lists() {
        let knowledge = knowledge
        question("context", "Anything else going on?", "choice", repeats: true) {
            options(ContextCode.allCases, list: "context") { knowledge.context[$0]?.label ?? $0.rawValue }
        }
        question("conditions", "Health conditions", "choice", repeats: true) {
            options(Condition.allCases, list: "condition") { knowledge.conditions[$0]?.label ?? $0.rawValue }
        }
        question("medications", "Medicines", "choice", repeats: true) {
            options(Medication.allCases, list: "medication") { knowledge.medications[$0]?.label ?? $0.rawValue }
        }
    }
}
