public import CrampJournal
public import CrampKnowledge

/// Why a clinician should look at a person's diary first: the patient list's order and its
/// reasons, most pressing first. Computed from the diary alone; it never changes the person's
/// advice (that is the assessment's and the patterns' own).
public struct Need: Sendable {
    public enum Reason: Sendable, Equatable {
        /// A kept check in the last 14 days said urgent or emergency.
        case recentCheck(Triage, LocalDate)
        /// A "see a doctor" pattern in the diary (a rising rate is one of them).
        case pattern(DiaryPattern.Kind, title: String, level: Triage)
        /// Nothing logged for this many days.
        case quiet(days: Int, since: LocalDate)
    }

    /// How far back a check counts, as on the home page.
    public static let recentCheckDays = 14
    /// A diary with nothing logged for this long is said to be quiet.
    public static let quietDays = 28

    public let reasons: [Reason]

    /// Lower sorts first: an urgent or emergency check, then patterns (a rising rate among
    /// them) by level, then a quiet diary, then the rest.
    public var rank: Int {
        guard let first = reasons.first else { return 9 }
        switch first {
        case .recentCheck(let triage, _): return triage == .emergency ? 0 : 1
        case .pattern(let kind, _, let level): return level >= .urgent ? 2 : (kind == .risingRate ? 4 : 3)
        case .quiet: return 5
        }
    }

    /// Each reason in words, for the list.
    public var words: [String] {
        reasons.map { reason in
            switch reason {
            case .recentCheck(let triage, let date):
                "A check on \(date.weekdayName) \(date.words) said \(triage == .emergency ? "EMERGENCY" : "URGENT")"
            case .pattern(_, let title, _): title
            case .quiet(let days, let since): "Nothing logged for \(days) days (since \(since.words))"
            }
        }
    }

    public init(reasons: [Reason]) { self.reasons = reasons }

    /// The reasons for a diary as of `today`: kept checks of the last 14 days at urgent or
    /// emergency, the patterns the insights found, and a quiet spell of 28 days or more.
    public static func of(insights: Insights, assessments: [AssessmentRecord], lastLogged: LocalDate?, today: LocalDate) -> Need {
        var reasons: [Reason] = []
        let since = today.adding(days: -recentCheckDays)
        let raised = assessments.filter { $0.triage >= .urgent && $0.madeAt.localDate >= since && $0.madeAt.localDate <= today }
        if let worst = raised.max(by: { ($0.triage, $0.madeAt.instant) < ($1.triage, $1.madeAt.instant) }) {
            reasons.append(.recentCheck(worst.triage, worst.madeAt.localDate))
        }
        for found in insights.patterns.sorted(by: { $0.level > $1.level }) {
            reasons.append(.pattern(found.pattern.kind, title: found.pattern.title, level: found.level))
        }
        if let lastLogged, lastLogged.adding(days: quietDays) <= today {
            reasons.append(.quiet(days: today.daysSinceEpoch - lastLogged.daysSinceEpoch, since: lastLogged))
        }
        return Need(reasons: reasons)
    }
}
