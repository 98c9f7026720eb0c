/// The closed code lists of the assessment contract (`assessment-request.schema.json`). The raw
/// values are the contract's codes; a bit set over a code list is a `CodeSet`.
public protocol CodeList: RawRepresentable, CaseIterable, Hashable, Sendable
where RawValue == String, AllCases == [Self] {
    static var table: CodeTable<Self> { get }
}

/// Lookups built once per code list: code text to case, and each code as a JSON string literal.
public struct CodeTable<Code: CodeList>: Sendable {
    public let all: [Code]
    let byText: [String: Code]
    /// Each code already quoted for JSON, by ordinal: results write codes without escaping them again.
    public let quoted: [[UInt8]]

    public init() {
        all = Code.allCases
        precondition(all.count <= 64, "a code list must fit in 64 bits")
        // The ordinal is read from the case's stored tag; make sure that holds for this list.
        precondition(MemoryLayout<Code>.size == 1, "a code list must be a plain enum")
        for (index, code) in all.enumerated() { precondition(code.ordinal == index, "case order must match the tag") }
        byText = Dictionary(uniqueKeysWithValues: all.map { ($0.rawValue, $0) })
        quoted = all.map { code in
            var bytes: [UInt8] = [0x22]
            bytes.append(contentsOf: code.rawValue.utf8)
            bytes.append(0x22)
            return bytes
        }
    }

    public func code(_ text: String) -> Code? { byText[text] }

    /// The code spelled exactly by these bytes, found without building a String: bulk imports
    /// look up several codes per row.
    public func code(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Code? {
        for index in quoted.indices where quoted[index].count == bytes.count + 2 {
            let matches = quoted[index].withUnsafeBufferPointer { spelled in
                for offset in 0..<bytes.count where spelled[offset + 1] != bytes[offset] { return false }
                return true
            }
            if matches { return all[index] }
        }
        return nil
    }
    public var accepted: String { all.map(\.rawValue).joined(separator: ", ") }
}

extension CodeList {
    /// The case's position in `allCases`: a plain enum stores exactly that as its one-byte tag.
    @inline(__always) public var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
    @inline(__always) public var bit: UInt64 { 1 << UInt64(ordinal) }
    public var code: String { rawValue }
}

/// A set of codes from one list as a 64-bit mask: membership tests cost one AND.
public struct CodeSet<Code: CodeList>: Sendable, Hashable, Sequence {
    public var bits: UInt64

    public init(bits: UInt64 = 0) { self.bits = bits }
    public init(_ codes: some Sequence<Code>) {
        bits = 0
        for code in codes { bits |= code.bit }
    }

    public var isEmpty: Bool { bits == 0 }
    public var count: Int { bits.nonzeroBitCount }
    public func contains(_ code: Code) -> Bool { bits & code.bit != 0 }
    public mutating func insert(_ code: Code) { bits |= code.bit }
    public func intersects(_ other: CodeSet) -> Bool { bits & other.bits != 0 }

    /// Members in the code list's order, so output never depends on input order.
    public func makeIterator() -> Iterator { Iterator(rest: bits) }

    public struct Iterator: IteratorProtocol {
        var rest: UInt64

        public mutating func next() -> Code? {
            guard rest != 0 else { return nil }
            let index = rest.trailingZeroBitCount
            rest &= rest - 1
            return Code.table.all[index]
        }
    }

    /// The ordinals of the members, lowest first.
    public var ordinals: Ordinals { Ordinals(rest: bits) }

    public struct Ordinals: Sequence, IteratorProtocol {
        var rest: UInt64

