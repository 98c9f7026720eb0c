import CrampKnowledge

/// The journal's documented CSV formats (docs/journal-formats.md): `episodes.csv` and `daily.csv`.
/// Times are ISO 8601 with their offset, lists are `;`-separated codes, booleans `true`/`false`,
/// and an empty cell is unknown.
public enum JournalCSV {
    /// The episode's details sit after `side`, in their list's order (so `severity` keeps its place).
    public static let episodeColumns =
        ["id", "started_at", "duration_seconds", "muscles", "side"] + EpisodeDetail.all.map(\.field.column)
        + ["onset", "findings", "reliefs", "note", "duration_range", "safety_questions"]
    public static let dayColumns = [
        "date", "fluids_ml", "electrolyte_drink", "exercise_minutes", "exercise_intensity",
        "steps", "sitting_hours", "standing_hours", "sleep_hours", "hot_weather", "alcohol_units",
        "caffeine_drinks", "mineral_foods", "medication_changes", "context",
    ]

    public enum Kind: Sendable { case episodes, days }

    /// Where each episode column is, once for a file.
    struct EpisodePositions {
        let id, startedAt, duration, muscles, side, onset, findings, reliefs, note, durationRange, safetyQuestions: Int?
        /// In `EpisodeDetail.all`'s order.
        let details: [Int?]
    }

    /// Which file a header row belongs to, and where each known column is.
    public struct Header: Sendable {
        public let kind: Kind
        let index: [String: Int]
        let count: Int

        public init(_ record: CSVRecord) throws(JournalError) {
            let names = record.fields.map { $0.trimmingSpaces().lowercased() }
            let kind: Kind
            if names.contains("started_at") {
                kind = .episodes
            } else if names.contains("date") {
                kind = .days
            } else {
                throw JournalError(
                    field: "",
                    problem:
                        "the first row is not a CrampCare header; an episodes file starts \(JournalCSV.episodeColumns.joined(separator: ",")) and a daily file \(JournalCSV.dayColumns.joined(separator: ","))",
                    location: "line \(record.line)")
            }
            let known = kind == .episodes ? JournalCSV.episodeColumns : JournalCSV.dayColumns
            var index: [String: Int] = [:]
            for (position, name) in names.enumerated() {
                guard known.contains(name) else {
                    throw JournalError(
                        field: name, problem: "is not a column of this file; accepted: \(known.joined(separator: ", "))",
                        location: "line \(record.line)")
                }
                guard index[name] == nil else {
                    throw JournalError(field: name, problem: "appears twice in the header", location: "line \(record.line)")
                }
                index[name] = position
            }
            let required = kind == .episodes ? ["started_at", "duration_seconds", "muscles"] : ["date"]
            for name in required where index[name] == nil {
                throw JournalError(field: name, problem: "the required column is missing from the header", location: "line \(record.line)")
            }
            self.kind = kind
            self.index = index
            self.count = names.count
            self.episodePositions = EpisodePositions(
                id: index["id"], startedAt: index["started_at"], duration: index["duration_seconds"], muscles: index["muscles"],
                side: index["side"], onset: index["onset"], findings: index["findings"], reliefs: index["reliefs"],
                note: index["note"], durationRange: index["duration_range"], safetyQuestions: index["safety_questions"],
                details: EpisodeDetail.all.map { index[$0.field.column] })
        }

        let episodePositions: EpisodePositions

        func cell(_ record: CSVRecord, _ name: String) -> String? {
            cell(record, at: index[name])
        }

        /// A cell by a position resolved once (the hot path reads every row this way).
        func cell(_ record: CSVRecord, at position: Int?) -> String? {
            guard let position else { return nil }
            let value = record.fields[position]
            return value.isEmpty ? nil : value
        }

        func checkWidth(_ record: CSVRecord) throws(JournalError) {
            guard record.fields.count == count else {
                throw JournalError(
                    field: "", problem: "\(record.fields.count) columns where the header has \(count)", location: "line \(record.line)")
            }
        }
    }

    // MARK: writing

    public static func episodeHeader() -> String { CSVWriter.row(episodeColumns) }
    public static func dayHeader() -> String { CSVWriter.row(dayColumns) }

    public static func row(_ episode: Episode) -> String {
        CSVWriter.row(
            [
                episode.id.description, episode.startedAt.description, String(episode.durationSeconds),
                list(episode.muscles), episode.side?.rawValue ?? "",
            ] + EpisodeDetail.all.map { $0.value(in: episode).map(String.init) ?? "" } + [
                episode.onset?.rawValue ?? "", list(episode.findings), episode.reliefs.map(reliefText).joined(separator: ";"),
                episode.note.map(CSVWriter.guarded) ?? "", episode.durationRange?.rawValue ?? "", episode.safetyQuestions?.rawValue ?? "",
            ])
    }

