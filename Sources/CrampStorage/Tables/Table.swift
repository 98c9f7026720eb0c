import CrampJournal
import CrampKnowledge

/// One column of a table. A table's column enum lists its columns once, in the order rows are
/// written and read; the column list, the upsert, the reads and the bulk writer all follow from
/// it (as GRDB's `Columns` do).
protocol TableColumn: RawRepresentable<String>, CaseIterable, Hashable, Sendable where AllCases == [Self] {
    /// Where the column is in a row, as written and as read: its place in `allCases`.
    var position: Int { get }
}

extension TableColumn {
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
    /// `sharedInBatch` that have one value in every row are bound once, not per row. Each record
    /// is written once into one reused row and only its varying values are kept (an import
    /// writes 100,000 of them); a shared column that turns out to differ is put back into the
    /// rows kept so far, at most once per such column.
    static func insert(_ records: some Collection<Record>, owner: OwnerID, suffix: String) -> RowInsert {
        var iterator = records.makeIterator()
        guard let firstRecord = iterator.next() else {
            return RowInsert(table: name, columns: columnList, columnCount: columnCount, suffix: suffix, values: [])
        }
        var row = Row<Column>()
        write(firstRecord, owner: owner, to: &row)
        let first = row.values
        var shared = sharedInBatch.map(\.position)
        var varying = Column.allCases.map(\.position).filter { !shared.contains($0) }
        var kept: [SQLValue] = []
        kept.reserveCapacity(records.count * varying.count)
        for position in varying { kept.append(first[position]) }
        while let record = iterator.next() {
            write(record, owner: owner, to: &row)
            let differing = shared.filter { row.values[$0] != first[$0] }
            if !differing.isEmpty {
                // Rows so far had the first row's value there: put it back into each of them.
                let widened = (varying + differing).sorted()
                var rebuilt: [SQLValue] = []
                rebuilt.reserveCapacity(records.count * widened.count)
                for start in stride(from: 0, to: kept.count, by: varying.count) {
                    var index = start
                    for position in widened {
                        if differing.contains(position) {
                            rebuilt.append(first[position])
                        } else {
                            rebuilt.append(kept[index])
                            index += 1
                        }
                    }
                }
                kept = rebuilt
                varying = widened
                shared.removeAll { differing.contains($0) }
            }
            for position in varying { kept.append(row.values[position]) }
        }
        let columns = varying.map { Column.allCases[$0] }
        guard !shared.isEmpty else {
            return RowInsert(table: name, columns: list(columns), columnCount: columns.count, suffix: suffix, values: kept)
        }
        return RowInsert(
            table: name, columns: list(columns), columnCount: columns.count, suffix: suffix,
            shared: (list(shared.map { Column.allCases[$0] }), shared.map { first[$0] }), values: kept)
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
