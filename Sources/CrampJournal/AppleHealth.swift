/// Turns an Apple Health export (`export.xml`) into day-log fields: water, steps, sleep and
/// workout minutes. Fed events as the file streams by; keeps only per-day totals.
///
/// Several sources (a phone and a watch) often record the same steps or water. Counting each
/// source's daily total and taking the largest avoids adding them twice. Sleep from several
/// sources is merged as time intervals before it is summed.
public struct AppleHealthImport: Sendable {
    /// What one day gets from the export.
    public struct DayTotals: Sendable, Equatable {
        public var waterML: Double?
        public var steps: Double?
        public var sleepHours: Double?
        public var workoutMinutes: Double?
    }

    public private(set) var records = 0
    public private(set) var skipped = 0
    /// Memory is bounded whatever the file's size or shape: at most `maxSources` sources are
    /// told apart (the rest share one total), dates outside `dates` are skipped, and sleep
    /// intervals are merged whenever they pass `maxIntervals` (an export needing more is refused).
    /// Together about 100 MB at the very worst; a real export of ten years needs a few MB.
    public static let maxSources = 8
    public static let maxIntervals = 500_000
    public static let dates = LocalDate(year: 1900, month: 1, day: 1)!...LocalDate(year: 2199, month: 12, day: 31)!
    private var sourceIndex: [String: UInt8] = [:]
    private var water: [LocalDate: [UInt8: Double]] = [:]
    private var steps: [LocalDate: [UInt8: Double]] = [:]
    private var workouts: [LocalDate: Double] = [:]
    /// Asleep intervals (ms since the epoch) with the offset of the night's end, by night.
    private var sleep: [(start: Int64, end: Int64, offset: Int)] = []
    private var inBed: [(start: Int64, end: Int64, offset: Int)] = []
    /// A workout whose minutes come from its activities (the newer layout).
    private var openWorkout: (date: LocalDate, minutes: Double, hasDuration: Bool, start: LocalTimestamp?, end: LocalTimestamp?)?
    private var sawHealthData = false

    public init() {}

    /// Apple's "2024-01-15 08:30:00 +0100".
    static func timestamp(_ text: String?) -> LocalTimestamp? {
        guard let text, text.utf8.count == 25 else { return text.flatMap(LocalTimestamp.init(iso:)) }
        let iso = text.prefix(19) + String(text.suffix(5))
        return LocalTimestamp(iso: String(iso))
    }

    static func millilitres(_ value: Double, unit: String?) -> Double? {
        switch unit {
        case "mL", "ml": value
        case "L", "l": value * 1000
        case "cL": value * 10
        case "dL": value * 100
        case "fl_oz_us": value * 29.5735
        case "fl_oz_imp": value * 28.4131
        case "cup_us": value * 236.588
        default: nil
        }
    }

    static func minutes(_ value: Double, unit: String?) -> Double? {
        switch unit {
        case "min", nil: value
        case "s": value / 60
        case "h", "hr": value * 60
        default: nil
        }
    }

