import Testing

@testable import CrampStorage

/// A column's position is where the row writers put it and the readers look for it: for every
/// table it must be its place in the column list, also where a table states positions by case.
@Suite struct TableColumns {
    func check<Column: TableColumn>(_: Column.Type) {
        for (index, column) in Column.allCases.enumerated() { #expect(column.position == index, "\(column.rawValue)") }
        #expect(Set(Column.allCases.map(\.rawValue)).count == Column.allCases.count)
        for column in Column.allCases { #expect(Column(rawValue: column.rawValue) == column) }
    }

    @Test func positionsAreTheColumnListsOrder() {
        check(EpisodesTable.Column.self)
        check(DayLogsTable.Column.self)
        check(ProfilesTable.Column.self)
        check(AssessmentsTable.Column.self)
    }
}
