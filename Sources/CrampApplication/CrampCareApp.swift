public import CrampAssessment
public import CrampJournal
public import CrampKnowledge
public import Foundation

/// The use cases, each written once, under the terminal and the web app. An interface parses
/// what it was given, calls one of these, and renders what comes back; none of them reads the
/// environment, the terminal or a request.
///
/// No per-person state lives here: every call names its owner, so one value serves a single
/// person's CLI and a clinic's many users alike.
public struct CrampCareApp: Sendable {
    public let journal: any JournalStore
    public let knowledge: KnowledgeBase
    public let assessor: Assessor
    /// The one interview every interface and the FHIR Questionnaire follow.
    public let interview: AssessmentInterview
    public let resultEncoder: ResultEncoder
    public let records: RecordFactory
    public let clockSource: any JournalClock
    /// The zone for a person whose profile names none: the machine's for a personal journal,
    /// UTC for a hosted one (a server's zone says nothing about its users).
    public let defaultZone: TimeZone
    /// The region for emergency numbers when the profile names none (personal mode: the
    /// machine's locale).
    public let defaultRegion: String?

    public init(
        journal: any JournalStore, knowledge: KnowledgeBase, defaultZone: TimeZone, defaultRegion: String?,
        clock: any JournalClock = SystemClock()
    ) {
        self.journal = journal
        self.knowledge = knowledge
        assessor = Assessor(knowledge: knowledge)
        interview = AssessmentInterview(assessor: assessor)
        resultEncoder = ResultEncoder(knowledge: knowledge)
        records = RecordFactory(knowledge: knowledge, encoder: resultEncoder)
        clockSource = clock
        self.defaultZone = defaultZone
        self.defaultRegion = defaultRegion
    }

    /// The clock in the zone a profile names, else the default zone.
    public func clock(for profile: Profile?) -> PersonClock {
        PersonClock(zone: PersonClock.zone(named: profile?.timeZone) ?? defaultZone, source: clockSource)
    }

    /// The owner's clock (reads their profile).
    public func clock(owner: OwnerID) async throws -> PersonClock {
        clock(for: try await journal.profile(owner: owner))
    }

    /// The clock for someone with no journal (signed out): the default zone.
    public var defaultClock: PersonClock { PersonClock(zone: defaultZone, source: clockSource) }

    /// The emergency numbers for a region, else the default region, else the numbers that work
    /// from mobiles in many countries.
    public func numbers(region: String?) -> EmergencyNumbers {
        knowledge.emergencyNumbers(region: region ?? defaultRegion)
    }
}
