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

    /// Whether anything was logged for a day: a day log, or a cramp. A day with neither is not
    /// known to have been cramp-free.
    public func recorded(_ index: Int) -> Bool { logs.indices.contains(index) && (logs[index] != nil || crampDays[index]) }
}

/// Something in a day's log that may make cramps more or less likely, with its declared lag
/// and direction. The list is fixed and short, one or more per contributing factor the knowledge
/// base names: every extra definition or lag tested costs power and would find "triggers" by
/// chance (docs/insights-promise.md has the simulation behind each one).
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
        case shortSleep = "short_sleep"
        case manyStepsPreviousDay = "many_steps_previous_day"
        case caffeinePreviousDay = "caffeine_previous_day"
        case noMineralFoods = "no_mineral_foods"

        /// The knowledge base's contributing factor this exposure belongs to, when it has one.
        public var factor: String? {
            switch self {
            case .lowFluids, .hotWeather, .alcohol, .electrolyteDrink, .caffeinePreviousDay, .noMineralFoods: return "dehydration_electrolytes"
            case .hardExercise, .hardExercisePreviousDay, .longStanding, .manyStepsPreviousDay: return "fatigue_overuse"
            case .longSitting: return "poor_circulation"
            // No factor names sleep: a short night is looked at, not explained.
            case .shortSleep: return nil
            }
        }

        /// In the tested family: the only exposures that can be named a trigger. Each one added
        /// costs every other power: with the family at 5%, eight found a trigger that triples the
        /// chance of a cramp in 84.8% of diaries of 120 days, short of the 85% promised, and seven
        /// named one in 5.5–6.0% of trigger-free diaries, above the 5% (400 each); at 4% the
        /// family is six. The rest are counted and shown, never named. The electrolyte drink is a
        /// remedy: whether it helps is a question for a planned test, not for watching (it is
        /// drunk after cramps and in heat); hard exercise the day before is the same factor as
        /// hard exercise that day.
        public var tested: Bool {
            switch self {
            case .lowFluids, .hotWeather, .alcohol, .hardExercise, .longStanding, .longSitting: return true
            case .electrolyteDrink, .hardExercisePreviousDay, .shortSleep, .manyStepsPreviousDay, .caffeinePreviousDay, .noMineralFoods:
                return false
            }
        }

        /// Which way the factor points: each exposure is tested that way only, which is what
        /// lets a diary of 90 days find a trigger at all with the family held to 5%.
        public var expected: Direction { self == .electrolyteDrink ? .fewer : .more }
    }

    public enum Direction: String, Sendable {
        case more
        case fewer
    }

    public enum Lag: String, Sendable {
        case sameDay = "same_day"
        /// The day log's sleep is the night before it, so the night of a cramp is never its own.
        case nightBefore = "night_before"
        case previousDay = "previous_day"
    }

    public let kind: Kind
    public let lag: Lag
    /// The person's own cut-off for an amount, when it is one: days at or below it (for a low
    /// amount) or at or above it (for a high one) count.
    public let threshold: Double?
    /// The share of the days with the amount recorded that the cut-off counts (near a quarter,
    /// more where many days share one value).
    public let share: Double?
    public let label: String
    public let definition: String
}

/// A person's own cut-off for "a low day" or "a high day" of some amount.
public struct PersonalCut: Sendable, Equatable {
    public let value: Double
    public let share: Double

    /// The share of days a cut-off aims at.
    public static let aim = 0.25

    /// The value whose "at or above" (or "at or below") share of days is nearest a quarter. Ties
    /// count whole: when 18 of 60 days share the highest value, all 18 are high days, where an
    /// "above the upper quarter" rule counted none. Nil when every day has the same value.
    public static func of(_ values: [Double], high: Bool) -> PersonalCut? {
        let sorted = values.filter(\.isFinite).sorted(by: high ? (>) : (<))
        guard let extreme = sorted.first, let other = sorted.last, extreme != other else { return nil }
        var best: PersonalCut?
        var index = 0
        while index < sorted.count {
            let value = sorted[index]
            while index < sorted.count, sorted[index] == value { index += 1 }
            // Every day counted is no comparison.
            guard index < sorted.count else { break }
            let cut = PersonalCut(value: value, share: Double(index) / Double(sorted.count))
            // Nearer a quarter wins; of two as near, the one counting fewer days.
            if best.map({ abs(cut.share - aim) < abs($0.share - aim) - 1e-12 }) ?? true { best = cut }
            if cut.share >= aim { break }
        }
        return best
    }

    public func counts(_ value: Double, high: Bool) -> Bool { high ? value >= self.value : value <= self.value }
}

