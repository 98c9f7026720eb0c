import CrampJournal
import CrampKnowledge
import Foundation
import Testing

@testable import CrampInsights

/// A seeded generator (SplitMix64): the same diaries on every run and machine.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func normal(_ mean: Double, _ sd: Double) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

/// A simulated diary: every field of a day log varies at random; with `planted`, low fluids (on
/// about 30% of days) triple the chance of a cramp. Cramp days are serially correlated (a cramp
/// the day before makes one half as likely again), and about 25% of days have a cramp.
func simulatedDiary(days: Int, planted: Bool, generator: inout SeededGenerator) -> (episodes: [Episode], logs: [DayLog], today: LocalDate) {
    let start = LocalDate(year: 2026, month: 1, day: 1)!
    let relativeRisk = planted ? 3.0 : 1.0
    // Base chance so that the mean is 25%: 0.25 / (E[risk factor] · E[serial factor]).
    let base = 0.25 / ((0.7 + 0.3 * relativeRisk) * 1.125)
    var episodes: [Episode] = []
    var logs: [DayLog] = []
    var previous = false
    for index in 0..<days {
        let date = start.adding(days: index)
        let low = Double.random(in: 0..<1, using: &generator) < 0.3
        let fluids = low ? generator.normal(1100, 150) : generator.normal(2000, 300)
        let intensity: ExerciseIntensity = [.light, .moderate, .moderate, .light, .hard].randomElement(using: &generator)!
        let log = DayLog(
            date: date, fluidsML: max(100, Int(fluids)), electrolyteDrink: Double.random(in: 0..<1, using: &generator) < 0.15,
            exerciseMinutes: Int.random(in: 10...90, using: &generator), exerciseIntensity: intensity,
            steps: max(200, Int(generator.normal(7000, 2500))), sittingHours: max(0, (generator.normal(6, 2) * 2).rounded() / 2),
            standingHours: max(0, (generator.normal(3, 1.5) * 2).rounded() / 2), sleepHours: max(3, (generator.normal(7, 1) * 2).rounded() / 2),
            hotWeather: Double.random(in: 0..<1, using: &generator) < 0.2,
            alcoholUnits: Double.random(in: 0..<1, using: &generator) < 0.6 ? 0 : Double(Int.random(in: 1...4, using: &generator)),
            caffeineDrinks: Int.random(in: 0...5, using: &generator), updatedAt: 0)
        logs.append(log)
        let chance = min(0.95, base * (low ? relativeRisk : 1) * (previous ? 1.5 : 1))
        let cramp = Double.random(in: 0..<1, using: &generator) < chance
        if cramp {
            let instant = Int64(date.daysSinceEpoch) * 86_400_000 + 22 * 3_600_000
            episodes.append(
                Episode(
                    id: EntryID.random(), startedAt: LocalTimestamp(instant: instant, utcOffsetSeconds: 0)!, durationSeconds: 120,
                    muscles: [.calf], side: .left, severity: 5, onset: .sleep, findings: [], reliefs: [], note: nil,
                    createdAt: instant, updatedAt: instant))
        }
        previous = cramp
    }
    return (episodes, logs, start.adding(days: days - 1))
}

@Suite struct TriggerSimulationTests {
    static let diaries = 400

    /// The validation: a planted trigger is found at least 60% of the time, and diaries
    /// with nothing planted show any possible trigger at most 5% of the time.
    @Test func plantedTriggersAreFoundAndNoneAreInvented() {
        var generator = SeededGenerator(state: 20_261_126)
        var found = 0
        var falseAlarms = 0
        var cramps = 0.0
        for _ in 0..<Self.diaries {
            let planted = simulatedDiary(days: 120, planted: true, generator: &generator)
            let analysis = Triggers.analyse(Diary(episodes: planted.episodes, dayLogs: planted.logs, through: planted.today))
            #expect(analysis.tier == .inferential)
            cramps += Double(analysis.crampDays) / Double(analysis.days)
            if analysis.findings.contains(where: { $0.exposure.kind == .lowFluids && $0.verdict == .possibleTrigger }) { found += 1 }

            let clean = simulatedDiary(days: 120, planted: false, generator: &generator)
            let nothing = Triggers.analyse(Diary(episodes: clean.episodes, dayLogs: clean.logs, through: clean.today))
            if nothing.findings.contains(where: { $0.verdict == .possibleTrigger }) { falseAlarms += 1 }
        }
        let power = Double(found) / Double(Self.diaries)
        let falseRate = Double(falseAlarms) / Double(Self.diaries)
        print(
            "trigger simulation: \(Self.diaries) diaries each; planted trigger found \(found) (\(power)); any possible trigger on clean diaries \(falseAlarms) (\(falseRate)); mean cramp-day share \(cramps / Double(Self.diaries))"
        )
        #expect(power >= 0.60)
        #expect(falseRate <= 0.05)
    }
}
