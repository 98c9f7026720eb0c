/// A parsed JSON document. Objects keep their members in document order so that error messages
/// and round trips stay predictable.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// `isInteger` records whether the literal had no fraction or exponent; schema checks treat
    /// `3.0` as an integer too, so callers look at the value, not only at this flag.
    case number(Double, isInteger: Bool)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a, _), .number(let b, _)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The JSON type's name, as a message to a person says it.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let d, _) = self { return d }
        return nil
    }

    /// A short rendering of the value for error messages (never more than about 60 characters).
    public var excerpt: String {
        var writer = JSONWriter()
        writer.write(self)
        let text = writer.string
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
