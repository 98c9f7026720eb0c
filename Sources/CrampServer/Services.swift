public import CrampApplication
public import CrampAssessment
public import CrampJournal
public import CrampKnowledge
public import CrampStorage
import Foundation

/// What the handlers share: the use cases, the stores and the knowledge base. No per-user state
/// lives here, so any number of instances can serve the same database.
public struct CrampServices: Sendable {
    /// The use cases; the handlers are adapters over these.
    public let app: CrampCareApp
    /// The SQL store under them, for what only the server needs (accounts, the health check).
    public let store: SQLJournalStore
    public let accounts: AccountStore
    /// Invitations, grants and the audit trail (hosted mode).
    public let sharing: SharingStore

    /// `journal` is the store the use cases write to, the SQL store unless another is injected
    /// (a test's store that fails on purpose).
    /// `region` is where emergency numbers default to when a profile names none (personal mode:
    /// the machine's locale, which the command reads; hosted mode: none).
    public init(
        journal: SQLJournalStore, knowledge: KnowledgeBase, hosted: Bool, region: String? = nil, clock: any JournalClock = SystemClock(),
        useCasesOn other: (any JournalStore)? = nil
    ) {
        store = journal
        accounts = AccountStore(journal: journal)
        sharing = SharingStore(journal: journal)
        app = CrampCareApp(
            journal: other ?? journal, knowledge: knowledge,
            defaultZone: hosted ? TimeZone(identifier: "UTC")! : TimeZone.current,
            defaultRegion: hosted ? nil : region,
            clock: clock)
        needs = NeedKeeper(app: app, sharing: sharing)
        // Hosted: each write to a shared diary works its need summary out again (the patient list).
        if hosted { journal.onWrite { [needs] owner in await needs.refresh(owner) } }
    }

    /// The patient list's need summaries (hosted mode).
    let needs: NeedKeeper

    public var journal: any JournalStore { app.journal }
    public var knowledge: KnowledgeBase { app.knowledge }
    public var assessor: Assessor { app.assessor }
    public var interview: AssessmentInterview { app.interview }
    public var resultEncoder: ResultEncoder { app.resultEncoder }
    public var clock: any JournalClock { app.clockSource }

    /// The owner's clock: their profile's zone, else the default.
    func clock(owner: OwnerID) async throws -> PersonClock { try await app.clock(owner: owner) }
}
