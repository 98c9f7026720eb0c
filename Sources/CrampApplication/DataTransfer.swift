public import CrampJournal

/// The journal's export formats (docs/journal-formats.md).
public enum ExportFormat: String, Sendable, CaseIterable {
    case csv, json, fhir
}

/// The CSV tables, one file each.
public enum ExportTable: String, Sendable, CaseIterable {
    case episodes, days

    public var fileName: String { self == .episodes ? "episodes.csv" : "daily.csv" }
}

/// One exported file.
public struct ExportFile: Sendable {
    public let name: String
    public let mediaType: String
    public let bytes: [UInt8]
}

/// What an export holds, for the message after it.
public struct ExportedJournal: Sendable {
    public let files: [ExportFile]
    public let episodes: Int
    public let days: Int
    public let assessments: Int
}

/// How a backup is imported.
public enum BackupImport: Sendable {
    /// Added to the journal: existing episodes and assessments stay, day logs are replaced.
    case merge
    /// In place of everything the journal has.
    case replace
}

extension CrampCareApp {
    /// The journal in one format: CSV gives the tables asked for (both by default), JSON the
    /// backup (with the account's sharing and its trail when given), FHIR one R4 Bundle.
    public func export(
        _ format: ExportFormat, tables: [ExportTable] = ExportTable.allCases, owner: OwnerID, sharing: SharingExport? = nil
    ) async throws -> ExportedJournal {
        let contents = try await journal.contents(owner: owner)
        let files: [ExportFile]
        switch format {
        case .csv:
            files = tables.map { table in
                ExportFile(name: table.fileName, mediaType: "text/csv; charset=utf-8", bytes: Array(Self.csv(table, contents).utf8))
            }
        case .json:
            files = [
                ExportFile(name: "crampcare-journal.json", mediaType: "application/json", bytes: JournalBackup.encode(contents, sharing: sharing))
            ]
        case .fhir:
            let generatedAt = clock(for: contents.profile).now()
            files = [
                ExportFile(
                    name: "crampcare-fhir.json", mediaType: "application/fhir+json",
                    bytes: FHIRExport.bundle(contents, knowledge: knowledge, generatedAt: generatedAt))
            ]
        }
        return ExportedJournal(files: files, episodes: contents.episodes.count, days: contents.dayLogs.count, assessments: contents.assessments.count)
    }

    /// A CSV table, in the order the documented format gives (oldest first).
    static func csv(_ table: ExportTable, _ contents: JournalContents) -> String {
        switch table {
        case .episodes:
            var text = JournalCSV.episodeHeader()
            for episode in contents.episodes.sorted(by: { ($0.startedAt.instant, $0.id) < ($1.startedAt.instant, $1.id) }) {
                text += JournalCSV.row(episode)
            }
            return text
        case .days:
            var text = JournalCSV.dayHeader()
            for day in contents.dayLogs.sorted(by: { $0.date < $1.date }) { text += JournalCSV.row(day) }
            return text
        }
    }

    /// Imports a checked backup, merged or in place of everything.
    public func importBackup(_ contents: JournalContents, mode: BackupImport, owner: OwnerID) async throws -> ImportSummary {
        switch mode {
        case .merge:
            return try await journal.importBatch(contents, owner: owner)
        case .replace:
            try await journal.restore(contents, owner: owner)
            var summary = ImportSummary()
            summary.episodesAdded = contents.episodes.count
            summary.dayLogsWritten = contents.dayLogs.count
            summary.assessmentsAdded = contents.assessments.count
            summary.profileTaken = contents.profile != nil
            return summary
        }
    }

    /// The days an Apple Health export gives, merged into the days already logged (what the
    /// person typed wins). Nothing is written; nil when the export holds no days.
    public func healthDays(_ health: AppleHealthImport, owner: OwnerID) async throws -> (days: [DayLog], first: LocalDate, last: LocalDate)? {
        let totals = health.totals()
        guard let first = totals.keys.min(), let last = totals.keys.max() else { return nil }
        let existing = try await journal.dayLogs(owner: owner, from: first, through: last)
        let days = try health.merged(into: Dictionary(uniqueKeysWithValues: existing.map { ($0.date, $0) }), now: clockSource.millisecondsNow())
        return (days, first, last)
    }

    /// An import read while the file is still being parsed, all in one transaction.
    public func importStreaming<T: Sendable>(owner: OwnerID, _ body: @Sendable (any ImportSink) async throws -> T) async throws -> (T, ImportSummary)
    {
        try await journal.importStreaming(owner: owner, body)
    }

    /// Deletes every record of the owner's journal, in one transaction.
    public func erase(owner: OwnerID) async throws -> EraseSummary {
        try await journal.eraseAll(owner: owner)
    }
}
