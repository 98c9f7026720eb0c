import CrampApplication
import CrampAssessment
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import Testing

/// The night log's use cases, and the start times and time zones a person types.
@Suite struct NightLog {
    /// 2026-06-28 20:26:40 UTC: 21:26 in London (summer time).
    static let now: Int64 = 1_782_678_400_000

    @Test func aStartTimeIsTheMostRecentSuchTimeInThePersonsZone() throws {
        let clock = PersonClock(zone: TimeZone(identifier: "Europe/London")!, source: FixedClock(milliseconds: Self.now))
        func local(_ text: String) -> String? { clock.startTime(text).map(\.description) }
        #expect(local("now") == clock.now().description)
        #expect(local("3am") == "2026-06-28T03:00:00+01:00")
        #expect(local("23:30") == "2026-06-27T23:30:00+01:00")  // later than now: last night's
        #expect(local("yesterday 23:30") == "2026-06-27T23:30:00+01:00")
        #expect(local("today 7am") == "2026-06-28T07:00:00+01:00")
        #expect(local("today 23:00") == nil)  // not yet
        #expect(local("2026-06-01 07:30") == "2026-06-01T07:30:00+01:00")
        #expect(local("2026-06-01T07:30:00Z") == "2026-06-01T07:30:00Z")
        #expect(local("2027-01-01 07:30") == nil)
        for text in ["soon", "", "25:00", "2 minutes", "yesterday", String(repeating: "3", count: 10_000)] { #expect(local(text) == nil, "\(text)") }
    }

    @Test func aTimeZoneIsFoundByItsCity() {
        #expect(PersonClock.zoneNamed("London") == .zone("Europe/London"))
        #expect(PersonClock.zoneNamed("new york") == .zone("America/New_York"))
        #expect(PersonClock.zoneNamed("europe/paris") == .zone("Europe/Paris"))
        #expect(PersonClock.zoneNamed("UTC") == .zone("UTC"))
        #expect(PersonClock.zoneNamed("Mars/Olympus") == .unknown)
        #expect(PersonClock.zoneNamed("") == .unknown)
        if case .ambiguous(let names) = PersonClock.zoneNamed("Isle") { Issue.record("\(names)") }
    }

    @Test func aQuickLogAsksItsQuestionsAndKeepsNothingReassuringMeanwhile() async throws {
        try await withApp { app, store in
            let now = try await app.clock(owner: .local).now()
            var episode = app.records.episode(startedAt: now, durationSeconds: 300, muscles: [.calf], now: now.instant)
            episode.durationRange = .oneToFiveMinutes
            let logged = try await app.quickLog(episode, owner: .local)
            #expect(logged.check == nil)
            #expect(try await store.assessments(owner: .local, limit: 10).isEmpty)
            #expect(try await app.unansweredSafetyQuestions(owner: .local).map(\.id) == [episode.id])
            // "No" to everything: checked and kept like any log, and no longer waiting.
            let answered = try #require(
                try await app.answerSafetyQuestions(logged.episode, redFlags: [], allAnswered: true, owner: .local))
            #expect(answered.check?.result.triage == .selfCare)
            #expect(answered.episode.safetyQuestions == .answered)
            #expect(try await store.assessments(owner: .local, limit: 10).count == 1)
            #expect(try await app.unansweredSafetyQuestions(owner: .local).isEmpty)
        }
    }

    @Test func partAnswersWriteNothingUnlessTheyAlreadyMeanAnEmergency() async throws {
        try await withApp { app, store in
            let now = try await app.clock(owner: .local).now()
            let episode = try await app.quickLog(
                app.records.episode(startedAt: now, durationSeconds: 60, muscles: [.calf], now: now.instant), owner: .local
            ).episode
            #expect(try await app.answerSafetyQuestions(episode, redFlags: [.calfSwelling], allAnswered: false, owner: .local) == nil)
            #expect(try await store.episode(id: episode.id, owner: .local)?.safetyQuestions == .notAnswered)
            let emergency = try #require(try await app.answerSafetyQuestions(episode, redFlags: [.chestPain], allAnswered: false, owner: .local))
            #expect(emergency.check?.result.triage == .emergency)
            #expect(try await store.episode(id: episode.id, owner: .local)?.findings == [.chestPain])
        }
    }

    @Test func whatWasLoggedAlreadyMeaningCareTodayIsCheckedAtOnce() async throws {
        try await withApp { app, store in
            let now = try await app.clock(owner: .local).now()
            var episode = app.records.episode(startedAt: now, durationSeconds: 2400, muscles: [.calf], now: now.instant)
            episode.findings = [.calfSwelling, .calfWarmthRedness, .calfTenderness]
            let logged = try await app.quickLog(episode, owner: .local)
            #expect((logged.check?.result.triage ?? .selfCare) >= .urgent)
            #expect(try await store.assessments(owner: .local, limit: 10).count == 1)
        }
    }
}