    public static func row(_ day: DayLog) -> String {
        CSVWriter.row([
            day.date.description, day.fluidsML.map(String.init) ?? "", day.electrolyteDrink.map(String.init) ?? "",
            day.exerciseMinutes.map(String.init) ?? "", day.exerciseIntensity?.rawValue ?? "", day.steps.map(String.init) ?? "",
            number(day.sittingHours), number(day.standingHours), number(day.sleepHours), day.hotWeather.map(String.init) ?? "",
            number(day.alcoholUnits), day.caffeineDrinks.map(String.init) ?? "", mineralFoodsText(day.mineralFoods),
            day.medicationChanges.map(medicationChangeText).joined(separator: ";"), list(day.context),
        ])
    }

    /// Codes in their list's order, so the same set always writes the same text.
    static func list<Code: CodeList>(_ codes: [Code]) -> String { CodeSet(codes).map(\.rawValue).joined(separator: ";") }

    /// What "no mineral-rich food" is written as, where an empty cell is "not logged".
    public static let noMineralFoods = "none"

    /// Mineral foods as a cell: empty when not logged, `none` when none were eaten.
    public static func mineralFoodsText(_ foods: [MineralFood]?) -> String {
        guard let foods else { return "" }
        return foods.isEmpty ? noMineralFoods : list(foods)
    }

    /// The mineral foods in a cell or a typed list: `none`, or codes separated by `;`.
    public static func mineralFoods(_ text: String, field: String = "mineral_foods") throws(JournalError) -> [MineralFood] {
        if text.trimmingSpaces().lowercased() == noMineralFoods { return [] }
        do throws(JournalError) {
            return try codes(text, field, MineralFood.self)
        } catch {
            throw JournalError(
                field: error.field, problem: error.problem.replacing("accepted: ", with: "accepted: \(noMineralFoods) alone, or "))
        }
    }

    /// A medicine change as one list item, `kind:code` (the CSV's and the journal store's form).
    public static func medicationChangeText(_ change: MedicationChange) -> String { "\(change.kind.rawValue):\(change.medication.rawValue)" }

    /// A relief as one list item, `technique:outcome[:seconds]` (the CSV's and the journal store's form).
    public static func reliefText(_ relief: ReliefTried) -> String {
        let base = "\(relief.technique.rawValue):\(relief.outcome.rawValue)"
        return relief.secondsToEase.map { "\(base):\($0)" } ?? base
    }