extension Diary {
    /// Each exposure's value per day (nil when the day's log does not record it), with the
    /// person's own cut-offs taken from their recorded amounts. A day log's tick for the same
    /// thing ("long hours sitting") counts as a day with it.
    public func exposures() -> [(Exposure, [Bool?])] {
        // Cut-offs as a person would say them: whole millilitres and steps, tenths of an hour.
        func number(_ value: Double) -> String {
            if value >= 100 { return String(Int(value.rounded())) }
            return value == value.rounded() ? String(Int(value)) : Format.decimal(value, places: 1)
        }
        func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
        func lagged(_ values: [Bool?]) -> [Bool?] { values.isEmpty ? [] : [nil] + values.dropLast() }
        var result: [(Exposure, [Bool?])] = []

        /// An amount against the person's own cut-off, or the day's tick.
        func amount(
            _ kind: Exposure.Kind, high: Bool, lag: Exposure.Lag = .sameDay, _ label: String, _ unit: String, tick: ContextCode?,
            _ value: (DayLog) -> Double?
        ) {
            let amounts = logs.map { $0.flatMap(value) }
            let ticked = logs.map { log in tick.map { log?.context.contains($0) == true } ?? false }
            // Never logged either way: not an exposure at all, rather than a column of blanks.
            guard amounts.contains(where: { $0 != nil }) || ticked.contains(true) else { return }
            let cut = PersonalCut.of(amounts.compactMap { $0 }, high: high)
            var values: [Bool?] = logs.indices.map { index in
                if ticked[index] { return true }
                guard let amount = amounts[index], amount.isFinite else { return nil }
                // Every amount the same: no day stands out.
                return cut?.counts(amount, high: high) ?? false
            }
            if lag == .previousDay { values = lagged(values) }
            let side = high ? "at or above" : "at or below"
            let days = high ? "highest" : "lowest"
            let definition =
                cut.map { "\(side) \(number($0.value)) \(unit), your own \(days) \(percent($0.share)) of days" }
                ?? "every amount logged was the same, so no day stands out yet"
            let tickWords = tick == nil ? "" : ", or a day you ticked it"
            result.append(
                (
                    Exposure(
                        kind: kind, lag: lag, threshold: cut?.value, share: cut?.share, label: label,
                        definition: definition + (lag == .previousDay ? ", the day before" : "") + tickWords),
                    values
                ))
        }
        func flag(_ kind: Exposure.Kind, lag: Exposure.Lag = .sameDay, _ label: String, _ definition: String, _ value: (DayLog) -> Bool?) {
            let values: [Bool?] = logs.map { $0.flatMap(value) }
            result.append(
                (
                    Exposure(kind: kind, lag: lag, threshold: nil, share: nil, label: label, definition: definition),
                    lag == .previousDay ? lagged(values) : values
                ))
        }

        amount(.lowFluids, high: false, "Low fluids", "ml", tick: .lowFluidIntake) { $0.fluidsML.map(Double.init) }
        amount(.longSitting, high: true, "Long sitting", "hours sitting", tick: .prolongedSitting) { $0.sittingHours }
        amount(.longStanding, high: true, "Long standing", "hours standing", tick: .prolongedStanding) { $0.standingHours }
        let hard: (DayLog) -> Bool? = { log in
            if log.context.contains(.intenseExercise) { return true }
            if let intensity = log.exerciseIntensity { return intensity == .hard }
            return log.exerciseMinutes == 0 ? false : nil
        }
        flag(.hardExercise, "Hard exercise", "hard exercise that day", hard)
        flag(.hardExercisePreviousDay, lag: .previousDay, "Hard exercise the day before", "hard exercise the day before", hard)
        flag(.hotWeather, "Hot weather", "a hot day") { log in log.context.contains(.hotWeather) ? true : log.hotWeather }
        amount(.alcohol, high: true, "Alcohol", "units", tick: nil) { $0.alcoholUnits }
        flag(.electrolyteDrink, "Electrolyte drink", "an electrolyte drink that day") { $0.electrolyteDrink }
        amount(.shortSleep, high: false, lag: .nightBefore, "Short sleep", "hours of sleep the night before", tick: nil) { $0.sleepHours }
        amount(.manyStepsPreviousDay, high: true, lag: .previousDay, "Many steps the day before", "steps", tick: nil) {
            $0.steps.map(Double.init)
        }
        amount(.caffeinePreviousDay, high: true, lag: .previousDay, "Caffeine the day before", "caffeine drinks", tick: .highCaffeine) {
            $0.caffeineDrinks.map(Double.init)
        }
        flag(.noMineralFoods, "No mineral-rich food", "no food rich in potassium, magnesium or calcium that day") { log in
            if log.context.contains(.lowMineralDiet) { return true }
            return log.mineralFoods.map(\.isEmpty)
        }
        return result
    }
}
