import CrampJournal
import CrampStorage

/// Whose diary a journal page is in: the person's own, or a patient's that a carer opened
/// through their grant (its pages live under /patients/{patient}).
struct DiaryInView: Sendable {
    let owner: OwnerID
    /// The carer acting through `grant`; nil in the person's own diary.
    let carer: OwnerID?
    let grant: Grant?
    /// The emergency number of the patient's region (a carer may live elsewhere); nil in the
    /// person's own diary, whose pages use theirs.
    let emergency: String?

    init(owner: OwnerID, carer: OwnerID? = nil, grant: Grant? = nil, emergency: String? = nil) {
        self.owner = owner
        self.carer = carer
        self.grant = grant
        self.emergency = emergency
    }

    var own: Bool { carer == nil }
    /// Where the diary's journal pages start: "" (so /journal/…) or /patients/{patient}.
    var base: String { own ? "" : "/patients/\(owner.rawValue)" }
    var section: String { own ? "journal" : "patients" }
    /// "for Mary Jones" on a carer's pages.
    var whose: String? { grant.map { "for \($0.sharedName)" } }
    var logTitle: String { whose.map { "Log a cramp \($0)" } ?? "Log a cramp" }

    /// Whether this diary's viewer may change the episode: the person always; a carer only one
    /// they logged, within a day.
    func mayChange(_ episode: Episode, now: Int64) -> Bool {
        guard let carer else { return true }
        return episode.loggedBy == carer && now - episode.createdAt < SharingRules.carerEditMilliseconds
    }
}
