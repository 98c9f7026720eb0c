import CrampKnowledge

/// A journal entry that breaks a rule: the field, the value and what is accepted — the same shape
/// of message as the assessment's.
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let problem: String
    /// Where in an imported file (a line or element number), when it came from one.
    public var location: String?

    public init(field: String, problem: String, location: String? = nil) {
        self.field = field
        self.problem = problem
        self.location = location
    }

    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        return field.isEmpty ? "\(place)\(problem)" : "\(place)\(field): \(problem)"
    }
}

/// The limits entries are checked against.
public enum JournalLimits {
    public static let maxDurationSeconds = 7 * 86_400
    public static let maxNoteCharacters = 2000
    public static let maxFluidsML = 20_000
    public static let maxSteps = 200_000
    public static let maxAlcoholUnits = 100.0
    public static let maxCaffeineDrinks = 50
    /// A glass from an espresso cup to a large bottle.
    public static let glassML = 50...1000
}

func check(_ condition: Bool, _ field: String, _ problem: @autoclosure () -> String) throws(JournalError) {
    if !condition { throw JournalError(field: field, problem: problem()) }
}

/// Codes once each: a bit set, so checking costs no allocation.
func unique<C: CodeList>(_ list: [C], _ field: String, name: (C) -> String) throws(JournalError) {
    var seen: UInt64 = 0
    for (index, item) in list.enumerated() {
        guard seen & item.bit == 0 else {
            throw JournalError(field: "\(field)[\(index)]", problem: "\"\(name(item))\" appears more than once; list each once")
        }
        seen |= item.bit
    }
}

func unique<C: Hashable>(_ list: [C], _ field: String, name: (C) -> String) throws(JournalError) {
    var seen = Set<C>()
    for (index, item) in list.enumerated() where !seen.insert(item).inserted {
        throw JournalError(field: "\(field)[\(index)]", problem: "\"\(name(item))\" appears more than once; list each once")
    }
}

extension Episode {
    /// Checks every field; throws the first problem, naming the field.
    public func validate() throws(JournalError) {
        try check(
            durationSeconds > 0 && durationSeconds <= JournalLimits.maxDurationSeconds, "duration",
            "\(durationSeconds) seconds is out of range; accepted: more than 0 and at most 7 days (604800 seconds)")
        if let durationRange {
            try check(
                durationSeconds == durationRange.upToSeconds, "duration_range",
                "\"\(durationRange.rawValue)\" is given with \(durationSeconds) seconds; a range's duration is its upper bound, \(durationRange.upToSeconds) seconds"
            )
        }
        try check(!muscles.isEmpty, "muscles", "empty; name at least one of \(Muscle.table.accepted)")
        try unique(muscles, "muscles") { $0.rawValue }
        for detail in EpisodeDetail.all { try detail.validate(self) }
        try unique(findings, "findings") { $0.rawValue }
        try unique(reliefs.map(\.technique), "reliefs") { $0.rawValue }
        for (index, relief) in reliefs.enumerated() {
            if let seconds = relief.secondsToEase {
                try check(
                    seconds >= 0 && seconds <= JournalLimits.maxDurationSeconds, "reliefs[\(index)].secondsToEase",
                    "\(seconds) is out of range; accepted: 0 to 604800 seconds")
            }
        }
        if let note { try validateNote(note) }
    }
}

func validateNote(_ note: String) throws(JournalError) {
    // Counted in code points, as JSON Schema's maxLength counts them (the API's documented limit).
    let length = note.unicodeScalars.count
    try check(
        length <= JournalLimits.maxNoteCharacters, "note",
        "\(length) characters is too long; accepted: at most \(JournalLimits.maxNoteCharacters)")
    try check(
        !note.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }, "note",
        "contains a control character; accepted: text, new lines and tabs")
}

extension DayLog {
    public func validate() throws(JournalError) {
        func range<T: Comparable>(_ value: T?, _ field: String, _ bounds: ClosedRange<T>, _ unit: String) throws(JournalError) {
            guard let value else { return }
            try check(bounds.contains(value), field, "\(value) is out of range; accepted: \(bounds.lowerBound) to \(bounds.upperBound) \(unit)")
        }
        try range(fluidsML, "fluids_ml", 0...JournalLimits.maxFluidsML, "mL")
        try range(exerciseMinutes, "exercise_minutes", 0...1440, "minutes")
        try range(steps, "steps", 0...JournalLimits.maxSteps, "steps")
        try range(sittingHours, "sitting_hours", 0...24, "hours")
        try range(standingHours, "standing_hours", 0...24, "hours")
        try range(sleepHours, "sleep_hours", 0...24, "hours")
        try range(alcoholUnits, "alcohol_units", 0...JournalLimits.maxAlcoholUnits, "units")
        try range(caffeineDrinks, "caffeine_drinks", 0...JournalLimits.maxCaffeineDrinks, "drinks")
        let hours = (sittingHours ?? 0) + (standingHours ?? 0) + (sleepHours ?? 0)
        try check(hours <= 24, "sitting_hours", "sitting, standing and sleep add up to \(hours) hours; a day has 24")
        if exerciseIntensity != nil {
            try check(exerciseMinutes != 0, "exercise_intensity", "given for a day with 0 exercise minutes")
        }
        if let mineralFoods { try unique(mineralFoods, "mineral_foods") { $0.rawValue } }
        try unique(medicationChanges, "medication_changes") { "\($0.kind.rawValue):\($0.medication.rawValue)" }
        try unique(context, "context") { $0.rawValue }
    }
}

extension Profile {
    public func validate(currentYear: Int) throws(JournalError) {
        if let birthYear {
            try check((1900...currentYear).contains(birthYear), "birth_year", "\(birthYear) is out of range; accepted: 1900 to \(currentYear)")
        }
        try unique(conditions, "conditions") { $0.rawValue }
        try unique(medications, "medications") { $0.rawValue }
        if let timeZone {
            try check(
                Profile.looksLikeTimeZone(timeZone), "time_zone",
                "\"\(timeZone)\" is not an IANA time zone name; accepted: names such as Europe/London, America/New_York or UTC")
        }
        if let region {
            try check(
                region.count == 2 && region.allSatisfy { $0.isASCII && $0.isLetter }, "region",
                "\"\(region)\" is not a region code; accepted: two letters such as GB, US or AU")
        }
        try unique(reminderTimes, "reminder_times") { $0.description }
        if let glassML {
            try check(
                JournalLimits.glassML.contains(glassML), "glass_ml",
                "\(glassML) is out of range; accepted: \(JournalLimits.glassML.lowerBound) to \(JournalLimits.glassML.upperBound) mL")
        }
    }

    /// The shape of an IANA name (`UTC`, `Area/Location`, `Area/Sub/Location`); whether the
    /// machine's time zone database has it is checked where the database is.
    static func looksLikeTimeZone(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("/"), !name.hasSuffix("/"), !name.contains("..") else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_-+".contains($0)) }
    }
}
