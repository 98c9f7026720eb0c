public import CrampKnowledge

/// What the patient list needs of one diary, kept on write so the list is one query: the dates
/// behind the time-bound reasons (a recent urgent or emergency check, a quiet diary), so they are
/// judged against the day the list is read, and the see-a-doctor patterns the insights found
/// when the diary last changed (or the daily refresh ran). No other health data.
public struct NeedSummary: Sendable, Equatable {
    public struct Pattern: Sendable, Equatable {
        public var kind: DiaryPattern.Kind
        public var level: Triage
        public init(kind: DiaryPattern.Kind, level: Triage) {
            self.kind = kind
            self.level = level
        }
    }

    /// The latest kept check that said emergency, and the latest that said urgent (days in the
    /// person's zone, none after the day the summary was made).
    public var latestEmergency: LocalDate?
    public var latestUrgent: LocalDate?
    /// The last day anything was logged (a cramp or a day log).
    public var lastLogged: LocalDate?
    /// The patterns found, most pressing first.
    public var patterns: [Pattern]
    /// The person's zone when it was made, for "today" when the list is read.
    public var zone: String?

    public init(latestEmergency: LocalDate?, latestUrgent: LocalDate?, lastLogged: LocalDate?, patterns: [Pattern], zone: String?) {
        self.latestEmergency = latestEmergency
        self.latestUrgent = latestUrgent
        self.lastLogged = lastLogged
        self.patterns = patterns
        self.zone = zone
    }

    /// The patterns as stored: `kind:level` joined by commas (codes only, never free text).
    public var patternCodes: String {
        patterns.map { "\($0.kind.rawValue):\($0.level.rawValue)" }.joined(separator: ",")
    }

    /// Reads `patternCodes` back; a code this build does not know is left out.
    public static func patterns(codes: String) -> [Pattern] {
        codes.split(separator: ",").compactMap { code in
            let parts = code.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let kind = DiaryPattern.Kind(rawValue: String(parts[0])),
                let level = Triage(rawValue: String(parts[1]))
            else { return nil }
            return Pattern(kind: kind, level: level)
        }
    }
}
