public import CrampAssessment
public import CrampJournal
public import CrampKnowledge

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

    /// Saves a new or changed episode (validated first), then checks it and keeps the check;
    /// `trail` (a carer's write) is written with the episode, in its transaction.
    public func log(_ episode: Episode, owner: OwnerID, check: Bool = true, trail: [AuditRecord] = []) async throws -> LoggedEpisode {
        try episode.validate()
        try await journal.saveEpisode(episode, owner: owner, trail: trail)
        return LoggedEpisode(episode: episode, check: check ? try await self.check(episode, owner: owner) : nil)
    }

    /// Saves a new episode, unchecked (the API's create, whose client asks for a check apart);
    /// nothing written when the owner has, or deleted, an episode with its id.
    public func add(_ episode: Episode, owner: OwnerID) async throws -> EpisodeAdded {
        try episode.validate()
        return try await journal.addEpisode(episode, owner: owner)
    }

    /// Puts back an episode the person deleted (the undo on the page after a delete).
    public func putBack(_ episode: Episode, owner: OwnerID) async throws -> EpisodeAdded {
        try episode.validate()
        return try await journal.putBack(episode, owner: owner)
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

extension CrampCareApp {
    /// A quick log (the night log): the cramp is saved at once, its red-flag questions not yet
    /// answered. It is assessed from what was logged; when that alone means care today or an
    /// emergency the check is kept and returned, so it is shown before any question. Otherwise
    /// nothing is kept (a reassuring result would stand for questions no one answered) and the
    /// check is nil: the person is asked the questions next.
    public func quickLog(_ episode: Episode, owner: OwnerID, trail: [AuditRecord] = []) async throws -> LoggedEpisode {
        var episode = episode
        episode.safetyQuestions = .notAnswered
        try episode.validate()
        try await journal.saveEpisode(episode, owner: owner, trail: trail)
        return try await quickCheck(episode, owner: owner)
    }

    /// The quick log's check of a cramp saved already (one a phone kept offline and sent): kept
    /// and returned only when what was logged alone means care today or an emergency.
    public func quickCheck(_ episode: Episode, owner: OwnerID) async throws -> LoggedEpisode {
        let (request, ageKnown, region) = try await checkRequest(episode, owner: owner)
        guard assessor.assess(request).triage >= .urgent else { return LoggedEpisode(episode: episode, check: nil) }
        return LoggedEpisode(
            episode: episode,
            check: EpisodeCheck(assessment: await assess(request, keepFor: owner, episode: episode), ageKnown: ageKnown, region: region))
    }

    /// The answers to a logged cramp's red-flag questions: the signs they found replace the red-flag
    /// signs it had, the questions count as answered, and the cramp is saved and checked (the
    /// check kept) like any log. With questions still unanswered (`allAnswered` false) nothing is
    /// written and nil returned, unless the answers so far already make an emergency: a person in
    /// a hurry who says yes to chest pain is not sent back to answer the rest.
    public func answerSafetyQuestions(
        _ episode: Episode, redFlags: [Finding], allAnswered: Bool, owner: OwnerID, trail: [AuditRecord] = []
    ) async throws -> LoggedEpisode? {
        var episode = episode
        let kept = episode.findings.filter { !knowledge.redFlagFindings.contains($0) }
        episode.findings = Array(CodeSet(kept + redFlags))
        episode.safetyQuestions = .answered
        episode.updatedAt = max(episode.updatedAt + 1, try await clock(owner: owner).source.millisecondsNow())
        if !allAnswered {
            let (request, _, _) = try await checkRequest(episode, owner: owner)
            guard assessor.assess(request).triage == .emergency else { return nil }
        }
        return try await log(episode, owner: owner, trail: trail)
    }

    /// The cramps of the last `CrampCareApp.recentDays` days whose red-flag questions are not
    /// answered, newest first (the home page and the journal say so until they are).
    public func unansweredSafetyQuestions(owner: OwnerID) async throws -> [Episode] {
        let now = try await clock(owner: owner).now()
        var filter = EpisodeFilter()
        filter.from = now.instant - Int64(Self.recentDays) * 86_400_000
        filter.limit = 200
        return try await journal.episodes(owner: owner, filter: filter).filter { $0.safetyQuestions == .notAnswered }
    }
}
