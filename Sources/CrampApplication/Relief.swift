public import CrampAssessment
public import CrampJournal
public import CrampKnowledge

/// A guided relief session for a cramp now: the steps that suit the person, and when it began.
public struct ReliefSession: Sendable {
    public let muscle: Muscle
    /// The assessment behind the steps: the person and their day, checked like any advice.
    public let result: AssessmentResult
    public let startedAt: LocalTimestamp
    public let region: String?

    /// The steps walked through (painkillers are left out: they do not ease a cramp).
    public var steps: [ReliefAdvice] { result.sessionRelief }
}

extension CrampCareApp {
    /// The muscles a session has stretches for.
    public static let reliefMuscles = Muscle.stretched
    /// Seconds of rest between holds.
    public static let reliefRestSeconds = 5
    /// A session logged later than this after it began is taken to have begun this long ago.
    public static let longestReliefSeconds: Int64 = 12 * 3600

    /// Starts a session; for an owner, their profile and today's log shape the steps. Help with a
    /// cramp never waits for an account: with no owner the steps are the general ones.
    public func startRelief(muscle: Muscle, owner: OwnerID?) async throws -> ReliefSession {
        var profile: Profile?
        var day: DayLog?
        if let owner { profile = try await journal.profile(owner: owner) }
        let now = clock(for: profile).now()
        if let owner { day = try await journal.dayLog(date: now.localDate, owner: owner) }
        let request = AssessmentRequest.forRelief(muscle: muscle, profile: profile, day: day, today: now.localDate)
        return ReliefSession(muscle: muscle, result: assessor.assess(request), startedAt: now, region: profile?.region)
    }

    /// Logs the cramp a session was for, with the stretch and whether it helped, and checks it
    /// as any logged cramp. `startedAt` is when the session began (kept within the last 12 hours).
    public func logRelief(muscle: Muscle, outcome: ReliefTried.Outcome, startedAt: Int64, owner: OwnerID) async throws -> LoggedEpisode {
        let clock = try await clock(owner: owner)
        let now = clock.now()
        let started = min(max(startedAt, now.instant - Self.longestReliefSeconds * 1000), now.instant)
        var episode = records.episode(
            startedAt: clock.stamp(started), durationSeconds: max(1, Int((now.instant - started) / 1000)),
            muscles: [muscle], now: now.instant)
        episode.reliefs = [ReliefTried(technique: .stretch, outcome: outcome)]
        return try await log(episode, owner: owner)
    }
}
