import CrampJournal
import CrampKnowledge

/// `day_logs`: one row per person per date. Yes/no answers are 0 or 1.
enum DayLogsTable: JournalTable {
    enum Column: String, TableColumn {
        case ownerID = "owner_id", day, fluidsML = "fluids_ml", electrolyteDrink = "electrolyte_drink"
        case exerciseMinutes = "exercise_minutes", exerciseIntensity = "exercise_intensity", steps
        case sittingHours = "sitting_hours", standingHours = "standing_hours", sleepHours = "sleep_hours", hotWeather = "hot_weather"
        case alcoholUnits = "alcohol_units", caffeineDrinks = "caffeine_drinks", mineralFoods = "mineral_foods"
        case medicationChanges = "medication_changes", context, updatedAt = "updated_at"
        /// 1 when the mineral foods were logged (an empty list is then "none of them").
        case mineralFoodsLogged = "mineral_foods_logged"
    }

    static let name = "day_logs"
    static let key: [Column] = [.ownerID, .day]
    static let sharedInBatch: [Column] = [.ownerID, .updatedAt]

    static func write(_ day: DayLog, owner: OwnerID, to row: inout Row<Column>) {
        row[.ownerID] = .text(owner.rawValue)
        row[.day] = .text(day.date.description)
        row[.fluidsML] = .int(day.fluidsML)
        row[.electrolyteDrink] = .flag(day.electrolyteDrink)
        row[.exerciseMinutes] = .int(day.exerciseMinutes)
        row[.exerciseIntensity] = .text(day.exerciseIntensity?.rawValue)
        row[.steps] = .int(day.steps)
        row[.sittingHours] = .double(day.sittingHours)
        row[.standingHours] = .double(day.standingHours)
        row[.sleepHours] = .double(day.sleepHours)
        row[.hotWeather] = .flag(day.hotWeather)
        row[.alcoholUnits] = .double(day.alcoholUnits)
        row[.caffeineDrinks] = .int(day.caffeineDrinks)
        row[.mineralFoods] = .text(StoredList.text(day.mineralFoods ?? []))
        row[.mineralFoodsLogged] = .flag(day.mineralFoods != nil)
        row[.medicationChanges] = .text(StoredList.text(day.medicationChanges.map(JournalCSV.medicationChangeText)))
        row[.context] = .text(StoredList.text(day.context))
        row[.updatedAt] = .int(day.updatedAt)
    }

    static func read(_ row: ColumnReader<Column>) throws -> DayLog {
        guard let date = LocalDate(iso: try row.required(.day, row.text)) else { throw StorageError("the journal holds a malformed date") }
        let whole = { (column: Column) in row.int(column).flatMap { Int(exactly: $0) } }
        return DayLog(
            date: date, fluidsML: whole(.fluidsML), electrolyteDrink: row.flag(.electrolyteDrink), exerciseMinutes: whole(.exerciseMinutes),
            exerciseIntensity: row.text(.exerciseIntensity).flatMap { ExerciseIntensity(rawValue: $0) }, steps: whole(.steps),
            sittingHours: row.double(.sittingHours), standingHours: row.double(.standingHours), sleepHours: row.double(.sleepHours),
            hotWeather: row.flag(.hotWeather), alcoholUnits: row.double(.alcoholUnits), caffeineDrinks: whole(.caffeineDrinks),
            mineralFoods: try mineralFoods(row),
            medicationChanges: try row.row.withText(Column.medicationChanges.position) { text in
                try StoredList.decoded(text, column: "medication_changes") { (item) throws(JournalError) in
                    try JournalCSV.medicationChange(item, field: "medication_changes")
                }
            },
            context: try row.codes(.context, ContextCode.self), updatedAt: try row.required(.updatedAt, row.int))
    }

    /// A list with no "logged" mark is not logged, unless it names a food (rows from before the mark).
    static func mineralFoods(_ row: ColumnReader<Column>) throws -> [MineralFood]? {
        let foods = try row.codes(.mineralFoods, MineralFood.self)
        return row.flag(.mineralFoodsLogged) == true || !foods.isEmpty ? foods : nil
    }
}
