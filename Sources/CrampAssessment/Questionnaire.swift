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
        var reader = ResponseReader(interview: interview, medicineNames: medicineNames)
        try reader.walk(value["item"]?.arrayValue ?? [], depth: 0)
        reader.finish()
        do throws(RequestError) {
            let built = try reader.decoded(reader.request, reader.episode)
            // Asked in the interview's order, the questions stop at the first emergency, as they
            // do in the terminal and on the web: the same answers give the same result everywhere.
            if let interview, case .emergency(let stopped, _) = interview.run(from: built).end { return stopped }
            try reader.checkEverySafetyQuestion(built)
            return built
        } catch {
            // The questions the response never reached do not hide an emergency it did answer.
            guard let stopped = reader.emergencySoFar() else { throw error }
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
            options(Muscle.menuOrder, list: "muscle") { knowledge.muscleLabels[$0] ?? $0.rawValue }
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
