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

    /// The reasons for a diary's summary as of `today`: the latest urgent or emergency check if it
    /// is within the last 14 days, the patterns found (titles from the knowledge base), and a
    /// quiet spell of 28 days or more.
    public static func of(_ summary: NeedSummary, today: LocalDate, knowledge: KnowledgeBase) -> Need {
        var reasons: [Reason] = []
        let since = today.adding(days: -recentCheckDays)
        func recent(_ day: LocalDate?) -> LocalDate? { day.flatMap { $0 >= since && $0 <= today ? $0 : nil } }
        if let day = recent(summary.latestEmergency) {
            reasons.append(.recentCheck(.emergency, day))
        } else if let day = recent(summary.latestUrgent) {
            reasons.append(.recentCheck(.urgent, day))
        }
        for found in summary.patterns {
            guard let pattern = knowledge.diaryPatterns.first(where: { $0.kind == found.kind }) else { continue }
            reasons.append(.pattern(found.kind, title: pattern.title, level: found.level))
        }
        if let lastLogged = summary.lastLogged, lastLogged.adding(days: quietDays) <= today {
            reasons.append(.quiet(days: today.daysSinceEpoch - lastLogged.daysSinceEpoch, since: lastLogged))
        }
        return Need(reasons: reasons)
    }
}

extension NeedSummary {
    /// The summary of a diary as of the insights' day: the latest urgent and emergency checks up
    /// to that day, the last day logged, and the patterns found, most pressing first.
    public static func of(insights: Insights, assessments: [AssessmentRecord], lastLogged: LocalDate?, zone: String?) -> NeedSummary {
        let today = insights.today
        func latest(_ level: Triage) -> LocalDate? {
            assessments.filter { $0.triage == level && $0.madeAt.localDate <= today }.map(\.madeAt.localDate).max()
        }
        let patterns = insights.patterns.sorted { $0.level > $1.level }.map { Pattern(kind: $0.pattern.kind, level: $0.level) }
        return NeedSummary(latestEmergency: latest(.emergency), latestUrgent: latest(.urgent), lastLogged: lastLogged, patterns: patterns, zone: zone)
    }
}
