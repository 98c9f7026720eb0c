import CrampAssessment
import CrampJSON
import CrampKnowledge
import PropertyBased
import Testing

let knowledge = try! KnowledgeBase.bundled.get()
let assessor = Assessor(knowledge: knowledge)
let encoder = ResultEncoder(knowledge: knowledge)

func request(_ json: String) throws -> AssessmentRequest {
    try AssessmentRequest.decode(json: Array(json.utf8), medicineNames: knowledge.medicineNames)
}

func decodeError(_ json: String) -> RequestError? {
    do throws(RequestError) {
        _ = try AssessmentRequest.decode(json: Array(json.utf8))
        return nil
    } catch {
        return error
    }
}

@Suite struct RequestDecodingTests {
    @Test(arguments: [
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["knee"]}}"#, "episode.muscles[0]", "quadriceps, hamstrings, calf, unsure"),
        (#"{"age":121,"episode":{"durationMinutes":2,"muscles":["calf"]}}"#, "age", "0 to 120"),
        (#"{"age":30.5,"episode":{"durationMinutes":2,"muscles":["calf"]}}"#, "age", "whole number"),
        (#"{"episode":{"durationMinutes":2,"muscles":["calf"]}}"#, "age", "missing"),
        (#"{"age":30}"#, "episode", "missing"),
        (#"{"age":30,"episode":{"durationMinutes":0,"muscles":["calf"]}}"#, "episode.durationMinutes", "more than 0"),
        (#"{"age":30,"episode":{"durationMinutes":10081,"muscles":["calf"]}}"#, "episode.durationMinutes", "10080"),
        (#"{"age":30,"episode":{"durationMinutes":"2","muscles":["calf"]}}"#, "episode.durationMinutes", "not a number"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":[]}}"#, "episode.muscles", "empty"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf","calf"]}}"#, "episode.muscles[1]", "more than once"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"],"severity":11}}"#, "episode.severity", "0 to 10"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"],"side":"middle"}}"#, "episode.side", "left, right, both"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"],"colour":"red"}}"#, "episode.colour", "accepted fields"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"]},"findings":["chest_pian"]}"#, "findings[0]", "chest_pain"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"]},"findings":"fever"}"#, "findings", "array"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"]},"episodesLast30Days":-1}"#, "episodesLast30Days", "0 to 10000"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"]},"schemaVersion":2}"#, "schemaVersion", "1"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"]},"findings":["fever"],"negatives":["fever"]}"#, "findings[0]", "both"),
        (#"{"age":30,"episode":{"durationMinutes":2,"muscles":["calf"]},"extra":1}"#, "extra", "accepted fields"),
    ])
    func badInputNamesTheFieldAndWhatIsAccepted(json: String, field: String, mentions: String) throws {
        let error = try #require(decodeError(json))
        #expect(error.field == field)
        #expect(error.problem.contains(mentions), "\(error)")
    }

    @Test func medicineNamesGetAHint() throws {
        do throws(RequestError) {
            _ = try AssessmentRequest.decode(
                json: Array(#"{"age":70,"episode":{"durationMinutes":2,"muscles":["calf"]},"medications":["Furosemide"]}"#.utf8),
                medicineNames: knowledge.medicineNames)
            Issue.record("accepted a name where a code is required")
        } catch {
            #expect(error.problem.contains("diuretic"))
        }
    }

    @Test func requestJSONRoundTrips() throws {
        for seed in 0..<200 as Range<UInt64> {
            let original = RequestGenerator.request(seed: seed, knowledge: knowledge)
            let decoded = try AssessmentRequest.decode(json: original.json())
            #expect(decoded == original)
        }
    }
}

@Suite struct PolicyTests {
    @Test func everyRuleReachesItsLevelOnItsWitness() throws {
        for rule in knowledge.rules {
            let facts = try #require(rule.when.witness())
            var input = AssessmentRequest(
                age: facts.age, durationMinutes: facts.durationMinutes,
                muscles: facts.muscles.isEmpty ? [.unsure] : Array(facts.muscles))
            input.findings = Array(facts.findings)
            input.context = Array(facts.context)
            input.conditions = Array(facts.conditions)
            input.medications = Array(facts.medications)
            input.onset = facts.onset
            input.side = facts.side
            input.episodesLast30Days = facts.episodesLast30Days
            let result = assessor.assess(input)
            #expect(result.triage >= rule.level, "rule \(rule.id)")
            #expect(result.redFlags.contains { $0.rule.id == rule.id }, "rule \(rule.id)")
        }
    }

    @Test(arguments: [
        "chest_pain", "shortness_of_breath", "coughing_blood", "saddle_numbness", "bladder_bowel_change",
        "leg_cold_pale", "dark_urine", "confusion", "hot_dry_skin", "jaw_stiffness", "spasms_spreading",
        "sudden_one_sided_weakness",
    ])
    func eachCardinalSignIsAnEmergencyOnItsOwn(sign: String) throws {
        let input = try request(
            #"{"age":30,"episode":{"durationMinutes":1,"muscles":["calf"]},"findings":["visible_knot","relieved_by_stretching","\#(sign)"]}"#)
        #expect(assessor.assess(input).triage == .emergency)
    }

    @Test func reassuringAnswersCannotCancelARedFlag() throws {
        let input = try request(
            #"""
            {"age":30,"episode":{"durationMinutes":1,"muscles":["calf"],"onset":"during_exercise","severity":2},"episodesLast30Days":1,
             "findings":["sudden_onset","visible_knot","relieved_by_stretching","soreness_after","calf_swelling"],
             "context":["intense_exercise","heavy_sweating"]}
            """#)
        #expect(assessor.assess(input).triage == .urgent)
    }

    @Test func aMissingSideCountsAsPossiblyOneSidedButBothSidesDoesNot() throws {
        let missing = try request(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["calf"]},"findings":["calf_swelling"]}"#)
        let both = try request(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["calf"],"side":"both"},"findings":["calf_swelling"]}"#)
        #expect(assessor.assess(missing).triage == .urgent)
        #expect(assessor.assess(both).triage == .soon)
    }

    @Test func underSixteenIsAtLeastSoonAndSaysSo() throws {
        let result = assessor.assess(try request(#"{"age":12,"episode":{"durationMinutes":1,"muscles":["calf"]},"findings":["visible_knot"]}"#))
        #expect(result.triage == .soon)
        #expect(result.notices.contains { $0.contains("built for adults") })
        let emergency = assessor.assess(try request(#"{"age":12,"episode":{"durationMinutes":1,"muscles":["calf"]},"findings":["dark_urine"]}"#))
        #expect(emergency.triage == .emergency)
    }

    @Test func pregnancyAloneOrKnownArthritisAloneIsNotAReason() throws {
        let pregnant = try request(
            #"{"age":30,"episode":{"durationMinutes":1,"muscles":["calf"]},"episodesLast30Days":6,"conditions":["pregnancy"]}"#)
        #expect(assessor.assess(pregnant).triage == .selfCare)
        let arthritis = try request(#"{"age":60,"episode":{"durationMinutes":1,"muscles":["calf"]},"conditions":["knee_osteoarthritis"]}"#)
        #expect(assessor.assess(arthritis).triage == .selfCare)
    }

    @Test func medicineReviewNeverSaysStop() throws {
        let result = assessor.assess(
            try request(#"{"age":70,"episode":{"durationMinutes":2,"muscles":["calf"]},"episodesLast30Days":5,"medications":["diuretic"]}"#))
        let review = try #require(result.redFlags.first { $0.rule.id == "medicine_review" })
        #expect(review.rule.advice.contains("Do not stop"))
    }

    @Test func adviceIsCheckedAgainstThePerson() throws {
        func reliefIDs(_ json: String) throws -> Set<String> { Set(assessor.assess(try request(json)).relief.map(\.item.id)) }
        let clot = try reliefIDs(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["calf"],"side":"both"},"findings":["calf_tenderness"]}"#)
        #expect(clot.isDisjoint(with: ["massage", "warmth", "stretch_calf"]))
        let injured = try reliefIDs(#"{"age":25,"episode":{"durationMinutes":5,"muscles":["hamstrings"]},"findings":["trauma","bruising"]}"#)
        #expect(!injured.contains("stretch_hamstrings"))
        #expect(injured.contains("rest_protect"))
        for condition in ["kidney_disease", "heart_failure", "pregnancy"] {
            #expect(
                !(try reliefIDs(#"{"age":50,"episode":{"durationMinutes":2,"muscles":["calf"]},"conditions":["\#(condition)"]}"#)).contains(
                    "ibuprofen_after"))
        }
        #expect(
            !(try reliefIDs(#"{"age":50,"episode":{"durationMinutes":2,"muscles":["calf"]},"medications":["anticoagulant"]}"#)).contains(
                "ibuprofen_after"))
        let neuropathy = assessor.assess(try request(#"{"age":60,"episode":{"durationMinutes":2,"muscles":["calf"]},"conditions":["diabetes"]}"#))
        #expect(neuropathy.relief.first { $0.item.id == "warmth" }?.cautions.isEmpty == false)
        let renal = assessor.assess(
            try request(#"{"age":60,"episode":{"durationMinutes":2,"muscles":["calf"]},"context":["hot_weather"],"conditions":["dialysis"]}"#))
        #expect(renal.relief.first { $0.item.id == "fluids" }?.cautions.first?.contains("limit") == true)
        #expect(renal.prevention.first { $0.item.id == "fluids_electrolytes" }?.cautions.isEmpty == false)
    }

    @Test func olderAdultsAreWarnedAboutAntiInflammatories() throws {
        let older = assessor.assess(try request(#"{"age":80,"episode":{"durationMinutes":2,"muscles":["calf"]}}"#))
        #expect(older.relief.first { $0.item.id == "ibuprofen_after" }?.cautions.first?.contains("Paracetamol") == true)
        let younger = assessor.assess(try request(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["calf"]}}"#))
        #expect(younger.relief.first { $0.item.id == "ibuprofen_after" }?.cautions.isEmpty == true)
    }

    @Test func atUrgentAndEmergencyReliefIsOnlyWhatIsSafeWhileWaiting() throws {
        let result = assessor.assess(try request(#"{"age":40,"episode":{"durationMinutes":1,"muscles":["calf"]},"findings":["chest_pain"]}"#))
        #expect(result.relief.allSatisfy { $0.item.safeUpTo == .emergency })
        #expect(result.relief.contains { $0.item.id == "while_waiting" })
        #expect(result.prevention.isEmpty)
    }

    @Test func olderAdultsGetGentlerExercises() throws {
        let result = assessor.assess(
            try request(#"{"age":78,"episode":{"durationMinutes":2,"muscles":["calf"],"onset":"sleep"},"context":["tight_calves"]}"#))
        let exercise = try #require(result.prevention.first { $0.item.kind == .exercise && $0.item.gentler != nil })
        #expect(exercise.gentler)
        #expect(exercise.title == exercise.item.gentler?.title)
    }

    @Test func selfCareWithUnansweredRedFlagsSaysWhichQuestionsMatter() throws {
        let input = try request(#"{"age":40,"episode":{"durationMinutes":1,"muscles":["calf"]}}"#)
        let result = assessor.assess(input)
        #expect(result.triage == .selfCare)
        #expect(result.unscreenedRedFlags.count == knowledge.redFlagFindings.count)
        let json = try JSONParser.parse(encoder.encode(result))
        #expect(json["checkQuestions"]?.arrayValue?.count == result.unscreenedRedFlags.count)
    }
}

@Suite struct PropertyTests {
    /// Codes some red-flag rule tests, for the monotonicity property.
    static let redFlagInputs: (findings: [Finding], context: [ContextCode], conditions: [Condition], medications: [Medication]) = {
        var found = (Set<Finding>(), Set<ContextCode>(), Set<Condition>(), Set<Medication>())
        for rule in knowledge.rules {
            for finding in Finding.allCases {
                var facts = Facts(age: 40, durationMinutes: 2)
                facts.findings.insert(finding)
                if var witness = rule.when.witness() {
                    witness.findings.insert(finding)
                    if rule.when.evaluate(witness)?.findings.contains(finding) == true { found.0.insert(finding) }
                }
            }
            guard let witness = rule.when.witness(), let evidence = rule.when.evaluate(witness) else { continue }
            found.1.formUnion(evidence.context)
            found.2.formUnion(evidence.conditions)
            found.3.formUnion(evidence.medications)
        }
        return (Array(found.0), Array(found.1), Array(found.2), Array(found.3))
    }()

    @Test func addingARedFlagInputNeverLowersTheTriage() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...Int(Int32.max)), Gen.int(in: 0...10_000)) { seed, pick in
            var input = RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge)
            let before = assessor.assess(input).triage
            let inputs = Self.redFlagInputs
            let total = inputs.findings.count + inputs.context.count + inputs.conditions.count + inputs.medications.count
            var index = pick % total
            if index < inputs.findings.count {
                let finding = inputs.findings[index]
                if !input.findings.contains(finding) { input.findings.append(finding) }
                input.negatives.removeAll { $0 == finding }
            } else if (index - inputs.findings.count) < inputs.context.count {
                index -= inputs.findings.count
                if !input.context.contains(inputs.context[index]) { input.context.append(inputs.context[index]) }
            } else if (index - inputs.findings.count - inputs.context.count) < inputs.conditions.count {
                index -= inputs.findings.count + inputs.context.count
                if !input.conditions.contains(inputs.conditions[index]) { input.conditions.append(inputs.conditions[index]) }
            } else {
                index -= inputs.findings.count + inputs.context.count + inputs.conditions.count
                if !input.medications.contains(inputs.medications[index]) { input.medications.append(inputs.medications[index]) }
            }
            let after = assessor.assess(input).triage
            // An added answer may lower a result only by a sourced catalogue exception, and never
            // below that exception's floor.
            if after < before {
                let added = CodeSet(input.findings)
                let allowed = knowledge.requirements.compactMap(\.lowering).filter { $0.by.intersects(added) }
                #expect(!allowed.isEmpty && allowed.allSatisfy { after >= $0.floor }, "seed \(seed): \(before) to \(after)")
            }
        }
    }

    @Test func reorderingTheListsNeverChangesTheResult() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let input = RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge)
            var rng = SplitMix(seed: UInt64(seed) &+ 1)
            var shuffled = input
            shuffled.muscles.shuffle(using: &rng)
            shuffled.findings.shuffle(using: &rng)
            shuffled.context.shuffle(using: &rng)
            shuffled.conditions.shuffle(using: &rng)
            shuffled.medications.shuffle(using: &rng)
            shuffled.negatives.shuffle(using: &rng)
            #expect(encoder.encode(assessor.assess(input)) == encoder.encode(assessor.assess(shuffled)), "seed \(seed)")
        }
    }

    @Test func everyBecauseIsARequestCodeOrAFieldPresent() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let input = RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge)
            let result = assessor.assess(input)
            var allowed = Set(
                input.findings.map(\.rawValue) + input.context.map(\.rawValue) + input.conditions.map(\.rawValue)
                    + input.medications.map(\.rawValue) + input.muscles.map(\.rawValue) + ["age", "durationMinutes"])
            if let onset = input.onset { allowed.insert(onset.rawValue) }
            if input.episodesLast30Days != nil { allowed.insert("episodesLast30Days") }
            let lists =
                result.redFlags.map { result.because($0.evidence) } + result.alternatives.map { result.because($0.evidence) }
                + result.factors.map { result.because($0.evidence) }
            for list in lists {
                #expect(!list.isEmpty, "seed \(seed)")
                for code in list { #expect(allowed.contains(code), "seed \(seed): \(code)") }
            }
        }
    }

    @Test func noAdviceIsOneThePersonsInputsRuleOut() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let input = RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge)
            let facts = input.facts
            let result = assessor.assess(input)
            for advice in result.relief {
                #expect(!advice.item.isRuledOut(by: facts), "seed \(seed): \(advice.item.id)")
                #expect(advice.item.safeUpTo >= result.triage, "seed \(seed): \(advice.item.id)")
            }
            for advice in result.prevention { #expect(!advice.item.isRuledOut(by: facts), "seed \(seed): \(advice.item.id)") }
            // Independent of the data's own contraindications: the clinical lines that must hold.
            let clot = facts.findings.intersects(CodeSet([.calfSwelling, .wholeLegSwelling, .calfWarmthRedness, .calfTenderness]))
            if clot || facts.findings.contains(.legColdPale) || facts.findings.contains(.tenseSwollenMuscle) {
                #expect(!result.relief.contains { $0.item.technique == .massage || $0.item.technique == .heat }, "seed \(seed)")
            }
            if facts.conditions.intersects(CodeSet([.kidneyDisease, .dialysis, .heartFailure, .pregnancy]))
                || facts.medications.contains(.anticoagulant)
            {
                #expect(!result.relief.contains { $0.item.id == "ibuprofen_after" }, "seed \(seed)")
            }
            if facts.findings.intersects(CodeSet([.trauma, .bruising, .pointTenderness])) {
                #expect(!result.relief.contains { $0.item.technique == .stretch }, "seed \(seed)")
            }
        }
    }

    @Test func theTriageIsTheHighestRuleLevelAndTheSafetyNetIsNeverEmpty() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let input = RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge)
            let result = assessor.assess(input)
            #expect(result.triage == (result.redFlags.map(\.rule.level).max() ?? .selfCare), "seed \(seed)")
            #expect(!result.safetyNet.isEmpty, "seed \(seed)")
            #expect(result.factors.allSatisfy { (0...1).contains($0.score) }, "seed \(seed)")
            if input.age < 16 { #expect(result.triage >= .soon, "seed \(seed)") }
            // Every result is well-formed JSON with the contract's required fields.
            let json = try! JSONParser.parse(encoder.encode(result))
            for key in [
                "triage", "likelyCramp", "redFlags", "alternatives", "factors", "relief", "prevention", "safetyNet",
                "unscreenedRedFlags", "knowledgeVersion",
            ] {
                #expect(json[key] != nil, "seed \(seed): \(key)")
            }
        }
    }

    @Test func anyBytesAreEitherARequestOrAClearError() async {
        // Valid requests with bytes flipped, cut or inserted, and pure noise: never a crash, and
        // every refusal names a field or a position.
        await propertyCheck(count: 3000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var rng = SplitMix(seed: UInt64(seed))
            var bytes = RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge).json()
            switch rng.next() % 4 {
            case 0: bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            case 2: bytes.insert(contentsOf: Array("\"x\":[".utf8), at: Int(rng.next() % UInt64(bytes.count)))
            default: bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            do throws(RequestError) {
                let decoded = try AssessmentRequest.decode(json: bytes)
                _ = encoder.encode(assessor.assess(decoded))
            } catch {
                #expect(!error.problem.isEmpty, "seed \(seed)")
            }
        }
    }

    @Test func theEngineIsDeterministic() {
        for seed in 0..<300 as Range<UInt64> {
            let input = RequestGenerator.request(seed: seed, knowledge: knowledge)
            #expect(encoder.encode(assessor.assess(input)) == encoder.encode(assessor.assess(input)))
            #expect(encoder.encodeCompact(assessor.assess(input)) == encoder.encodeCompact(assessor.assess(input)))
        }
    }
}
