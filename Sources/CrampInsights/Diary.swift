public import CrampJournal
import CrampKnowledge

/// A person's journal as days: the unit of the trigger statistics. A cramp before 06:00 local
/// time belongs to the day before (the night of that day), so an evening's habits meet the
/// night's cramps on the same day.
public struct Diary: Sendable {
    public let first: LocalDate
    public let last: LocalDate
    /// Indexed by day offset from `first`.
    public let crampDays: [Bool]
    public let logs: [DayLog?]

    /// The hour before which a cramp counts for the previous day.
    public static let dayStartsAtHour = 6

    /// The longest span looked at: older records are left out (and a mistyped year cannot make
    /// a diary of centuries).
    public static let longestSpanDays = 7305

    /// The diary through `today`: records after it, or more than `longestSpanDays` before it, are
    /// left out (`first...last` is the range for filtering other lists).
    public init(episodes: [Episode], dayLogs: [DayLog], through today: LocalDate) {
        let window = Diary.window(episodes: episodes, dayLogs: dayLogs, through: today)
        first = window.lowerBound
        last = window.upperBound
        let count = last.daysSinceEpoch - first.daysSinceEpoch + 1
        var cramps = [Bool](repeating: false, count: count)
        for episode in episodes {
            let day = Diary.day(of: episode)
            if window.contains(day) { cramps[day.daysSinceEpoch - first.daysSinceEpoch] = true }
        }
        var logs = [DayLog?](repeating: nil, count: count)
        for log in dayLogs where window.contains(log.date) { logs[log.date.daysSinceEpoch - first.daysSinceEpoch] = log }
        crampDays = cramps
        self.logs = logs
    }

    /// From the first record (at most `longestSpanDays` back) through `today`.
    static func window(episodes: [Episode], dayLogs: [DayLog], through today: LocalDate) -> ClosedRange<LocalDate> {
        let earliest = today.adding(days: 1 - longestSpanDays)
        let starts = (episodes.map { day(of: $0) } + dayLogs.map(\.date)).filter { $0 >= earliest && $0 <= today }
        return (starts.min() ?? today)...today
    }

    public var dayCount: Int { crampDays.count }

    /// The diary day an episode belongs to.
    public static func day(of episode: Episode) -> LocalDate {
        let date = episode.startedAt.localDate
        return episode.startedAt.localSecondsOfDay < dayStartsAtHour * 3600 ? date.adding(days: -1) : date
    }

    public func date(_ index: Int) -> LocalDate { first.adding(days: index) }
}

/// Something in a day's log that may make cramps more or less likely, with its declared lag.
/// The list is fixed and short, one or more per contributing factor the knowledge base names:
/// every extra definition or lag tested costs power and would find "triggers" by chance.
public struct Exposure: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case lowFluids = "low_fluids"
        case hotWeather = "hot_weather"
        case alcohol
        case electrolyteDrink = "electrolyte_drink"
        case hardExercise = "hard_exercise"
        case hardExercisePreviousDay = "hard_exercise_previous_day"
        case longStanding = "long_standing"
        case longSitting = "long_sitting"

        /// The knowledge base's contributing factor this exposure belongs to.
        public var factor: String {
            switch self {
            case .lowFluids, .hotWeather, .alcohol, .electrolyteDrink: return "dehydration_electrolytes"
            case .hardExercise, .hardExercisePreviousDay, .longStanding: return "fatigue_overuse"
            case .longSitting: return "poor_circulation"
            }
        }
    }

    public enum Lag: String, Sendable {
        case sameDay = "same_day"
        case previousDay = "previous_day"
    }

    public let kind: Kind
    public let lag: Lag
    /// The person's own cut-off for an amount (their lower or upper quartile), when it is one.
    public let threshold: Double?
    public let label: String
    public let definition: String
}

extension Diary {
    /// Each exposure's value per day (nil when the day's log does not record it), with the
    /// person's own cut-offs taken from their recorded amounts.
    public func exposures() -> [(Exposure, [Bool?])] {
        func amounts(_ value: (DayLog) -> Double?) -> [Double?] { logs.map { $0.flatMap(value) } }
        func quartile(_ values: [Double?], _ q: Double) -> Double? { Statistics.quantile(values.compactMap { $0 }, q) }
        // Cut-offs as a person would say them: whole millilitres and steps, tenths of an hour.
        func number(_ value: Double) -> String {
            if value >= 100 { return String(Int(value.rounded())) }
            return value == value.rounded() ? String(Int(value)) : Format.decimal(value, places: 1)
        }
        var result: [(Exposure, [Bool?])] = []

        func below(_ kind: Exposure.Kind, _ label: String, _ unit: String, _ value: @escaping (DayLog) -> Double?) {
            let values = amounts(value)
            guard let cut = quartile(values, 0.25) else { return }
            result.append(
                (
                    Exposure(
                        kind: kind, lag: .sameDay, threshold: cut, label: label,
                        definition: "below \(number(cut)) \(unit), your own lower quarter"),
                    values.map { $0.map { $0 < cut } }
                ))
        }
        func above(_ kind: Exposure.Kind, _ label: String, _ unit: String, _ value: @escaping (DayLog) -> Double?) {
            let values = amounts(value)
            guard let cut = quartile(values, 0.75) else { return }
            result.append(
                (
                    Exposure(
                        kind: kind, lag: .sameDay, threshold: cut, label: label,
                        definition: "above \(number(cut)) \(unit), your own upper quarter"),
                    values.map { $0.map { $0 > cut } }
                ))
        }
        below(.lowFluids, "Low fluids", "ml", { $0.fluidsML.map(Double.init) })
        above(.longSitting, "Long sitting", "hours sitting", { $0.sittingHours })
        above(.longStanding, "Long standing", "hours standing", { $0.standingHours })
        let hard: [Bool?] = logs.map { log in
            guard let log else { return nil }
            if let intensity = log.exerciseIntensity { return intensity == .hard }
            return log.exerciseMinutes == 0 ? false : nil
        }
        result.append(
            (Exposure(kind: .hardExercise, lag: .sameDay, threshold: nil, label: "Hard exercise", definition: "hard exercise that day"), hard))
        result.append(
            (
                Exposure(
                    kind: .hardExercisePreviousDay, lag: .previousDay, threshold: nil, label: "Hard exercise the day before",
                    definition: "hard exercise the day before"),
                [nil] + hard.dropLast()
            ))
        result.append(
            (
                Exposure(kind: .hotWeather, lag: .sameDay, threshold: nil, label: "Hot weather", definition: "a hot day"),
                logs.map { log in
                    guard let log else { return nil }
                    if log.context.contains(.hotWeather) { return true }
                    return log.hotWeather
                }
            ))
        above(.alcohol, "Alcohol", "units", { $0.alcoholUnits })
        result.append(
            (
                Exposure(
                    kind: .electrolyteDrink, lag: .sameDay, threshold: nil, label: "Electrolyte drink", definition: "an electrolyte drink that day"),
                logs.map { $0?.electrolyteDrink }
            ))
        return result
    }
}
