import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// Assessments on the API: a request or a FHIR QuestionnaireResponse in, a result out, and the Questionnaire itself.
struct AssessmentsAPI: APIController {
    let services: CrampServices
    let configuration: ServerConfiguration

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.post("assessments", use: assess)
        routes.get("questionnaire", use: questionnaire)
        routes.post("questionnaire-responses", use: assessResponse)
        return routes
    }

    /// The assessment's questions as a FHIR R4 Questionnaire (as `crampcare questionnaire --fhir`).
    @Sendable func questionnaire(_ request: Request, context: CrampRequestContext) async throws -> Response {
        var response = Body.json(AssessmentQuestionnaire.questionnaire(interview: services.interview))
        response.headers[.contentType] = "application/fhir+json"
        return response
    }

    /// A QuestionnaireResponse to that Questionnaire, answered with the same result as a request.
    @Sendable func assessResponse(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let value = try await Body.jsonValue(request, context: context)
        return try answer { () throws(RequestError) in
            try AssessmentQuestionnaire.request(fromResponse: value, medicineNames: services.knowledge.medicineNames, interview: services.interview)
        }
    }

    /// The result for a request read by `read`; its errors become problems naming the field.
    func answer(_ read: () throws(RequestError) -> AssessmentRequest) throws -> Response {
        let assessmentRequest: AssessmentRequest
        do throws(RequestError) {
            assessmentRequest = try read()
        } catch {
            throw Problem.invalid(error.field, error.problem)
        }
        return Body.json(services.resultEncoder.encode(services.assessor.assess(assessmentRequest)))
    }

    @Sendable func assess(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let value = try await Body.jsonValue(request, context: context)
        return try answer { () throws(RequestError) in try AssessmentRequest.decode(value, medicineNames: services.knowledge.medicineNames) }
    }
}
