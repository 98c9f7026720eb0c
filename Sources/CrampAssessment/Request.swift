public import CrampJSON
public import CrampKnowledge

/// One report of an episode and the person's context, as `assessment-request.schema.json` says.
public struct AssessmentRequest: Sendable, Equatable {
    public var age: Int
    public var sex: Sex?
    public var durationMinutes: Double
    public var muscles: [Muscle]
    public var side: Side?
    public var onset: Onset?
    public var severity: Int?
    public var episodesLast30Days: Int?
    public var findings: [Finding] = []
    public var context: [ContextCode] = []
    public var conditions: [Condition] = []
    public var medications: [Medication] = []
    public var negatives: [Finding] = []

    public init(age: Int, durationMinutes: Double, muscles: [Muscle]) {
        self.age = age
        self.durationMinutes = durationMinutes
        self.muscles = muscles
    }

    /// What the rules test.
    public var facts: Facts {
        var facts = Facts(age: age, durationMinutes: durationMinutes)
        facts.findings = CodeSet(findings)
        facts.context = CodeSet(context)
        facts.conditions = CodeSet(conditions)
        facts.medications = CodeSet(medications)
        facts.muscles = CodeSet(muscles)
        facts.onset = onset
        facts.side = side
        facts.episodesLast30Days = episodesLast30Days
        return facts
    }
}

/// A request that breaks the contract: the field, the value and what is accepted.
public struct RequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field as a path, such as `episode.muscles[1]`; empty for the whole document.
    public let field: String
    public let problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
}

