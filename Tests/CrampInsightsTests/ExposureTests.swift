import CrampJournal
import CrampKnowledge
import Foundation
import Testing

@testable import CrampInsights

/// The person's own cut-offs and the exposures built on them: ties, ticks, lags and days not
/// logged, each from the rule, over many generated diaries as well as the issue's example.
@Suite struct ExposureTests {
    /// The issue's example: 9 hours sitting on 18 of 60 days, the most anyone sat. "Above the
    /// upper quarter" counted none of them; all 18 count now.
    @Test func tiedHighestValuesAllCount() {
        let hours = (0..<60).map { $0 % 10 < 3 ? 9.0 : Double(4 + $0 % 4) }
        let logs = days(60) { index, date in DayLog(date: date, sittingHours: hours[index], updatedAt: 0) }
        let (exposure, values) = Diary(episodes: [], dayLogs: logs, through: today).exposures().first { $0.0.kind == .longSitting }!
        #expect(exposure.threshold == 9)
        #expect(exposure.share == 0.3)
        #expect(values.compactMap { $0 }.filter { $0 }.count == 18)
        #expect(exposure.definition.hasPrefix("at or above 9 hours sitting, your own highest 30% of days"))
    }

    /// The rule over generated amounts with many ties: the share it counts is the achievable
    /// share nearest a quarter (of two as near, the smaller), every day at or beyond the cut-off
    /// counts and no other, and all-equal amounts have no cut-off.
    @Test func theCutOffIsTheAchievableShareNearestAQuarter() {
        var random = Xoshiro(seed: 20_261_202)
        for trial in 0..<2000 {
            let count = Int.random(in: 1...80, using: &random)
            let distinct = Int.random(in: 1...6, using: &random)
            let values = (0..<count).map { _ in Double(Int.random(in: 0..<distinct, using: &random)) * (trial % 2 == 0 ? 1 : 250) }
            for high in [true, false] {
                let cut = PersonalCut.of(values, high: high)
                let levels = Set(values).sorted()
                guard levels.count > 1 else {
                    #expect(cut == nil)
                    continue
                }
                let shares = levels.map { level in Double(values.filter { high ? $0 >= level : $0 <= level }.count) / Double(count) }
                    .filter { $0 < 1 }
                // Distances equal to rounding count as a tie, which the smaller share wins.
                let nearest = shares.min { a, b in
                    let (da, db) = (abs(a - 0.25), abs(b - 0.25))
                    return abs(da - db) < 1e-9 ? a < b : da < db
                }!
                guard let cut else {
                    Issue.record("no cut-off for \(values)")
                    continue
                }
                #expect(abs(cut.share - nearest) < 1e-9, "\(values), high: \(high)")
                #expect(Double(values.filter { cut.counts($0, high: high) }.count) / Double(count) == cut.share)
                #expect(levels.contains(cut.value))
            }
        }
    }

    @Test func aTickCountsAsADayWithIt() {
        let logs = days(30) { index, date in
            DayLog(date: date, sittingHours: index % 3 == 0 ? nil : 5, context: index % 3 == 0 ? [.prolongedSitting] : [], updatedAt: 0)
        }
        let (_, values) = Diary(episodes: [], dayLogs: logs, through: today).exposures().first { $0.0.kind == .longSitting }!
        // Every third day ticked; the others all the same amount, so none of them stands out.
        #expect(values == (0..<30).map { $0 % 3 == 0 })
    }

