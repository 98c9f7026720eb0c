/// A batch of rows for one INSERT, and where a bulk write puts them.
/// Rows to insert, one table, all with the same columns: `values` holds `columnCount` values per
/// row, row after row. `shared` are columns with one value for every row (the owner, an import's
/// stamps): still bound, but once per statement where the engine keeps it prepared.
struct RowInsert: Sendable {
    var table: String
    var columns: String
    var columnCount: Int
    var suffix: String
    var shared: (columns: String, values: [SQLValue])?
    var values: [SQLValue]

    var rowCount: Int { values.count / columnCount }

    private var columnList: String { shared.map { "\($0.columns), \(columns)" } ?? columns }

    private var tuple: String {
        "(" + Array(repeating: "?", count: columnCount + (shared?.values.count ?? 0)).joined(separator: ",") + ")"
    }

    /// One row's INSERT, to be prepared once and run per row: the shared values are its first
    /// parameters, then the row's.
    var singleRowSQL: String { "INSERT INTO \(table) (\(columnList)) VALUES \(tuple) \(suffix)" }

    /// Multi-row INSERTs of at most `rowsPerStatement` rows: few round trips where statements
    /// cannot be kept prepared, within both engines' limits on bound values.
    func statements(rowsPerStatement: Int) -> [(sql: String, values: [SQLValue])] {
        var statements: [(sql: String, values: [SQLValue])] = []
        let tuple = tuple
        let sharedValues = shared?.values ?? []
        var start = 0
        while start < rowCount {
            let rows = min(rowsPerStatement, rowCount - start)
            let sql = "INSERT INTO \(table) (\(columnList)) VALUES " + Array(repeating: tuple, count: rows).joined(separator: ",") + " " + suffix
            var bound: [SQLValue] = []
            bound.reserveCapacity(rows * (columnCount + sharedValues.count))
            for row in start..<(start + rows) {
                bound += sharedValues
                bound += values[(row * columnCount)..<((row + 1) * columnCount)]
            }
            statements.append((sql, bound))
            start += rows
        }
        return statements
    }
}

/// Where a bulk write puts its rows: inside one transaction, returning how many rows changed.
protocol RowWriter: Sendable {
    func insert(_ rows: RowInsert) async throws -> Int
}

extension SQLSession: RowWriter {
    func insert(_ rows: RowInsert) async throws -> Int {
        var changed = 0
        for statement in rows.statements(rowsPerStatement: SQLJournalStore.batchRows) {
            changed += try await execute(statement.sql, statement.values)
        }
        return changed
    }
}
