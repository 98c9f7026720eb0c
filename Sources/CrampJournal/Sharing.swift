import Foundation

/// Sharing a diary by the person's consent (hosted mode): an invitation they make, accepted by a
/// clinician's or a carer's own account, shared only once the person has seen that account and
/// confirmed it. CrampCare verifies no identity and sends no email: the confirmation is what
/// stops a forwarded code.

/// What a grant lets its holder do.
public enum GrantScope: String, Sendable, CaseIterable {
    /// A clinician: read the diary, day logs, checks, insights, plan and report (notes only when
    /// the person shares them).
    case view
    /// A carer: as `view`, and log cramps for the person, changing only their own, within a day.
    case log

    public var label: String {
        switch self {
        case .view: "see the diary"
        case .log: "see the diary and log cramps"
        }
    }
}

/// What someone acting through a grant asks to do, as the audit trail names it.
public enum GrantAction: String, Sendable, CaseIterable {
    /// The cramps, one or a list.
    case readDiary = "read_diary"
    case readDays = "read_days"
    case readChecks = "read_checks"
    case readInsights = "read_insights"
    case readPlan = "read_plan"
    case readReport = "read_report"
    /// The patient list: one read counted for each patient shown.
    case listPatients = "list_patients"
    /// A carer logs a cramp, or changes one they logged.
    case logCramp = "log_cramp"
    case editCramp = "edit_cramp"
    /// What no grant allows: deleting, exporting everything, erasing, account changes.
    case delete
    case exportAll = "export_all"
    case erase
    case changeAccount = "change_account"

    public var isWrite: Bool { [.logCramp, .editCramp, .delete, .erase, .changeAccount].contains(self) }

    /// In the person's audit trail.
    public var label: String {
        switch self {
        case .readDiary: "read the diary"
        case .readDays: "read the day logs"
        case .readChecks: "read the checks"
        case .readInsights: "read the insights"
        case .readPlan: "read the plan"
        case .readReport: "read the report"
        case .listPatients: "saw you in their patient list"
        case .logCramp: "logged a cramp"
        case .editCramp: "changed a cramp they logged"
        case .delete: "tried to delete"
        case .exportAll: "tried to export everything"
        case .erase: "tried to erase"
        case .changeAccount: "tried to change the account"
        }
    }
}

/// Where a grant stands at a moment.
public enum GrantState: String, Sendable {
    /// Accepted by the invitee, waiting for the person to confirm: nothing is shared.
    case pending
    case active
    case revoked
    /// Past the end date the person set.
    case expired
}

/// A diary shared with one account.
public struct Grant: Sendable, Equatable {
    public let id: String
    /// Whose diary.
    public let owner: OwnerID
    /// Who may see it.
    public let grantee: OwnerID
    /// The name the grantee gave when accepting ("Jane Smith, physiotherapist").
    public let granteeName: String
    /// The name and birth year the person chose to show the grantee.
    public let sharedName: String
    public let sharedBirthYear: Int?
    public let scope: GrantScope
    public let notes: Bool
    public let createdAt: Int64
    public let confirmedAt: Int64?
    public let endsAt: Int64?
    public let revokedAt: Int64?

    public init(
        id: String, owner: OwnerID, grantee: OwnerID, granteeName: String, sharedName: String, sharedBirthYear: Int?, scope: GrantScope,
        notes: Bool, createdAt: Int64, confirmedAt: Int64?, endsAt: Int64?, revokedAt: Int64?
    ) {
        self.id = id
        self.owner = owner
        self.grantee = grantee
        self.granteeName = granteeName
        self.sharedName = sharedName
        self.sharedBirthYear = sharedBirthYear
        self.scope = scope
        self.notes = notes
        self.createdAt = createdAt
        self.confirmedAt = confirmedAt
        self.endsAt = endsAt
        self.revokedAt = revokedAt
    }

    public func state(at now: Int64) -> GrantState {
        if revokedAt != nil { return .revoked }
        if let endsAt, now >= endsAt { return .expired }
        return confirmedAt == nil ? .pending : .active
    }

    /// Whether the scope covers the action. No grant ever deletes, exports everything, erases or
    /// changes the account.
    public func covers(_ action: GrantAction) -> Bool {
        switch action {
        case .readDiary, .readDays, .readChecks, .readInsights, .readPlan, .readReport, .listPatients: true
        case .logCramp, .editCramp: scope == .log
        case .delete, .exportAll, .erase, .changeAccount: false
        }
    }
}

/// An invitation not yet accepted: the code's digest only, never the code.
public struct Invitation: Sendable, Equatable {
    /// The first characters of the code's digest: names it in lists and addresses.
    public let id: String
    public let owner: OwnerID
    public let scope: GrantScope
    public let notes: Bool
    public let sharedName: String
    public let sharedBirthYear: Int?
    /// When the grant it makes ends; nil for no end.
    public let endsAt: Int64?
    public let createdAt: Int64
    public let expiresAt: Int64

