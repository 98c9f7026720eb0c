// Over 400 lines on purpose: the JSON backup is one documented format (docs/journal-formats.md),
// its writer and its checking reader side by side, so a member changes in one file.
public import CrampJSON
import CrampKnowledge

/// The full JSON backup: every record of one owner, in a stable order and field order, so the
/// same journal always writes the same file.
public enum JournalBackup {
    public static let format = "crampcare-journal-backup"
    /// Version 2 tells "no mineral-rich food" (`[]`) from not logged (left out); version 1,
    /// still read, wrote `[]` for both, so its empty lists are read as not logged.
    public static let version = 2
    public static let readableVersions = [1, 2]

    /// The backup; a hosted account's also holds its sharing (`sharing`), which no import reads.
    public static func encode(_ contents: JournalContents, sharing: SharingExport? = nil) -> [UInt8] {
        var w = JSONWriter(capacity: 1 << 16)
        w.beginObject()
        w.key("format"); w.value(format)
        w.key("version"); w.value(version)
        w.key("profile")
        if let profile = contents.profile {
            writeProfile(profile, to: &w)
        } else {
            w.null()
        }
        w.key("episodes"); w.beginArray()
        for episode in contents.episodes.sorted(by: { ($0.startedAt.instant, $0.id) < ($1.startedAt.instant, $1.id) }) {
            writeEpisode(episode, to: &w)
        }
        w.endArray()
        w.key("dayLogs"); w.beginArray()
        for day in contents.dayLogs.sorted(by: { $0.date < $1.date }) {
            writeDay(day, to: &w)
        }
        w.endArray()
        w.key("assessments"); w.beginArray()
        for record in contents.assessments.sorted(by: { ($0.madeAt.instant, $0.id) < ($1.madeAt.instant, $1.id) }) {
            w.beginObject()
            w.key("id"); w.value(record.id.description)
            w.key("madeAt"); w.value(record.madeAt.description)
            w.key("knowledgeVersion"); w.value(record.knowledgeVersion)
            w.key("triage"); w.value(record.triage.rawValue)
            if let episode = record.episodeID { w.key("episodeId"); w.value(episode.description) }
            // The request and result are kept as the JSON documents they were.
            w.key("request"); w.raw(Array(record.requestJSON.utf8))
            w.key("result"); w.raw(Array(record.resultJSON.utf8))
            w.endObject()
        }
        w.endArray()
        if let sharing {
            w.key("sharing"); SharingJSON.write(sharing, to: &w)
        }
        w.endObject()
        return w.bytes + [0x0A]
    }

    static func writeProfile(_ profile: Profile, to w: inout JSONWriter) {
        w.beginObject()
        if let year = profile.birthYear { w.key("birthYear"); w.value(year) }
        if let sex = profile.sex { w.key("sex"); w.value(sex.rawValue) }
        w.key("conditions"); w.stringArray(profile.conditions.map(\.rawValue))
        w.key("medications"); w.stringArray(profile.medications.map(\.rawValue))
        if let zone = profile.timeZone { w.key("timeZone"); w.value(zone) }
        if let region = profile.region { w.key("region"); w.value(region) }
        w.key("reminderTimes"); w.stringArray(profile.reminderTimes.map(\.description))
        if let glass = profile.glassML { w.key("glassML"); w.value(glass) }
        w.key("updatedAt"); w.value(Int(profile.updatedAt))
        w.endObject()
    }