    public mutating func consume(_ event: XMLEvent) throws(JournalError) {
        switch event {
        case .start(let name, let attributes, let line):
            switch name {
            case "HealthData":
                sawHealthData = true
            case "Record":
                try record(attributes, line: line)
            case "Workout":
                let start = Self.timestamp(attributes["startDate"])
                let end = Self.timestamp(attributes["endDate"])
                guard let start else { skipped += 1; return }
                var minutes = 0.0
                var hasDuration = false
                if let text = attributes["duration"], let value = Double(text), let converted = Self.minutes(value, unit: attributes["durationUnit"])
                {
                    minutes = converted
                    hasDuration = true
                }
                openWorkout = (start.localDate, minutes, hasDuration, start, end)
            case "WorkoutActivity":
                // Newer exports may give the time in activities inside the workout.
                guard var workout = openWorkout, !workout.hasDuration else { return }
                if let text = attributes["duration"], let value = Double(text), let converted = Self.minutes(value, unit: attributes["durationUnit"])
                {
                    workout.minutes += converted
                } else if let start = Self.timestamp(attributes["startDate"]), let end = Self.timestamp(attributes["endDate"]),
                    end.instant > start.instant
                {
                    workout.minutes += Double(end.instant - start.instant) / 60_000
                }
                openWorkout = workout
            default:
                break
            }
        case .end(let name):
            guard name == "Workout", let workout = openWorkout else { return }
            var minutes = workout.minutes
            if minutes == 0, let start = workout.start, let end = workout.end, end.instant > start.instant {
                minutes = Double(end.instant - start.instant) / 60_000
            }
            if minutes > 0, minutes <= 1440, Self.dates.contains(workout.date) {
                workouts[workout.date, default: 0] += minutes
                records += 1
            } else {
                skipped += 1
            }
            openWorkout = nil
        }
    }

    /// A small number for each source name; every source past the first `maxSources` shares one.
    private mutating func source(_ name: String?) -> UInt8 {
        let key = String(decoding: (name ?? "").utf8.prefix(128), as: UTF8.self)
        if let known = sourceIndex[key] { return known }
        guard sourceIndex.count < Self.maxSources else { return UInt8(Self.maxSources) }
        let index = UInt8(sourceIndex.count)
        sourceIndex[key] = index
        return index
    }

    private mutating func record(_ attributes: [String: String], line: Int) throws(JournalError) {
        guard let type = attributes["type"] else { return }
        switch type {
        case "HKQuantityTypeIdentifierDietaryWater":
            guard let start = Self.timestamp(attributes["startDate"]), let value = attributes["value"].flatMap(Double.init),
                let millilitres = Self.millilitres(value, unit: attributes["unit"]), millilitres >= 0, millilitres < 20_000,
                Self.dates.contains(start.localDate)
            else { skipped += 1; return }
            water[start.localDate, default: [:]][source(attributes["sourceName"]), default: 0] += millilitres
            records += 1
        case "HKQuantityTypeIdentifierStepCount":
            guard let start = Self.timestamp(attributes["startDate"]), let value = attributes["value"].flatMap(Double.init), value >= 0,
                value < 200_000, Self.dates.contains(start.localDate)
            else { skipped += 1; return }
            steps[start.localDate, default: [:]][source(attributes["sourceName"]), default: 0] += value
            records += 1
        case "HKCategoryTypeIdentifierSleepAnalysis":
            guard let start = Self.timestamp(attributes["startDate"]), let end = Self.timestamp(attributes["endDate"]),
                end.instant > start.instant, end.instant - start.instant <= 24 * 3_600_000, Self.dates.contains(end.localDate)
            else { skipped += 1; return }
            let value = attributes["value"] ?? ""
            if value.hasPrefix("HKCategoryValueSleepAnalysisAsleep") {
                try Self.add((start.instant, end.instant, end.utcOffsetSeconds), to: &sleep, line: line)
            } else if value == "HKCategoryValueSleepAnalysisInBed" {
                try Self.add((start.instant, end.instant, end.utcOffsetSeconds), to: &inBed, line: line)
            }
            records += 1
        default:
            break
        }
    }

    /// Adds an interval, merging the list when it is full so that it never holds more than
    /// `maxIntervals`.
    static func add(
        _ interval: (start: Int64, end: Int64, offset: Int), to list: inout [(start: Int64, end: Int64, offset: Int)], line: Int
    ) throws(JournalError) {
        if list.count >= maxIntervals {
            list = merge(list)
            guard list.count < maxIntervals * 3 / 4 else {
                throw JournalError(
                    field: "",
                    problem:
                        "the export holds more than \(maxIntervals * 3 / 4) separate sleep periods that do not overlap; at most that many are read",
                    location: "line \(line)")
            }
        }
        list.append(interval)
    }