    /// A decimal without a trailing `.0`; up to 2 decimals are kept.
    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        let hundredths = (value * 100).rounded()
        let whole = Int(hundredths) / 100
        let fraction = abs(Int(hundredths) % 100)
        if fraction == 0 { return String(whole) }
        let sign = value < 0 && whole == 0 ? "-" : ""
        return fraction % 10 == 0 ? "\(sign)\(whole).\(fraction / 10)" : "\(sign)\(whole).\(pad(fraction, 2))"
    }

    // MARK: reading

    /// An episode from a row; `now` stamps created and updated times, `owner` derives a missing id.
    public static func episode(_ record: CSVRecord, header: Header, owner: OwnerID, now: Int64) throws(JournalError) -> Episode {
        try header.checkWidth(record)
        let at = header.episodePositions
        do throws(JournalError) {
            guard let startedText = header.cell(record, at: at.startedAt) else {
                throw JournalError(
                    field: "started_at", problem: "is empty; give the start as ISO 8601 with its offset, such as 2026-11-26T07:30:00+01:00")
            }
            guard let startedAt = LocalTimestamp(iso: startedText) else {
                throw JournalError(
                    field: "started_at",
                    problem:
                        "\"\(startedText)\" is not a date and time with an offset; accepted: ISO 8601 such as 2026-11-26T07:30:00+01:00 or 2026-11-26T06:30:00Z"
                )
            }
            let duration = try integer(header.cell(record, at: at.duration), "duration_seconds", required: true)!
            guard let musclesText = header.cell(record, at: at.muscles) else {
                throw JournalError(field: "muscles", problem: "is empty; name at least one of \(Muscle.table.accepted), separated by ;")
            }
            let muscles = try codes(musclesText, "muscles", Muscle.self)
            let id: EntryID
            if let idText = header.cell(record, at: at.id) {
                guard let parsed = EntryID(idText) else {
                    throw JournalError(
                        field: "id", problem: "\"\(idText)\" is not a UUID; accepted: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, or empty to derive one")
                }
                id = parsed
            } else {
                id = Episode.derivedID(owner: owner, startedAt: startedAt, muscles: muscles)
            }
            var reliefs: [ReliefTried] = []
            if let cell = header.cell(record, at: at.reliefs) {
                for (index, text) in cell.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).enumerated() {
                    reliefs.append(try relief(String(Substring(text)), field: "reliefs[\(index)]"))
                }
            }
            var episode = Episode(
                id: id, startedAt: startedAt, durationSeconds: duration,
                durationRange: try code(header.cell(record, at: at.durationRange), "duration_range", DurationRange.self), muscles: muscles,
                side: try code(header.cell(record, at: at.side), "side", Side.self),
                onset: try code(header.cell(record, at: at.onset), "onset", Onset.self),
                findings: try header.cell(record, at: at.findings).map { text throws(JournalError) in try codes(text, "findings", Finding.self) }
                    ?? [],
                reliefs: reliefs, note: header.cell(record, at: at.note).map(CSVWriter.unguarded),
                safetyQuestions: try code(header.cell(record, at: at.safetyQuestions), "safety_questions", SafetyQuestions.self), createdAt: now,
                updatedAt: now)
            for (detail, position) in zip(EpisodeDetail.all, at.details) {
                detail.set(try integer(header.cell(record, at: position), detail.field.column, required: false), in: &episode)
            }
            try episode.validate()
            return episode
        } catch {
            var located = error
            located.location = "line \(record.line)"
            throw located
        }
    }

    public static func day(_ record: CSVRecord, header: Header, now: Int64) throws(JournalError) -> DayLog {
        try header.checkWidth(record)
        do throws(JournalError) {
            guard let dateText = header.cell(record, "date") else {
                throw JournalError(field: "date", problem: "is empty; give the date as YYYY-MM-DD")
            }
            guard let date = LocalDate(iso: dateText) else {
                throw JournalError(field: "date", problem: "\"\(dateText)\" is not a date; accepted: YYYY-MM-DD such as 2026-11-26")
            }
            var changes: [MedicationChange] = []
            for (index, text) in (header.cell(record, "medication_changes")?.split(separator: ";", omittingEmptySubsequences: false) ?? [])
                .enumerated()
            {
                changes.append(try medicationChange(String(text), field: "medication_changes[\(index)]"))
            }
            let day = DayLog(
                date: date, fluidsML: try integer(header.cell(record, "fluids_ml"), "fluids_ml", required: false),
                electrolyteDrink: try boolean(header.cell(record, "electrolyte_drink"), "electrolyte_drink"),
                exerciseMinutes: try integer(header.cell(record, "exercise_minutes"), "exercise_minutes", required: false),
                exerciseIntensity: try code(header.cell(record, "exercise_intensity"), "exercise_intensity", ExerciseIntensity.self),
                steps: try integer(header.cell(record, "steps"), "steps", required: false),
                sittingHours: try decimal(header.cell(record, "sitting_hours"), "sitting_hours"),
                standingHours: try decimal(header.cell(record, "standing_hours"), "standing_hours"),
                sleepHours: try decimal(header.cell(record, "sleep_hours"), "sleep_hours"),
                hotWeather: try boolean(header.cell(record, "hot_weather"), "hot_weather"),
                alcoholUnits: try decimal(header.cell(record, "alcohol_units"), "alcohol_units"),
                caffeineDrinks: try integer(header.cell(record, "caffeine_drinks"), "caffeine_drinks", required: false),
                mineralFoods: try header.cell(record, "mineral_foods").map { text throws(JournalError) in try mineralFoods(text) },
                medicationChanges: changes,
                context: try header.cell(record, "context").map { text throws(JournalError) in try codes(text, "context", ContextCode.self) } ?? [],
                updatedAt: now)
            try day.validate()
            return day
        } catch {
            var located = error
            located.location = "line \(record.line)"
            throw located
        }
    }

    static func integer(_ text: String?, _ field: String, required: Bool) throws(JournalError) -> Int? {
        guard let text else {
            if required { throw JournalError(field: field, problem: "is empty; a whole number is required") }
            return nil
        }
        guard let value = Int(text.trimmingSpaces()) else {
            throw JournalError(field: field, problem: "\"\(text)\" is not a whole number")
        }
        return value
    }

    static func decimal(_ text: String?, _ field: String) throws(JournalError) -> Double? {
        guard let text else { return nil }
        guard let value = Double(text.trimmingSpaces()), value.isFinite else {
            throw JournalError(field: field, problem: "\"\(text)\" is not a number; accepted: a decimal such as 7.5")
        }
        return value
    }

    static func boolean(_ text: String?, _ field: String) throws(JournalError) -> Bool? {
        switch text?.trimmingSpaces() {
        case nil: return nil
        case "true": return true
        case "false": return false
        case let other?: throw JournalError(field: field, problem: "\"\(other)\" is not a boolean; accepted: true, false, or empty for unknown")
        }
    }

    static func code<Code: CodeList>(_ text: String?, _ field: String, _: Code.Type) throws(JournalError) -> Code? {
        guard let text else { return nil }
        guard let code = Code.table.code(text.trimmingSpaces()) else {
            throw JournalError(field: field, problem: "\"\(text)\" is not an accepted value; accepted: \(Code.table.accepted)")
        }
        return code
    }

    static func codes<Code: CodeList>(_ text: String, _ field: String, _: Code.Type) throws(JournalError) -> [Code] {
        var seen = CodeSet<Code>()
        // Bytes, not Characters: splitting a String by Character costs far more, and codes are ASCII.
        for (index, part) in text.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).enumerated() {
            // Most cells are exact codes: match the bytes without copying them.
            guard
                let code = part.withContiguousStorageIfAvailable({ Code.table.code(utf8: $0) }) ?? nil
                    ?? Code.table.code(String(Substring(part)).trimmingSpaces())
            else {
                throw JournalError(
                    field: "\(field)[\(index)]",
                    problem: "\"\(String(Substring(part)).trimmingSpaces())\" is not an accepted value; accepted: \(Code.table.accepted)")
            }
            guard !seen.contains(code) else {
                throw JournalError(field: "\(field)[\(index)]", problem: "\"\(code.rawValue)\" appears more than once; list each once")
            }
            seen.insert(code)
        }
        return Array(seen)
    }

    /// `technique:outcome`, or `technique:outcome:seconds` with the seconds until it eased.
    public static func relief(_ text: String, field: String) throws(JournalError) -> ReliefTried {
        // The common case, read from the bytes without copying: exact codes, no spaces.
        let utf8 = text.utf8
        if let colon = utf8.firstIndex(of: UInt8(ascii: ":")) {
            let rest = utf8[utf8.index(after: colon)...]
            let secondColon = rest.firstIndex(of: UInt8(ascii: ":"))
            let outcomeBytes = rest[..<(secondColon ?? rest.endIndex)]
            if let technique = utf8[..<colon].withContiguousStorageIfAvailable({ ReliefTried.Technique.table.code(utf8: $0) }) ?? nil,
                let outcome = outcomeBytes.withContiguousStorageIfAvailable({ ReliefTried.Outcome.table.code(utf8: $0) }) ?? nil
            {
                guard let secondColon else { return ReliefTried(technique: technique, outcome: outcome) }
                var seconds = 0
                var digits = 0
                for byte in rest[rest.index(after: secondColon)...] {
                    guard byte >= 48, byte <= 57, digits < 9 else { digits = -1; break }
                    seconds = seconds * 10 + Int(byte - 48)
                    digits += 1
                }
                if digits > 0 { return ReliefTried(technique: technique, outcome: outcome, secondsToEase: seconds) }
            }
        }
        let parts = text.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map { String(Substring($0)).trimmingSpaces() }
        guard parts.count == 2 || parts.count == 3 else {
            throw JournalError(
                field: field,
                problem:
                    "\"\(text)\" is not technique:outcome; accepted techniques: \(ReliefTried.Technique.table.accepted); outcomes: \(ReliefTried.Outcome.table.accepted)"
            )
        }
        guard let technique = ReliefTried.Technique.table.code(parts[0]) else {
            throw JournalError(field: field, problem: "\"\(parts[0])\" is not a relief technique; accepted: \(ReliefTried.Technique.table.accepted)")
        }
        guard let outcome = ReliefTried.Outcome.table.code(parts[1]) else {
            throw JournalError(field: field, problem: "\"\(parts[1])\" is not an outcome; accepted: \(ReliefTried.Outcome.table.accepted)")
        }
        var seconds: Int?
        if parts.count == 3 {
            guard let value = Int(parts[2]), value >= 0 else {
                throw JournalError(field: field, problem: "\"\(parts[2])\" is not a number of seconds until it eased")
            }
            seconds = value
        }
        return ReliefTried(technique: technique, outcome: outcome, secondsToEase: seconds)
    }

    /// `start:CODE`, `stop:CODE` or `dose:CODE`.
    public static func medicationChange(_ text: String, field: String) throws(JournalError) -> MedicationChange {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        guard parts.count == 2, let kind = MedicationChangeKind.table.code(parts[0]) else {
            throw JournalError(field: field, problem: "\"\(text)\" is not start:CODE, stop:CODE or dose:CODE")
        }
        guard let medication = Medication.table.code(parts[1]) else {
            throw JournalError(field: field, problem: "\"\(parts[1])\" is not a medicine code; accepted: \(Medication.table.accepted)")
        }
        return MedicationChange(kind: kind, medication: medication)
    }
}

extension String {
    func trimmingSpaces() -> String {
        // Most text has nothing to trim: check the ends' bytes first.
        guard let first = utf8.first, let last = utf8.last,
            first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        else { return self }
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
