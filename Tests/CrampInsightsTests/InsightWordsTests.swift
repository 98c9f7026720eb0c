import CrampJournal
import CrampKnowledge
import Foundation
import Testing

@testable import CrampInsights

/// The person's insights in words, checked over many generated diaries: what the words may say
/// follows from the statistics' tier, never from how a sentence happens to read.
@Suite struct InsightWordsTests {
    /// A diary of random length and habits, with cramps more likely on low-fluid days when planted.
    static func diary(_ generator: inout SeededGenerator) -> JournalContents {
        let length = Int.random(in: 0...200, using: &generator)
        let planted = Bool.random(using: &generator)
        let baseRate = Double.random(in: 0.02...0.6, using: &generator)
        let logShare = Double.random(in: 0.3...1, using: &generator)
        var logs: [DayLog] = []
        var episodes: [Episode] = []
        for index in 0..<length {
            let date = today.adding(days: index - length + 1)
            let low = Double.random(in: 0..<1, using: &generator) < 0.3
            if Double.random(in: 0..<1, using: &generator) < logShare {
                logs.append(
                    DayLog(
                        date: date, fluidsML: Int(max(200, generator.normal(low ? 1000 : 2000, 200))),
                        electrolyteDrink: Double.random(in: 0..<1, using: &generator) < 0.2,
                        exerciseIntensity: Bool.random(using: &generator) ? .hard : .light,
                        sittingHours: Double(Int.random(in: 0...12, using: &generator)), hotWeather: Bool.random(using: &generator),
                        alcoholUnits: Double([0, 0, 2, 4].randomElement(using: &generator)!), updatedAt: 0))
            }
            let chance = min(0.95, baseRate * (planted && low ? 3 : 1))
            if Double.random(in: 0..<1, using: &generator) < chance {
                let reliefs =
                    Bool.random(using: &generator)
                    ? [ReliefTried(technique: [.stretch, .walking, .heat].randomElement(using: &generator)!, outcome: .helped)] : []
                episodes.append(
                    episode(
                        date, hour: Int.random(in: 6...23, using: &generator), seconds: [30, 90, 300, 700].randomElement(using: &generator)!,
                        severity: Int.random(in: 0...10, using: &generator),
                        findings: Int.random(in: 0..<40, using: &generator) == 0 ? [.numbness] : [],
                        reliefs: reliefs))
            }
        }
        return JournalContents(episodes: episodes, dayLogs: logs)
    }

    static let statistics = ["95%", "interval", "p-value", "q =", "relative risk", "odds", "firth", "benjamini", "median", "quartile"]
    /// Words that would tell the person how much to drink, sit or exercise.
    static let amounts = ["drink more", "drink less", "you should", "aim for", "try to", "litres a day", "glasses a day", "hours a day"]

