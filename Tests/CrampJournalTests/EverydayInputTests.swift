import CrampKnowledge
import Testing

@testable import CrampJournal

/// Everyday words and amounts: what each reader takes, what it refuses, and that no text at all
/// can make one trap or run long.
@Suite struct EverydayInputs {
    @Test(arguments: [
        ("calves", [Muscle.calf]), ("Calf", [.calf]), ("hamstring", [.hamstrings]), ("back of the thigh", [.hamstrings]),
        ("quads", [.quadriceps]), ("front of my thigh", [.quadriceps]), ("calf and hamstring", [.calf, .hamstrings]),
        ("1", [.calf]), ("2, 3", [.hamstrings, .quadriceps]), ("not sure", [.unsure]), ("  CALVES  ", [.calf]),
    ])
    func musclesInEverydayWords(text: String, muscles: [Muscle]) {
        #expect(EverydayInput.muscles(text) == .muscles(Array(CodeSet(muscles))), "\(text)")
    }

    @Test func aWordThatCouldBeEitherMuscleIsAskedAboutNeverGuessed() {
        for word in ["thigh", "Thighs", "upper leg", "my thigh"] {
            #expect(EverydayInput.muscles(word) == .ambiguous(word: word.lowercased(), choices: [.hamstrings, .quadriceps]), "\(word)")
        }
        #expect(EverydayInput.muscles("calf and thigh") == .ambiguous(word: "thigh", choices: [.hamstrings, .quadriceps]))
        #expect(EverydayInput.muscles("behind the knee") == .ambiguous(word: "behind the knee", choices: [.calf, .hamstrings]))
        for word in ["elbow", "5", "0", "", "shin"] {
            if case .muscles = EverydayInput.muscles(word) { Issue.record("\(word) read as a muscle") }
        }
    }

    @Test func oneNumberingForEveryList() {
        #expect(EverydayInput.muscleOrder.first == .calf)
        #expect(Muscle.stretched == [.calf, .hamstrings, .quadriceps])
        #expect(Set(EverydayInput.muscleOrder) == Set(Muscle.allCases))
    }

    @Test(arguments: [
        ("2 minutes", 120), ("90s", 90), ("90 s", 90), ("1.5h", 5400), ("2 min 30 s", 150), ("1m30s", 90), ("2:30", 150),
        ("a minute", 60), ("half an hour", 1800), ("1,5 min", 90), ("3 mins", 180), ("45 seconds", 45), ("2 hours", 7200),
        ("1 day", 86_400), ("7 days", 604_800),
    ])
    func durationsInEverydayWords(text: String, seconds: Int) {
        #expect(EverydayInput.durationSeconds(text, bareUnit: .seconds) == seconds, "\(text)")
    }

    @Test func aBareNumberIsInTheCallersUnitAndNonsenseIsRefused() {
        #expect(EverydayInput.durationSeconds("3", bareUnit: .minutes) == 180)
        #expect(EverydayInput.durationSeconds("3", bareUnit: .seconds) == 3)
        for text in ["", "0", "0 min", "-2 min", "8 days", "1e9", "nan", "inf min", "2 apples", "3am", "2 30", "1.2.3 min", "min"] {
            #expect(EverydayInput.durationSeconds(text, bareUnit: .minutes) == nil, "\(text)")
        }
    }

    @Test(arguments: [
        ("3am", EverydayInput.ClockTime.Day.mostRecent, 3 * 3600), ("3 am", .mostRecent, 3 * 3600), ("3:15 pm", .mostRecent, 15 * 3600 + 900),
        ("12am", .mostRecent, 0), ("12pm", .mostRecent, 12 * 3600), ("23:30", .mostRecent, 23 * 3600 + 1800),
        ("yesterday 23:30", .yesterday, 23 * 3600 + 1800), ("today 7am", .today, 7 * 3600), ("midnight", .mostRecent, 0),
        ("noon", .mostRecent, 12 * 3600), ("last night 2am", .mostRecent, 2 * 3600),
    ])
    func timesOfDayInEverydayWords(text: String, day: EverydayInput.ClockTime.Day, seconds: Int) {
        #expect(EverydayInput.clockTime(text) == EverydayInput.ClockTime(day: day, secondsOfDay: seconds), "\(text)")
    }

