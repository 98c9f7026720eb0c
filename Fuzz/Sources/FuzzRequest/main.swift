import Foundation
import CrampAssessment
import CrampJSON
import CrampKnowledge

let knowledge = try! KnowledgeBase.bundled.get()
let assessor = Assessor(knowledge: knowledge)
let interview = AssessmentInterview(assessor: assessor)

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
    if let request = try? AssessmentRequest.decode(json: bytes, medicineNames: knowledge.medicineNames) { _ = assessor.assess(request) }
    if let value = try? JSONParser.parse(bytes) {
        _ = try? AssessmentQuestionnaire.request(fromResponse: value, medicineNames: knowledge.medicineNames, interview: interview)
    }
    return 0
}

// libFuzzer's own driver, called from this program's main (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { start, count in test(start, count) })
