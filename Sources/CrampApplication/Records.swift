public import CrampAssessment
public import CrampJournal
public import CrampKnowledge

/// Makes the journal's records, so each kind of record gets its id and stamps one way.
public struct RecordFactory: Sendable {
    public let knowledgeVersion: String
    let encoder: ResultEncoder

    public init(knowledge: KnowledgeBase, encoder: ResultEncoder) {
        knowledgeVersion = knowledge.version
        self.encoder = encoder
    }

    /// A new episode: a random id, created and updated now.
    public func episode(startedAt: LocalTimestamp, durationSeconds: Int, muscles: [Muscle], now: Int64) -> Episode {
        Episode(id: EntryID.random(), startedAt: startedAt, durationSeconds: durationSeconds, muscles: muscles, createdAt: now, updatedAt: now)
    }

    /// An assessment as kept. The check of a logged episode gets an id named after the episode
    /// as saved, so checking the same version again (a retried send, a reloaded page) keeps one
    /// record; any other assessment gets a random id.
    public func assessment(
        _ request: AssessmentRequest, _ result: AssessmentResult, madeAt: LocalTimestamp, owner: OwnerID,
        episode: Episode? = nil
    ) -> AssessmentRecord {
        let id = episode.map { checkID(of: $0, owner: owner) } ?? EntryID.random()
        return AssessmentRecord(
            id: id, madeAt: madeAt, knowledgeVersion: knowledgeVersion, triage: result.triage,
            requestJSON: String(decoding: request.json(), as: UTF8.self), resultJSON: String(decoding: encoder.encode(result), as: UTF8.self),
            episodeID: episode?.id)
    }

    /// The id of the check of an episode as saved (its id and when it was last changed).
    public func checkID(of episode: Episode, owner: OwnerID) -> EntryID {
        EntryID.named("assessment|\(owner.rawValue)|\(episode.id)|\(episode.updatedAt)")
    }
}
