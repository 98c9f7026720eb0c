import ArgumentParser
import CrampAssessment

struct QuestionnaireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "questionnaire",
        abstract: "The assessment's questions as an HL7 FHIR R4 Questionnaire.",
        discussion: "Another app can ask these questions and pass its QuestionnaireResponse to `crampcare assess --json` (on stdin or with --input).")

    @Flag(help: "Write the FHIR R4 Questionnaire (JSON). The only format so far, and the default.")
    var fhir = false
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    func run() throws {
        let knowledge = try loadKnowledge()
        let bytes = AssessmentQuestionnaire.questionnaire(interview: AssessmentInterview(assessor: Assessor(knowledge: knowledge))) + [0x0A]
        if let out {
            do {
                try writeAtomically(bytes, to: out)
            } catch {
                Console.error("crampcare: \(error.message)")
                throw ExitCode(error.exitCode)
            }
        } else {
            Console.write(bytes)
        }
    }
}
