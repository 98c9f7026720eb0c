import CrampAssessment
import CrampJSON
import CrampKnowledge
import FuzzSupport

let knowledge = try! KnowledgeBase.bundled.get()
let assessor = Assessor(knowledge: knowledge)
let interview = AssessmentInterview(assessor: assessor)

fuzz { bytes in
    if let request = try? AssessmentRequest.decode(json: bytes, medicineNames: knowledge.medicineNames) { _ = assessor.assess(request) }
    if let value = try? JSONParser.parse(bytes) {
        _ = try? AssessmentQuestionnaire.request(fromResponse: value, medicineNames: knowledge.medicineNames, interview: interview)
    }
}