        public mutating func next() -> Int? {
            guard rest != 0 else { return nil }
            let index = rest.trailingZeroBitCount
            rest &= rest - 1
            return index
        }
    }
}

public enum Finding: String, CodeList {
    case suddenOnset = "sudden_onset", sharpPain = "sharp_pain", visibleKnot = "visible_knot", twitching
    case temporaryImmobility = "temporary_immobility", sorenessAfter = "soreness_after"
    case relievedByStretching = "relieved_by_stretching", notRelievedByStretching = "not_relieved_by_stretching"
    case numbness, tingling, numbnessSpreading = "numbness_spreading", shootingPainDownLeg = "shooting_pain_down_leg"
    case backPain = "back_pain", weakness, footDrop = "foot_drop", saddleNumbness = "saddle_numbness"
    case bladderBowelChange = "bladder_bowel_change", burningFeet = "burning_feet", calfSwelling = "calf_swelling"
    case wholeLegSwelling = "whole_leg_swelling", calfWarmthRedness = "calf_warmth_redness"
    case calfTenderness = "calf_tenderness", legColdPale = "leg_cold_pale"
    case painOnWalkingRelievedByRest = "pain_on_walking_relieved_by_rest"
    case relievedBySittingOrBendingForward = "relieved_by_sitting_or_bending_forward"
    case chestPain = "chest_pain", shortnessOfBreath = "shortness_of_breath", coughingBlood = "coughing_blood"
    case severeUnrelentingPain = "severe_unrelenting_pain", tenseSwollenMuscle = "tense_swollen_muscle"
    case darkUrine = "dark_urine", muscleWasting = "muscle_wasting", widespreadTwitching = "widespread_twitching"
    case diffuseMusclePain = "diffuse_muscle_pain", fever, dizziness, confusion, hotDrySkin = "hot_dry_skin"
    case jawStiffness = "jaw_stiffness", spasmsSpreading = "spasms_spreading", jointSwelling = "joint_swelling"
    case jointRedHot = "joint_red_hot", trauma, cannotBearWeight = "cannot_bear_weight", kneeLocking = "knee_locking"
    case persistentDullAche = "persistent_dull_ache", morningStiffness = "morning_stiffness"
    case swellingBehindKnee = "swelling_behind_knee", bruising, pointTenderness = "point_tenderness"
    case urgeToMoveLegs = "urge_to_move_legs", relievedByMovement = "relieved_by_movement"
    case sleepDisturbed = "sleep_disturbed", kneeLockedNow = "knee_locked_now"
    case suddenOneSidedWeakness = "sudden_one_sided_weakness"
    // Added by the project to the shared contract's list (it may accept more codes, never fewer).
    case lastingLegPain = "lasting_leg_pain", signInOneLeg = "sign_in_one_leg", collapse
    case woundPainOutOfProportion = "wound_pain_out_of_proportion", restPain = "rest_pain"
    case stillCramping = "still_cramping", nerveSymptomsBothLegs = "nerve_symptoms_both_legs"
    public static let table = CodeTable<Finding>()
}

public enum ContextCode: String, CodeList {
    case heavySweating = "heavy_sweating", hotWeather = "hot_weather", lowFluidIntake = "low_fluid_intake"
    case vomitingDiarrhea = "vomiting_diarrhea", alcohol, highCaffeine = "high_caffeine"
    case intenseExercise = "intense_exercise", newOrIncreasedExercise = "new_or_increased_exercise"
    case noWarmup = "no_warmup", uphillRunningOrJumping = "uphill_running_or_jumping"
    case prolongedStanding = "prolonged_standing", prolongedSitting = "prolonged_sitting"
    case recentLongTravel = "recent_long_travel", recentSurgery = "recent_surgery", immobilization
    case lowActivity = "low_activity", lowMineralDiet = "low_mineral_diet", tightHamstrings = "tight_hamstrings"
    case tightCalves = "tight_calves", weakQuadriceps = "weak_quadriceps", feetPointedInBed = "feet_pointed_in_bed"
    case newMedication = "new_medication", contaminatedWound = "contaminated_wound", smoking
    case recentWound = "recent_wound"
    public static let table = CodeTable<ContextCode>()
}

public enum Condition: String, CodeList {
    case diabetes, peripheralArteryDisease = "peripheral_artery_disease", sciatica, herniatedDisc = "herniated_disc"
    case spinalStenosis = "spinal_stenosis", peripheralNeuropathy = "peripheral_neuropathy"
    case kidneyDisease = "kidney_disease", dialysis, liverCirrhosis = "liver_cirrhosis", hypothyroidism
    case pregnancy, parkinsons, cancer, previousDVT = "previous_dvt", heartFailure = "heart_failure"
    case atrialFibrillation = "atrial_fibrillation", kneeOsteoarthritis = "knee_osteoarthritis"
    case tetanusNotUpToDate = "tetanus_not_up_to_date"
    case afterChildbirth = "after_childbirth", obesity, pastCancer = "past_cancer"
    case stomachUlcerOrBleed = "stomach_ulcer_or_bleed", heartDisease = "heart_disease"
    case previousStroke = "previous_stroke", asthma
    public static let table = CodeTable<Condition>()
}

public enum Medication: String, CodeList {
    case diuretic, statin, betaAgonist = "beta_agonist", calciumChannelBlocker = "calcium_channel_blocker"
    case antipsychotic, lithium, raloxifene, teriparatide, estrogen, naproxen, ivIron = "iv_iron", anticoagulant
    case potassiumSparingDiuretic = "potassium_sparing_diuretic", aceInhibitor = "ace_inhibitor"
    case angiotensinReceptorBlocker = "angiotensin_receptor_blocker", antiplatelet, ssri, steroid
    public static let table = CodeTable<Medication>()
}

public enum Muscle: String, CodeList {
    case quadriceps, hamstrings, calf, unsure
    public static let table = CodeTable<Muscle>()