    @Test func timesThatAreNoTimeAreRefused() {
        for text in ["23", "13pm", "0am", "24:00", "7:60", "2 minutes", "soon", "", "3amm", "1:2:3"] {
            #expect(EverydayInput.clockTime(text) == nil, "\(text)")
        }
    }

    @Test(arguments: [
        ("1.2L", 1200), ("1,5 litres", 1500), ("1500ml", 1500), ("1500 mL", 1500), ("3 glasses", 750), ("a glass", 250),
        ("2 cups", 500), ("6 glasses of water", 1500), ("0", 0), ("20 L", 20_000),
    ])
    func fluidsInEverydayWords(text: String, millilitres: Int) {
        #expect(EverydayInput.fluidML(text, bareUnit: .millilitres) == millilitres, "\(text)")
    }

    @Test func aBareNumberOfFluidsIsInTheCallersUnitAndTheGlassIsThePersons() {
        #expect(EverydayInput.fluidML("6", bareUnit: .glasses) == 1500)
        #expect(EverydayInput.fluidML("6", bareUnit: .glasses, glassML: 300) == 1800)
        #expect(EverydayInput.fluidML("1500", bareUnit: .millilitres) == 1500)
        for text in ["lots", "-1 L", "21 L", "1e30", "nan", "1.2 gallons", "", "L"] {
            #expect(EverydayInput.fluidML(text, bareUnit: .millilitres) == nil, "\(text)")
        }
    }

    @Test func rangesInEverydayWords() {
        let today = LocalDate(year: 2026, month: 12, day: 2)!  // a Wednesday
        func range(_ text: String) -> String? {
            EverydayInput.dateRange(text, today: today).map { "\($0.from)..\($0.through)" }
        }
        #expect(range("today") == "2026-12-02..2026-12-02")
        #expect(range("yesterday") == "2026-12-01..2026-12-01")
        #expect(range("last week") == "2026-11-26..2026-12-02")
        #expect(range("Past Week") == "2026-11-26..2026-12-02")
        #expect(range("this week") == "2026-11-30..2026-12-02")
        #expect(range("this month") == "2026-12-01..2026-12-02")
        #expect(range("last month") == "2026-11-03..2026-12-02")
        #expect(range("last 10 days") == "2026-11-23..2026-12-02")
        #expect(range("last 2 weeks") == "2026-11-19..2026-12-02")
        #expect(range("2026-11-01..2026-11-30") == "2026-11-01..2026-11-30")
        #expect(range("2026-11-01 to 2026-11-30") == "2026-11-01..2026-11-30")
        #expect(range("2026-11-05") == "2026-11-05..2026-11-05")
        for text in ["next week", "last 0 days", "last 99999 days", "2026-11-30..2026-11-01", "soon", "", "3am", "2 minutes"] {
            #expect(range(text) == nil, "\(text)")
        }
    }

    /// Any text, of any length: every reader answers, nothing traps.
    @Test func anyTextIsReadOrRefusedWithoutTrapping() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "1", "9", "0", ".", ",", ":", " ", "e", "-", "+", "min", "s", "h", "d", "am", "pm", "L", "ml", "glass", "calf", "thigh", "and",
            "yesterday", "last", "week", "days", "99999999999999999999", "\u{0}", "é", "🦵", "nan", "inf", "..", "to",
        ]
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            _ = EverydayInput.muscles(text)
            if let seconds = EverydayInput.durationSeconds(text, bareUnit: .minutes) {
                #expect(seconds >= 1 && seconds <= JournalLimits.maxDurationSeconds, "\(text)")
            }
            if let time = EverydayInput.clockTime(text) { #expect((0..<86_400).contains(time.secondsOfDay), "\(text)") }
            if let millilitres = EverydayInput.fluidML(text, bareUnit: .glasses) {
                #expect(millilitres >= 0 && millilitres <= JournalLimits.maxFluidsML, "\(text)")
            }
            if let range = EverydayInput.dateRange(text, today: LocalDate(year: 2026, month: 12, day: 2)!) {
                #expect(range.from <= range.through, "\(text)")
            }
        }
        let long = String(repeating: "9", count: 100_000) + " min"
        #expect(EverydayInput.durationSeconds(long, bareUnit: .minutes) == nil)
    }
}
