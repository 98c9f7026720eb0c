import CrampJournal
import CrampKnowledge

/// One column of a table. A table's column enum lists its columns once, in the order rows are
/// written and read; the column list, the upsert, the reads and the bulk writer all follow from
/// it (as GRDB's `Columns` do).
protocol TableColumn: RawRepresentable<String>, CaseIterable, Hashable, Sendable where AllCases == [Self] {}

extension TableColumn {
    /// Where the column is in a row, as written and as read.
    var position: Int { Self.allCases.firstIndex(of: self)! }
}

/// A journal table: its name, its columns, and how one record becomes a row and back.
protocol JournalTable: SendableMetatype {
    associatedtype Column: TableColumn
    associatedtype Record: Sendable
    static var name: String { get }
    /// The primary key; `owner_id` first, so a large deployment can distribute rows by owner.
    static var key: [Column] { get }
    /// Columns an upsert leaves as they were (when the row was made).
    static var keptOnUpdate: [Column] { get }
    /// Columns that rows of one import often share (the owner, the stamps): bound once for a
    /// batch in which every row has the same value.
    static var sharedInBatch: [Column] { get }
    static func write(_ record: Record, owner: OwnerID, to row: inout Row<Column>)
    static func read(_ row: ColumnReader<Column>) throws -> Record
}

extension JournalTable {
    static var keptOnUpdate: [Column] { [] }
    static var sharedInBatch: [Column] { [] }

    static var columnCount: Int { Column.allCases.count }
    static var columnList: String { list(Column.allCases) }

    static func list(_ columns: [Column]) -> String { columns.map(\.rawValue).joined(separator: ", ") }

    /// A read of whole rows, in column order.
    static func select(_ condition: String) -> String { "SELECT \(columnList) FROM \(name) WHERE \(condition)" }

    /// Insert or replace by key, leaving `keptOnUpdate` as it was.
    static var upsert: String {
        let changed = Column.allCases.filter { !key.contains($0) && !keptOnUpdate.contains($0) }
        return "ON CONFLICT (\(list(key))) DO UPDATE SET " + changed.map { "\($0.rawValue) = excluded.\($0.rawValue)" }.joined(separator: ", ")
    }

    /// Insert unless the key exists.
    static var insertOrIgnore: String { "ON CONFLICT (\(list(key))) DO NOTHING" }

    /// One record's row values.
    static func values(_ record: Record, owner: OwnerID) -> [SQLValue] {
        var row = Row<Column>()
        write(record, owner: owner, to: &row)
        return row.values
    }

    /// Rows for one INSERT (any number of records; the engine splits them). Columns in
    /// `sharedInBatch` that have one value in every row are bound once, not per row.
    static func insert(_ records: some Collection<Record>, owner: OwnerID, suffix: String) -> RowInsert {
        var values: [SQLValue] = []
        values.reserveCapacity(records.count * columnCount)
        for record in records { values += Self.values(record, owner: owner) }
        // No rows, nothing shared: reading the first row's values would index an empty batch.
        guard !records.isEmpty else {
            return RowInsert(table: name, columns: columnList, columnCount: columnCount, suffix: suffix, values: [])
        }
        let positions = sharedInBatch.map(\.position)
        let shared = positions.filter { position in
            let first = values[position]
            return stride(from: position, to: values.count, by: columnCount).allSatisfy { values[$0] == first }
        }
        guard !records.isEmpty, !shared.isEmpty else {
            return RowInsert(table: name, columns: columnList, columnCount: columnCount, suffix: suffix, values: values)
        }
        let varying = Column.allCases.filter { !shared.contains($0.position) }
        var rows: [SQLValue] = []
        rows.reserveCapacity(records.count * varying.count)
        for start in stride(from: 0, to: values.count, by: columnCount) {
            for column in varying { rows.append(values[start + column.position]) }
        }
        return RowInsert(
            table: name, columns: list(varying), columnCount: varying.count, suffix: suffix,
            shared: (list(shared.map { Column.allCases[$0] }), shared.map { values[$0] }), values: rows)
    }
}

/// One row being written: each value set by its column, so no writer depends on the order.
struct Row<Column: TableColumn> {
    private(set) var values = Array(repeating: SQLValue.null, count: Column.allCases.count)

    subscript(_ column: Column) -> SQLValue {
        get { values[column.position] }
        set { values[column.position] = newValue }
    }
}

/// One stored row read by column name (the select list is the table's column list).
struct ColumnReader<Column: TableColumn> {
    let row: StoredRow
    let table: String

    func int(_ column: Column) -> Int64? { row.int(column.position) }

    func double(_ column: Column) -> Double? { row.double(column.position) }

    func text(_ column: Column) -> String? { row.withText(column.position) { $0.map { String(decoding: $0, as: UTF8.self) } } }

    func flag(_ column: Column) -> Bool? { int(column).map { $0 != 0 } }

    /// A column that may not be NULL; a NULL is a malformed row.
    func required<T>(_ column: Column, _ read: (Column) -> T?) throws -> T {
        guard let value = read(column) else { throw StorageError("the journal holds a malformed \(table) row (\(column.rawValue))") }
        return value
    }

    /// A stored `;a;b;` list of codes.
    func codes<Code: CodeList>(_ column: Column, _: Code.Type) throws -> [Code] {
        try row.withText(column.position) { try StoredList.codes($0, Code.self, column: column.rawValue) }
    }
}
