import CrampJournal
import CrampKnowledge
import Foundation
import Testing

@testable import CrampInsights

let knowledge = try! KnowledgeBase.bundled.get()
let today = LocalDate(year: 2026, month: 11, day: 26)!

func episode(
    _ day: LocalDate, hour: Int = 22, minute: Int = 0, offset: Int = 0, seconds: Int = 120, severity: Int? = 5,
    onset: Onset? = .rest, findings: [Finding] = [], reliefs: [ReliefTried] = []
) -> Episode {
    let instant = Int64(day.daysSinceEpoch) * 86_400_000 + Int64(hour * 3600 + minute * 60 - offset) * 1000
    return Episode(
        id: EntryID.random(), startedAt: LocalTimestamp(instant: instant, utcOffsetSeconds: offset)!, durationSeconds: seconds,
        muscles: [.calf], side: .left, severity: severity, onset: onset, findings: findings, reliefs: reliefs, note: nil,
        createdAt: instant, updatedAt: instant)
}

func days(_ count: Int, through last: LocalDate = today, _ make: (Int, LocalDate) -> DayLog) -> [DayLog] {
    (0..<count).map { index in make(index, last.adding(days: index - count + 1)) }
}

/// No NaN, infinity or placeholder leaks into anything a person reads.
func expectReadable(_ insights: Insights, contents: JournalContents, sourceLocation: SourceLocation = #_sourceLocation) {
    let json = String(decoding: insights.json(knowledge: knowledge), as: UTF8.self)
    let html = ClinicianReport(contents: contents, insights: insights, knowledge: knowledge).document()
    for (name, text) in [("json", json), ("html", html)] {
        let words = text.split { !$0.isLetter }.map { $0.lowercased() }
        for bad in ["nan", "inf", "infinity"] {
            #expect(!words.contains(bad), "\(name) shows \(bad)", sourceLocation: sourceLocation)
        }
    }
    #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "the JSON parses", sourceLocation: sourceLocation)
}

@Suite struct DiaryTests {
    @Test func aCrampBeforeSixBelongsToTheDayBefore() {
        let day = LocalDate(year: 2026, month: 3, day: 10)!
        #expect(Diary.day(of: episode(day, hour: 5, minute: 59)) == day.adding(days: -1))
        #expect(Diary.day(of: episode(day, hour: 6, minute: 0)) == day)
        // Local time decides, not UTC: 04:30 in UTC+10 is the previous local day's night.
        #expect(Diary.day(of: episode(day, hour: 4, minute: 30, offset: 36_000)) == day.adding(days: -1))
        let diary = Diary(episodes: [episode(day, hour: 2)], dayLogs: [], through: day)
        #expect(diary.first == day.adding(days: -1))
        #expect(diary.crampDays == [true, false])
    }

    @Test func amountsAreJudgedAgainstThePersonsOwnQuartiles() {
        // Fluids 1000…2900 in steps of 100: 1400 ml or less is the lowest quarter, 5 of 20 days.
        let logs = days(20) { index, date in DayLog(date: date, fluidsML: 1000 + index * 100, updatedAt: 0) }
        let diary = Diary(episodes: [], dayLogs: logs, through: today)
        let (exposure, values) = diary.exposures().first { $0.0.kind == .lowFluids }!
        #expect(exposure.threshold == 1400)
        #expect(exposure.share == 0.25)
        #expect(values.compactMap { $0 }.filter { $0 }.count == 5)
        #expect(exposure.definition == "at or below 1400 ml, your own lowest 25% of days, or a day you ticked it")
    }
}

@Suite struct TierTests {
    @Test func tooFewDaysSaysWhatIsMissing() {
        let logs = days(29) { _, date in DayLog(date: date, fluidsML: 1500, updatedAt: 0) }
        let episodes = (0..<3).map { episode(today.adding(days: -$0 * 5)) }
        let analysis = Triggers.analyse(Diary(episodes: episodes, dayLogs: logs, through: today))
        #expect(analysis.tier == .notEnoughData)
        #expect(analysis.findings.isEmpty)
        #expect(analysis.needed == "1 more logged day (29 of 30) and 1 more day with a cramp logged (3 of 4) for a first look")
    }

    @Test func thirtyDaysGiveEarlySignalsOnlyAndNeverATrigger() {
        // Every low-fluid day has a cramp: as strong as a diary can show in 40 days.
        let logs = days(40) { index, date in DayLog(date: date, fluidsML: index % 4 == 0 ? 800 : 2000, updatedAt: 0) }
        let episodes = logs.filter { $0.fluidsML == 800 }.map { episode($0.date) }
        let analysis = Triggers.analyse(Diary(episodes: episodes, dayLogs: logs, through: today))
        #expect(analysis.tier == .descriptive)
        let fluids = analysis.findings.first { $0.exposure.kind == .lowFluids }!
        #expect(fluids.verdict == .earlySignalTrigger)
        #expect(analysis.findings.allSatisfy { $0.verdict != .possibleTrigger && $0.verdict != .possibleProtector })
        #expect(analysis.needed?.contains("50 more logged days") == true)
    }

