public import CrampJournal
public import CrampKnowledge

/// A "see a doctor" pattern found in the diary, with the evidence in words.
public struct PatternFound: Sendable {
    public let pattern: DiaryPattern
    /// For the clinician: counts with their intervals.
    public let evidence: String
    /// For the person: the same counts in words, with no statistics.
    public let plain: String
    /// The assessment's rule for what was logged, when that rule is more urgent than the pattern
    /// (a dropping foot logged with the cramps, pain that lasted hours): its level and advice win.
    public let escalation: RedFlagRule?

    /// The pattern's level, or its escalation's when higher: never below the assessment's own rule.
    public var level: Triage { max(pattern.level, escalation?.level ?? pattern.level) }
}

public enum Patterns {
    static let weaknessFindings: Set<Finding> = [.weakness, .numbness, .tingling, .numbnessSpreading, .footDrop]

    /// Whether the assessment's rule `id` holds for what one logged episode recorded (its signs,
    /// muscles and length): the rule's own predicate from the knowledge base decides, not a copy.
    static func rule(_ id: String, holdsFor episode: Episode, knowledge: KnowledgeBase) -> Bool {
        guard let rule = knowledge.rules.first(where: { $0.id == id }) else { return false }
        var facts = Facts(age: 0, durationMinutes: Double(episode.durationSeconds) / 60)
        facts.findings = CodeSet(episode.findings)
        facts.muscles = CodeSet(episode.muscles)
        return rule.when.holds(facts)
    }
    /// How far back a single logged sign still counts as recent.
    static let recentDays = 90

    /// The diary patterns that mean "see a doctor", checked with the same thresholds the
    /// assessment's rules use (10 minutes, weakness or numbness, sleep, a medicine change).
    public static func find(episodes: [Episode], trends: Trends, diary: Diary, knowledge: KnowledgeBase) -> [PatternFound] {
        var found: [PatternFound] = []
        func add(_ kind: DiaryPattern.Kind, _ evidence: String, plain: String? = nil, escalation: String? = nil) {
            guard let pattern = knowledge.diaryPatterns.first(where: { $0.kind == kind }) else { return }
            let rule = escalation.flatMap { id in knowledge.rules.first { $0.id == id } }
            found.append(PatternFound(pattern: pattern, evidence: evidence, plain: plain ?? evidence, escalation: rule))
        }
        func cramps(_ count: Int) -> String { "\(count) cramp\(count == 1 ? "" : "s")" }
        let words = Wording(glassML: EverydayInput.defaultGlassML)
        let recentStart = diary.last.daysSinceEpoch - recentDays + 1
        let recent = episodes.filter { Diary.day(of: $0).daysSinceEpoch >= recentStart }

        if let change = trends.recent, let ratio = change.ratio, ratio.lower > 1, change.episodes >= 4 {
            add(
                .risingRate,
                "\(change.episodes) episodes in the last 4 weeks against \(change.referenceEpisodes) in the 8 weeks before: "
                    + "\(Format.ratio(ratio.value)) times the rate (95% interval \(Format.ratio(ratio.lower)) to \(Format.ratio(ratio.upper)))",
                plain: "You logged \(cramps(change.episodes)) in the last 4 weeks, against \(change.referenceEpisodes) in the 8 weeks before.")
        }
        let long = recent.filter { $0.durationSeconds > 600 }
        if !long.isEmpty {
            let longest = long.map(\.durationSeconds).max()! / 60
            add(
                .longEpisodes,
                "\(long.count) episode\(long.count == 1 ? "" : "s") over 10 minutes in the last \(recentDays) days; the longest lasted \(longest) minutes",
                plain:
                    "You logged \(cramps(long.count)) over 10 minutes in the last 3 months; the longest lasted "
                    + "\(words.duration(Double(long.map(\.durationSeconds).max()!)))).",
                // A cramp lasts minutes: pain that lasts an hour or more is the assessment's
                // lasting-leg-pain rule (a possible clot), seen today.
                escalation: long.contains { $0.durationSeconds >= 3600 } ? "lasting_leg_pain" : nil
            )
        }
        let nerve = recent.filter { !weaknessFindings.isDisjoint(with: $0.findings) }
        if !nerve.isEmpty {
            let signs = Set(nerve.flatMap { $0.findings.filter(weaknessFindings.contains) }).map { knowledge.findings[$0]?.label ?? $0.rawValue }
                .sorted()
            add(
                .weaknessOrNumbness,
                "Logged with \(nerve.count) episode\(nerve.count == 1 ? "" : "s") in the last \(recentDays) days: \(signs.joined(separator: ", "))",
                plain: "You logged \(words.list(signs.map { $0.lowercased() }, joiner: "and")) with \(cramps(nerve.count)) in the last 3 months.",
                // New weakness, a dropping foot or spreading numbness is the assessment's
                // nerve-loss rule: seen today, not in the next weeks.
                escalation: nerve.contains(where: { rule("nerve_loss", holdsFor: $0, knowledge: knowledge) }) ? "nerve_loss" : nil)
        }
        if let change = trends.medicationChange, let ratio = change.ratio, ratio.lower > 1, let date = trends.medicationChangeDate {
            add(
                .afterMedicationChange,
                "\(change.episodes) episodes in \(change.days) days since the change on \(date) against \(change.referenceEpisodes) in \(change.referenceDays) days before: "
                    + "\(Format.ratio(ratio.value)) times the rate (95% interval \(Format.ratio(ratio.lower)) to \(Format.ratio(ratio.upper)))",
                plain:
                    "You logged \(cramps(change.episodes)) in the \(change.days) days since the change on \(date.words), "
                    + "against \(change.referenceEpisodes) in the \(change.referenceDays) days before it.")
        }
        // Sleep: in at least 3 of the last 4 whole weeks, an episode at night or one that woke them.
        let weeks = trends.weeklyCounts.suffix(4)
        if weeks.count == 4 {
            let nightWeeks = weeks.filter { week in
                let start = week.start.daysSinceEpoch
                return episodes.contains { episode in
                    let day = Diary.day(of: episode).daysSinceEpoch
                    return day >= start && day < start + 7 && (Trends.isNight(episode) || episode.findings.contains(.sleepDisturbed))
                }
            }.count
            if nightWeeks >= 3 {
                add(
                    .sleepMostWeeks, "Cramps at night or waking you in \(nightWeeks) of the last 4 weeks",
                    plain: "You logged cramps at night, or cramps that woke you, in \(nightWeeks) of the last 4 weeks.")
            }
        }
        return found
    }
}

