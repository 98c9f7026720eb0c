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

/// Text from a request as an error message shows it.
public enum ShownText {
    /// A member name: bare when it is a plain word, else quoted with its control characters
    /// spelled out, so `""` and a name with a NUL are still visible names.
    public static func member(_ key: String) -> String {
        let scalars = key.unicodeScalars
        if !scalars.isEmpty, scalars.count <= 60,
            scalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ".") })
        {
            return key
        }
        return quoted(key, limit: 60)
    }

    /// A value, always quoted, cut at `limit` scalars, control characters spelled out.
    public static func quoted(_ text: String, limit: Int = 100) -> String {
        var out = "\""
        for scalar in text.unicodeScalars.prefix(limit) {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + (text.unicodeScalars.count > limit ? "…\"" : "\"")
    }
}
