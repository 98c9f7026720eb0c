import Benchmark
import CrampAssessment
import CrampJSON
import CrampKnowledge

/// A mix of requests across the triage levels, as the engine meets them.
let requestTexts: [String] = [
    #"{"age":28,"sex":"male","episode":{"durationMinutes":2,"muscles":["calf"],"onset":"during_exercise"},"episodesLast30Days":1,"findings":["sudden_onset","visible_knot","relieved_by_stretching"],"context":["heavy_sweating","hot_weather","intense_exercise"]}"#,
    #"{"age":72,"sex":"female","episode":{"durationMinutes":3,"muscles":["calf"],"onset":"sleep"},"episodesLast30Days":6,"findings":["visible_knot","relieved_by_stretching","soreness_after"],"medications":["diuretic"]}"#,
    #"{"age":35,"sex":"male","episode":{"durationMinutes":1440,"muscles":["calf"],"onset":"walking"},"episodesLast30Days":1,"findings":["calf_swelling","calf_warmth_redness","calf_tenderness","not_relieved_by_stretching"],"context":["recent_long_travel"]}"#,
    #"{"age":60,"sex":"female","episode":{"durationMinutes":600,"muscles":["calf"],"onset":"rest"},"episodesLast30Days":1,"findings":["calf_tenderness","chest_pain","shortness_of_breath"],"conditions":["cancer"]}"#,
    #"{"age":66,"sex":"male","episode":{"durationMinutes":3,"muscles":["calf"],"onset":"sleep"},"episodesLast30Days":10,"findings":["burning_feet","numbness","tingling"],"conditions":["diabetes"]}"#,
    #"{"age":70,"sex":"female","episode":{"durationMinutes":240,"muscles":["unsure"],"onset":"walking"},"episodesLast30Days":25,"findings":["persistent_dull_ache","morning_stiffness","joint_swelling"],"conditions":["knee_osteoarthritis"]}"#,
    #"{"age":29,"sex":"female","episode":{"durationMinutes":1,"muscles":["hamstrings"],"onset":"during_exercise"},"episodesLast30Days":2,"findings":["visible_knot","relieved_by_stretching"],"context":["tight_hamstrings","weak_quadriceps","uphill_running_or_jumping"]}"#,
    #"{"age":75,"sex":"female","episode":{"durationMinutes":6,"muscles":["calf","quadriceps"],"onset":"rest"},"episodesLast30Days":12,"findings":["relieved_by_stretching"],"conditions":["dialysis","kidney_disease"]}"#,
]

let benchmarks: @Sendable () -> Void = {
    let knowledge = try! KnowledgeBase.bundled.get()
    let assessor = Assessor(knowledge: knowledge)
    let encoder = ResultEncoder(knowledge: knowledge)
    let bytes = requestTexts.map { Array($0.utf8) }
    let requests = bytes.map { try! AssessmentRequest.decode(json: $0) }
    let files = KnowledgeBase.bundledFiles
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .throughput, .mallocCountTotal]

    Benchmark("Engine: assess", configuration: .init(metrics: metrics, scalingFactor: .kilo)) { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(assessor.assess(requests[index]))
            index = index == requests.count - 1 ? 0 : index + 1
        }
    }

    Benchmark("Decode, assess, encode (full JSON)", configuration: .init(metrics: metrics, scalingFactor: .kilo)) { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let request = try! AssessmentRequest.decode(json: bytes[index], medicineNames: knowledge.medicineNames)
            blackHole(encoder.encode(assessor.assess(request)))
            index = index == bytes.count - 1 ? 0 : index + 1
        }
    }

    Benchmark("Decode, assess, encode (compact NDJSON)", configuration: .init(metrics: metrics, scalingFactor: .kilo)) { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let request = try! AssessmentRequest.decode(json: bytes[index], medicineNames: knowledge.medicineNames)
            blackHole(encoder.encodeCompact(assessor.assess(request)))
            index = index == bytes.count - 1 ? 0 : index + 1
        }
    }

    // An attacker's request body: a 1 MiB object of distinct keys (duplicate keys are refused, so
    // every key is checked against the others), against the same keys as an array of strings,
    // which has no such check: the ratio is the cost of the check.
    var objectText: [UInt8] = [UInt8(ascii: "{")]
    var arrayText: [UInt8] = [UInt8(ascii: "[")]
    var key = 0
    while objectText.count < 1 << 20 - 16 {
        if key > 0 { objectText.append(UInt8(ascii: ",")); arrayText.append(UInt8(ascii: ",")) }
        let name = Array("\"\(String(key, radix: 36))\"".utf8)
        objectText += name + Array(":0".utf8)
        arrayText += name
        key += 1
    }
    objectText.append(UInt8(ascii: "}"))
    arrayText.append(UInt8(ascii: "]"))
    let objectBytes = objectText, arrayBytes = arrayText
    Benchmark("JSON: a 1 MiB object of distinct keys", configuration: .init(metrics: metrics, maxIterations: 50)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! JSONParser.parse(objectBytes)) }
    }
    Benchmark("JSON: the same keys as an array of strings (baseline)", configuration: .init(metrics: metrics, maxIterations: 50)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! JSONParser.parse(arrayBytes)) }
    }

    // The process pays this once: parse, validate and compile the whole knowledge base.
    Benchmark("Knowledge base: load and validate", configuration: .init(metrics: metrics, maxIterations: 200)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! KnowledgeBase(files: files))
        }
    }
}
