public import CrampAssessment
public import CrampKnowledge
public import CrampStorage
import CrampJournal
import Foundation

/// What the handlers share: the stores, the knowledge base and the engine built on it. No
/// per-user state lives here, so any number of instances can serve the same database.
public struct CrampServices: Sendable {
    public let journal: SQLJournalStore
    public let accounts: AccountStore
    public let knowledge: KnowledgeBase
    public let assessor: Assessor
    /// The one interview every page and the FHIR Questionnaire follow.
    public let interview: AssessmentInterview
    public let resultEncoder: ResultEncoder
    /// Personal mode reads times in the machine's zone when the profile names none; hosted mode
    /// in UTC (a server's zone says nothing about its users).
    let defaultZone: TimeZone
    /// Personal mode: the machine's locale region (en_GB gives GB), as the CLI uses.
    let defaultRegion: String?

    public init(journal: SQLJournalStore, knowledge: KnowledgeBase, hosted: Bool) {
        self.journal = journal
        accounts = AccountStore(journal: journal)
        self.knowledge = knowledge
        assessor = Assessor(knowledge: knowledge)
        interview = AssessmentInterview(assessor: assessor)
        resultEncoder = ResultEncoder(knowledge: knowledge)
        defaultZone = hosted ? TimeZone(identifier: "UTC")! : TimeZone.current
        defaultRegion = hosted ? nil : KnowledgeBase.region(fromLocale: { ProcessInfo.processInfo.environment[$0] })
    }

    /// The owner's time zone: their profile's, else the default.
    func zone(owner: OwnerID) async throws -> TimeZone {
        try await journal.profile(owner: owner)?.timeZone.flatMap { TimeZone(identifier: $0) } ?? defaultZone
    }
}

/// Local dates and times in a named zone (per request: the process-wide TZ cannot serve many users).
enum Zones {
    /// The zone's offset at `instant`, rounded to the whole minute as the journal keeps it.
    static func offsetSeconds(at instant: Int64, in zone: TimeZone) -> Int {
        stamp(instant, in: zone).utcOffsetSeconds
    }

    /// A moment with the offset `zone` had then.
    static func stamp(_ instant: Int64, in zone: TimeZone) -> LocalTimestamp {
        LocalTimestamp(instant: instant, zoneOffsetSeconds: zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant) / 1000)))
    }

    static func now(in zone: TimeZone) -> LocalTimestamp { stamp(Clock.millisecondsNow(), in: zone) }

    /// The instant a local date starts in `zone`.
    static func midnight(of date: LocalDate, in zone: TimeZone) -> Int64 {
        local(date: date, secondsOfDay: 0, in: zone).instant
    }

    /// A local wall-clock time in `zone`, with the offset in force then.
    static func local(date: LocalDate, secondsOfDay: Int, in zone: TimeZone) -> LocalTimestamp {
        let wall = Int64(date.daysSinceEpoch) * 86_400_000 + Int64(secondsOfDay) * 1000
        // The offset at the wall time read as UTC, corrected once: right except within a DST jump.
        var offset = offsetSeconds(at: wall, in: zone)
        offset = offsetSeconds(at: wall - Int64(offset) * 1000, in: zone)
        return LocalTimestamp(instant: wall - Int64(offset) * 1000, zoneOffsetSeconds: offset)
    }
}
