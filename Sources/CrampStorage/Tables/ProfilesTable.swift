import CrampJournal
import CrampKnowledge

/// `profiles`: one row per person.
enum ProfilesTable: JournalTable {
    enum Column: String, TableColumn {
        case ownerID = "owner_id", birthYear = "birth_year", sex, conditions, medications, timeZone = "time_zone", region
        case reminderTimes = "reminder_times", glassML = "glass_ml", updatedAt = "updated_at"
    }

    static let name = "profiles"
    static let key: [Column] = [.ownerID]

    static func write(_ profile: Profile, owner: OwnerID, to row: inout Row<Column>) {
        row[.ownerID] = .text(owner.rawValue)
        row[.birthYear] = .int(profile.birthYear)
        row[.sex] = .text(profile.sex?.rawValue)
        row[.conditions] = .text(StoredList.text(profile.conditions))
        row[.medications] = .text(StoredList.text(profile.medications))
        row[.timeZone] = .text(profile.timeZone)
        row[.region] = .text(profile.region)
        row[.reminderTimes] = .text(StoredList.text(profile.reminderTimes.map(\.description)))
        row[.glassML] = .int(profile.glassML)
        row[.updatedAt] = .int(profile.updatedAt)
    }

    static func read(_ row: ColumnReader<Column>) throws -> Profile {
        Profile(
            birthYear: row.int(.birthYear).flatMap { Int(exactly: $0) }, sex: row.text(.sex).flatMap { Sex(rawValue: $0) },
            conditions: try row.codes(.conditions, Condition.self), medications: try row.codes(.medications, Medication.self),
            timeZone: row.text(.timeZone), region: row.text(.region),
            reminderTimes: row.row.withText(Column.reminderTimes.position) { StoredList.items($0).compactMap { LocalTime(iso: $0) } },
            glassML: row.int(.glassML).flatMap { Int(exactly: $0) }, updatedAt: try row.required(.updatedAt, row.int))
    }
}