    /// Checks that the file was an Apple Health export at all.
    public func validate() throws(JournalError) {
        guard sawHealthData else {
            throw JournalError(field: "", problem: "this XML is not an Apple Health export: it has no <HealthData> element")
        }
    }

    /// Per-day totals. Sleep belongs to the day it ended on (the morning after).
    public func totals() -> [LocalDate: DayTotals] {
        var days: [LocalDate: DayTotals] = [:]
        for (date, sources) in water { days[date, default: DayTotals()].waterML = sources.values.max() }
        for (date, sources) in steps { days[date, default: DayTotals()].steps = sources.values.max() }
        for (date, minutes) in workouts { days[date, default: DayTotals()].workoutMinutes = minutes }
        var asleepNights = Set<LocalDate>()
        for (date, hours) in Self.nightlyHours(sleep) {
            days[date, default: DayTotals()].sleepHours = hours
            asleepNights.insert(date)
        }
        // Time in bed only for nights with no asleep record at all.
        for (date, hours) in Self.nightlyHours(inBed) where !asleepNights.contains(date) {
            days[date, default: DayTotals()].sleepHours = hours
        }
        return days
    }

    /// Merges overlapping intervals, then sums them by the local date each ended on.
    static func nightlyHours(_ intervals: [(start: Int64, end: Int64, offset: Int)]) -> [LocalDate: Double] {
        var hours: [LocalDate: Double] = [:]
        for interval in merge(intervals) {
            let date = LocalTimestamp(instant: interval.end, zoneOffsetSeconds: interval.offset).localDate
            hours[date, default: 0] += Double(interval.end - interval.start) / 3_600_000
        }
        return hours.mapValues { min(24, ($0 * 100).rounded() / 100) }
    }

    /// Overlapping intervals as one, keeping the first one's offset.
    static func merge(_ intervals: [(start: Int64, end: Int64, offset: Int)]) -> [(start: Int64, end: Int64, offset: Int)] {
        var merged: [(start: Int64, end: Int64, offset: Int)] = []
        merged.reserveCapacity(intervals.count)
        for interval in intervals.sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, interval.start <= last.end {
                merged[merged.count - 1].end = max(last.end, interval.end)
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    /// Day logs with the export's fields merged into what the journal already has for each day.
    public func merged(into existing: [LocalDate: DayLog], now: Int64) throws(JournalError) -> [DayLog] {
        var out: [DayLog] = []
        for (date, totals) in totals().sorted(by: { $0.key < $1.key }) {
            var day = existing[date] ?? DayLog(date: date, updatedAt: now)
            // Clamped before the conversion: `Int(_:)` of a sum beyond Int's range would trap.
            if let water = totals.waterML { day.fluidsML = Int(min(Double(JournalLimits.maxFluidsML), water).rounded()) }
            if let steps = totals.steps { day.steps = Int(min(Double(JournalLimits.maxSteps), steps).rounded()) }
            if let sleep = totals.sleepHours { day.sleepHours = sleep }
            // A workout shorter than half a minute adds nothing (0 minutes beside a typed intensity
            // is a day the journal refuses).
            if let minutes = totals.workoutMinutes, Int(min(1440, minutes).rounded()) > 0 { day.exerciseMinutes = Int(min(1440, minutes).rounded()) }
            // Hours measured by different devices may not fit with hours typed by hand; trust the
            // measured sleep and drop what no longer fits in a day.
            if (day.sittingHours ?? 0) + (day.standingHours ?? 0) + (day.sleepHours ?? 0) > 24 {
                day.sittingHours = nil
                day.standingHours = nil
            }
            day.updatedAt = now
            // The same checks as a day typed by hand.
            do throws(JournalError) {
                try day.validate()
            } catch {
                throw JournalError(
                    field: error.field, problem: "\(error.problem) (after merging the export into the day)", location: "the day \(date)")
            }
            out.append(day)
        }
        return out
    }
}
