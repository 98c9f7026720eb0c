import CrampJournal
import CrampKnowledge

/// `assessments`: assessments kept, with their request and result as contract JSON and the
/// knowledge version that answered them.
enum AssessmentsTable: JournalTable {
    enum Column: String, TableColumn {
        case ownerID = "owner_id", id, madeAt = "made_at", utcOffsetSeconds = "utc_offset_seconds", knowledgeVersion = "knowledge_version"
        case triage, episodeID = "episode_id", requestJSON = "request_json", resultJSON = "result_json"
    }

    static let name = "assessments"
    static let key: [Column] = [.ownerID, .id]
    static let sharedInBatch: [Column] = [.ownerID, .madeAt, .utcOffsetSeconds, .knowledgeVersion]

    static func write(_ record: AssessmentRecord, owner: OwnerID, to row: inout Row<Column>) {
        row[.ownerID] = .text(owner.rawValue)
        row[.id] = .text(record.id.description)
        row[.madeAt] = .int(record.madeAt.instant)
        row[.utcOffsetSeconds] = .int(record.madeAt.utcOffsetSeconds)
        row[.knowledgeVersion] = .text(record.knowledgeVersion)
        row[.triage] = .text(record.triage.rawValue)
        row[.episodeID] = .text(record.episodeID?.description)
        row[.requestJSON] = .text(record.requestJSON)
        row[.resultJSON] = .text(record.resultJSON)
    }

    static func read(_ row: ColumnReader<Column>) throws -> AssessmentRecord {
        guard let id = EntryID(try row.required(.id, row.text)),
            let madeAt = LocalTimestamp(
                instant: try row.required(.madeAt, row.int), utcOffsetSeconds: Int(try row.required(.utcOffsetSeconds, row.int))),
            let triage = Triage(rawValue: try row.required(.triage, row.text))
        else { throw StorageError("the journal holds a malformed assessment record") }
        return AssessmentRecord(
            id: id, madeAt: madeAt, knowledgeVersion: try row.required(.knowledgeVersion, row.text), triage: triage,
            requestJSON: try row.required(.requestJSON, row.text), resultJSON: try row.required(.resultJSON, row.text),
            episodeID: row.text(.episodeID).flatMap { EntryID($0) })
    }
}