    static func writeDay(_ day: DayLog, to w: inout JSONWriter) {
        w.beginObject()
        w.key("date"); w.value(day.date.description)
        if let v = day.fluidsML { w.key("fluidsML"); w.value(v) }
        if let v = day.electrolyteDrink { w.key("electrolyteDrink"); w.value(v) }
        if let v = day.exerciseMinutes { w.key("exerciseMinutes"); w.value(v) }
        if let v = day.exerciseIntensity { w.key("exerciseIntensity"); w.value(v.rawValue) }
        if let v = day.steps { w.key("steps"); w.value(v) }
        if let v = day.sittingHours { w.key("sittingHours"); w.value(v) }
        if let v = day.standingHours { w.key("standingHours"); w.value(v) }
        if let v = day.sleepHours { w.key("sleepHours"); w.value(v) }
        if let v = day.hotWeather { w.key("hotWeather"); w.value(v) }
        if let v = day.alcoholUnits { w.key("alcoholUnits"); w.value(v) }
        if let v = day.caffeineDrinks { w.key("caffeineDrinks"); w.value(v) }
        // Left out when not logged; an empty list is "none of them" (version 2).
        if let foods = day.mineralFoods { w.key("mineralFoods"); w.stringArray(foods.map(\.rawValue)) }
        w.key("medicationChanges"); w.stringArray(day.medicationChanges.map { "\($0.kind.rawValue):\($0.medication.rawValue)" })
        w.key("context"); w.stringArray(day.context.map(\.rawValue))
        w.key("updatedAt"); w.value(Int(day.updatedAt))
        w.endObject()
    }

    /// One day log as JSON, in the backup's form.
    public static func dayJSON(_ day: DayLog) -> [UInt8] {
        var w = JSONWriter()
        writeDay(day, to: &w)
        return w.bytes
    }

    /// The profile as JSON, in the backup's form.
    public static func profileJSON(_ profile: Profile) -> [UInt8] {
        var w = JSONWriter()
        writeProfile(profile, to: &w)
        return w.bytes
    }

