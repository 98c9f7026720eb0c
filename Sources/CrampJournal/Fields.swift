/// Every journal field under the one name each interface gives it: its CSV column (the name the
/// validation reports, as `JournalError.field`), its JSON key (the API, the backup and the web
/// forms) and its terminal flag. A message about a field names it the way the person sent it.
public enum JournalField: String, CaseIterable, Sendable {
    // Episodes.
    case id, startedAt = "started_at", durationSeconds = "duration_seconds", durationRange = "duration_range", muscles, side, severity, onset
    case findings, reliefs, note, safetyQuestions = "safety_questions"
    // Day logs.
    case date, fluidsML = "fluids_ml", electrolyteDrink = "electrolyte_drink", exerciseMinutes = "exercise_minutes"
    case exerciseIntensity = "exercise_intensity", steps, sittingHours = "sitting_hours", standingHours = "standing_hours"
    case sleepHours = "sleep_hours", hotWeather = "hot_weather", alcoholUnits = "alcohol_units", caffeineDrinks = "caffeine_drinks"
    case mineralFoods = "mineral_foods", medicationChanges = "medication_changes", context
    // The profile.
    case birthYear = "birth_year", sex, conditions, medications, timeZone = "time_zone", region, reminderTimes = "reminder_times"
    case glassML = "glass_ml"

    /// The CSV column, and the name validation reports.
    public var column: String { rawValue }

    public var jsonKey: String {
        switch self {
        case .fluidsML: "fluidsML"
        case .glassML: "glassML"
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
        case .glassML: "glass"
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

/// An episode's optional whole-number details (how bad it was, …), each declared once, here: its
/// field (the names), its range, its question and how it reads. Validation, the CSV and JSON forms,
/// the stored columns, the web form and the read-outs all follow `all`, in its order; a new detail
/// is a case with its arm in each switch below, its property on `Episode`, its column's migration,
/// its flag and its schema. An enum of plain values, not a table of closures and key paths: the
/// import and the page writer walk the list for every row, and a case costs no reference counting.
public enum EpisodeDetail: Int, CaseIterable, Sendable, CustomStringConvertible {
    case severity

    public static let all = allCases

    public var field: JournalField {
        switch self {
        case .severity: .severity
        }
    }

    public var range: ClosedRange<Int> {
        switch self {
        case .severity: 0...10
        }
    }

    /// The question the form asks, in the person's words.
    public var question: String {
        switch self {
        case .severity: "How bad was it, from 0 (no pain) to 10 (worst)?"
        }
    }

    /// The heading it has where a cramp is read back.
    public var heading: String {
        switch self {
        case .severity: "Severity"
        }
    }

    /// Whether the journal's list shows it (a phone has room for few columns).
    public var listed: Bool {
        switch self {
        case .severity: true
        }
    }

    /// A value as a person reads it ("6 of 10").
    public func reading(_ value: Int) -> String {
        switch self {
        case .severity: "\(value) of 10"
        }
    }

    public func value(in episode: Episode) -> Int? {
        switch self {
        case .severity: episode.severity
        }
    }

    public func set(_ value: Int?, in episode: inout Episode) {
        switch self {
        case .severity: episode.severity = value
        }
    }

    public var description: String { field.rawValue }

    func validate(_ episode: Episode) throws(JournalError) {
        guard let value = value(in: episode) else { return }
        try check(
            range.contains(value), field.column, "\(value) is out of range; accepted: \(range.lowerBound) to \(range.upperBound)")
    }
}