    @Test func anExposureNeedsFiveDaysEachWay() {
        let logs = days(100) { index, date in DayLog(date: date, fluidsML: 1500 + index, hotWeather: index < 4, updatedAt: 0) }
        let episodes = (0..<20).map { episode(today.adding(days: -$0 * 4)) }
        let analysis = Triggers.analyse(Diary(episodes: episodes, dayLogs: logs, through: today))
        #expect(analysis.tier == .inferential)
        let heat = analysis.findings.first { $0.exposure.kind == .hotWeather }!
        #expect(heat.verdict == .notEnoughData)
        #expect(heat.missing == "4 logged days with it; needs 5")
        #expect(heat.q == nil)
    }
}

@Suite struct DegenerateDiaryTests {
    @Test func noEntriesAtAll() {
        let contents = JournalContents()
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        #expect(insights.triggers.tier == .notEnoughData)
        #expect(insights.trends.periods.isEmpty)
        #expect(insights.relief.isEmpty)
        #expect(insights.patterns.isEmpty)
        #expect(insights.covered == "no entries yet")
        expectReadable(insights, contents: contents)
    }

    @Test func dayLogsButNoEpisodes() {
        let contents = JournalContents(dayLogs: days(120) { index, date in DayLog(date: date, fluidsML: 1000 + index * 10, updatedAt: 0) })
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        #expect(insights.triggers.tier == .notEnoughData)
        #expect(insights.triggers.needed?.contains("4 more days with a cramp") == true)
        expectReadable(insights, contents: contents)
    }

    @Test func aCrampEveryDay() {
        let logs = days(120) { index, date in DayLog(date: date, fluidsML: 1000 + (index * 37) % 900, hotWeather: index % 3 == 0, updatedAt: 0) }
        let contents = JournalContents(
            episodes: logs.map { episode($0.date, reliefs: [ReliefTried(technique: .stretch, outcome: .helped)]) }, dayLogs: logs)
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        #expect(insights.triggers.tier == .inferential)
        #expect(insights.triggers.findings.allSatisfy { $0.verdict == .notEnoughData })
        #expect(
            insights.triggers.findings.first { $0.exposure.kind == .lowFluids }?.missing
                == "every day compared had a cramp, so there is nothing to compare yet")
        #expect(insights.relief.first?.interval?.value == 1)
        expectReadable(insights, contents: contents)
    }

    @Test func oneDayOfData() {
        let contents = JournalContents(episodes: [episode(today, seconds: 900)], dayLogs: [DayLog(date: today, fluidsML: 500, updatedAt: 0)])
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        #expect(insights.diary.dayCount == 1)
        #expect(insights.trends.recent == nil)
        #expect(insights.patterns.map(\.pattern.kind) == [.longEpisodes])
        expectReadable(insights, contents: contents)
    }

    @Test func anExposurePresentEveryDayAndAFieldNeverLogged() {
        let logs = days(120) { index, date in DayLog(date: date, fluidsML: 1000 + (index * 53) % 1000, hotWeather: true, updatedAt: 0) }
        let episodes = (0..<30).map { episode(today.adding(days: -$0 * 4), hour: 3) }
        let contents = JournalContents(episodes: episodes, dayLogs: logs)
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        let heat = insights.triggers.findings.first { $0.exposure.kind == .hotWeather }!
        #expect(heat.verdict == .notEnoughData)
        #expect(heat.missing == "0 logged days without it; needs 5")
        // Sitting is never logged: it is not an exposure at all, rather than a column of blanks.
        #expect(!insights.triggers.findings.contains { $0.exposure.kind == .longSitting })
        expectReadable(insights, contents: contents)
    }

    @Test func recordsAfterTheDayOrCenturiesBackAreLeftOut() {
        let ancient = episode(LocalDate(year: 1, month: 1, day: 1)!)
        let later = episode(today.adding(days: 3))
        let contents = JournalContents(episodes: [ancient, episode(today.adding(days: -2)), later])
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        #expect(insights.episodeCount == 1)
        #expect(insights.diary.dayCount == 3)
        let old = Insights(contents: JournalContents(episodes: [ancient]), today: today, knowledge: knowledge)
        #expect(old.diary.dayCount == 1 && old.episodeCount == 0)
        expectReadable(insights, contents: contents)
    }

    @Test func severityAndDurationMissing() {
        let episodes = (0..<10).map { episode(today.adding(days: -$0), severity: nil, onset: nil) }
        let contents = JournalContents(episodes: episodes)
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        #expect(Charts.severityOverTime(episodes).contains("No cramp with a score yet."))
        expectReadable(insights, contents: contents)
    }
}

