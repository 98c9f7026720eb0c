import CrampJSON
public import CrampKnowledge

/// The journal as an HL7 FHIR R4 `Bundle` (type `collection`): one `Observation` per episode in the
/// manner of the HL7 Symptoms IG, day logs as Observations where LOINC has codes, and the person
/// as a minimal `Patient` (sex and birth year only). Every code below was checked against
/// published terminology; none is invented.
public enum FHIRExport {
    static let loinc = "http://loinc.org"
    static let snomed = "http://snomed.info/sct"
    static let ucum = "http://unitsofmeasure.org"

    /// SNOMED CT body sites: the calf and the knee have their own concepts; both thigh muscle
    /// groups are recorded on the thigh, with the muscle named in the text.
    static func bodySite(_ muscle: Muscle) -> (code: String, display: String, text: String) {
        switch muscle {
        case .calf: ("53840002", "Structure of calf of leg", "calf")
        case .quadriceps: ("68367000", "Thigh structure", "front of the thigh (quadriceps)")
        case .hamstrings: ("68367000", "Thigh structure", "back of the thigh (hamstrings)")
        case .unsure: ("72696002", "Knee region structure", "around the knee (muscle not named)")
        }
    }

    static func laterality(_ side: Side) -> (code: String, display: String) {
        switch side {
        case .left: ("7771000", "Left")
        case .right: ("24028007", "Right")
        case .both: ("51440002", "Right and left")
        }
    }

    public static func bundle(_ contents: JournalContents, knowledge: KnowledgeBase, generatedAt: LocalTimestamp) -> [UInt8] {
        var w = JSONWriter(capacity: 1 << 16)
        let patientID = "crampcare-person"
        w.beginObject()
        w.key("resourceType"); w.value("Bundle")
        w.key("id"); w.value(EntryID.named("bundle|\(generatedAt.instant)").description)
        w.key("type"); w.value("collection")
        w.key("timestamp"); w.value(generatedAt.description)
        w.key("entry"); w.beginArray()
        if let profile = contents.profile {
            entry(&w, url: "urn:uuid:\(EntryID.named("patient|\(patientID)"))") { w in
                w.key("resourceType"); w.value("Patient")
                w.key("id"); w.value(patientID)
                if let sex = profile.sex {
                    w.key("gender"); w.value(sex == .other ? "other" : sex.rawValue)
                }
                if let year = profile.birthYear { w.key("birthDate"); w.value(String(year)) }
            }
        }
        let subject = contents.profile == nil ? nil : "urn:uuid:\(EntryID.named("patient|\(patientID)"))"
        for episode in contents.episodes.sorted(by: { ($0.startedAt.instant, $0.id) < ($1.startedAt.instant, $1.id) }) {
            entry(&w, url: "urn:uuid:\(episode.id)") { w in episodeObservation(&w, episode, subject: subject, knowledge: knowledge) }
        }
        for day in contents.dayLogs.sorted(by: { $0.date < $1.date }) {
            if let fluids = day.fluidsML {
                dayObservation(&w, day: day, kind: "fluids", code: "9108-2", display: "Fluid intake total 24 hour", subject: subject) { w in
                    quantity(&w, value: Double(fluids), unit: "mL", code: "mL")
                }
            }
            if let steps = day.steps {
                dayObservation(&w, day: day, kind: "steps", code: "41950-7", display: "Number of steps in 24 hour Measured", subject: subject) { w in
                    quantity(&w, value: Double(steps), unit: "steps per day", code: "/d")
                }
            }
        }
        w.endArray()
        w.endObject()
        return w.bytes + [0x0A]
    }

    /// One cramp as an Observation: when, where, what it was, its side, severity and reliefs, and
    /// the person's notes.
    static func episodeObservation(_ w: inout JSONWriter, _ episode: Episode, subject: String?, knowledge: KnowledgeBase) {
        w.key("resourceType"); w.value("Observation")
        w.key("id"); w.value(episode.id.description)
        w.key("status"); w.value("final")
        category(&w, "survey", "Survey")
        codeable(&w, "code", system: loinc, code: "75325-1", display: "Symptom", text: "Symptom")
        if let subject { w.key("subject"); w.beginObject(); w.key("reference"); w.value(subject); w.endObject() }
        w.key("effectivePeriod"); w.beginObject()
        w.key("start"); w.value(episode.startedAt.description)
        let end = LocalTimestamp(
            instant: episode.startedAt.instant + Int64(episode.durationSeconds) * 1000,
            zoneOffsetSeconds: episode.startedAt.utcOffsetSeconds)
        w.key("end"); w.value(end.description)
        w.endObject()
        codeable(&w, "valueCodeableConcept", system: snomed, code: "55300003", display: "Cramp", text: "Muscle cramp")
        if let first = episode.muscles.first {
            let site = bodySite(first)
            let text = episode.muscles.map { bodySite($0).text }.joined(separator: ", ")
            codeable(&w, "bodySite", system: snomed, code: site.code, display: site.display, text: text)
        }
        episodeComponents(&w, episode)
        var notes: [String] = []
        if let onset = episode.onset { notes.append("Started while \(knowledge.onsetLabels[onset] ?? onset.rawValue).") }
        if !episode.findings.isEmpty {
            notes.append("Noticed: " + episode.findings.map { knowledge.findings[$0]?.label ?? $0.rawValue }.joined(separator: "; ") + ".")
        }
        if let note = episode.note { notes.append(note) }
        if !notes.isEmpty {
            w.key("note"); w.beginArray()
            for note in notes { w.beginObject(); w.key("text"); w.value(note); w.endObject() }
            w.endArray()
        }
    }

