import CrampJournal
import CrampKnowledge

/// `episodes`: one row per cramp. Lists are `StoredList`s; times are milliseconds since the
/// epoch with the offset the person's clock had.
enum EpisodesTable: JournalTable {
    /// The episode's details (`EpisodeDetail.all`) are columns of their own, after `side`.
    enum Column: TableColumn {
        case ownerID, id, startedAt, utcOffsetSeconds, durationSeconds, muscles, side, detail(EpisodeDetail)
        case onset, findings, reliefs, note, durationRange, safetyQuestions, loggedBy, createdAt, updatedAt

        static let allCases: [Column] =
            [.ownerID, .id, .startedAt, .utcOffsetSeconds, .durationSeconds, .muscles, .side] + EpisodeDetail.all.map(Column.detail)
            + [.onset, .findings, .reliefs, .note, .durationRange, .safetyQuestions, .loggedBy, .createdAt, .updatedAt]

        /// By case, not by searching `allCases`: the page writer asks for a dozen columns a row
        /// (a search compares raw values, which are strings). A test holds it to `allCases`.
        var position: Int {
            let details = EpisodeDetail.all.count
            switch self {
            case .ownerID: return 0
            case .id: return 1
            case .startedAt: return 2
            case .utcOffsetSeconds: return 3
            case .durationSeconds: return 4
            case .muscles: return 5
            case .side: return 6
            case .detail(let detail): return 7 + detail.rawValue
            case .onset: return 7 + details
            case .findings: return 8 + details
            case .reliefs: return 9 + details
            case .note: return 10 + details
            case .durationRange: return 11 + details
            case .safetyQuestions: return 12 + details
            case .loggedBy: return 13 + details
            case .createdAt: return 14 + details
            case .updatedAt: return 15 + details
            }
        }

        init?(rawValue: String) {
            guard let column = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = column
        }

        var rawValue: String {
            switch self {
            case .ownerID: "owner_id"
            case .id: "id"
            case .startedAt: "started_at"
            case .utcOffsetSeconds: "utc_offset_seconds"
            case .durationSeconds: "duration_seconds"
            case .muscles: "muscles"
            case .side: "side"
            case .detail(let detail): detail.field.column
            case .onset: "onset"
            case .findings: "findings"
            case .reliefs: "reliefs"
            case .note: "note"
            case .durationRange: "duration_range"
            case .safetyQuestions: "safety_questions"
            case .loggedBy: "logged_by"
            case .createdAt: "created_at"
            case .updatedAt: "updated_at"
            }
        }
    }

    static let name = "episodes"
    static let key: [Column] = [.ownerID, .id]
    /// Who logged an episode is kept through every change, whoever makes it.
    static let keptOnUpdate: [Column] = [.createdAt, .loggedBy]
    static let sharedInBatch: [Column] = [.ownerID, .createdAt, .updatedAt]

    static func write(_ episode: Episode, owner: OwnerID, to row: inout Row<Column>) {
        row[.ownerID] = .text(owner.rawValue)
        row[.id] = .text(episode.id.description)
        row[.startedAt] = .int(episode.startedAt.instant)
        row[.utcOffsetSeconds] = .int(episode.startedAt.utcOffsetSeconds)
        row[.durationSeconds] = .int(episode.durationSeconds)
        row[.muscles] = .text(StoredList.text(episode.muscles))
        row[.side] = .text(episode.side?.rawValue)
        for detail in EpisodeDetail.all { row[.detail(detail)] = .int(detail.value(in: episode)) }
        row[.onset] = .text(episode.onset?.rawValue)
        row[.findings] = .text(StoredList.text(episode.findings))
        row[.reliefs] = .text(StoredList.text(episode.reliefs.map(JournalCSV.reliefText)))
        row[.note] = .text(episode.note)
        row[.durationRange] = .text(episode.durationRange?.rawValue)
        row[.safetyQuestions] = .text(episode.safetyQuestions?.rawValue)
        row[.loggedBy] = .text(episode.loggedBy?.rawValue)
        row[.createdAt] = .int(episode.createdAt)
        row[.updatedAt] = .int(episode.updatedAt)
    }

    static func read(_ row: ColumnReader<Column>) throws -> Episode {
        let instant = try row.required(.startedAt, row.int)
        let offset = try row.required(.utcOffsetSeconds, row.int)
        guard let id = EntryID(try row.required(.id, row.text)), let startedAt = LocalTimestamp(instant: instant, utcOffsetSeconds: Int(offset)),
            let duration = Int(exactly: try row.required(.durationSeconds, row.int))
        else { throw StorageError("the journal holds a malformed episode row") }
        var episode = Episode(
            id: id, startedAt: startedAt, durationSeconds: duration, durationRange: row.text(.durationRange).flatMap { DurationRange(rawValue: $0) },
            muscles: try row.codes(.muscles, Muscle.self),
            side: row.text(.side).flatMap { Side(rawValue: $0) }, onset: row.text(.onset).flatMap { Onset(rawValue: $0) },
            findings: try row.codes(.findings, Finding.self),
            reliefs: try row.row.withText(Column.reliefs.position) { text in
                try StoredList.decoded(text, column: "reliefs") { (item) throws(JournalError) in try JournalCSV.relief(item, field: "reliefs") }
            },
            note: row.text(.note), safetyQuestions: row.text(.safetyQuestions).flatMap { SafetyQuestions(rawValue: $0) },
            loggedBy: row.text(.loggedBy).flatMap { OwnerID($0) },
            createdAt: try row.required(.createdAt, row.int), updatedAt: try row.required(.updatedAt, row.int))
        for detail in EpisodeDetail.all { detail.set(row.int(.detail(detail)).flatMap { Int(exactly: $0) }, in: &episode) }
        return episode
    }
}
