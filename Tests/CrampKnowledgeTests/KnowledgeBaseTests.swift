import CrampKnowledge
import Foundation
import Testing

/// The repository root, found from this file's path (tests read the shared contracts beside it).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shared folder (contracts, vignettes): `CRAMPCARE_SHARED` as the test command sets it,
/// else `../shared` beside the repository.
let sharedFolder: URL =
    ProcessInfo.processInfo.environment["CRAMPCARE_SHARED"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
    ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

func bundled() throws -> KnowledgeBase { try KnowledgeBase.bundled.get() }

/// The bundled files with one file changed by `edit`, which works on the parsed JSON.
func loading(_ file: String, edit: (inout Any) -> Void) -> Result<KnowledgeBase, KnowledgeError> {
    var files = KnowledgeBase.bundledFiles
    let index = files.firstIndex { $0.name == file }!
    var object = try! JSONSerialization.jsonObject(with: Data(files[index].text.utf8))
    edit(&object)
    let data = try! JSONSerialization.data(withJSONObject: object)
    files[index].text = String(decoding: data, as: UTF8.self)
    do throws(KnowledgeError) {
        return .success(try KnowledgeBase(files: files))
    } catch {
        return .failure(error)
    }
}

func failure(_ result: Result<KnowledgeBase, KnowledgeError>) -> KnowledgeError? {
    if case .failure(let error) = result { return error }
    return nil
}

@Suite struct KnowledgeBaseTests {
    @Test func bundledKnowledgeLoadsAndValidates() throws {
        let kb = try bundled()
        #expect(!kb.version.isEmpty)
        #expect(kb.changelog.first?.version == kb.version)
        #expect(Set(kb.factors.map(\.id)).isSuperset(of: requiredFactorIDs))
        #expect(kb.alternatives.count == AlternativeID.allCases.count)
        #expect(kb.rules.contains { $0.level == .emergency })
        #expect(kb.redFlagFindings.count >= 20)
    }

    @Test func everyItemHasSourcesThatExistAndAReviewDate() throws {
        let kb = try bundled()
        let lists: [[String]] =
            kb.rules.map(\.sources) + kb.factors.map(\.sources) + kb.alternatives.map(\.sources)
            + kb.relief.map(\.sources) + kb.prevention.map(\.sources) + kb.safetyNet.map(\.sources) + kb.questions.map(\.sources)
            + kb.cautions.map(\.sources)
        for sources in lists {
            #expect(!sources.isEmpty)
            for id in sources { #expect(kb.sources[id] != nil, "unknown source \(id)") }
        }
        let dates = kb.rules.map(\.reviewed) + kb.factors.map(\.reviewed) + kb.relief.map(\.reviewed) + kb.glossary.map(\.reviewed)
        #expect(dates.allSatisfy { $0.count == 10 })
    }

    @Test func everyRuleCanFire() throws {
        for rule in try bundled().rules {
            let witness = try #require(rule.when.witness(), "rule \(rule.id)")
            #expect(rule.when.holds(witness))
        }
    }

    @Test func codesAcceptEverySharedRequestCode() throws {
        let schemaURL = sharedFolder.appendingPathComponent("contracts/assessment-request.schema.json")
        let data = try Data(contentsOf: schemaURL)
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let properties = try #require(schema["properties"] as? [String: Any])
        func enumValues(_ path: [String]) throws -> Set<String> {
            var node: Any = properties
            for key in path { node = try #require((node as? [String: Any])?[key], "schema path \(path)") }
            return Set(try #require((node as? [String: Any])?["enum"] as? [String]))
        }
        #expect(try enumValues(["findings", "items"]).isSubset(of: Set(Finding.allCases.map(\.rawValue))))
        #expect(try enumValues(["negatives", "items"]).isSubset(of: Set(Finding.allCases.map(\.rawValue))))
        #expect(try enumValues(["context", "items"]).isSubset(of: Set(ContextCode.allCases.map(\.rawValue))))
        #expect(try enumValues(["conditions", "items"]).isSubset(of: Set(Condition.allCases.map(\.rawValue))))
        #expect(try enumValues(["medications", "items"]).isSubset(of: Set(Medication.allCases.map(\.rawValue))))
        #expect(try enumValues(["sex"]) == Set(Sex.allCases.map(\.rawValue)))
        let episode = try #require((properties["episode"] as? [String: Any])?["properties"] as? [String: Any])
        #expect(Set(try #require((episode["onset"] as? [String: Any])?["enum"] as? [String])) == Set(Onset.allCases.map(\.rawValue)))
        #expect(Set(try #require((episode["side"] as? [String: Any])?["enum"] as? [String])) == Set(Side.allCases.map(\.rawValue)))
    }

    @Test func alternativesMatchTheSharedResultSchema() throws {
        let url = sharedFolder.appendingPathComponent("contracts/assessment-result.schema.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        for id in AlternativeID.allCases { #expect(text.contains("\"\(id.rawValue)\"")) }
    }

    @Test func anUnknownSourceFailsWithFileAndItem() throws {
        let error = try #require(
            failure(
                loading("factors.json") { object in
                    var list = object as! [[String: Any]]
                    list[0]["sources"] = ["no_such_source"]
                    object = list
                }))
        #expect(error.file == "factors.json")
        #expect(error.item.contains("dehydration_electrolytes"))
        #expect(error.problem.contains("no_such_source"))
    }

    @Test func anUnknownCodeInARuleFails() throws {
        let error = try #require(
            failure(
                loading("rules.json") { object in
                    var document = object as! [String: Any]
                    var rules = document["rules"] as! [[String: Any]]
                    rules[0]["when"] = ["finding": "chest_pian"]
                    document["rules"] = rules
                    object = document
                }))
        #expect(error.file == "rules.json")
        #expect(error.problem.contains("chest_pian"))
    }

    @Test func aRedFlagRuleMayNotUseNot() throws {
        let error = try #require(
            failure(
                loading("rules.json") { object in
                    var document = object as! [String: Any]
                    var rules = document["rules"] as! [[String: Any]]
                    rules[0]["when"] = ["not": ["finding": "chest_pain"]]
                    document["rules"] = rules
                    object = document
                }))
        #expect(error.problem.contains("not"))
    }

    @Test func aMisspeltMemberFails() throws {
        let error = try #require(
            failure(
                loading("relief.json") { object in
                    var list = object as! [[String: Any]]
                    list[0]["contraindication"] = list[0]["contraindications"]
                    object = list
                }))
        #expect(error.problem.contains("contraindication"))
    }

    @Test func aMissingCodeEntryFails() throws {
        let error = try #require(
            failure(
                loading("codes.json") { object in
                    var document = object as! [String: Any]
                    var findings = document["findings"] as! [[String: Any]]
                    findings.removeAll { $0["code"] as? String == "fever" }
                    document["findings"] = findings
                    object = document
                }))
        #expect(error.problem.contains("fever"))
    }

    @Test func aRuleThatCanNeverFireFails() throws {
        let error = try #require(
            failure(
                loading("rules.json") { object in
                    var document = object as! [String: Any]
                    var rules = document["rules"] as! [[String: Any]]
                    rules[0]["when"] = ["all": [["ageAtLeast": 90], ["ageBelow": 16]]]
                    document["rules"] = rules
                    object = document
                }))
        #expect(error.problem.contains("never fire"))
    }

    @Test func malformedJSONNamesTheLine() {
        var files = KnowledgeBase.bundledFiles
        let index = files.firstIndex { $0.name == "faq.json" }!
        files[index].text = "[\n  {\"id\": \n"
        do {
            _ = try KnowledgeBase(files: files)
            Issue.record("a broken file loaded")
        } catch {
            #expect(error.file == "faq.json")
            #expect(error.item.contains("line"))
        }
    }

    @Test func quinineAndMagnesiumAreCautionsNeverSelfCare() throws {
        let kb = try bundled()
        let cautionText = kb.cautions.map { $0.title + " " + $0.text }.joined(separator: " ").lowercased()
        #expect(cautionText.contains("quinine"))
        #expect(cautionText.contains("magnesium"))
        #expect(cautionText.contains("ask your doctor or pharmacist for a review before you change it"))
        for item in kb.relief {
            let text = ([item.title] + item.steps).joined(separator: " ").lowercased()
            #expect(!text.contains("quinine") && !text.contains("magnesium"), "relief \(item.id)")
        }
        for item in kb.prevention {
            let text = ([item.title] + item.steps).joined(separator: " ").lowercased()
            #expect(!text.contains("quinine") && !text.contains("tablet"), "prevention \(item.id)")
        }
    }

    @Test func medicineNamesMapToCodes() throws {
        let kb = try bundled()
        #expect(kb.medicineNames["furosemide"] == .diuretic)
        #expect(kb.medicineNames["atorvastatin"] == .statin)
        #expect(kb.medicineNames["salbutamol"] == .betaAgonist)
        #expect(kb.medicineNames["warfarin"] == .anticoagulant)
    }

    @Test func emergencyNumbersByRegion() throws {
        let kb = try bundled()
        #expect(kb.emergencyNumbers(region: "GB").emergency == "999")
        #expect(kb.emergencyNumbers(region: "us").emergency == "911")
        #expect(kb.emergencyNumbers(region: "AU").emergency == "000")
        #expect(kb.emergencyNumbers(region: "DE").emergency == "112")
        #expect(kb.emergencyNumbers(region: nil).emergency == "112")
        #expect(kb.emergencyNumbers(region: "ZZ").emergency == "112")
    }
}

