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

/// What relief the phone may offer with no network: what the person's last kept check allowed,
/// for each muscle, and never more than their profile and today allow now.
public struct OfflineRelief: Sendable {
    public struct ForMuscle: Sendable {
        public let muscle: Muscle
        public let steps: [ReliefAdvice]
    }

    /// The check it comes from: when it was made and the highest triage it has had.
    public let madeAt: LocalTimestamp
    public let triage: Triage
    public let muscles: [ForMuscle]
}

extension CrampCareApp {
    /// The relief the person's last kept check allowed, to be kept on their phone for a cramp
    /// with no network; nil when they have no check kept (the phone then offers the gentle stretch).
    ///
    /// Each item must pass three ways at once: the check's own answers with the muscle among its
    /// muscles (a clot picture, an injury or a locked knee rule a stretch out whichever muscle
    /// cramps), the check's triage as it was and as today's knowledge base makes it (nothing
    /// lowers it), and today's relief session (a medicine or condition added since). Its cautions
    /// are those of both.
    public func offlineRelief(owner: OwnerID) async throws -> OfflineRelief? {
        guard let record = try await journal.assessments(owner: owner, limit: 1).first,
            let kept = try? AssessmentRequest.decode(json: Array(record.requestJSON.utf8))
        else { return nil }
        let asKept = assessor.assess(kept)
        var floor = max(record.triage, asKept.triage)
        var muscles: [OfflineRelief.ForMuscle] = []
        for muscle in Self.reliefMuscles {
            var widened = kept
            if !widened.muscles.contains(muscle) { widened.muscles.append(muscle) }
            let then = assessor.assess(widened)
            floor = max(floor, then.triage)
            // Items for any muscle must also be in the check exactly as it was made.
            let asMade = Set(asKept.sessionRelief.map(\.item.id))
            let allowed = Dictionary(
                then.sessionRelief.filter { !$0.item.muscles.isEmpty || asMade.contains($0.item.id) }.map { ($0.item.id, $0.cautions) },
                uniquingKeysWith: { first, _ in first })
            let now = try await startRelief(muscle: muscle, owner: owner)
            let steps = now.steps.compactMap { advice -> ReliefAdvice? in
                guard let cautions = allowed[advice.item.id] else { return nil }
                var all = advice.cautions
                for caution in cautions where !all.contains(caution) { all.append(caution) }
                return ReliefAdvice(item: advice.item, cautions: all)
            }
            muscles.append(OfflineRelief.ForMuscle(muscle: muscle, steps: steps))
        }
        // The triage as the widest reading made it: an item safe only below it is left out.
        let level = floor
        let bounded = muscles.map { entry in
            OfflineRelief.ForMuscle(muscle: entry.muscle, steps: entry.steps.filter { $0.item.safeUpTo >= level })
        }
        return OfflineRelief(madeAt: record.madeAt, triage: level, muscles: bounded)
    }
}
