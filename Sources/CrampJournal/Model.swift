public import CrampKnowledge

/// One thing tried for an episode: did it help, and how long until the cramp eased.
public struct ReliefTried: Sendable, Hashable {
    /// What a person tried, in the journal's codes (the documented CSV format's list).
    public enum Technique: String, CodeList {
        case stretch, massage, heat, fluids, walking, painkiller, other
        public static let table = CodeTable<Technique>()

        /// What it is called on every page and in the terminal.
        public var label: String {
            switch self {
            case .stretch: "Stretching"
            case .massage: "Rubbing it"
            case .heat: "Warmth"
            case .fluids: "A drink"
            case .walking: "Walking about"
            case .painkiller: "A painkiller"
            case .other: "Something else"
            }
        }
    }

    public enum Outcome: String, CodeList {
        case helped, partly, no
        public static let table = CodeTable<Outcome>()
    }

    public var technique: Technique
    public var outcome: Outcome
    /// Seconds from starting it until the cramp eased; nil when not known.
    public var secondsToEase: Int?

    public init(technique: Technique, outcome: Outcome, secondsToEase: Int? = nil) {
        self.technique = technique
        self.outcome = outcome
        self.secondsToEase = secondsToEase
    }
}

/// How long a cramp lasted when the person chose a range rather than a time (the night log's
/// chips). The episode's `durationSeconds` is the range's upper bound, which the assessment reads;
/// the range itself is kept so the journal shows what the person said.
public enum DurationRange: String, CodeList {
    case underOneMinute = "under_1_min", oneToFiveMinutes = "1_to_5_min", fiveToTenMinutes = "5_to_10_min"
    public static let table = CodeTable<DurationRange>()

    /// The shortest duration the range covers: the range holds durations above it.
    public var fromSeconds: Int {
        switch self {
        case .underOneMinute: 0
        case .oneToFiveMinutes: 60
        case .fiveToTenMinutes: 300
        }
    }

    /// The longest: what the episode's duration is set to.
    public var upToSeconds: Int {
        switch self {
        case .underOneMinute: 60
        case .oneToFiveMinutes: 300
        case .fiveToTenMinutes: 600
        }
    }

    /// "1–5 min", as the journal reads it back.
    public var reading: String {
        switch self {
        case .underOneMinute: "under 1 min"
        case .oneToFiveMinutes: "1–5 min"
        case .fiveToTenMinutes: "5–10 min"
        }
    }

    /// A length of time as every page and the terminal show it: "45 s", "1 min 30 s", "2 h 5 min".
    public static func words(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds / 60) min \(seconds % 60) s" }
        let minutes = seconds % 3600 / 60
        return minutes == 0 ? "\(seconds / 3600) h" : "\(seconds / 3600) h \(minutes) min"
    }
}

extension Episode {
    /// How long it lasted as the person gave it: the range they chose, or the time.
    public var lasted: String { durationRange?.reading ?? DurationRange.words(durationSeconds) }
}

/// Whether the red-flag questions were answered for a logged cramp. A quick log saves the cramp
/// first and asks them next; a person who leaves before answering leaves it `notAnswered`, and
/// nothing reassuring is shown for it until they do.
public enum SafetyQuestions: String, CodeList {
    case answered, notAnswered = "not_answered"
    public static let table = CodeTable<SafetyQuestions>()
}

/// One cramp (or cramp-like episode).
public struct Episode: Sendable, Hashable {
    public var id: EntryID
    public var startedAt: LocalTimestamp
    public var durationSeconds: Int
    /// The range the person chose, when they chose one (`durationSeconds` is then its upper bound).
    public var durationRange: DurationRange?
    public var muscles: [Muscle]
    public var side: Side?
    /// 0 (no pain) to 10 (worst).
    public var severity: Int?
    /// What the person was doing when it started.
    public var onset: Onset?
    /// Signs during or after the episode, in the assessment's codes.
    public var findings: [Finding]
    public var reliefs: [ReliefTried]
    public var note: String?
    /// Nil for a cramp logged with its signs on one form (or imported without saying).
    public var safetyQuestions: SafetyQuestions?
    /// The carer who logged it through their grant; nil when the person did. Set when the
    /// episode is first written and kept by every later change.
    public var loggedBy: OwnerID?
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: EntryID, startedAt: LocalTimestamp, durationSeconds: Int, durationRange: DurationRange? = nil, muscles: [Muscle], side: Side? = nil,
        severity: Int? = nil, onset: Onset? = nil, findings: [Finding] = [], reliefs: [ReliefTried] = [],
        note: String? = nil, safetyQuestions: SafetyQuestions? = nil, loggedBy: OwnerID? = nil, createdAt: Int64, updatedAt: Int64
    ) {
        self.loggedBy = loggedBy
        self.id = id
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.durationRange = durationRange
        self.safetyQuestions = safetyQuestions
        self.muscles = muscles
        self.side = side
        self.severity = severity
        self.onset = onset
        self.findings = findings
        self.reliefs = reliefs
        self.note = note
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The id an episode gets when none is given: derived from who, when and where, so importing
    /// the same row again finds the same episode.
    public static func derivedID(owner: OwnerID, startedAt: LocalTimestamp, muscles: [Muscle]) -> EntryID {
        // "episode|OWNER|INSTANT|m1;m2", built as bytes: imports derive one id per row.
        var name: [UInt8] = []
        name.reserveCapacity(64)
        name.append(contentsOf: "episode|".utf8)
        name.append(contentsOf: owner.rawValue.utf8)
        name.append(UInt8(ascii: "|"))
        name.append(contentsOf: String(startedAt.instant).utf8)
        name.append(UInt8(ascii: "|"))
        var first = true
        for muscle in CodeSet(muscles) {
            if !first { name.append(UInt8(ascii: ";")) }
            name.append(contentsOf: muscle.rawValue.utf8)
            first = false
        }
        return EntryID.named(bytes: name)
    }
}

