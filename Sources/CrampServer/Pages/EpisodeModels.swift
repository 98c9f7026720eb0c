// The page models of the journal's cramp pages (EpisodePages.swift).

/// The journal's list of cramps, with its filters.
struct JournalPage: Sendable {
    struct Row: Sendable {
        /// "logged by Jane Smith" when a carer logged it.
        let loggedBy: String?
        let id: String
        let when: String
        let muscles: String
        let side: String
        let duration: String
        let unanswered: Bool
        let sided: Bool
        /// The details the list shows that the cramp has, in `EpisodeDetail.all`'s order.
        let listed: [String]
    }

    let errors: [FieldError]
    let filter: CrampFilterForm
    let episodes: [Row]
    /// Cramps a carer logged in the last 14 days.
    let carerLogs: [CarerLog]
    let caption: String
    /// The checks kept in the journal, newest first (on the first page, unfiltered).
    let checks: [CheckRow]
    let checkCount: Int
    /// A kept check of the last 14 days was urgent or an emergency: the list is open.
    let recentUrgent: Bool
    let raised: [String]
    /// Only when older cramps exist.
    let next: String?

    struct CheckRow: Sendable {
        let id: String
        let when: String
        let triage: String
        let said: String
        let redFlags: String?
    }
}

/// One kept check, as it was made.
struct CheckPage: Sendable {
    let when: String
    let triage: String
    let said: String
    let redFlags: [EpisodePage.RedFlag]
    /// The cramp it was made for, when it followed a log.
    let episode: String?
}

/// Logging or editing a cramp.
struct EpisodeFormPage: Sendable {
    struct Detail: Sendable {
        let key: String
        let question: String
        let min: Int
        let max: Int
        let value: String
    }

    struct Technique: Sendable {
        let code: String
        let label: String
        let outcomes: [Option]
    }

    let heading: String
    let action: String
    let errors: [FieldError]
    let muscles: [Choice]
    let startedAt: String
    let durationValue: String
    let durationUnits: [Option]
    let details: [Detail]
    let sides: [Choice]
    let onsets: [Choice]
    let findings: [Choice]
    let techniques: [Technique]
    let note: String
}

/// One cramp, with the check its log made when there is one.
struct EpisodePage: Sendable {
    struct Reading: Sendable {
        let heading: String
        let reading: String
    }

    struct Facts: Sendable {
        let id: String
        let when: String
        let muscles: String
        let side: String
        let duration: String
        let details: [Reading]
        let onset: String
        let findings: String
        let reliefs: String
        let note: String
    }

    struct RedFlag: Sendable {
        let title: String
        let advice: String
    }

    struct Check: Sendable {
        let triage: String
        let bannerTitle: String
        let bannerAction: String
        let ageUnknown: Bool
        let redFlags: [RedFlag]
    }

    let episode: Facts
    let notice: String?
    let result: Check?
    /// The check could not be kept: shown anyway, with a warning (H21).
    let notKept: Bool
    /// The red-flag questions were not answered.
    let unanswered: Bool
    /// Links start here: "" in the person's own diary, /patients/{patient} in a carer's view.
    var base = ""
    /// The person's own diary: editing and deleting are offered.
    var own = true
    /// A carer's view, of a cramp they may still change.
    var editable = false
    var back = "/journal"
    var whose: String?
    /// "Logged by Jane Smith (carer)" when a carer logged it.
    var loggedBy: String?

    init(
        episode: Facts, notice: String?, result: Check?, notKept: Bool, unanswered: Bool, diary: DiaryInView? = nil, loggedBy: String? = nil,
        editable: Bool = false
    ) {
        self.episode = episode
        self.notice = notice
        self.result = result
        self.notKept = notKept
        self.unanswered = unanswered
        self.loggedBy = loggedBy
        if let diary, !diary.own {
            base = diary.base
            own = false
            back = diary.base
            whose = diary.whose
            self.editable = editable
        }
    }
}

/// A cramp a carer logged for the person, on their home page and journal: a warning when its
/// check meant care today or an emergency.
struct CarerLog: Sendable {
    let href: String
    let label: String
    let urgent: Bool
}
