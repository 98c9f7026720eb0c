/// Every journal field under the one name each interface gives it: its CSV column (the name the
/// validation reports, as `JournalError.field`), its JSON key (the API, the backup and the web
/// forms) and its terminal flag. A message about a field names it the way the person sent it.
public enum JournalField: String, CaseIterable, Sendable {
    // Episodes.
    case id, startedAt = "started_at", durationSeconds = "duration_seconds", muscles, side, severity, onset, findings, reliefs, note
    // Day logs.
    case date, fluidsML = "fluids_ml", electrolyteDrink = "electrolyte_drink", exerciseMinutes = "exercise_minutes"
    case exerciseIntensity = "exercise_intensity", steps, sittingHours = "sitting_hours", standingHours = "standing_hours"
    case sleepHours = "sleep_hours", hotWeather = "hot_weather", alcoholUnits = "alcohol_units", caffeineDrinks = "caffeine_drinks"
    case mineralFoods = "mineral_foods", medicationChanges = "medication_changes", context
    // The profile.
    case birthYear = "birth_year", sex, conditions, medications, timeZone = "time_zone", region, reminderTimes = "reminder_times"

    /// The CSV column, and the name validation reports.
    public var column: String { rawValue }

    public var jsonKey: String {
        switch self {
        case .fluidsML: "fluidsML"
        default: Self.camel(rawValue)
        }
    }

    /// The terminal's flag, without its dashes (a list's flag is given once per item).
    public var flag: String {
        switch self {
        case .startedAt: "at"
        case .durationSeconds: "duration"
        case .muscles: "muscle"
        case .findings: "finding"
        case .reliefs: "relief"
        case .fluidsML: "fluids"
        case .exerciseIntensity: "intensity"
        case .sittingHours: "sitting"
        case .standingHours: "standing"
        case .sleepHours: "sleep"
        case .alcoholUnits: "alcohol"
        case .caffeineDrinks: "caffeine"
        case .mineralFoods: "mineral-food"
        case .medicationChanges: "medication-change"
        case .conditions: "condition"
        case .medications: "medication"
        case .reminderTimes: "reminder"
        default: rawValue.replacing("_", with: "-")
        }
    }

    /// The field a validation name means (`duration` is the episode's duration).
    public init?(validationName name: String) {
        if name == "duration" {
            self = .durationSeconds
            return
        }
        self.init(rawValue: name)
    }

    /// A validation path (`reliefs[1].secondsToEase`, `sitting_hours`) with its last name as
    /// the JSON names it; a name the table does not hold is turned to camel case.
    public static func jsonPath(_ path: String) -> String {
        rename(path) { name in JournalField(validationName: name)?.jsonKey ?? camel(name) }
    }

    /// A validation path as the terminal's flag (`--sitting`), or nil when no flag sets it.
    public static func flagPath(_ path: String) -> String {
        rename(path) { name in JournalField(validationName: name).map { "--\($0.flag)" } ?? "--" + name.replacing("_", with: "-") }
    }

    static func rename(_ path: String, _ rename: (String) -> String) -> String {
        var parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let last = parts.popLast() else { return path }
        let bracket = last.firstIndex(of: "[")
        let name = bracket.map { String(last[..<$0]) } ?? last
        let suffix = bracket.map { String(last[$0...]) } ?? ""
        return (parts + [rename(name) + suffix]).joined(separator: ".")
    }

    static func camel(_ name: String) -> String {
        guard name.contains("_") else { return name }
        let words = name.split(separator: "_")
        return String(words[0]) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