extension AssessmentRequest {
    /// Reads a request from JSON text (UTF-8 bytes).
    public static func decode(json bytes: [UInt8], medicineNames: [String: Medication] = [:]) throws(RequestError) -> AssessmentRequest {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw RequestError(field: "", problem: error.description)
        }
        return try decode(value, medicineNames: medicineNames)
    }

    /// Reads a request from a parsed document, checking every rule of the schema.
    public static func decode(_ value: JSONValue, medicineNames: [String: Medication] = [:]) throws(RequestError) -> AssessmentRequest {
        guard case .object(let members) = value else {
            throw RequestError(field: "", problem: "the request must be a JSON object, found \(value.typeName)")
        }
        let known: Set<String> = [
            "schemaVersion", "age", "sex", "episode", "episodesLast30Days", "findings", "context",
            "conditions", "medications", "negatives",
        ]
        for member in members where !known.contains(member.key) {
            throw RequestError(
                field: ShownText.member(member.key), problem: "not a field of the request; accepted fields: \(known.sorted().joined(separator: ", "))"
            )
        }
        if let version = value["schemaVersion"] {
            guard case .number(1, _) = version else {
                throw RequestError(field: "schemaVersion", problem: "\(version.excerpt) is not supported; the accepted value is 1")
            }
        }
        guard let ageValue = value["age"] else { throw RequestError(field: "age", problem: "missing; give the person's age in years, 0 to 120") }
        let age = try integer(ageValue, field: "age", range: 0...120, unit: "years")
        guard let episode = value["episode"] else {
            throw RequestError(field: "episode", problem: "missing; give an object with durationMinutes and muscles")
        }
        guard case .object(let episodeMembers) = episode else {
            throw RequestError(field: "episode", problem: "must be an object with durationMinutes and muscles, found \(episode.typeName)")
        }
        let episodeFields: Set<String> = ["durationMinutes", "muscles", "side", "onset", "severity"]
        for member in episodeMembers where !episodeFields.contains(member.key) {
            throw RequestError(
                field: "episode.\(ShownText.member(member.key))",
                problem: "not a field of the episode; accepted fields: \(episodeFields.sorted().joined(separator: ", "))")
        }
        guard let durationValue = episode["durationMinutes"] else {
            throw RequestError(
                field: "episode.durationMinutes", problem: "missing; give how long the episode lasted in minutes, more than 0 and at most 10080")
        }
        guard case .number(let duration, _) = durationValue else {
            throw RequestError(
                field: "episode.durationMinutes",
                problem: "\(durationValue.excerpt) is not a number; accepted: minutes, more than 0 and at most 10080 (7 days)")
        }
        guard duration > 0, duration <= 10080 else {
            throw RequestError(
                field: "episode.durationMinutes",
                problem: "\(JSONWriter.format(duration)) is out of range; accepted: more than 0 and at most 10080 minutes (7 days)")
        }
        guard let musclesValue = episode["muscles"] else {
            throw RequestError(field: "episode.muscles", problem: "missing; name at least one of \(Muscle.table.accepted)")
        }
        let muscles = try codes(musclesValue, field: "episode.muscles", as: Muscle.self)
        guard !muscles.isEmpty else {
            throw RequestError(field: "episode.muscles", problem: "empty; name at least one of \(Muscle.table.accepted)")
        }
        var request = AssessmentRequest(age: age, durationMinutes: duration, muscles: muscles)
        if let side = episode["side"] { request.side = try code(side, field: "episode.side", as: Side.self) }
        if let onset = episode["onset"] { request.onset = try code(onset, field: "episode.onset", as: Onset.self) }
        if let severity = episode["severity"] {
            request.severity = try integer(severity, field: "episode.severity", range: 0...10, unit: "on a scale of 0 to 10")
        }
        if let sex = value["sex"] { request.sex = try code(sex, field: "sex", as: Sex.self) }
        if let count = value["episodesLast30Days"] {
            request.episodesLast30Days = try integer(count, field: "episodesLast30Days", range: 0...10000, unit: "episodes, this one included")
        }
        if let list = value["findings"] { request.findings = try codes(list, field: "findings", as: Finding.self) }
        if let list = value["context"] { request.context = try codes(list, field: "context", as: ContextCode.self) }
        if let list = value["conditions"] { request.conditions = try codes(list, field: "conditions", as: Condition.self) }
        if let list = value["medications"] {
            request.medications = try codes(list, field: "medications", as: Medication.self) { text in
                guard let code = medicineNames[text.lowercased()] else { return nil }
                return "\"\(text)\" is a \(code.rawValue): send \"\(code.rawValue)\""
            }
        }
        if let list = value["negatives"] { request.negatives = try codes(list, field: "negatives", as: Finding.self) }
        let denied = CodeSet(request.negatives)
        for (index, finding) in request.findings.enumerated() where denied.contains(finding) {
            throw RequestError(
                field: "findings[\(index)]", problem: "\"\(finding.rawValue)\" is in both findings and negatives; a sign is either present or denied")
        }
        return request
    }

    private static func integer(_ value: JSONValue, field: String, range: ClosedRange<Int>, unit: String) throws(RequestError) -> Int {
        guard case .number(let number, _) = value, number == number.rounded() else {
            throw RequestError(
                field: field, problem: "\(value.excerpt) is not a whole number; accepted: \(range.lowerBound) to \(range.upperBound) \(unit)")
        }
        guard number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            throw RequestError(
                field: field, problem: "\(JSONWriter.format(number)) is out of range; accepted: \(range.lowerBound) to \(range.upperBound) \(unit)")
        }
        return Int(number)
    }

    private static func code<Code: CodeList>(
        _ value: JSONValue, field: String, as _: Code.Type,
        hint: (String) -> String? = { _ in nil }
    ) throws(RequestError) -> Code {
        guard case .string(let text) = value else {
            throw RequestError(field: field, problem: "\(value.excerpt) is not a string; accepted: \(Code.table.accepted)")
        }
        guard let code = Code.table.code(text) else {
            let extra = hint(text).map { " (\($0))" } ?? ""
            throw RequestError(field: field, problem: "\"\(text)\" is not an accepted value\(extra); accepted: \(Code.table.accepted)")
        }
        return code
    }

    private static func codes<Code: CodeList>(
        _ value: JSONValue, field: String, as type: Code.Type,
        hint: (String) -> String? = { _ in nil }
    ) throws(RequestError) -> [Code] {
        guard case .array(let elements) = value else {
            throw RequestError(field: field, problem: "must be an array of codes, found \(value.typeName); accepted codes: \(Code.table.accepted)")
        }
        var out: [Code] = []
        out.reserveCapacity(elements.count)
        var seen = CodeSet<Code>()
        for (index, element) in elements.enumerated() {
            let code = try code(element, field: "\(field)[\(index)]", as: type, hint: hint)
            guard !seen.contains(code) else {
                throw RequestError(field: "\(field)[\(index)]", problem: "\"\(code.rawValue)\" appears more than once; list each code once")
            }
            seen.insert(code)
            out.append(code)
        }
        return out
    }
}

extension AssessmentRequest {
    /// The request as contract JSON, in a fixed field order.
    public func json() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("schemaVersion"); writer.value(1)
        writer.key("age"); writer.value(age)
        if let sex { writer.key("sex"); writer.value(sex.rawValue) }
        writer.key("episode"); writer.beginObject()
        writer.key("durationMinutes"); writer.value(durationMinutes)
        writer.key("muscles"); writer.stringArray(muscles.map(\.rawValue))
        if let side { writer.key("side"); writer.value(side.rawValue) }
        if let onset { writer.key("onset"); writer.value(onset.rawValue) }
        if let severity { writer.key("severity"); writer.value(severity) }
        writer.endObject()
        if let episodesLast30Days { writer.key("episodesLast30Days"); writer.value(episodesLast30Days) }
        writer.key("findings"); writer.stringArray(findings.map(\.rawValue))
        writer.key("context"); writer.stringArray(context.map(\.rawValue))
        writer.key("conditions"); writer.stringArray(conditions.map(\.rawValue))
        writer.key("medications"); writer.stringArray(medications.map(\.rawValue))
        writer.key("negatives"); writer.stringArray(negatives.map(\.rawValue))
        writer.endObject()
        return writer.bytes
    }
}
