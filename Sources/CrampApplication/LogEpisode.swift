public import CrampAssessment
public import CrampJournal

/// A logged episode and its check for red flags.
public struct LoggedEpisode: Sendable {
    public let episode: Episode
    /// Nil when the check was not asked for.
    public let check: EpisodeCheck?
}

/// The check of a logged episode: the assessment made with the person's profile, the day's
/// context and the journal's own count of recent episodes.
public struct EpisodeCheck: Sendable {
    public let assessment: Assessment
    /// False when the profile has no year of birth and an adult was assumed (the interface says so).
    public let ageKnown: Bool
    public let region: String?

    public var result: AssessmentResult { assessment.result }
}

extension CrampCareApp {
    /// How far back the journal's own count of episodes reaches for a check.
    public static let recentDays = 30

    /// Saves a new or changed episode (validated first), then checks it and keeps the check.
    public func log(_ episode: Episode, owner: OwnerID, check: Bool = true) async throws -> LoggedEpisode {
        try episode.validate()
        try await journal.saveEpisode(episode, owner: owner)
        return LoggedEpisode(episode: episode, check: check ? try await self.check(episode, owner: owner) : nil)
    }

    /// Saves a new episode, unchecked (the API's create, whose client asks for a check apart);
    /// false, and nothing written, when the owner has an episode with its id.
    public func add(_ episode: Episode, owner: OwnerID) async throws -> Bool {
        try episode.validate()
        return try await journal.addEpisode(episode, owner: owner)
    }

    /// Checks a saved episode and keeps the check; a check that cannot be kept is still given.
    public func check(_ episode: Episode, owner: OwnerID) async throws -> EpisodeCheck {
        let (request, ageKnown, region) = try await checkRequest(episode, owner: owner)
        return EpisodeCheck(assessment: await assess(request, keepFor: owner, episode: episode), ageKnown: ageKnown, region: region)
    }

    /// The check kept for an episode as it is now, read back without writing anything (a page
    /// shown after the log that made it); nil when none was kept for this version.
    public func keptCheck(_ episode: Episode, owner: OwnerID) async throws -> EpisodeCheck? {
        guard let record = try await journal.assessment(id: records.checkID(of: episode, owner: owner), owner: owner),
            let request = try? AssessmentRequest.decode(json: Array(record.requestJSON.utf8))
        else { return nil }
        let profile = try await journal.profile(owner: owner)
        let assessment = Assessment(request: request, result: assessor.assess(request), keeping: .kept(record))
        return EpisodeCheck(assessment: assessment, ageKnown: profile?.birthYear != nil, region: profile?.region)
    }

    func checkRequest(_ episode: Episode, owner: OwnerID) async throws -> (AssessmentRequest, ageKnown: Bool, region: String?) {
        let profile = try await journal.profile(owner: owner)
        let now = clock(for: profile).now()
        let recent = try await journal.countEpisodes(
            owner: owner, from: now.instant - Int64(Self.recentDays) * 86_400_000, before: now.instant + 60_000)
        let day = try await journal.dayLog(date: episode.startedAt.localDate, owner: owner)
        let (request, ageKnown) = AssessmentRequest.forLoggedEpisode(
            episode, profile: profile, day: day, episodesLast30Days: recent,
            today: now.localDate)
        return (request, ageKnown, profile?.region)
    }
}
