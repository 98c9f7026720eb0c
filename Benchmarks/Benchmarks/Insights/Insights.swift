import Benchmark
import CrampInsights
import CrampJournal
import CrampKnowledge

/// Ten years of daily logs (3,650 days, every field) and 5,000 episodes with reliefs, built once
/// from a fixed seed.
func tenYears() -> JournalContents {
    var generator = SplitMix(state: 42)
    let last = LocalDate(year: 2026, month: 11, day: 26)!
    var logs: [DayLog] = []
    var episodes: [Episode] = []
    for index in 0..<3650 {
        let date = last.adding(days: index - 3649)
        var log = DayLog(
            date: date, fluidsML: Int.random(in: 800...3000, using: &generator), electrolyteDrink: Bool.random(using: &generator),
            exerciseMinutes: Int.random(in: 0...90, using: &generator),
            exerciseIntensity: [.light, .moderate, .hard].randomElement(using: &generator),
            steps: Int.random(in: 1000...15000, using: &generator), sittingHours: Double(Int.random(in: 0...24, using: &generator)) / 2,
            standingHours: Double(Int.random(in: 0...16, using: &generator)) / 2, sleepHours: Double(Int.random(in: 8...18, using: &generator)) / 2,
            hotWeather: Int.random(in: 0..<5, using: &generator) == 0, alcoholUnits: Double(Int.random(in: 0...4, using: &generator)),
            caffeineDrinks: Int.random(in: 0...5, using: &generator), updatedAt: 0)
        if index % 400 == 0 { log.medicationChanges = [MedicationChange(kind: .start, medication: .statin)] }
        logs.append(log)
    }
    for _ in 0..<5000 {
        let day = last.adding(days: -Int.random(in: 0..<3650, using: &generator))
        let instant = Int64(day.daysSinceEpoch) * 86_400_000 + Int64.random(in: 0..<86_400_000, using: &generator)
        episodes.append(
            Episode(
                id: EntryID.random(), startedAt: LocalTimestamp(instant: instant, utcOffsetSeconds: 3600)!,
                durationSeconds: Int.random(in: 10...900, using: &generator), muscles: [.calf], side: .left,
                severity: Int.random(in: 0...10, using: &generator), onset: [.sleep, .rest, .walking].randomElement(using: &generator),
                findings: [.visibleKnot],
                reliefs: [
                    ReliefTried(
                        technique: [.stretch, .heat, .massage].randomElement(using: &generator)!,
                        outcome: [.helped, .partly, .no].randomElement(using: &generator)!)
                ],
                createdAt: instant, updatedAt: instant))
    }
    return JournalContents(episodes: episodes, dayLogs: logs)
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let benchmarks: @Sendable () -> Void = {
    let knowledge = try! KnowledgeBase.bundled.get()
    let contents = tenYears()
    let today = LocalDate(year: 2026, month: 11, day: 26)!
    Benchmark(
        "Insights: 10 years of day logs (3,650 days) and 5,000 episodes",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident], maxIterations: 50)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Insights(contents: contents, today: today, knowledge: knowledge))
        }
    }
    Benchmark(
        "Insights: the same as JSON and the clinician report",
        configuration: .init(metrics: [.wallClock], maxIterations: 50)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let insights = Insights(contents: contents, today: today, knowledge: knowledge)
            blackHole(insights.json(knowledge: knowledge))
            blackHole(ClinicianReport(contents: contents, insights: insights, knowledge: knowledge).document())
        }
    }
}
