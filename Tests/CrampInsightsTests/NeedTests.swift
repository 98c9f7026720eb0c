import CrampJournal
import CrampKnowledge
import Foundation
import Testing

@testable import CrampInsights

/// The patient list's order (issue 17): an urgent or emergency check in the last 14 days first,
/// then "see a doctor" patterns, then a diary gone quiet for 28 days; each with its reason.
@Suite struct NeedTests {
    func check(_ triage: Triage, daysAgo: Int) -> AssessmentRecord {
        let day = today.adding(days: -daysAgo)
        let instant = Int64(day.daysSinceEpoch) * 86_400_000 + 10 * 3_600_000
        return AssessmentRecord(
            id: EntryID.random(), madeAt: LocalTimestamp(instant: instant, utcOffsetSeconds: 0)!, knowledgeVersion: knowledge.version,
            triage: triage, requestJSON: "{}", resultJSON: "{}")
    }

    func summary(_ contents: JournalContents, lastLogged: LocalDate?, on day: LocalDate) -> NeedSummary {
        NeedSummary.of(
            insights: Insights(contents: contents, today: day, knowledge: knowledge), assessments: contents.assessments, lastLogged: lastLogged,
            zone: nil)
    }

    func need(_ contents: JournalContents, lastLogged: LocalDate?) -> Need {
        Need.of(summary(contents, lastLogged: lastLogged, on: today), today: today, knowledge: knowledge)
    }

    @Test func eachReasonHoldsOnlyInsideItsWindow() {
        for daysAgo in 0...30 {
            for triage in Triage.allCases {
                let found = need(JournalContents(assessments: [check(triage, daysAgo: daysAgo)]), lastLogged: today)
                let expected = triage >= .urgent && daysAgo <= Need.recentCheckDays
                #expect(found.reasons.contains { if case .recentCheck = $0 { true } else { false } } == expected, "\(triage) \(daysAgo)")
                if expected {
                    #expect(found.rank == (triage == .emergency ? 0 : 1))
                    #expect(found.words.first?.contains(triage == .emergency ? "EMERGENCY" : "URGENT") == true)
                }
            }
            let quiet = need(JournalContents(), lastLogged: today.adding(days: -daysAgo))
            #expect(quiet.reasons.isEmpty == (daysAgo < Need.quietDays), "\(daysAgo) days quiet")
            if daysAgo >= Need.quietDays {
                #expect(quiet.words == ["Nothing logged for \(daysAgo) days (since \(today.adding(days: -daysAgo).words))"])
            }
        }
        // A check made after "today" (a clock ahead elsewhere) is not counted as recent.
        #expect(need(JournalContents(assessments: [check(.emergency, daysAgo: -2)]), lastLogged: today).reasons.isEmpty)
    }

    @Test func aPatternIsAReasonAndTheListPutsTheMostPressingFirst() {
        // Long cramps, often: the diary pattern the assessment's 10-minute rule stands behind.
        let long = JournalContents(episodes: (0..<6).map { episode(today.adding(days: -$0 * 3), seconds: 40 * 60) })
        let found = need(long, lastLogged: today)
        #expect(found.reasons.contains { if case .pattern = $0 { true } else { false } }, "\(found.reasons)")
        var random = SystemRandomNumberGenerator()
        let kinds: [Need] = [
            need(JournalContents(assessments: [check(.emergency, daysAgo: 1)]), lastLogged: today),
            need(JournalContents(assessments: [check(.urgent, daysAgo: 3)]), lastLogged: today), found,
            need(JournalContents(), lastLogged: today.adding(days: -40)), need(JournalContents(), lastLogged: today),
        ]
        for _ in 0..<50 {
            let sorted = kinds.shuffled(using: &random).sorted { $0.rank < $1.rank }
            #expect(sorted.map(\.rank) == kinds.map(\.rank))
        }
        #expect(kinds.map(\.rank) == kinds.map(\.rank).sorted() && Set(kinds.map(\.rank)).count == kinds.count)
    }

    /// A summary kept from an earlier day gives the same time-bound reasons on a later day as one
    /// worked out that day, for checks and quiet spells on every side of their windows; only the
    /// patterns wait for the next write or the daily refresh.
    @Test func aKeptSummaryJudgesItsDatesOnTheDayOfTheRead() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let made = today.adding(days: -Int.random(in: 0...40, using: &random))
            let checks = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                check(
                    Triage.allCases.randomElement(using: &random)!,
                    daysAgo: today.daysSinceEpoch - made.daysSinceEpoch + Int.random(in: 0...30, using: &random))
            }
            let lastLogged = Bool.random(using: &random) ? nil : made.adding(days: -Int.random(in: 0...40, using: &random))
            let contents = JournalContents(assessments: checks)
            let kept = Need.of(summary(contents, lastLogged: lastLogged, on: made), today: today, knowledge: knowledge)
            let fresh = Need.of(summary(contents, lastLogged: lastLogged, on: today), today: today, knowledge: knowledge)
            #expect(
                kept.reasons == fresh.reasons,
                "made \(made), checks \(checks.map { ($0.triage, $0.madeAt.localDate) }), last \(String(describing: lastLogged))")
        }
    }

    @Test func patternCodesRoundTripAndUnknownOnesAreLeftOut() {
        let patterns = DiaryPattern.Kind.allCases.flatMap { kind in Triage.allCases.map { NeedSummary.Pattern(kind: kind, level: $0) } }
        let summary = NeedSummary(latestEmergency: nil, latestUrgent: nil, lastLogged: nil, patterns: patterns, zone: nil)
        #expect(NeedSummary.patterns(codes: summary.patternCodes) == patterns)
        #expect(NeedSummary.patterns(codes: "rising_rate:urgent,no_such:soon,long_episodes:nope,,:,x") == [.init(kind: .risingRate, level: .urgent)])
    }
}