    @Test func wordsFollowTheTierAndNeverSuggestAnAmount() {
        var generator = SeededGenerator(state: 20_261_202)
        var tiers: [TriggerAnalysis.Tier: Int] = [:]
        var cautions = 0
        for _ in 0..<300 {
            let contents = Self.diary(&generator)
            let insights = Insights(contents: contents, today: today, knowledge: knowledge)
            let words = InsightWords(insights, knowledge: knowledge, glassML: 250)
            tiers[insights.triggers.tier, default: 0] += 1
            #expect(words.sections.map(\.kind) == [.seeADoctor, .howOften, .whatMayBringThemOn, .whatHelps])
            let all = words.sections.flatMap(\.items)
            let texts = [(words.summary, InsightWords.Tone.plain)] + all.map { (($0.label.map { $0 + ": " } ?? "") + $0.text, $0.tone) }
            for (text, tone) in texts {
                let lower = text.lowercased()
                for word in Self.statistics { #expect(!lower.contains(word), "\(word) in: \(text)") }
                // The fluid-limit caution is the knowledge base's own warning against drinking more.
                if tone != .caution { for word in Self.amounts { #expect(!lower.contains(word), "\(word) in: \(text)") } }
                for empty in ["()", ": .", " ,", "  ", "nan", "inf "] { #expect(!lower.contains(empty), "\(empty) in: \(text)") }
                #expect(text.trimmingCharacters(in: .whitespaces).count > 3)
            }
            let triggers = words.sections.first { $0.kind == .whatMayBringThemOn }!.items
            let labels = Set(triggers.compactMap(\.label))
            switch insights.triggers.tier {
            case .notEnoughData:
                #expect(triggers.allSatisfy { $0.tone != .finding })
            case .descriptive:
                #expect(!labels.contains("Possible trigger") && !labels.contains("Linked to fewer cramps"))
            case .inferential:
                #expect(!labels.contains("Early sign"))
            }
            // A finding is shown exactly when the statistics reached a verdict for it.
            let verdicts = insights.triggers.findings.filter {
                [.possibleTrigger, .possibleProtector, .earlySignalTrigger, .earlySignalProtector].contains($0.verdict)
            }
            #expect(triggers.filter { $0.tone == .finding }.count == verdicts.count)
            let fluid = verdicts.contains { $0.exposure.kind == .lowFluids || $0.exposure.kind == .electrolyteDrink }
            #expect(triggers.contains { $0.tone == .caution } == fluid)
            if fluid { cautions += 1 }
            // Every see-a-doctor pattern is said, and nothing reassuring is said beside one.
            let doctor = words.sections[0].items
            #expect(doctor.filter { $0.tone == .doctor }.count == insights.patterns.count)
            if !insights.patterns.isEmpty { #expect(!doctor.contains { $0.text.contains("Nothing in your diary") }) }
        }
        // The generator reaches every tier and the caution, so the checks above are exercised.
        #expect(tiers[.notEnoughData, default: 0] > 10 && tiers[.descriptive, default: 0] > 10 && tiers[.inferential, default: 0] > 10)
        #expect(cautions > 5)
    }

    @Test func ratiosReadInOrder() {
        let wording = Wording(glassML: 250)
        let ladder = [
            "far less often", "about a quarter as often", "about a third as often", "about half as often", "a little less often", "about as often",
            "a little more often", "about one and a half times as often", "about twice as often",
        ]
        var last = -1
        for step in 1...250 {
            let ratio = Double(step) / 100
            let words = wording.often(ratio)
            if let position = ladder.firstIndex(of: words) {
                #expect(position >= last, "\(ratio) reads \(words)")
                last = position
            } else {
                #expect(words.hasSuffix("times as often") && ratio >= 2.5, "\(ratio) reads \(words)")
            }
        }
        #expect(wording.often(1) == "about as often")
        #expect(wording.often(2) == "about twice as often")
        #expect(wording.often(0.5) == "about half as often")
        #expect(wording.often(.infinity) == "far more often")
        #expect(wording.often(.nan) == "about as often")
    }

    @Test func amountsReadAsAPersonSaysThem() {
        let wording = Wording(glassML: 250)
        #expect(wording.fluid(1000) == "about 1 litre, about 4 glasses")
        #expect(wording.fluid(1140) == "about 1.1 litres, about 5 glasses")
        #expect(wording.fluid(2000) == "about 2 litres, about 8 glasses")
        #expect(wording.fluid(780) == "about 800 mL, about 3 glasses")
        #expect(wording.fluid(100) == "about 100 mL")
        #expect(Wording(glassML: 330).fluid(1000) == "about 1 litre, about 3 glasses")
        #expect(wording.duration(30) == "under a minute")
        #expect(wording.duration(120) == "about 2 minutes")
        #expect(wording.duration(.nan) == "an unknown time")
        #expect(wording.list(["a", "b", "c"]) == "a, b or c")
    }

    @Test func comparisonsReadAsEnglish() {
        let wording = Wording(glassML: 250)
        #expect(wording.compared(2, with: "before") == "about twice as often as before")
        #expect(wording.compared(1.2, with: "before") == "a little more often than before")
        #expect(wording.compared(0.1, with: "on other days") == "far less often than on other days")
        #expect(wording.compared(1, with: "before") == "about as often as before")
    }

    /// What the person was told, and signs the assessment would send them to be seen today, come
    /// first and at the assessment's own level; the diary's silence is never said as reassurance.
    @Test func urgentThingsComeFirstAtTheAssessmentsLevel() {
        let days = (0..<20).map { today.adding(days: -$0) }
        let footDrop = [episode(days[1], findings: [.footDrop])] + days.dropFirst(2).prefix(3).map { episode($0) }
        let contents = JournalContents(episodes: footDrop)
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        let found = insights.patterns.first { $0.pattern.kind == .weaknessOrNumbness }
        #expect(found?.level == .urgent && found?.escalation?.id == "nerve_loss")
        let words = InsightWords(insights, knowledge: knowledge, openChecks: 1, unanswered: 2)
        let doctor = words.sections[0].items
        #expect(doctor.map(\.label).prefix(2) == ["First", "First"])
        #expect(doctor[0].text.hasPrefix("a check you made") && doctor[1].text.hasPrefix("2 cramps you logged"))
        #expect(doctor.contains { $0.label == "Get help today" && $0.text.contains("Be seen today") })
        #expect(doctor.last?.label == "What a diary cannot see")
        // Pain that lasted hours is the lasting-leg-pain rule, seen today.
        let long = Insights(contents: JournalContents(episodes: [episode(days[1], seconds: 3 * 3600)]), today: today, knowledge: knowledge)
        let lasting = long.patterns.first { $0.pattern.kind == .longEpisodes }
        #expect(lasting?.level == .urgent && lasting?.escalation?.id == "lasting_leg_pain")
        #expect(InsightWords(long, knowledge: knowledge).sections[0].items.first?.label == "Get help today")
        // Ten minutes and a bit stays "soon", and nothing in the diary is not said as "all clear".
        let short = Insights(contents: JournalContents(episodes: [episode(days[1], seconds: 700)]), today: today, knowledge: knowledge)
        #expect(short.patterns.first { $0.pattern.kind == .longEpisodes }?.level == .soon)
        let quiet = InsightWords(
            Insights(contents: JournalContents(episodes: [episode(days[1])]), today: today, knowledge: knowledge), knowledge: knowledge)
        #expect(quiet.sections[0].items.map(\.label) == [nil, "What a diary cannot see"])
        #expect(quiet.sections[0].items[0].text.hasPrefix("Your diary so far"))
    }

    /// Every combination of the signs the weakness pattern reads, at every length: the pattern is
    /// never below the most urgent of the knowledge base's rules that hold for that one cramp.
    @Test func theWeaknessPatternIsNeverBelowAnyRuleForTheSameSigns() {
        let signs = Array(Patterns.weaknessFindings)
        for mask in 1..<(1 << signs.count) {
            let findings = signs.indices.filter { mask & (1 << $0) != 0 }.map { signs[$0] }
            for seconds in [30, 300, 700] {
                let cramp = episode(today.adding(days: -2), seconds: seconds, findings: findings)
                var facts = Facts(age: 0, durationMinutes: Double(seconds) / 60)
                facts.findings = CodeSet(findings)
                facts.muscles = CodeSet(cramp.muscles)
                let strongest = knowledge.rules.filter { $0.when.holds(facts) }.map(\.level).max()
                let insights = Insights(contents: JournalContents(episodes: [cramp]), today: today, knowledge: knowledge)
                let found = insights.patterns.first { $0.pattern.kind == .weaknessOrNumbness }
                #expect(found != nil, "\(findings)")
                if let strongest, let level = insights.patterns.map(\.level).max() {
                    #expect(level >= strongest, "\(findings), \(seconds) s: patterns at \(level), a rule at \(strongest)")
                }
            }
        }
    }

    @Test func anEmptyJournalSaysWhatToDo() {
        let words = InsightWords(Insights(contents: JournalContents(), today: today, knowledge: knowledge), knowledge: knowledge)
        #expect(words.summary.hasPrefix("Nothing logged yet"))
        #expect(words.sections[1].items.map(\.text) == ["No cramps logged yet."])
        #expect(words.sections[2].items.first?.text.contains("30 days logged") == true)
    }
}