    public init(
        id: String, owner: OwnerID, scope: GrantScope, notes: Bool, sharedName: String, sharedBirthYear: Int?, endsAt: Int64?, createdAt: Int64,
        expiresAt: Int64
    ) {
        self.id = id
        self.owner = owner
        self.scope = scope
        self.notes = notes
        self.sharedName = sharedName
        self.sharedBirthYear = sharedBirthYear
        self.endsAt = endsAt
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One line of a person's audit trail: who did what through which grant, and when. Never the
/// health data itself.
public struct AuditRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        case allowed
        /// The grant exists but does not cover the action (403).
        case notCovered = "not_covered"
        /// The grant was revoked, had ended, or was not confirmed yet (answered as 404).
        case revoked
        case expired
        case pending
        /// The grantee's account has no second factor.
        case noSecondFactor = "no_second_factor"
    }

    public let id: EntryID
    /// Whose diary.
    public let owner: OwnerID
    public let actor: OwnerID
    public let grantID: String
    public let action: GrantAction
    /// What it was about: an entry's id, a date range, a patient count; never health data.
    public let target: String
    public let outcome: Outcome
    public let at: Int64

    public init(id: EntryID, owner: OwnerID, actor: OwnerID, grantID: String, action: GrantAction, target: String, outcome: Outcome, at: Int64) {
        self.id = id
        self.owner = owner
        self.actor = actor
        self.grantID = grantID
        self.action = action
        self.target = target
        self.outcome = outcome
        self.at = at
    }

    /// The same entry about another target (a write names the entry it made).
    public func about(_ target: String) -> AuditRecord {
        AuditRecord(
            id: id, owner: owner, actor: actor, grantID: grantID, action: action, target: String(target.prefix(200)), outcome: outcome, at: at)
    }
}

/// The rules of sharing, in one place.
public enum SharingRules {
    /// An invitation is valid this long.
    public static let invitationMilliseconds: Int64 = 7 * 86_400_000
    /// A person may make this many invitations in an hour.
    public static let invitationsPerHour = 10
    /// A carer may change a cramp they logged for this long after logging it.
    public static let carerEditMilliseconds: Int64 = 24 * 3_600_000
    /// The code's random bytes: 20 (160 bits; at least 128 are asked for).
    public static let codeBytes = 20
    /// Said on the person's side and on the clinician's list: sharing is not monitoring.
    public static let notMonitored =
        "Your clinician sees your diary when they open it; they are not told when you log. For urgent signs, act on CrampCare's advice now."

    /// The longest name a grantee or a person may give.
    public static let maxNameLength = 80

    /// Crockford's base32: no I, L, O or U, so a code read aloud or typed is not misread.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The code for random bytes, in groups of four: "7K2Q-...". 160 bits make 32 characters.
    public static func code(bytes: [UInt8]) -> String {
        var characters: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                characters.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { characters.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        var grouped: [UInt8] = []
        for (index, character) in characters.enumerated() {
            if index > 0, index % 4 == 0 { grouped.append(UInt8(ascii: "-")) }
            grouped.append(character)
        }
        return String(decoding: grouped, as: UTF8.self)
    }

    /// A typed code as it is compared: spaces and dashes dropped, upper case, the letters people
    /// confuse read as the digits they look like (O as 0, I and L as 1); nil for anything else, or
    /// a length other than a code's. Checked before any digest is made.
    public static func normalised(code text: String) -> String? {
        guard text.utf8.count <= 100 else { return nil }
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "-"): continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(mapped(byte - 32))
            default: out.append(mapped(byte))
            }
        }
        let length = (codeBytes * 8 + 4) / 5
        guard out.count == length, out.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    private static func mapped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "O"): UInt8(ascii: "0")
        case UInt8(ascii: "I"), UInt8(ascii: "L"): UInt8(ascii: "1")
        default: byte
        }
    }

    /// A name as given: trimmed, one line, at most `maxNameLength` characters; nil when empty or
    /// holding control or direction-changing characters (a name must read as it is).
    public static func name(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= maxNameLength,
            !trimmed.unicodeScalars.contains(where: {
                $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
                    || (0x2066...0x2069).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}"
            })
        else { return nil }
        return trimmed
    }
}

/// A grant with the email address of the account on the other side (nil once that account is
/// deleted).
public struct GrantListing: Sendable, Equatable {
    public let grant: Grant
    public let otherEmail: String?

    public init(grant: Grant, otherEmail: String?) {
        self.grant = grant
        self.otherEmail = otherEmail
    }
}

/// What the person's JSON export holds of their sharing: the grants they gave and hold, and
/// their whole trail. An import reads none of it back (a grant is given only by confirming).
public struct SharingExport: Sendable {
    public let given: [GrantListing]
    public let held: [GrantListing]
    public let trail: [AuditRecord]
    public let now: Int64

    public init(given: [GrantListing], held: [GrantListing], trail: [AuditRecord], now: Int64) {
        self.given = given
        self.held = held
        self.trail = trail
        self.now = now
    }
}