    /// The order muscles are listed and numbered in wherever a person picks one (the commonest
    /// first): 1 is the calf in every command and on every page.
    public static let menuOrder: [Muscle] = [.calf, .hamstrings, .quadriceps, .unsure]
    /// The muscles a guided relief session has stretches for, in that order.
    public static let stretched: [Muscle] = menuOrder.filter { $0 != .unsure }
}

public enum Onset: String, CodeList {
    case rest, sleep, sitting, standing, walking, duringExercise = "during_exercise", afterExercise = "after_exercise"
    public static let table = CodeTable<Onset>()
}

public enum Side: String, CodeList {
    case left, right, both
    public static let table = CodeTable<Side>()
}

public enum Sex: String, CodeList {
    case female, male, other
    public static let table = CodeTable<Sex>()
}

/// The triage levels, ordered so that `max` gives the most urgent.
public enum Triage: String, CodeList, Comparable {
    case selfCare = "self_care", soon, urgent, emergency
    public static let table = CodeTable<Triage>()

    var rank: Int {
        switch self {
        case .selfCare: 0
        case .soon: 1
        case .urgent: 2
        case .emergency: 3
        }
    }

    public static func < (lhs: Triage, rhs: Triage) -> Bool { lhs.rank < rhs.rank }
}

/// The alternatives the result contract allows.
public enum AlternativeID: String, CodeList {
    case dvt, pulmonaryEmbolism = "pulmonary_embolism", compartmentSyndrome = "compartment_syndrome"
    case rhabdomyolysis, caudaEquina = "cauda_equina", acuteLimbIschemia = "acute_limb_ischemia"
    case heatIllness = "heat_illness", tetanus, septicArthritis = "septic_arthritis", injury
    case muscleStrain = "muscle_strain", arthritis, bakersCyst = "bakers_cyst", claudication
    case spinalStenosis = "spinal_stenosis", restlessLegs = "restless_legs"
    case peripheralNeuropathy = "peripheral_neuropathy", radiculopathy, myopathy
    case neuromuscularDisease = "neuromuscular_disease"
    public static let table = CodeTable<AlternativeID>()
}

public enum ReliefTechnique: String, CodeList {
    case stretch, massage, heat, fluids, walking, painkiller, rest, other
    public static let table = CodeTable<ReliefTechnique>()
}

/// The factor ids the result contract names; the knowledge base may add more.
public let requiredFactorIDs = [
    "dehydration_electrolytes", "fatigue_overuse", "muscle_imbalance", "nerve_irritation",
    "poor_circulation", "medication", "medical_condition", "aging",
]
