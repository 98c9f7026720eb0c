import NIOCore
import PostgresNIO
import Synchronization

/// A statement run on nearly every request (the credential check, a single-row write): PostgreSQL
/// keeps it prepared on each pooled connection, so a request sends only its values and the server
/// neither parses nor plans it again. SQLite keeps its statements prepared by their text anyway.
protocol KeptStatement: SendableMetatype {
    /// With `?` placeholders, as every other statement.
    static var sql: String { get }
}

/// A kept statement as PostgresNIO prepares it. Its name and `$n` text are made once per
/// statement type (PostgresNIO reads both on every run).
struct PostgresKept<Statement: KeptStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static var name: String { PostgresKeptTexts.shared.text(Self.self) { PostgresEngine.numbered(Statement.sql) }.name }
    static var sql: String { PostgresKeptTexts.shared.text(Self.self) { PostgresEngine.numbered(Statement.sql) }.sql }

    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    init(_ values: [SQLValue]) { bindings = UntypedText.bindings(values) }
}

/// A kept write that counts its rows by returning one per changed row, as every other
/// PostgreSQL write here does.
struct PostgresKeptWrite<Statement: KeptStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static var name: String { PostgresKeptTexts.shared.text(Self.self) { PostgresEngine.numbered(Statement.sql) + " RETURNING 1" }.name }
    static var sql: String { PostgresKeptTexts.shared.text(Self.self) { PostgresEngine.numbered(Statement.sql) + " RETURNING 1" }.sql }

    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    init(_ values: [SQLValue]) { bindings = UntypedText.bindings(values) }
}

/// A kept statement's value, sent as text of no declared type. PostgreSQL fixes a prepared
/// statement's parameter types when it first prepares it: declared by the first call's values, a
/// NULL there would make the column's later integers the wrong type. Undeclared, each parameter
/// takes the type of where it is used, and PostgreSQL reads the text as that type.
struct UntypedText: PostgresDynamicTypeEncodable {
    let text: String
    var psqlType: PostgresDataType { .null }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }

    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .int(let number): bindings.append(UntypedText(text: String(number)))
            case .double(let number): bindings.append(UntypedText(text: "\(number)"))
            case .text(let text): bindings.append(UntypedText(text: text))
            case .null: bindings.appendNull()
            }
        }
        return bindings
    }
}

final class PostgresKeptTexts: Sendable {
    static let shared = PostgresKeptTexts()
    private let texts = Mutex<[ObjectIdentifier: (name: String, sql: String)]>([:])

    func text(_ statement: Any.Type, _ sql: () -> String) -> (name: String, sql: String) {
        let key = ObjectIdentifier(statement)
        if let found = texts.withLock({ $0[key] }) { return found }
        let made = sql()
        return texts.withLock { texts in
            if let found = texts[key] { return found }
            // A number per statement type in order of first use: within PostgreSQL's 63 bytes.
            let text = (name: "crampcare_\(texts.count)", sql: made)
            texts[key] = text
            return text
        }
    }
}
