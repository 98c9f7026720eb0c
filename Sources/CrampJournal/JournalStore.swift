import CrampJSON
public import CrampKnowledge

/// Which episodes to list: a time range, muscles, a severity range, newest first, in pages.
public struct EpisodeFilter: Sendable, Equatable {
    /// Start instants from (inclusive) and before (exclusive), in milliseconds since the epoch.
    public var from: Int64?
    public var before: Int64?
    public var muscles: [Muscle] = []
    public var minimumSeverity: Int?
    public var maximumSeverity: Int?
    public var limit: Int = 100
    public var offset: Int = 0
    /// Only episodes listed after this one (older, or as old with a smaller id): the next page
    /// costs the same however deep it is, unlike an offset.
    public var after: EpisodeCursor?

    public init() {}
}

/// Where a page of episodes ended: the last episode's start and id, as `instant_id` in a URL.
public struct EpisodeCursor: Sendable, Equatable, CustomStringConvertible {
    public let instant: Int64
    public let id: EntryID

    public init(instant: Int64, id: EntryID) {
        self.instant = instant
        self.id = id
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let instant = Int64(parts[0]), let id = EntryID(String(parts[1])) else { return nil }
        self.init(instant: instant, id: id)
    }

    public var description: String { "\(instant)_\(id)" }
}

/// What an import did.
public struct ImportSummary: Sendable, Equatable {
    public var episodesAdded = 0
    public var episodesUnchanged = 0
    public var dayLogsWritten = 0
    public var assessmentsAdded = 0
    public var profileTaken = false

    public init() {}
}

/// Everything one owner has, as a backup holds it.
public struct JournalContents: Sendable, Equatable {
    public var profile: Profile?
    public var episodes: [Episode]
    public var dayLogs: [DayLog]
    public var assessments: [AssessmentRecord]

    public init(profile: Profile? = nil, episodes: [Episode] = [], dayLogs: [DayLog] = [], assessments: [AssessmentRecord] = []) {
        self.profile = profile
        self.episodes = episodes
        self.dayLogs = dayLogs
        self.assessments = assessments
    }
}

/// What erasing removed.
public struct EraseSummary: Sendable, Equatable {
    public var episodes = 0
    public var dayLogs = 0
    public var assessments = 0
    public var profiles = 0

    public init() {}
}

extension EraseSummary {
    /// What was erased, as the API answers it: `{"episodes":N,"dayLogs":N,"assessments":N,"profiles":N}`.
    public func json() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("episodes"); w.value(episodes)
        w.key("dayLogs"); w.value(dayLogs)
        w.key("assessments"); w.value(assessments)
        w.key("profiles"); w.value(profiles)
        w.endObject()
        return w.bytes
    }
}

/// What adding an episode did.
public enum EpisodeAdded: Sendable, Equatable {
    case added
    /// The owner has an episode with this id: nothing was written.
    case exists
    /// The owner deleted an episode with this id: it is never created again.
    case deleted
}

/// The owner deleted the episode a save was for: a save never brings a deleted one back (an
/// edit that raced a delete, on this or another device).
public struct EpisodeDeleted: Error, Sendable, Equatable, CustomStringConvertible {
    public let id: EntryID

    public init(id: EntryID) { self.id = id }

    public var description: String { "episode \(id) was deleted, and a deleted episode is not saved again" }
}

/// Where a journal lives. Every call is scoped to one owner: no call can read or change another
/// owner's rows. Every write is one transaction; when a call returns, the write is durable.
public protocol JournalStore: Sendable {
    /// Saves a new or changed episode; throws `EpisodeDeleted` when the owner deleted one with
    /// its id, also when the delete commits while the save waits. `trail` (a carer's write
    /// through a grant) is written in the same transaction: both or neither.
    func saveEpisode(_ episode: Episode, owner: OwnerID, trail: [AuditRecord]) async throws
    /// Saves a new episode; nothing written when the owner has one with its id, or deleted one
    /// with it (a phone's queue sending again after a delete must not bring it back).
    func addEpisode(_ episode: Episode, owner: OwnerID) async throws -> EpisodeAdded
    /// The undo of a delete, the person's own act: the id is no longer deleted, and the episode
    /// is added back unless one with its id is there.
    func putBack(_ episode: Episode, owner: OwnerID) async throws -> EpisodeAdded
    func episode(id: EntryID, owner: OwnerID) async throws -> Episode?
    func episodes(owner: OwnerID, filter: EpisodeFilter) async throws -> [Episode]
    /// A page of episodes as the API's JSON, `{"episodes": […], "next": cursor or null}`: at most
    /// `limit` episodes, and `next` when more follow.
    /// A page of episodes as the API's JSON; `notes` false leaves every note out (a grant that
    /// does not share them).
    func episodePageJSON(owner: OwnerID, filter: EpisodeFilter, limit: Int, notes: Bool) async throws -> [UInt8]
    func countEpisodes(owner: OwnerID, from: Int64?, before: Int64?) async throws -> Int
    /// True when an episode was deleted. Its id is remembered, so that it is never added again.
    func deleteEpisode(id: EntryID, owner: OwnerID) async throws -> Bool

