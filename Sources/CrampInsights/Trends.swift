public import CrampJournal
import CrampKnowledge

/// How often and how badly, over time.
public struct Trends: Sendable {
    /// One 28-day period, the newest last; periods end on the diary's last day.
    public struct Period: Sendable {
        public let first: LocalDate
        public let last: LocalDate
        public let episodes: Int
        /// The exact 95% interval for the period's count.
        public let interval: Estimate
        public let medianDurationSeconds: Double?
        public let medianSeverity: Double?
        /// The share of episodes at night (onset in sleep, or between 22:00 and 06:00).
        public let nightShare: Double?
    }

    /// A change in the rate: episodes in one window against another, as a rate ratio.
    public struct RateChange: Sendable {
        public let label: String
        public let episodes: Int
        public let days: Int
        public let referenceEpisodes: Int
        public let referenceDays: Int
        public let ratio: Estimate?
    }

    public let periods: [Period]
    /// The last 4 weeks against the 8 before; nil until the diary covers 12 weeks.
    public let recent: RateChange?
    /// The 8 weeks after the latest medication change against the 8 before (shorter windows
    /// when the diary is shorter, at least 2 weeks each side).
    public let medicationChange: RateChange?
    public let medicationChangeDate: LocalDate?
    public let weeklyCounts: [(start: LocalDate, count: Int)]
    public let nightShare: Double?

    public static let periodDays = 28

    static func isNight(_ episode: Episode) -> Bool {
        if episode.onset == .sleep { return true }
        let seconds = episode.startedAt.localSecondsOfDay
        return seconds >= 22 * 3600 || seconds < Diary.dayStartsAtHour * 3600
    }

    public init(episodes: [Episode], diary: Diary, dayLogs: [DayLog]) {
        let byDay = Dictionary(grouping: episodes) { Diary.day(of: $0).daysSinceEpoch }
        func inDays(from: Int, through: Int) -> [Episode] {
            guard from <= through else { return [] }
            return (from...through).flatMap { byDay[$0] ?? [] }
        }
        let lastDay = diary.last.daysSinceEpoch
        let firstDay = diary.first.daysSinceEpoch
        var periods: [Period] = []
        var end = lastDay
        // Whole 28-day periods only: a part-period's count would read as a fall.
        while end - Self.periodDays + 1 >= firstDay {
            let start = end - Self.periodDays + 1
            let inPeriod = inDays(from: start, through: end)
            periods.append(
                Period(
                    first: LocalDate(daysSinceEpoch: start), last: LocalDate(daysSinceEpoch: end), episodes: inPeriod.count,
                    interval: Statistics.poissonInterval(count: inPeriod.count),
                    medianDurationSeconds: Statistics.median(inPeriod.map { Double($0.durationSeconds) }),
                    medianSeverity: Statistics.median(inPeriod.compactMap { $0.severity.map(Double.init) }),
                    nightShare: inPeriod.isEmpty ? nil : Double(inPeriod.filter(Self.isNight).count) / Double(inPeriod.count)))
            end = start - 1
        }
        self.periods = periods.reversed()
        nightShare = episodes.isEmpty ? nil : Double(episodes.filter(Self.isNight).count) / Double(episodes.count)

        func change(_ label: String, after: ClosedRange<Int>, before: ClosedRange<Int>) -> RateChange {
            let a = inDays(from: after.lowerBound, through: after.upperBound).count
            let b = inDays(from: before.lowerBound, through: before.upperBound).count
            return RateChange(
                label: label, episodes: a, days: after.count, referenceEpisodes: b, referenceDays: before.count,
                ratio: Statistics.rateRatio(count: a, time: Double(after.count), referenceCount: b, referenceTime: Double(before.count)))
        }
        recent =
            lastDay - firstDay + 1 >= 84
            ? change("the last 4 weeks against the 8 weeks before", after: (lastDay - 27)...lastDay, before: (lastDay - 83)...(lastDay - 28))
            : nil

        let latestChange = dayLogs.filter { !$0.medicationChanges.isEmpty }.map(\.date).max()
        medicationChangeDate = latestChange
        if let latestChange {
            let day = latestChange.daysSinceEpoch
            let after = min(56, lastDay - day + 1)
            let before = min(56, day - firstDay)
            medicationChange =
                after >= 14 && before >= 14
                ? change(
                    "since the medication change on \(latestChange) against before it", after: day...(day + after - 1),
                    before: (day - before)...(day - 1))
                : nil
        } else {
            medicationChange = nil
        }

        var weeks: [(LocalDate, Int)] = []
        var weekEnd = lastDay
        while weekEnd - 6 >= firstDay {
            weeks.append((LocalDate(daysSinceEpoch: weekEnd - 6), inDays(from: weekEnd - 6, through: weekEnd).count))
            weekEnd -= 7
        }
        weeklyCounts = weeks.reversed()
    }
}

/// How well each relief technique worked for this person.
public struct ReliefEffect: Sendable {
    public struct Band: Sendable {
        public let label: String
        public let uses: Int
        public let helped: Int
        public let interval: Estimate
    }

    public let technique: ReliefTried.Technique
    public let uses: Int
    public let helped: Int
    public let partly: Int
    /// The share that helped, with its Wilson interval; nil below `minimumUses`.
    public let interval: Estimate?
    public let bands: [Band]
    public let medianDurationSeconds: Double?
    public let medianSecondsToEase: Double?

    public static let minimumUses = 5

    /// Per technique, with the median length of episodes where nothing was tried to compare.
    public static func measure(_ episodes: [Episode]) -> (effects: [ReliefEffect], untreatedMedianSeconds: Double?, untreated: Int) {
        let untreated = episodes.filter { $0.reliefs.isEmpty }
        var effects: [ReliefEffect] = []
        for technique in ReliefTried.Technique.allCases {
            let uses = episodes.compactMap { episode in episode.reliefs.first { $0.technique == technique }.map { (episode, $0) } }
            guard !uses.isEmpty else { continue }
            let helped = uses.filter { $0.1.outcome == .helped }.count
            let bands = [("mild (0–3)", 0...3), ("moderate (4–6)", 4...6), ("severe (7–10)", 7...10)].compactMap { label, range -> Band? in
                let inBand = uses.filter { $0.0.severity.map(range.contains) ?? false }
                guard inBand.count >= minimumUses else { return nil }
                let good = inBand.filter { $0.1.outcome == .helped }.count
                return Band(label: label, uses: inBand.count, helped: good, interval: Statistics.wilson(good, inBand.count))
            }
            effects.append(
                ReliefEffect(
                    technique: technique, uses: uses.count, helped: helped, partly: uses.filter { $0.1.outcome == .partly }.count,
                    interval: uses.count >= minimumUses ? Statistics.wilson(helped, uses.count) : nil, bands: bands,
                    medianDurationSeconds: Statistics.median(uses.map { Double($0.0.durationSeconds) }),
                    medianSecondsToEase: Statistics.median(uses.compactMap { $0.1.secondsToEase.map(Double.init) })))
        }
        return (effects, Statistics.median(untreated.map { Double($0.durationSeconds) }), untreated.count)
    }
}