/// Numbers as the insights print them: no NaN or infinity ever reaches a person.
public enum Format {
    /// 4000 as "4,000".
    public static func thousands(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    public static func ratio(_ value: Double) -> String {
        guard value.isFinite else { return value > 0 ? "more than 100" : "—" }
        if value >= 100 { return "more than 100" }
        return decimal(value, places: value < 10 ? 2 : 1)
    }

    /// `2.50 (1.10–5.70)`: a ratio and its interval.
    public static func ratioInterval(_ estimate: Estimate) -> String {
        "\(ratio(estimate.value)) (\(ratio(estimate.lower))–\(ratio(estimate.upper)))"
    }

    /// `63% (41%–81%)`: a share and its interval.
    public static func percentInterval(_ estimate: Estimate) -> String {
        "\(percent(estimate.value)) (\(percent(estimate.lower))–\(percent(estimate.upper)))"
    }

    public static func percent(_ share: Double?) -> String {
        guard let share, share.isFinite else { return "—" }
        return "\(Int((share * 100).rounded()))%"
    }

    public static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "—" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < places { text += String(repeating: "0", count: places - decimals) }
            if places == 0 { text = String(text[..<dot]) }
        }
        return text
    }

    public static func pValue(_ p: Double?) -> String {
        guard let p, p.isFinite else { return "—" }
        if p < 0.001 { return "< 0.001" }
        return decimal(p, places: p < 0.01 ? 3 : 2)
    }

    public static func minutes(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        if seconds < 90 { return "\(Int(seconds.rounded())) s" }
        return "\(decimal(seconds / 60, places: 1)) min"
    }
}
