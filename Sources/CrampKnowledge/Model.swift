// Over 400 lines on purpose: the knowledge base's item types, one after another, with no logic.
/// The knowledge base's items. Every item that advises carries sources (ids into `sources`) and the
/// date it was last reviewed.

public struct Source: Sendable {
    public let id: String
    public let title: String
    public let publisher: String
    public let url: String
    public let accessed: String
    /// The stored copies of the page that were read for the safety requirements: where, the date
    /// the copy itself shows, and when it was read.
    public let copies: [Copy]

    public struct Copy: Sendable {
        public let address: String
        public let dateShown: String
        public let read: String
    }
}

/// A code of the request contract with its wording for people.
public struct CodeInfo: Sendable {
    public let code: String
    public let label: String
    public let question: String?
    /// The question step it is asked in (findings only).
    public let step: String?
    public let isRedFlag: Bool
    /// Its wording as one answer of a choice step ("Yes, stretching eased it").
    public let answer: String?
    /// The heading it is listed under in a long checklist.
    public let section: String?
}

public struct QuestionStep: Sendable {
    /// How a step other than the red-flag screen is answered: one of its findings, or any.
    public enum Kind: String, Sendable {
        case choice, checklist
    }

    public let id: String
    /// For a red-flag step: the screening question; for another step: its title.
    public let text: String
    /// nil for a red-flag step (yes, no or not sure; then which).
    public let kind: Kind?
    /// In a checklist, findings of which at most one may be ticked ("eased by stretching" and
    /// "not eased by stretching" cannot both be true).
    public let oneOf: [Finding]

    public init(id: String, text: String, kind: Kind?, oneOf: [Finding] = []) {
        self.id = id
        self.text = text
        self.kind = kind
        self.oneOf = oneOf
    }
}

/// Shared, immutable: a class so that using one costs a single reference count.
public final class RedFlagRule: Sendable {
    /// Its position in the knowledge base's list: engines index by it.
    public let index: Int
    public let id: String
    public let level: Triage
    public let when: Predicate
    public let title: String
    public let reason: String
    public let advice: String
    public let alternative: AlternativeID?
    public let sources: [String]
    public let reviewed: String

    public init(
        index: Int, id: String, level: Triage, when: Predicate, title: String, reason: String, advice: String, alternative: AlternativeID?,
        sources: [String], reviewed: String
    ) {
        self.index = index
        self.id = id
        self.level = level
        self.when = when
        self.title = title
        self.reason = reason
        self.advice = advice
        self.alternative = alternative
        self.sources = sources
        self.reviewed = reviewed
    }
}

/// One piece of evidence for a factor or an alternative: when it holds, it adds its weight.
public struct WeightedEvidence: Sendable {
    public let when: Predicate
    public let weight: Double
}

/// Shared, immutable: a class so that using one costs a single reference count.
public final class Factor: Sendable {
    /// Its position in the knowledge base's list: engines index by it.
    public let index: Int
    public let id: String
    public let name: String
    public let summary: String
    public let mechanism: String
    public let ageing: String
    public let evidence: [WeightedEvidence]
    public let sources: [String]
    public let reviewed: String

    public init(
        index: Int, id: String, name: String, summary: String, mechanism: String, ageing: String, evidence: [WeightedEvidence], sources: [String],
        reviewed: String
    ) {
        self.index = index
        self.id = id
        self.name = name
        self.summary = summary
        self.mechanism = mechanism
        self.ageing = ageing
        self.evidence = evidence
        self.sources = sources
        self.reviewed = reviewed
    }
}

public enum AlternativeKind: String, Sendable {
    /// The complaint is not a cramp at all.
    case mimic
    /// A condition behind real cramps.
    case cause
}

/// Shared, immutable: a class so that using one costs a single reference count.
public final class Alternative: Sendable {
    /// Its position in the knowledge base's list: engines index by it.
    public let index: Int
    public let id: AlternativeID
    public let kind: AlternativeKind
    public let name: String
    public let summary: String
    public let tellsApart: String
    public let evidence: [WeightedEvidence]
    public let sources: [String]
    public let reviewed: String

