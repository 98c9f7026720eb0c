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

    func need(_ contents: JournalContents, lastLogged: LocalDate?) -> Need {
        Need.of(
            insights: Insights(contents: contents, today: today, knowledge: knowledge), assessments: contents.assessments, lastLogged: lastLogged,
            today: today)
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
}
