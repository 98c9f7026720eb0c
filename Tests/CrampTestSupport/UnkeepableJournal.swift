public import CrampJournal
public import CrampStorage

/// A journal that reads and writes as usual but cannot keep an assessment: the failure hazard
/// H21 names (a full disk, a lost connection at the wrong moment).
public struct UnkeepableJournal: JournalStore {
    let base: SQLJournalStore
    public init(_ base: SQLJournalStore) { self.base = base }

    struct KeepFailed: Error, CustomStringConvertible { var description: String { "the disk is full" } }

    public func saveAssessment(_ record: AssessmentRecord, owner: OwnerID) async throws { throw KeepFailed() }
    public func importBatch(_ contents: JournalContents, owner: OwnerID) async throws -> ImportSummary {
        if !contents.assessments.isEmpty { throw KeepFailed() }
        return try await base.importBatch(contents, owner: owner)
    }

    public func saveEpisode(_ episode: Episode, owner: OwnerID, trail: [AuditRecord]) async throws {
        try await base.saveEpisode(episode, owner: owner, trail: trail)
    }
    public func addEpisode(_ episode: Episode, owner: OwnerID) async throws -> EpisodeAdded { try await base.addEpisode(episode, owner: owner) }
    public func putBack(_ episode: Episode, owner: OwnerID) async throws -> EpisodeAdded { try await base.putBack(episode, owner: owner) }
    public func episode(id: EntryID, owner: OwnerID) async throws -> Episode? { try await base.episode(id: id, owner: owner) }
    public func episodes(owner: OwnerID, filter: EpisodeFilter) async throws -> [Episode] { try await base.episodes(owner: owner, filter: filter) }
    public func countEpisodes(owner: OwnerID, from: Int64?, before: Int64?) async throws -> Int {
        try await base.countEpisodes(owner: owner, from: from, before: before)
    }
    public func deleteEpisode(id: EntryID, owner: OwnerID) async throws -> Bool { try await base.deleteEpisode(id: id, owner: owner) }
    public func saveDayLog(_ day: DayLog, owner: OwnerID) async throws { try await base.saveDayLog(day, owner: owner) }
    public func dayLog(date: LocalDate, owner: OwnerID) async throws -> DayLog? { try await base.dayLog(date: date, owner: owner) }
    public func dayLogs(owner: OwnerID, from: LocalDate?, through: LocalDate?) async throws -> [DayLog] {
        try await base.dayLogs(owner: owner, from: from, through: through)
    }
    public func deleteDayLog(date: LocalDate, owner: OwnerID) async throws -> Bool { try await base.deleteDayLog(date: date, owner: owner) }
    public func profile(owner: OwnerID) async throws -> Profile? { try await base.profile(owner: owner) }
    public func saveProfile(_ profile: Profile, owner: OwnerID) async throws { try await base.saveProfile(profile, owner: owner) }
    public func assessments(owner: OwnerID, limit: Int) async throws -> [AssessmentRecord] { try await base.assessments(owner: owner, limit: limit) }
    public func assessment(id: EntryID, owner: OwnerID) async throws -> AssessmentRecord? { try await base.assessment(id: id, owner: owner) }
    public func importStreaming<T: Sendable>(owner: OwnerID, _ body: @Sendable (any ImportSink) async throws -> T) async throws -> (T, ImportSummary)
    {
        try await base.importStreaming(owner: owner, body)
    }
    public func contents(owner: OwnerID) async throws -> JournalContents { try await base.contents(owner: owner) }
    public func restore(_ contents: JournalContents, owner: OwnerID) async throws { try await base.restore(contents, owner: owner) }
    public func eraseAll(owner: OwnerID) async throws -> EraseSummary { try await base.eraseAll(owner: owner) }
    public func close() async throws {}
}