    public init(
        index: Int, id: AlternativeID, kind: AlternativeKind, name: String, summary: String, tellsApart: String, evidence: [WeightedEvidence],
        sources: [String], reviewed: String
    ) {
        self.index = index
        self.id = id
        self.kind = kind
        self.name = name
        self.summary = summary
        self.tellsApart = tellsApart
        self.evidence = evidence
        self.sources = sources
        self.reviewed = reviewed
    }
}

public struct MuscleInfo: Sendable {
    public let muscle: Muscle
    public let name: String
    public let whereItIs: String
    public let whatItDoes: String
    public let sources: [String]
    public let reviewed: String
}

public struct CrampFeature: Sendable {
    public let finding: Finding
    public let label: String
    public let weight: Double
}

/// What a cramp is and how its picture is weighed against the mimics.
public struct CrampPicture: Sendable {
    public let whatIsACramp: String
    public let whatIsACrampSources: [String]
    public let kneeItself: String
    public let muscles: [MuscleInfo]
    public let features: [CrampFeature]
    public let shortEpisodeMaxMinutes: Double
    public let shortEpisodeWeight: Double
    public let shortEpisodeLabel: String
    public let likelyCrampThreshold: Double
    public let alternativeThreshold: Double
    public let factorThreshold: Double
    public let sources: [String]
}

/// A caution added to an item when its condition holds for the person.
public struct Adjustment: Sendable {
    public let when: Predicate
    public let caution: String
}

/// Shared, immutable: a class so that using one costs a single reference count.
public final class ReliefItem: Sendable {
    /// Its position in the knowledge base's list: engines index by it.
    public let index: Int
    public let id: String
    public let technique: ReliefTechnique
    /// The muscles it is for; empty means any.
    public let muscles: CodeSet<Muscle>
    public let title: String
    public let steps: [String]
    public let holdSeconds: Int?
    public let repeats: Int?
    /// The highest triage at which it is still offered (at urgent and emergency only what is safe
    /// while waiting for care).
    public let safeUpTo: Triage
    /// The lowest triage at which it is offered (help while waiting is only for urgent and up).
    public let onlyFrom: Triage?
    public let indications: Predicate?
    public let contraindications: [Predicate]
    public let adjustments: [Adjustment]
    public let drawing: [String]
    public let sources: [String]
    public let reviewed: String

    /// Whether the person's inputs rule this item out.
    public func isRuledOut(by facts: Facts) -> Bool {
        contraindications.contains { $0.holds(facts) }
    }

    public init(
        index: Int, id: String, technique: ReliefTechnique, muscles: CodeSet<Muscle>, title: String, steps: [String], holdSeconds: Int?,
        repeats: Int?, safeUpTo: Triage, onlyFrom: Triage?, indications: Predicate?, contraindications: [Predicate], adjustments: [Adjustment],
        drawing: [String], sources: [String], reviewed: String
    ) {
        self.index = index
        self.id = id
        self.technique = technique
        self.muscles = muscles
        self.title = title
        self.steps = steps
        self.holdSeconds = holdSeconds
        self.repeats = repeats
        self.safeUpTo = safeUpTo
        self.onlyFrom = onlyFrom
        self.indications = indications
        self.contraindications = contraindications
        self.adjustments = adjustments
        self.drawing = drawing
        self.sources = sources
        self.reviewed = reviewed
    }
}

public struct Caution: Sendable {
    public let id: String
    public let title: String
    public let text: String
    public let sources: [String]
    public let reviewed: String
}

public enum PreventionKind: String, Sendable {
    case habit, exercise
}

public struct GentlerVariant: Sendable {
    public let title: String
    public let steps: [String]
}

/// Shared, immutable: a class so that using one costs a single reference count.
public final class PreventionItem: Sendable {
    /// Its position in the knowledge base's list: engines index by it.
    public let index: Int
    public let id: String
    public let kind: PreventionKind
    public let title: String
    public let muscles: CodeSet<Muscle>
    /// The factor ids this item answers.
    public let answers: [String]
    public let why: String
    public let steps: [String]
    public let sets: String?
    public let progression: String?
    public let gentler: GentlerVariant?
    public let indications: Predicate?
    public let contraindications: [Predicate]
    public let adjustments: [Adjustment]
    public let sources: [String]
    public let reviewed: String
    /// When a personal plan reminds the person to do it; nil for what has no set time.
    public let reminder: PlanReminder?
    /// Part of every personal plan (the core routine); other items join a plan only for a factor
    /// found in that person.
    public let inEveryPlan: Bool