    /// The parsed bytes, or the parser's complaint as a journal error.
    static func parsed(_ bytes: [UInt8]) throws(JournalError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw JournalError(field: "", problem: error.description)
        }
    }

    /// A JSON object whose members must all be in `known`, naming any other.
    static func object(_ value: JSONValue, kind: String, known: Set<String>) throws(JournalError) -> [(key: String, value: JSONValue)] {
        guard case .object(let members) = value else { throw JournalError(field: "", problem: "\(kind) is a JSON object, found \(value.typeName)") }
        try Self.known(members, known, kind: kind, path: "")
        return members
    }

    /// One day log from JSON in the backup's form; `updatedAt` may be left out (it is then now).
    public static func day(fromJSON bytes: [UInt8], now: Int64) throws(JournalError) -> DayLog {
        try day(fromJSON: parsed(bytes), now: now)
    }

    /// The same from a parsed document (a server that has parsed the body once already).
    public static func day(fromJSON value: JSONValue, now: Int64) throws(JournalError) -> DayLog {
        var members = try object(value, kind: "a day log", known: dayMembers)
        if value["updatedAt"] == nil { members.append(("updatedAt", .number(Double(now), isInteger: true))) }
        return try decodeDay(Reader(value: .object(members), path: ""))
    }

    /// The profile from JSON in the backup's form; `updatedAt` may be left out (it is then now).
    public static func profile(fromJSON bytes: [UInt8], currentYear: Int, now: Int64) throws(JournalError) -> Profile {
        try profile(fromJSON: parsed(bytes), currentYear: currentYear, now: now)
    }

    /// The same from a parsed document.
    public static func profile(fromJSON value: JSONValue, currentYear: Int, now: Int64) throws(JournalError) -> Profile {
        var members = try object(value, kind: "a profile", known: profileMembers)
        if value["updatedAt"] == nil { members.append(("updatedAt", .number(Double(now), isInteger: true))) }
        let profile = try decodeProfile(Reader(value: .object(members), path: ""))
        try profile.validate(currentYear: currentYear)
        return profile
    }

    static func writeEpisode(_ episode: Episode, to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.value(episode.id.description)
        w.key("startedAt"); w.value(episode.startedAt.description)
        w.key("durationSeconds"); w.value(episode.durationSeconds)
        if let range = episode.durationRange { w.key("durationRange"); w.value(range.rawValue) }
        w.key("muscles"); w.stringArray(episode.muscles.map(\.rawValue))
        if let side = episode.side { w.key("side"); w.value(side.rawValue) }
        for detail in EpisodeDetail.all {
            if let value = detail.value(in: episode) { w.key(text: detail.field.jsonKey); w.value(value) }
        }
        if let onset = episode.onset { w.key("onset"); w.value(onset.rawValue) }
        w.key("findings"); w.stringArray(episode.findings.map(\.rawValue))
        w.key("reliefs"); w.beginArray()
        for relief in episode.reliefs {
            w.beginObject()
            w.key("technique"); w.value(relief.technique.rawValue)
            w.key("outcome"); w.value(relief.outcome.rawValue)
            if let seconds = relief.secondsToEase { w.key("secondsToEase"); w.value(seconds) }
            w.endObject()
        }
        w.endArray()
        if let note = episode.note { w.key("note"); w.value(note) }
        if let said = episode.safetyQuestions { w.key("safetyQuestions"); w.value(said.rawValue) }
        if let carer = episode.loggedBy { w.key("loggedBy"); w.value(carer.rawValue) }
        w.key("createdAt"); w.value(Int(episode.createdAt))
        w.key("updatedAt"); w.value(Int(episode.updatedAt))
        w.endObject()
    }

    /// One episode as JSON, in the backup's form.
    public static func episodeJSON(_ episode: Episode) -> [UInt8] {
        var w = JSONWriter()
        writeEpisode(episode, to: &w)
        return w.bytes
    }

    /// One episode from JSON in the backup's form. `id`, `createdAt` and `updatedAt` may be left
    /// out: the id is then random and the times are now.
    public static func episode(fromJSON bytes: [UInt8], now: Int64) throws(JournalError) -> Episode {
        try episode(fromJSON: parsed(bytes), now: now)
    }

    /// The same from a parsed document.
    public static func episode(fromJSON value: JSONValue, now: Int64) throws(JournalError) -> Episode {
        var members = try object(value, kind: "an episode", known: episodeMembers)
        if value["id"] == nil { members.append(("id", .string(EntryID.random().description))) }
        if value["createdAt"] == nil { members.append(("createdAt", .number(Double(now), isInteger: true))) }
        if value["updatedAt"] == nil { members.append(("updatedAt", .number(Double(now), isInteger: true))) }
        return try decodeEpisode(Reader(value: .object(members), path: ""), index: 0)
    }

    /// The largest backup read. Records are decoded one at a time as the file is parsed, so the
    /// peak memory is about the file and its decoded records (about three times the file).
    public static let maxBytes = 128 << 20

    /// `sharing` is accepted and left unread: grants and the trail are never imported.
    static let documentMembers: Set<String> = ["format", "version", "profile", "episodes", "dayLogs", "assessments", "sharing"]
    static let profileMembers: Set<String> = [
        "birthYear", "sex", "conditions", "medications", "timeZone", "region", "reminderTimes", "glassML", "updatedAt",
    ]
    static let dayMembers: Set<String> = [
        "date", "fluidsML", "electrolyteDrink", "exerciseMinutes", "exerciseIntensity", "steps", "sittingHours",
        "standingHours", "sleepHours", "hotWeather", "alcoholUnits", "caffeineDrinks", "mineralFoods",
        "medicationChanges", "context", "updatedAt",
    ]
    static let episodeMembers = Set(
        [
            "id", "startedAt", "durationSeconds", "durationRange", "muscles", "side", "onset", "findings", "reliefs", "note", "safetyQuestions",
            "loggedBy",
            "createdAt", "updatedAt",
        ]
            + EpisodeDetail.all.map(\.field.jsonKey))
    static let reliefMembers: Set<String> = ["technique", "outcome", "secondsToEase"]
    static let assessmentMembers: Set<String> = ["id", "madeAt", "knowledgeVersion", "triage", "episodeId", "request", "result"]

    /// Reads a backup, checking every record as typed input is checked: unknown members, a
    /// profile out of range and a record repeated within the file are refused, naming the field
    /// and the line.
    public static func decode(_ bytes: [UInt8], currentYear: Int) throws(JournalError) -> JournalContents {
        guard bytes.count <= maxBytes else {
            throw JournalError(field: "", problem: "the backup is \(bytes.count >> 20) MiB; accepted: at most \(maxBytes >> 20) MiB")
        }
        var contents = JournalContents()
        var failure: JournalError?
        var episodeLines: [EntryID: Int] = [:]
        var dayLines: [LocalDate: Int] = [:]
        var assessmentLines: [EntryID: Int] = [:]
        let parsed: JSONValue?
        do {
            parsed = try JSONParser.parseObject(bytes, streaming: ["episodes", "dayLogs", "assessments"]) { key, index, line, value in
                let reader = Reader(value: value, path: "\(key)[\(index)]")
                do throws(JournalError) {
                    switch key {
                    case "episodes":
                        let episode = try decodeEpisode(reader, index: index)
                        if let earlier = episodeLines.updateValue(line, forKey: episode.id) {
                            throw JournalError(
                                field: "\(reader.path).id", problem: "the episode \(episode.id) is also on line \(earlier); each id once")
                        }
                        contents.episodes.append(episode)
                    case "dayLogs":
                        let day = try decodeDay(reader)
                        if let earlier = dayLines.updateValue(line, forKey: day.date) {
                            throw JournalError(field: "\(reader.path).date", problem: "\(day.date) is also on line \(earlier); one day log a day")
                        }
                        contents.dayLogs.append(day)
                    default:
                        let record = try decodeAssessment(reader)
                        if let earlier = assessmentLines.updateValue(line, forKey: record.id) {
                            throw JournalError(
                                field: "\(reader.path).id", problem: "the assessment \(record.id) is also on line \(earlier); each id once")
                        }
                        contents.assessments.append(record)
                    }
                    return true
                } catch {
                    failure = JournalError(field: error.field, problem: error.problem, location: "line \(line)")
                    return false
                }
            }
        } catch {
            throw JournalError(field: "", problem: error.description)
        }
        if let failure { throw failure }
        guard let document = parsed, case .object(let members) = document else {
            throw JournalError(field: "", problem: "a backup is a JSON object with \"format\": \"\(format)\"")
        }
        guard document["format"]?.stringValue == format else {
            throw JournalError(field: "format", problem: "not a CrampCare journal backup; expected \"format\": \"\(format)\"")
        }
        guard case .number(let number, _)? = document["version"], let read = readableVersions.first(where: { Double($0) == number }) else {
            throw JournalError(
                field: "version", problem: "unsupported backup version; accepted: \(readableVersions.map(String.init).joined(separator: ", "))")
        }
        if read == 1 {
            for index in contents.dayLogs.indices where contents.dayLogs[index].mineralFoods == [] { contents.dayLogs[index].mineralFoods = nil }
        }
        try known(members, documentMembers, kind: "a backup", path: "")
        for key in ["episodes", "dayLogs", "assessments"] {
            if let value = document[key], case .array = value {
            } else if let value = document[key], value != .null {
                throw JournalError(field: key, problem: "expected an array, found \(value.typeName)")
            }
        }
        if let profile = document["profile"], profile != .null {
            let reader = Reader(value: profile, path: "profile")
            let decoded = try decodeProfile(reader)
            do throws(JournalError) {
                try decoded.validate(currentYear: currentYear)
            } catch {
                throw JournalError(field: "profile.\(error.field)", problem: error.problem)
            }
            contents.profile = decoded
        }
        return contents
    }

    /// Refuses a member that is not a field of `kind`, as typed input is refused.
    static func known(_ members: [(key: String, value: JSONValue)], _ accepted: Set<String>, kind: String, path: String) throws(JournalError) {
        for member in members where !accepted.contains(member.key) {
            let name = ShownText.member(member.key)
            throw JournalError(
                field: path.isEmpty ? name : "\(path).\(name)",
                problem: "not a field of \(kind); accepted: \(accepted.sorted().joined(separator: ", "))")
        }
    }

    /// Walks a JSON value, naming the path in every error.
    struct Reader {
        let value: JSONValue
        let path: String

        func fail(_ problem: String) -> JournalError { JournalError(field: path, problem: problem) }

        /// An object whose members are all in `accepted`.
        func record(_ accepted: Set<String>, kind: String) throws(JournalError) {
            guard case .object(let members) = value else { throw fail("\(kind) is a JSON object, found \(value.typeName)") }
            try JournalBackup.known(members, accepted, kind: kind, path: path)
        }

        func optional(_ key: String) -> Reader? {
            guard let found = value[key], found != .null else { return nil }
            return Reader(value: found, path: path.isEmpty ? key : "\(path).\(key)")
        }

        func field(_ key: String) throws(JournalError) -> Reader {
            guard let found = optional(key) else { throw JournalError(field: path.isEmpty ? key : "\(path).\(key)", problem: "missing") }
            return found
        }

        func array() throws(JournalError) -> [Reader] {
            guard case .array(let elements) = value else { throw fail("expected an array, found \(value.typeName)") }
            return elements.enumerated().map { Reader(value: $1, path: "\(path)[\($0)]") }
        }

        func string() throws(JournalError) -> String {
            guard case .string(let text) = value else { throw fail("expected a string, found \(value.typeName)") }
            return text
        }

        func int() throws(JournalError) -> Int {
            guard case .number(let number, _) = value, number == number.rounded(), abs(number) < 9e15 else {
                throw fail("expected a whole number, found \(value.excerpt)")
            }
            return Int(number)
        }

        /// A record's creation or change time: milliseconds since 1970, not before.
        func stamp() throws(JournalError) -> Int64 {
            let value = try int()
            guard value >= 0 else { throw fail("\(value) is before 1970; accepted: milliseconds since 1970-01-01 UTC") }
            return Int64(value)
        }

        func double() throws(JournalError) -> Double {
            guard case .number(let number, _) = value else { throw fail("expected a number, found \(value.excerpt)") }
            return number
        }

        func bool() throws(JournalError) -> Bool {
            guard case .bool(let flag) = value else { throw fail("expected true or false, found \(value.excerpt)") }
            return flag
        }

        func code<Code: CodeList>(_: Code.Type) throws(JournalError) -> Code {
            let text = try string()
            guard let code = Code.table.code(text) else { throw fail("\"\(text)\" is not an accepted value; accepted: \(Code.table.accepted)") }
            return code
        }

        func codes<Code: CodeList>(_ type: Code.Type) throws(JournalError) -> [Code] {
            var out: [Code] = []
            for element in try array() { out.append(try element.code(type)) }
            return out
        }

        func id() throws(JournalError) -> EntryID {
            let text = try string()
            guard let id = EntryID(text) else { throw fail("\"\(text)\" is not a UUID") }
            return id
        }

        func owner() throws(JournalError) -> OwnerID {
            let text = try string()
            guard let owner = OwnerID(text) else { throw fail("\"\(text.prefix(40))\" is not an account id") }
            return owner
        }

        func timestamp() throws(JournalError) -> LocalTimestamp {
            let text = try string()
            guard let stamp = LocalTimestamp(iso: text) else { throw fail("\"\(text)\" is not an ISO 8601 date and time with an offset") }
            return stamp
        }
    }

    static func decodeProfile(_ r: Reader) throws(JournalError) -> Profile {
        try r.record(profileMembers, kind: "a profile")
        var times: [LocalTime] = []
        for element in try r.optional("reminderTimes")?.array() ?? [] {
            let text = try element.string()
            guard let time = LocalTime(iso: text) else { throw element.fail("\"\(text)\" is not a time as HH:MM") }
            times.append(time)
        }
        return Profile(
            birthYear: try r.optional("birthYear")?.int(), sex: try r.optional("sex")?.code(Sex.self),
            conditions: try r.optional("conditions")?.codes(Condition.self) ?? [],
            medications: try r.optional("medications")?.codes(Medication.self) ?? [],
            timeZone: try r.optional("timeZone")?.string(), region: try r.optional("region")?.string(),
            reminderTimes: times, glassML: try r.optional("glassML")?.int(), updatedAt: try r.field("updatedAt").stamp())
    }

    static func decodeEpisode(_ r: Reader, index: Int) throws(JournalError) -> Episode {
        try r.record(episodeMembers, kind: "an episode")
        var reliefs: [ReliefTried] = []
        for element in try r.optional("reliefs")?.array() ?? [] {
            try element.record(reliefMembers, kind: "a relief")
            reliefs.append(
                ReliefTried(
                    technique: try element.field("technique").code(ReliefTried.Technique.self),
                    outcome: try element.field("outcome").code(ReliefTried.Outcome.self),
                    secondsToEase: try element.optional("secondsToEase")?.int()))
        }
        var episode = Episode(
            id: try r.field("id").id(), startedAt: try r.field("startedAt").timestamp(),
            durationSeconds: try r.field("durationSeconds").int(), durationRange: try r.optional("durationRange")?.code(DurationRange.self),
            muscles: try r.field("muscles").codes(Muscle.self),
            side: try r.optional("side")?.code(Side.self), onset: try r.optional("onset")?.code(Onset.self),
            findings: try r.optional("findings")?.codes(Finding.self) ?? [], reliefs: reliefs, note: try r.optional("note")?.string(),
            safetyQuestions: try r.optional("safetyQuestions")?.code(SafetyQuestions.self), loggedBy: try r.optional("loggedBy")?.owner(),
            createdAt: try r.field("createdAt").stamp(),
            updatedAt: try r.field("updatedAt").stamp())
        for detail in EpisodeDetail.all { detail.set(try r.optional(detail.field.jsonKey)?.int(), in: &episode) }
        do throws(JournalError) {
            try episode.validate()
        } catch {
            throw JournalError(field: r.path.isEmpty ? error.field : "\(r.path).\(error.field)", problem: error.problem)
        }
        return episode
    }

    static func decodeDay(_ r: Reader) throws(JournalError) -> DayLog {
        try r.record(dayMembers, kind: "a day log")
        let dateText = try r.field("date").string()
        guard let date = LocalDate(iso: dateText) else {
            throw JournalError(field: "\(r.path).date", problem: "\"\(dateText)\" is not a date as YYYY-MM-DD")
        }
        var changes: [MedicationChange] = []
        for element in try r.optional("medicationChanges")?.array() ?? [] {
            changes.append(try JournalCSV.medicationChange(try element.string(), field: element.path))
        }
        let day = DayLog(
            date: date, fluidsML: try r.optional("fluidsML")?.int(), electrolyteDrink: try r.optional("electrolyteDrink")?.bool(),
            exerciseMinutes: try r.optional("exerciseMinutes")?.int(),
            exerciseIntensity: try r.optional("exerciseIntensity")?.code(ExerciseIntensity.self), steps: try r.optional("steps")?.int(),
            sittingHours: try r.optional("sittingHours")?.double(), standingHours: try r.optional("standingHours")?.double(),
            sleepHours: try r.optional("sleepHours")?.double(), hotWeather: try r.optional("hotWeather")?.bool(),
            alcoholUnits: try r.optional("alcoholUnits")?.double(), caffeineDrinks: try r.optional("caffeineDrinks")?.int(),
            mineralFoods: try r.optional("mineralFoods")?.codes(MineralFood.self), medicationChanges: changes,
            context: try r.optional("context")?.codes(ContextCode.self) ?? [], updatedAt: try r.field("updatedAt").stamp())
        do throws(JournalError) {
            try day.validate()
        } catch {
            throw JournalError(field: r.path.isEmpty ? error.field : "\(r.path).\(error.field)", problem: error.problem)
        }
        return day
    }

    static func decodeAssessment(_ r: Reader) throws(JournalError) -> AssessmentRecord {
        try r.record(assessmentMembers, kind: "an assessment")
        func document(_ key: String) throws(JournalError) -> String {
            let node = try r.field(key)
            guard case .object = node.value else { throw node.fail("expected an object") }
            var writer = JSONWriter()
            writer.write(node.value)
            return writer.string
        }
        let versionField = try r.field("knowledgeVersion")
        let knowledgeVersion = try versionField.string()
        guard (1...40).contains(knowledgeVersion.unicodeScalars.count),
            knowledgeVersion.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw versionField.fail(
                "\(ShownText.quoted(knowledgeVersion, limit: 40)) is not a knowledge base version; accepted: 1 to 40 printable characters such as 2026.12.1"
            )
        }
        return AssessmentRecord(
            id: try r.field("id").id(), madeAt: try r.field("madeAt").timestamp(),
            knowledgeVersion: knowledgeVersion, triage: try r.field("triage").code(Triage.self),
            requestJSON: try document("request"), resultJSON: try document("result"), episodeID: try r.optional("episodeId")?.id())
    }
}