public enum ExerciseIntensity: String, CodeList {
    case light, moderate, hard
    public static let table = CodeTable<ExerciseIntensity>()
}

public enum MineralFood: String, CodeList {
    case potassium, magnesium, calcium
    public static let table = CodeTable<MineralFood>()
}

public enum MedicationChangeKind: String, CodeList {
    case start, stop, dose
    public static let table = CodeTable<MedicationChangeKind>()
}

/// A medicine started, stopped or changed in dose that day.
public struct MedicationChange: Sendable, Hashable {
    public var kind: MedicationChangeKind
    public var medication: Medication

    public init(kind: MedicationChangeKind, medication: Medication) {
        self.kind = kind
        self.medication = medication
    }
}

/// How one day went (one per person per date). Every measure is optional: nil is unknown.
public struct DayLog: Sendable, Hashable {
    public var date: LocalDate
    public var fluidsML: Int?
    public var electrolyteDrink: Bool?
    public var exerciseMinutes: Int?
    public var exerciseIntensity: ExerciseIntensity?
    public var steps: Int?
    public var sittingHours: Double?
    public var standingHours: Double?
    public var sleepHours: Double?
    public var hotWeather: Bool?
    public var alcoholUnits: Double?
    public var caffeineDrinks: Int?
    /// The mineral-rich foods eaten: empty is "none of them", nil is not logged.
    public var mineralFoods: [MineralFood]?
    public var medicationChanges: [MedicationChange]
    public var context: [ContextCode]
    public var updatedAt: Int64

    public init(
        date: LocalDate, fluidsML: Int? = nil, electrolyteDrink: Bool? = nil, exerciseMinutes: Int? = nil,
        exerciseIntensity: ExerciseIntensity? = nil, steps: Int? = nil, sittingHours: Double? = nil,
        standingHours: Double? = nil, sleepHours: Double? = nil, hotWeather: Bool? = nil, alcoholUnits: Double? = nil,
        caffeineDrinks: Int? = nil, mineralFoods: [MineralFood]? = nil, medicationChanges: [MedicationChange] = [],
        context: [ContextCode] = [], updatedAt: Int64
    ) {
        self.date = date
        self.fluidsML = fluidsML
        self.electrolyteDrink = electrolyteDrink
        self.exerciseMinutes = exerciseMinutes
        self.exerciseIntensity = exerciseIntensity
        self.steps = steps
        self.sittingHours = sittingHours
        self.standingHours = standingHours
        self.sleepHours = sleepHours
        self.hotWeather = hotWeather
        self.alcoholUnits = alcoholUnits
        self.caffeineDrinks = caffeineDrinks
        self.mineralFoods = mineralFoods
        self.medicationChanges = medicationChanges
        self.context = context
        self.updatedAt = updatedAt
    }
}

/// The person behind a journal.
public struct Profile: Sendable, Hashable {
    public var birthYear: Int?
    public var sex: Sex?
    public var conditions: [Condition]
    public var medications: [Medication]
    /// An IANA time zone name, such as `Europe/London`.
    public var timeZone: String?
    /// A region code for the emergency number, such as `GB`.
    public var region: String?
    public var reminderTimes: [LocalTime]
    /// The person's usual glass in mL, for logging drinks in glasses; nil is 250 mL.
    public var glassML: Int?
    public var updatedAt: Int64

    /// The glass a day's drinks are counted in.
    public var glass: Int { glassML ?? EverydayInput.defaultGlassML }

    public init(
        birthYear: Int? = nil, sex: Sex? = nil, conditions: [Condition] = [], medications: [Medication] = [],
        timeZone: String? = nil, region: String? = nil, reminderTimes: [LocalTime] = [], glassML: Int? = nil, updatedAt: Int64
    ) {
        self.glassML = glassML
        self.birthYear = birthYear
        self.sex = sex
        self.conditions = conditions
        self.medications = medications
        self.timeZone = timeZone
        self.region = region
        self.reminderTimes = reminderTimes
        self.updatedAt = updatedAt
    }
}

/// An assessment made and kept: its request and result as contract JSON, the knowledge version
/// that answered it and when, so a past result can be explained later.
public struct AssessmentRecord: Sendable, Hashable {
    public var id: EntryID
    public var madeAt: LocalTimestamp
    public var knowledgeVersion: String
    public var triage: Triage
    public var requestJSON: String
    public var resultJSON: String
    /// The episode it was made for, when it followed `crampcare log`.
    public var episodeID: EntryID?

    public init(
        id: EntryID, madeAt: LocalTimestamp, knowledgeVersion: String, triage: Triage, requestJSON: String,
        resultJSON: String, episodeID: EntryID? = nil
    ) {
        self.id = id
        self.madeAt = madeAt
        self.knowledgeVersion = knowledgeVersion
        self.triage = triage
        self.requestJSON = requestJSON
        self.resultJSON = resultJSON
        self.episodeID = episodeID
    }
}