    /// Sleep is the night before the day's log; steps and caffeine are the day before: the night
    /// of a cramp never supplies its own exposure.
    @Test func lagsNeverUseTheCrampsOwnNight() {
        let logs = days(40) { index, date in
            DayLog(date: date, steps: 1000 * (index % 8), sleepHours: Double(4 + index % 5), caffeineDrinks: index % 6, updatedAt: 0)
        }
        let exposures = Diary(episodes: [], dayLogs: logs, through: today).exposures()
        func values(_ kind: Exposure.Kind) -> (Exposure, [Bool?]) { exposures.first { $0.0.kind == kind }! }
        let (sleep, short) = values(.shortSleep)
        #expect(sleep.lag == .nightBefore)
        #expect(short == logs.map { $0.sleepHours! <= sleep.threshold! })
        for kind in [Exposure.Kind.manyStepsPreviousDay, .caffeinePreviousDay] {
            let (exposure, lagged) = values(kind)
            #expect(exposure.lag == .previousDay)
            #expect(lagged.first! == nil)
            let amount: (DayLog) -> Double = kind == .manyStepsPreviousDay ? { Double($0.steps!) } : { Double($0.caffeineDrinks!) }
            #expect(Array(lagged.dropFirst()) == logs.dropLast().map { amount($0) >= exposure.threshold! })
        }
    }

    @Test func mineralFoodsNotLoggedAreMissingAndNoneEatenIsTheExposure() {
        let logs = days(30) { index, date in
            DayLog(date: date, mineralFoods: index % 3 == 0 ? nil : index % 3 == 1 ? [] : [.potassium], updatedAt: 0)
        }
        let (_, values) = Diary(episodes: [], dayLogs: logs, through: today).exposures().first { $0.0.kind == .noMineralFoods }!
        #expect(values == (0..<30).map { $0 % 3 == 0 ? nil : $0 % 3 == 1 })
    }

    /// A day with nothing logged is "unknown" as the day before, never "no cramp": the model
    /// gets a column for it only when there is such a day.
    @Test func aDayNotLoggedIsUnknownNotCrampFree() {
        let logs = days(120) { index, date in DayLog(date: date, fluidsML: 1000 + (index * 37) % 1500, updatedAt: 0) }
            .enumerated().filter { $0.offset % 5 != 4 }.map(\.element)
        let episodes = (0..<120).filter { $0 % 4 == 1 }.map { episode(today.adding(days: $0 - 119)) }
        let diary = Diary(episodes: episodes, dayLogs: logs, through: today)
        let gaps = (0..<diary.dayCount).filter { !diary.recorded($0) }
        #expect(!gaps.isEmpty)
        for gap in gaps { #expect(diary.logs[gap] == nil && !diary.crampDays[gap]) }
        let analysis = Triggers.analyse(diary)
        #expect(analysis.tier == .inferential)
        #expect(analysis.findings.first { $0.exposure.kind == .lowFluids }?.modelP != nil)
    }

    /// No two cramp days in a row: the day-before column is the same on every row, and is left
    /// out rather than making the model unfittable.
    @Test func aConstantCovariateDoesNotStopTheModel() {
        let logs = days(90) { index, date in DayLog(date: date, fluidsML: 800 + (index * 379) % 1700, updatedAt: 0) }
        let episodes = (0..<12).map { episode(today.adding(days: -$0 * 7)) }
        let analysis = Triggers.analyse(Diary(episodes: episodes, dayLogs: logs, through: today))
        #expect(analysis.tier == .inferential)
        let fluids = analysis.findings.first { $0.exposure.kind == .lowFluids }!
        #expect(fluids.modelP != nil && fluids.missing == nil)
    }

    /// Each exposure is tested the way its factor points: a trigger can only be "more cramps",
    /// a protector "fewer", whatever the diary.
    @Test func findingsOnlyEverPointTheExpectedWay() {
        var random = Xoshiro(seed: 20_261_203)
        for _ in 0..<40 {
            let made = DescribedDiaries(days: 120, planted: Bool.random(using: &random)).make(&random)
            let analysis = Triggers.analyse(Diary(episodes: made.episodes, dayLogs: made.logs, through: made.today))
            for finding in analysis.findings {
                if !finding.exposure.kind.tested { #expect(finding.verdict == .shownOnly || finding.verdict == .notEnoughData) }
                switch finding.verdict {
                case .possibleTrigger, .earlySignalTrigger: #expect(finding.exposure.kind.expected == .more)
                case .possibleProtector, .earlySignalProtector: #expect(finding.exposure.kind.expected == .fewer)
                case .notEnoughData, .noEvidenceYet: break
                case .shownOnly: #expect(!finding.exposure.kind.tested)
                }
            }
        }
    }
}