    public func isRuledOut(by facts: Facts) -> Bool {
        contraindications.contains { $0.holds(facts) }
    }

    public init(
        index: Int, id: String, kind: PreventionKind, title: String, muscles: CodeSet<Muscle>, answers: [String], why: String, steps: [String],
        sets: String?, progression: String?, gentler: GentlerVariant?, indications: Predicate?, contraindications: [Predicate],
        adjustments: [Adjustment], sources: [String], reviewed: String, reminder: PlanReminder? = nil, inEveryPlan: Bool = false
    ) {
        self.index = index
        self.id = id
        self.kind = kind
        self.reminder = reminder
        self.inEveryPlan = inEveryPlan
        self.title = title
        self.muscles = muscles
        self.answers = answers
        self.why = why
        self.steps = steps
        self.sets = sets
        self.progression = progression
        self.gentler = gentler
        self.indications = indications
        self.contraindications = contraindications
        self.adjustments = adjustments
        self.sources = sources
        self.reviewed = reviewed
    }
}

/// Shared, immutable: a class so that using one costs a single reference count.
public final class SafetyNetItem: Sendable {
    /// Its position in the knowledge base's list: engines index by it.
    public let index: Int
    /// An alternative's id or a red flag's id.
    public let id: String
    public let when: Predicate?
    public let unless: Predicate?
    public let priority: Int
    /// The highest triage it is shown at: a routine line is left out under an urgent banner.
    public let upTo: Triage
    public let advice: String
    public let sources: [String]
    public let reviewed: String

    public init(
        index: Int, id: String, when: Predicate?, unless: Predicate?, priority: Int, upTo: Triage = .emergency, advice: String, sources: [String],
        reviewed: String
    ) {
        self.index = index
        self.upTo = upTo
        self.id = id
        self.when = when
        self.unless = unless
        self.priority = priority
        self.advice = advice
        self.sources = sources
        self.reviewed = reviewed
    }
}

public struct Question: Sendable {
    public let id: String
    public let question: String
    public let keywords: [String]
    public let answer: String
    public let sources: [String]
    public let reviewed: String
}

public struct GlossaryEntry: Sendable {
    public let term: String
    public let forms: [String]
    public let plain: String
    public let reviewed: String
}

public struct EmergencyNumbers: Sendable {
    public let emergency: String
    public let urgent: String?
    public let note: String?
}

public struct ChangelogEntry: Sendable {
    public let version: String
    public let date: String
    public let changes: [String]
}

/// A pattern in a person's diary that means "see a doctor" (the insights look for these).
public struct DiaryPattern: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case risingRate = "rising_rate"
        case longEpisodes = "long_episodes"
        case weaknessOrNumbness = "weakness_or_numbness"
        case afterMedicationChange = "after_medication_change"
        case sleepMostWeeks = "sleep_most_weeks"
    }

    public let kind: Kind
    /// The red-flag rule for the same signs in one episode, if there is one.
    public let rule: String?
    public let level: Triage
    public let title: String
    public let explanation: String
    public let advice: String
    public let sources: [String]
    public let reviewed: String
}

/// A prevention item's place in the week: every day or on some weekdays, at a time of day that
/// the person's own reminder times fill in.
public struct PlanReminder: Sendable, Equatable {
    public enum Weekday: String, Sendable, CaseIterable {
        case mo, tu, we, th, fr, sa, su
    }

    public enum Moment: String, Sendable, CaseIterable {
        case morning, midday, evening, bedtime
    }

    /// Empty for every day.
    public let days: [Weekday]
    public let at: Moment
    public let minutes: Int

    public init(days: [Weekday], at: Moment, minutes: Int) {
        self.days = days
        self.at = at
        self.minutes = minutes
    }
}