@Suite struct TrendAndReliefTests {
    @Test func periodsCountWithExactIntervalsAndTheRecentRateIsCompared() {
        // 2 a week for 8 weeks, then 5 a week for 4.
        var episodes: [Episode] = []
        for week in 0..<12 {
            let count = week < 8 ? 2 : 5
            for index in 0..<count { episodes.append(episode(today.adding(days: -83 + week * 7 + index))) }
        }
        let diary = Diary(episodes: episodes, dayLogs: [], through: today)
        let trends = Trends(episodes: episodes, diary: diary, dayLogs: [])
        #expect(trends.periods.map(\.episodes) == [8, 8, 20])
        let recent = try! #require(trends.recent)
        #expect(recent.episodes == 20 && recent.referenceEpisodes == 16)
        #expect(abs(recent.ratio!.value - 2.5) < 1e-12)
        #expect(recent.ratio!.lower > 1)
        let found = Patterns.find(episodes: episodes, trends: trends, diary: diary, knowledge: knowledge)
        #expect(found.map(\.pattern.kind).contains(.risingRate))
    }

    @Test func reliefNeedsFiveUsesAndSplitsBySeverity() {
        var episodes = (0..<4).map { episode(today.adding(days: -$0), reliefs: [ReliefTried(technique: .heat, outcome: .helped)]) }
        #expect(ReliefEffect.measure(episodes).effects.first?.interval == nil)
        episodes += (0..<6).map {
            episode(today.adding(days: -10 - $0), severity: 8, reliefs: [ReliefTried(technique: .heat, outcome: $0 < 3 ? .helped : .no)])
        }
        episodes.append(episode(today.adding(days: -30), seconds: 600))
        let measured = ReliefEffect.measure(episodes)
        let heat = measured.effects.first { $0.technique == .heat }!
        #expect(heat.uses == 10 && heat.helped == 7)
        #expect(heat.interval == Statistics.wilson(7, 10))
        #expect(heat.bands.map(\.label) == ["severe (7–10)"])
        #expect(measured.untreated == 1 && measured.untreatedMedianSeconds == 600)
    }

    @Test func medicationChangePatternAndNerveSigns() {
        var logs = days(100) { _, date in DayLog(date: date, updatedAt: 0) }
        logs[50].medicationChanges = [MedicationChange(kind: .start, medication: .diuretic)]
        var episodes = (0..<3).map { episode(logs[10 + $0 * 10].date) }
        episodes += (0..<14).map { episode(logs[52 + $0 * 3].date) }
        episodes.append(episode(today.adding(days: -2), findings: [.weakness]))
        let contents = JournalContents(episodes: episodes, dayLogs: logs)
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        let kinds = insights.patterns.map(\.pattern.kind)
        #expect(kinds.contains(.afterMedicationChange))
        #expect(kinds.contains(.weaknessOrNumbness))
        #expect(insights.patterns.first { $0.pattern.kind == .weaknessOrNumbness }!.evidence.contains("weakness in the leg"))
        expectReadable(insights, contents: contents)
    }

    @Test func patternsAreNeverLessUrgentThanTheirRules() {
        for pattern in knowledge.diaryPatterns {
            if let id = pattern.rule, let rule = knowledge.rules.first(where: { $0.id == id }) { #expect(pattern.level >= rule.level) }
            #expect(!pattern.sources.isEmpty)
        }
    }
}

@Suite struct ChartTests {
    @Test func chartsAreLabelledAndEscaped() throws {
        let weeks = [(start: today.adding(days: -13), count: 2), (start: today.adding(days: -6), count: 0)]
        for svg in [Charts.episodesPerWeek(weeks), Charts.severityOverTime([episode(today)]), Charts.forestPlot([]), Charts.reliefEffectiveness([])] {
            #expect(svg.hasPrefix("<svg"))
            #expect(svg.contains("role=\"img\""))
            #expect(svg.contains("<title id="))
            #expect(svg.contains("<desc id="))
            #expect(svg.hasSuffix("</svg>"))
        }
        #expect(Charts.escape("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
        #expect(Charts.sparkline([0, 1, 2, 4]) == "▁▂▄█")
        #expect(Charts.sparkline([0, 0]) == "▁▁")
    }
}
