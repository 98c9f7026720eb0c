import CrampJSON

/// The whole knowledge base, typed and checked. Load it once per process with `KnowledgeBase.bundled`.
public final class KnowledgeBase: Sendable {
    public let version: String
    public let reviewed: String
    public let disclaimer: String
    public let adultsOnly: String
    /// The signs every quick screen shows above its Save (the night log, the offline page): the
    /// titles of these emergency rules, after `callNowIntro` ("Call {number} now if you have:").
    public let callNowIntro: String
    public let callNowSigns: [RedFlagRule]
    public let changelog: [ChangelogEntry]
    public let sources: [String: Source]
    public let sourceOrder: [String]

    public let findings: [Finding: CodeInfo]
    public let context: [ContextCode: CodeInfo]
    public let conditions: [Condition: CodeInfo]
    public let medications: [Medication: CodeInfo]
    public let muscleLabels: [Muscle: String]
    /// A muscle as a button or a numbered choice says it ("Back of thigh").
    public let muscleButtons: [Muscle: String]
    public let onsetLabels: [Onset: String]
    public let sideLabels: [Side: String]
    public let sexLabels: [Sex: String]
    public let redFlagSteps: [QuestionStep]
    public let otherSteps: [QuestionStep]
    /// The red-flag signs, in code order: asked first, and reported back when unscreened.
    public let redFlagFindings: CodeSet<Finding>

    public let rules: [RedFlagRule]
    public let factors: [Factor]
    public let alternatives: [Alternative]
    public let cramp: CrampPicture
    public let relief: [ReliefItem]
    public let cautions: [Caution]
    public let prevention: [PreventionItem]
    public let safetyNet: [SafetyNetItem]
    /// Patterns in a diary that mean "see a doctor", each as strict as the red-flag rule it follows.
    public let diaryPatterns: [DiaryPattern]
    public let questions: [Question]
    public let glossary: [GlossaryEntry]
    /// Generic and brand names (lower case) to medicine codes.
    public let medicineNames: [String: Medication]
    public let emergencyNumbers: [String: EmergencyNumbers]
    public let defaultEmergencyNumbers: EmergencyNumbers
    /// Words that mean the same for search, each mapped to its group's first word.
    public let synonyms: [String: String]
    /// The safety requirements catalogue: what the guidance says must come out.
    public let requirements: [SafetyRequirement]

    /// The knowledge base compiled into this binary, loaded and validated on first use.
    public static let bundled: Result<KnowledgeBase, KnowledgeError> = {
        do throws(KnowledgeError) {
            return .success(try KnowledgeBase(files: EmbeddedKnowledge.files))
        } catch {
            return .failure(error)
        }
    }()

    /// The bundled files as text, for tools that show or check the data itself.
    public static var bundledFiles: [(name: String, text: String)] { EmbeddedKnowledge.files }

    public func alternative(_ id: AlternativeID) -> Alternative? { alternatives.first { $0.id == id } }
    public func factor(_ id: String) -> Factor? { factors.first { $0.id == id } }
    public func rule(_ id: String) -> RedFlagRule? { rules.first { $0.id == id } }

    /// The red-flag signs a safety question covers, in code order.
    public func signs(of step: QuestionStep) -> [Finding] {
        Finding.allCases.filter { findings[$0]?.step == step.id && findings[$0]?.isRedFlag == true }
    }

    /// Loads and validates knowledge files given as (file name, JSON text), one concern at a time
    /// (each in its `KnowledgeBase+….swift`); every reference between files is checked.
    public init(files: [(name: String, text: String)]) throws(KnowledgeError) {
        let loader = try KnowledgeLoader(files: files)
        let meta = try loader.meta()
        version = meta.version
        reviewed = meta.reviewed
        disclaimer = meta.disclaimer
        adultsOnly = meta.adultsOnly
        changelog = meta.changelog
        sourceOrder = try loader.sources()
        sources = loader.sourceMap
        let codes = try loader.codes()
        findings = codes.findings
        context = codes.context
        conditions = codes.conditions
        medications = codes.medications
        muscleLabels = codes.muscleLabels
        muscleButtons = codes.muscleButtons
        onsetLabels = codes.onsetLabels
        sideLabels = codes.sideLabels
        sexLabels = codes.sexLabels
        redFlagSteps = codes.redFlagSteps
        otherSteps = codes.otherSteps
        redFlagFindings = codes.redFlagFindings
        rules = try loader.rules()
        callNowIntro = meta.callNowIntro
        callNowSigns = try Self.callNow(meta.callNowRules, rules: rules)
        factors = try loader.factors()
        alternatives = try loader.alternatives()
        cramp = try loader.cramp()
        relief = try loader.relief()
        cautions = try loader.cautions()
        prevention = try loader.prevention(factors: factors)
        safetyNet = try loader.safetyNet(rules: rules)
        diaryPatterns = try loader.patterns(rules: rules)
        questions = try loader.questions()
        glossary = try loader.glossary()
        medicineNames = try loader.medicineNames()
        (defaultEmergencyNumbers, emergencyNumbers) = try loader.emergencyNumbers()
        synonyms = try loader.synonyms()
        let adviceIDs = Set(relief.map(\.id) + prevention.map(\.id))
        requirements = try Self.readRequirements(
            try loader.document("requirements.json"), rules: rules, adviceIDs: adviceIDs,
            sourceList: loader.sourceList)
        try Self.checkTrace(rules: rules, requirements: requirements, redFlags: redFlagFindings)
    }

    /// The call-now rules by id: each must be an emergency rule, once.
    static func callNow(_ ids: [String], rules: [RedFlagRule]) throws(KnowledgeError) -> [RedFlagRule] {
        var found: [RedFlagRule] = []
        for id in ids {
            guard let rule = rules.first(where: { $0.id == id }), rule.level == .emergency, !found.contains(where: { $0.id == id }) else {
                throw KnowledgeError(
                    file: "meta.json", item: "callNow.rules", problem: "\"\(id)\" is not an emergency rule of rules.json, or is listed twice")
            }
            found.append(rule)
        }
        guard !found.isEmpty else {
            throw KnowledgeError(file: "meta.json", item: "callNow.rules", problem: "empty; list the emergency rules a quick screen shows")
        }
        return found
    }

    /// The region of a POSIX locale setting, the first of LC_ALL, LC_MESSAGES and LANG that is set
    /// (`en_GB.UTF-8` gives GB); nil when it names none. `environment` looks a variable up.
    public static func region(fromLocale environment: (String) -> String?) -> String? {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment(name), !value.isEmpty else { continue }
            let base = value.split(separator: ".").first.map(String.init) ?? value
            let parts = base.split(separator: "_")
            return parts.count >= 2 && parts[1].count == 2 ? String(parts[1]).uppercased() : nil
        }
        return nil
    }

    /// The emergency numbers for a region code (ISO 3166 alpha-2, or UK), else the default.
    public func emergencyNumbers(region: String?) -> EmergencyNumbers {
        guard let region else { return defaultEmergencyNumbers }
        return emergencyNumbers[region.uppercased()] ?? defaultEmergencyNumbers
    }
}