    /// The side, the severity and each relief tried, as the Observation's components.
    static func episodeComponents(_ w: inout JSONWriter, _ episode: Episode) {
        var components: [(inout JSONWriter) -> Void] = []
        if let side = episode.side {
            components.append { w in
                codeable(&w, "code", system: snomed, code: "272741003", display: "Laterality", text: "Side")
                let value = laterality(side)
                codeable(&w, "valueCodeableConcept", system: snomed, code: value.code, display: value.display, text: side.rawValue)
            }
        }
        if let severity = episode.severity {
            components.append { w in
                codeable(
                    &w, "code", system: loinc, code: "72514-3",
                    display: "Pain severity - 0-10 verbal numeric rating [Score] - Reported", text: "Severity (0-10)")
                w.key("valueInteger"); w.value(severity)
            }
        }
        for relief in episode.reliefs {
            components.append { w in
                codeable(&w, "code", system: loinc, code: "100753-3", display: "Alleviating factors", text: "What was tried")
                var text = "\(relief.technique.rawValue): \(relief.outcome.rawValue)"
                if let seconds = relief.secondsToEase { text += " (eased after \(seconds) s)" }
                w.key("valueString"); w.value(text)
            }
        }
        if !components.isEmpty {
            w.key("component"); w.beginArray()
            for component in components {
                w.beginObject()
                component(&w)
                w.endObject()
            }
            w.endArray()
        }
    }

    static func entry(_ w: inout JSONWriter, url: String, _ resource: (inout JSONWriter) -> Void) {
        w.beginObject()
        w.key("fullUrl"); w.value(url)
        w.key("resource"); w.beginObject()
        resource(&w)
        w.endObject()
        w.endObject()
    }

    static func codeable(_ w: inout JSONWriter, _ key: StaticString, system: String, code: String, display: String, text: String) {
        w.key(key); w.beginObject()
        w.key("coding"); w.beginArray()
        w.beginObject()
        w.key("system"); w.value(system)
        w.key("code"); w.value(code)
        w.key("display"); w.value(display)
        w.endObject()
        w.endArray()
        w.key("text"); w.value(text)
        w.endObject()
    }

    static func category(_ w: inout JSONWriter, _ code: String, _ display: String) {
        w.key("category"); w.beginArray()
        w.beginObject()
        w.key("coding"); w.beginArray()
        w.beginObject()
        w.key("system"); w.value("http://terminology.hl7.org/CodeSystem/observation-category")
        w.key("code"); w.value(code)
        w.key("display"); w.value(display)
        w.endObject()
        w.endArray()
        w.endObject()
        w.endArray()
    }

    static func quantity(_ w: inout JSONWriter, value: Double, unit: String, code: String) {
        w.key("valueQuantity"); w.beginObject()
        w.key("value"); w.value(value)
        w.key("unit"); w.value(unit)
        w.key("system"); w.value(ucum)
        w.key("code"); w.value(code)
        w.endObject()
    }

    static func dayObservation(
        _ w: inout JSONWriter, day: DayLog, kind: String, code: String, display: String, subject: String?,
        value: (inout JSONWriter) -> Void
    ) {
        let id = EntryID.named("day|\(day.date)|\(kind)").description
        entry(&w, url: "urn:uuid:\(id)") { w in
            w.key("resourceType"); w.value("Observation")
            w.key("id"); w.value(id)
            w.key("status"); w.value("final")
            category(&w, "activity", "Activity")
            codeable(&w, "code", system: loinc, code: code, display: display, text: display)
            if let subject { w.key("subject"); w.beginObject(); w.key("reference"); w.value(subject); w.endObject() }
            w.key("effectiveDateTime"); w.value(day.date.description)
            value(&w)
        }
    }
}