@Suite struct TopicTests {
    @Test func topicsCoverWhatTheProductPromises() throws {
        let ids = Set(try bundled().topics().map(\.id))
        for id in ["cramp", "causes", "symptoms", "relief", "prevention", "exercises", "in-the-muscle", "ageing", "see-a-doctor", "questions"] {
            #expect(ids.contains(id), "missing topic \(id)")
        }
    }

    @Test func glossaryTermsAreExplainedWhereTheyFirstAppear() throws {
        let topic = try #require(try bundled().topics().first { $0.id == "in-the-muscle" })
        let text = topic.sections.flatMap(\.paragraphs).joined(separator: " ")
        #expect(text.contains("electrolytes (salts such as sodium"))
        // Only the first use is explained.
        #expect(text.components(separatedBy: "(salts such as sodium").count == 2)
    }

    @Test(arguments: [
        ("can dehydration cause cramps?", "Can dehydration cause cramps?"),
        ("can my knee cramp", "Can the knee itself cramp?"),
        ("when should I see a doctor", "When should I see a doctor?"),
        ("is quinine any good", "Should I take magnesium or quinine?"),
        ("do tight muscles cause cramps", "Do tight muscles cause cramps?"),
        ("can a trapped nerve cause cramps", "Can nerve problems cause cramps?"),
        ("can statins cause cramps", "Medicines"),
        ("what stretch for hamstring cramp", "Stretch the back of the thigh"),
        ("when to go to A&E", "Call the emergency number"),
        ("what foods help", "Eat foods rich in potassium, magnesium and calcium"),
        ("is it a blood clot", "Deep vein thrombosis (DVT)"),
    ])
    func askFindsTheAnswer(query: String, expected: String) throws {
        let headings = try bundled().search(query).prefix(2).map(\.heading)
        #expect(headings.contains(expected), "\(query): \(headings)")
    }

    @Test func askFindsSynonyms() throws {
        // "charley horse" and "thrombosis" are not in the question texts, only in synonyms.
        #expect(!(try bundled().search("charley horse at night")).isEmpty)
        #expect(try bundled().search("thrombosis").contains { $0.topicID == "symptoms" || $0.topicID == "glossary" })
    }
}
