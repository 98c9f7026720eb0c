public import CrampAssessment
import CrampJSON
public import CrampJournal
public import CrampKnowledge

/// Whether an assessment was kept in the journal. The advice is given either way (hazard H21:
/// a journal that cannot be written costs a warning, never the advice).
public enum Keeping: Sendable {
    case kept(AssessmentRecord)
    case notKept(reason: String)
    /// Keeping was not asked for.
    case notAsked

    public var record: AssessmentRecord? {
        if case .kept(let record) = self { return record }
        return nil
    }

    /// Why it was not kept, when keeping was asked for and failed.
    public var failure: String? {
        if case .notKept(let reason) = self { return reason }
        return nil
    }
}

/// An assessment made, and whether it was kept.
public struct Assessment: Sendable {
    public let request: AssessmentRequest
    public let result: AssessmentResult
    public let keeping: Keeping
}

extension CrampCareApp {
    /// Assesses a request and, for an owner, keeps it in their journal. A failure to keep it is
    /// reported in `keeping`, never thrown: the result stands.
    public func assess(_ request: AssessmentRequest, keepFor owner: OwnerID? = nil, episode: Episode? = nil) async -> Assessment {
        let result = assessor.assess(request)
        guard let owner else { return Assessment(request: request, result: result, keeping: .notAsked) }
        return Assessment(request: request, result: result, keeping: await keep(request, result, owner: owner, episode: episode))
    }

    /// Keeps an assessment already made (its result is on the person's screen).
    public func keep(_ request: AssessmentRequest, _ result: AssessmentResult, owner: OwnerID, episode: Episode? = nil) async -> Keeping {
        do {
            let madeAt = try await clock(owner: owner).now()
            let record = records.assessment(request, result, madeAt: madeAt, owner: owner, episode: episode)
            try await journal.saveAssessment(record, owner: owner)
            return .kept(record)
        } catch {
            return .notKept(reason: String(describing: error))
        }
    }

    /// Keeps many assessments in one transaction (an NDJSON stream with --save), existing ids
    /// left as they are. Returns how many were added.
    public func keep(_ batch: [AssessmentRecord], owner: OwnerID) async throws -> Int {
        try await journal.importBatch(JournalContents(assessments: batch), owner: owner).assessmentsAdded
    }

    /// Kept assessments of the last 14 days that today's knowledge base makes urgent or an
    /// emergency: shown first on the home page and in the history.
    public func raisedNotices(owner: OwnerID) async throws -> [RaisedAssessment] {
        let today = try await clock(owner: owner).today
        return Reassessment.raised(try await journal.assessments(owner: owner, limit: 500), assessor: assessor, today: today)
    }
}

/// A kept check as the journal lists it: what it said when it was made (its own triage and red
/// flags, not today's knowledge base's; `raisedNotices` says when today's would say more).
public struct KeptCheck: Sendable {
    public let record: AssessmentRecord
    /// The red flags it found, as the knowledge base names them (ids it no longer has are left out).
    public let redFlags: [RedFlagRule]

    public var id: EntryID { record.id }
    public var triage: Triage { record.triage }
}

extension CrampCareApp {
    /// The checks kept in the journal, newest first.
    public func keptChecks(owner: OwnerID, limit: Int = 20) async throws -> [KeptCheck] {
        let records = try await journal.assessments(owner: owner, limit: max(1, min(limit, 500)))
        return records.sorted { $0.madeAt.instant > $1.madeAt.instant }.map(keptCheck)
    }

    /// One kept check, or nil when the owner has none with that id.
    public func keptCheck(id: EntryID, owner: OwnerID) async throws -> KeptCheck? {
        try await journal.assessment(id: id, owner: owner).map(keptCheck)
    }

    func keptCheck(_ record: AssessmentRecord) -> KeptCheck {
        let ids = (try? JSONParser.parse(record.resultJSON))?["redFlags"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        return KeptCheck(record: record, redFlags: ids.compactMap { id in knowledge.rules.first { $0.id == id } })
    }
}