    func saveDayLog(_ day: DayLog, owner: OwnerID) async throws
    func dayLog(date: LocalDate, owner: OwnerID) async throws -> DayLog?
    func dayLogs(owner: OwnerID, from: LocalDate?, through: LocalDate?) async throws -> [DayLog]
    func deleteDayLog(date: LocalDate, owner: OwnerID) async throws -> Bool

    func profile(owner: OwnerID) async throws -> Profile?
    func saveProfile(_ profile: Profile, owner: OwnerID) async throws

    func saveAssessment(_ record: AssessmentRecord, owner: OwnerID) async throws
    func assessments(owner: OwnerID, limit: Int) async throws -> [AssessmentRecord]
    func assessment(id: EntryID, owner: OwnerID) async throws -> AssessmentRecord?

    /// Writes a checked batch in one transaction: episodes and assessments whose id exists
    /// already are left as they are, day logs replace the day's log, and a profile is taken only
    /// when the journal has none. All or nothing.
    func importBatch(_ contents: JournalContents, owner: OwnerID) async throws -> ImportSummary
    /// An import fed in batches while the caller is still reading its file, all in one
    /// transaction: when `body` throws (a problem found on a later line), nothing is written.
    func importStreaming<T: Sendable>(owner: OwnerID, _ body: @Sendable (any ImportSink) async throws -> T) async throws -> (T, ImportSummary)

    /// Everything the owner has, for a backup.
    func contents(owner: OwnerID) async throws -> JournalContents
    /// Replaces everything the owner has with a backup's contents, in one transaction.
    func restore(_ contents: JournalContents, owner: OwnerID) async throws
    /// Deletes every record of the owner, in one transaction.
    func eraseAll(owner: OwnerID) async throws -> EraseSummary

    func close() async throws
}

extension JournalStore {
    /// The page through `episodes` and the backup's encoder (a SQL store writes it from its rows).
    public func episodePageJSON(owner: OwnerID, filter: EpisodeFilter, limit: Int) async throws -> [UInt8] {
        try await episodePageJSON(owner: owner, filter: filter, limit: limit, notes: true)
    }

    public func episodePageJSON(owner: OwnerID, filter: EpisodeFilter, limit: Int, notes: Bool) async throws -> [UInt8] {
        var filter = filter
        filter.limit = limit + 1
        var episodes = try await self.episodes(owner: owner, filter: filter)
        let more = episodes.count > limit
        if more { episodes.removeLast() }
        var w = JSONWriter()
        w.beginObject()
        w.key("episodes")
        w.beginArray()
        for var episode in episodes {
            if !notes { episode.note = nil }
            w.raw(JournalBackup.episodeJSON(episode))
        }
        w.endArray()
        w.key("next")
        if more, let last = episodes.last {
            w.value(EpisodeCursor(instant: last.startedAt.instant, id: last.id).description)
        } else {
            w.null()
        }
        w.endObject()
        return w.bytes
    }
}

/// Takes checked batches during a streaming import. A batch may still be being written when the
/// next one arrives; `importStreaming` waits for all before it commits.
public protocol ImportSink: Sendable {
    func add(episodes: [Episode]) async throws
    func add(dayLogs: [DayLog]) async throws
}

extension JournalStore {
    /// The person's own save: nothing for the trail.
    public func saveEpisode(_ episode: Episode, owner: OwnerID) async throws {
        try await saveEpisode(episode, owner: owner, trail: [])
    }
}
