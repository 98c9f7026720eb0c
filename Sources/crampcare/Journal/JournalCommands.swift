import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage

#if canImport(Glibc)
import Glibc
#endif

struct Day: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record how a day went (fluids, exercise, sitting, sleep, heat, food, medicines).",
        usage: "crampcare day [--date <date>] [--fluids <amount>] [options]",
        discussion: """
            Only the fields you give change; the rest of the day's record stays. In a terminal with \
            no fields, asks the questions. Example: crampcare day --fluids "6 glasses" --sleep 6.5 --hot-weather true
            """
    )

    @OptionGroup var journal: JournalOptions
    @Option(name: .customLong(JournalField.date.flag), help: "The date: YYYY-MM-DD, today or yesterday. Default: today.")
    var date: String?
    @Option(
        name: .customLong(JournalField.fluidsML.flag),
        help: "What you drank: mL (1500), litres (1.2L) or glasses (\"6 glasses\", of your profile's glass size).")
    var fluids: String?
    @Option(name: .customLong(JournalField.electrolyteDrink.flag), help: "Had an electrolyte drink: true or false.")
    var electrolyteDrink: Bool?
    @Option(name: .customLong(JournalField.exerciseMinutes.flag), help: "Minutes of exercise.")
    var exerciseMinutes: Int?
    @Option(name: .customLong(JournalField.exerciseIntensity.flag), help: "How hard: light, moderate or hard.")
    var intensity: String?
    @Option(name: .customLong(JournalField.steps.flag), help: "Steps walked.")
    var steps: Int?
    @Option(name: .customLong(JournalField.sittingHours.flag), help: "Hours sitting.")
    var sitting: Double?
    @Option(name: .customLong(JournalField.standingHours.flag), help: "Hours standing.")
    var standing: Double?
    @Option(name: .customLong(JournalField.sleepHours.flag), help: "Hours of sleep last night.")
    var sleep: Double?
    @Option(name: .customLong(JournalField.hotWeather.flag), help: "Hot weather: true or false.")
    var hotWeather: Bool?
    @Option(name: .customLong(JournalField.alcoholUnits.flag), help: "Units of alcohol.")
    var alcohol: Double?
    @Option(name: .customLong(JournalField.caffeineDrinks.flag), help: "Drinks with caffeine.")
    var caffeine: Int?
    @Option(
        name: .customLong(JournalField.mineralFoods.flag), help: "Ate foods rich in potassium, magnesium or calcium (repeat), or none: none of them.")
    var mineralFoods: [String] = []
    @Option(name: .customLong(JournalField.medicationChanges.flag), help: "start:CODE, stop:CODE or dose:CODE, such as start:statin (repeat).")
    var medicationChanges: [String] = []
    @Option(name: .customLong(JournalField.context.flag), help: "An assessment context code for the day, such as heavy_sweating (repeat).")
    var context: [String] = []
    @Flag(help: "Print the day's record as JSON.")
    var json = false

    var noFields: Bool {
        fluids == nil && electrolyteDrink == nil && exerciseMinutes == nil && intensity == nil && steps == nil && sitting == nil
            && standing == nil && sleep == nil && hotWeather == nil && alcohol == nil && caffeine == nil && mineralFoods.isEmpty
            && medicationChanges.isEmpty && context.isEmpty
    }

    func run() async throws {
        try await withJournal(journal) { opened in
            let dateValue = try date.map { text throws(CLIError) in try Self.day(text, today: opened.clock.today) } ?? opened.clock.today
            let glass = try await opened.app.profile(owner: owner).glass
            var day = try await opened.app.dayLog(dateValue, owner: owner)
            let before = day
            if noFields, !json, Console.stdinIsTerminal {
                try DayQuestions(knowledge: opened.knowledge, glassML: glass).ask(into: &day)
            } else {
                try apply(to: &day, glassML: glass)
            }
            let changed = day != before
            if changed { day = try await flagged { try await opened.app.save(day, owner: owner) } }
            if json {
                Console.write(JournalBackup.encode(JournalContents(dayLogs: [day])))
                return
            }
            Console.print(changed ? "Saved \(day.date)." : "\(day.date), as recorded (give fields such as --fluids \"6 glasses\" to change it):")
            Console.print(Self.describe(day, glassML: glass, knowledge: opened.knowledge))
        }
    }

    /// A date from `--date`: YYYY-MM-DD, today or yesterday.
    static func day(_ text: String, today: LocalDate) throws(CLIError) -> LocalDate {
        switch text.lowercased() {
        case "today": return today
        case "yesterday": return today.adding(days: -1)
        default:
            guard let parsed = LocalDate(iso: text) else {
                throw CLIError.input("--date \"\(text)\" is not a date; accepted: YYYY-MM-DD, today or yesterday")
            }
            return parsed
        }
    }

    func apply(to day: inout DayLog, glassML: Int) throws(CLIError) {
        if let fluids {
            guard let millilitres = EverydayInput.fluidML(fluids, bareUnit: .millilitres, glassML: glassML) else {
                throw CLIError.input(
                    "--fluids \"\(fluids)\" is not an amount; accepted: mL such as 1500, litres such as 1.2L, or glasses such as \"6 glasses\", up to 20 L"
                )
            }
            day.fluidsML = millilitres
        }
        if let electrolyteDrink { day.electrolyteDrink = electrolyteDrink }
        if let exerciseMinutes { day.exerciseMinutes = exerciseMinutes }
        if let intensity { day.exerciseIntensity = try EpisodeFlags.code(intensity, "intensity", ExerciseIntensity.self) }
        if let steps { day.steps = steps }
        if let sitting { day.sittingHours = sitting }
        if let standing { day.standingHours = standing }
        if let sleep { day.sleepHours = sleep }
        if let hotWeather { day.hotWeather = hotWeather }
        if let alcohol { day.alcoholUnits = alcohol }
        if let caffeine { day.caffeineDrinks = caffeine }
        if !mineralFoods.isEmpty {
            do throws(JournalError) {
                day.mineralFoods = try JournalCSV.mineralFoods(mineralFoods.joined(separator: ";"), field: "--mineral-food")
            } catch {
                throw CLIError.input("\(error.field): \(error.problem)")
            }
        }
        if !medicationChanges.isEmpty {
            day.medicationChanges = []
            for text in medicationChanges {
                do throws(JournalError) {
                    day.medicationChanges.append(try JournalCSV.medicationChange(text, field: "--medication-change"))
                } catch {
                    throw CLIError.input("--medication-change: \(error.problem)")
                }
            }
        }
        if !context.isEmpty {
            var list: [ContextCode] = []
            for text in context { list.append(try EpisodeFlags.code(text, "context", ContextCode.self)) }
            day.context = Array(CodeSet(list))
        }
    }

    /// A day in words, a line a field, "-" where nothing is recorded.
    static func describe(_ day: DayLog, glassML: Int, knowledge: KnowledgeBase) -> String {
        func number(_ value: Double?, _ unit: String) -> String { value.map { "\(JSONWriter.format($0)) \(unit)" } ?? "-" }
        let drinks = day.fluidsML.map { millilitres in
            let glasses = Double(millilitres) / Double(glassML)
            return "\(millilitres) mL (about \(JSONWriter.format((glasses * 2).rounded() / 2)) glasses of \(glassML) mL)"
        }
        let exercise = day.exerciseMinutes.map { "\($0) min" + (day.exerciseIntensity.map { ", \($0.rawValue)" } ?? "") }
        let rows: [(String, String)] = [
            ("drinks", drinks ?? "-"), ("electrolyte drink", day.electrolyteDrink.map { $0 ? "yes" : "no" } ?? "-"),
            ("exercise", exercise ?? "-"), ("steps", day.steps.map(String.init) ?? "-"), ("sitting", number(day.sittingHours, "h")),
            ("standing", number(day.standingHours, "h")), ("sleep", number(day.sleepHours, "h")),
            ("hot weather", day.hotWeather.map { $0 ? "yes" : "no" } ?? "-"), ("alcohol", number(day.alcoholUnits, "units")),
            ("caffeine drinks", day.caffeineDrinks.map(String.init) ?? "-"),
            (
                "foods",
                day.mineralFoods.map { $0.isEmpty ? "none rich in minerals" : $0.map { "rich in \($0.rawValue)" }.joined(separator: ", ") } ?? "-"
            ),
            (
                "medicines",
                day.medicationChanges.isEmpty
                    ? "-"
                    : day.medicationChanges.map { "\($0.kind.rawValue) \(knowledge.medications[$0.medication]?.label ?? $0.medication.rawValue)" }
                        .joined(separator: ", ")
            ),
            ("else", day.context.isEmpty ? "-" : day.context.map { knowledge.context[$0]?.label ?? $0.rawValue }.joined(separator: ", ")),
        ]
        return rows.map { label, value in "  " + label + String(repeating: " ", count: max(1, 18 - label.count)) + value }.joined(separator: "\n")
    }
}

/// `day` in a terminal with no fields: its questions one by one, Enter keeping what is there.
struct DayQuestions {
    let knowledge: KnowledgeBase
    let glassML: Int

    func ask(into day: inout DayLog) throws(CLIError) {
        let interview = Interview(
            knowledge: knowledge, assessor: Assessor(knowledge: knowledge), numbers: knowledge.emergencyNumbers(region: nil),
            style: Style(enabled: Console.colourEnabled))
        interview.say("How was \(day.date)? Press Enter to keep an answer as it is (shown in brackets).")
        while true {
            let answer = try interview.ask(
                "How much did you drink? Glasses of \(glassML) mL, or litres or mL (such as 6, 1.5L)\(Self.now(day.fluidsML.map { "\($0) mL" })):")
            if answer.isEmpty { break }
            if let millilitres = EverydayInput.fluidML(answer, bareUnit: .glasses, glassML: glassML) {
                day.fluidsML = millilitres
                break
            }
            interview.say("Please give a number of glasses, or an amount such as 1.5L or 1500 mL.")
        }
        day.sleepHours = try number(interview, "Hours of sleep last night", day.sleepHours, 0...24) ?? day.sleepHours
        day.exerciseMinutes = try whole(interview, "Minutes of exercise", day.exerciseMinutes, 0...1440) ?? day.exerciseMinutes
        day.sittingHours = try number(interview, "Hours sitting", day.sittingHours, 0...24) ?? day.sittingHours
        day.alcoholUnits = try number(interview, "Units of alcohol", day.alcoholUnits, 0...JournalLimits.maxAlcoholUnits) ?? day.alcoholUnits
        day.caffeineDrinks = try whole(interview, "Drinks with caffeine (coffee, tea, cola)", day.caffeineDrinks, 0...50) ?? day.caffeineDrinks
        if let hot = try interview.yesNo("Was it hot?", skippable: true) { day.hotWeather = hot }
        if let electrolyte = try interview.yesNo("Did you have an electrolyte drink?", skippable: true) { day.electrolyteDrink = electrolyte }
        let foods = MineralFood.allCases
        let eaten = try interview.choose(
            "Which of these foods did you eat today?", foods.map { "Foods rich in \($0.rawValue)" } + ["None of these"], many: true, required: false)
        if !eaten.isEmpty { day.mineralFoods = eaten.contains(foods.count) ? [] : eaten.map { foods[$0] } }
        if try interview.yesNo("Did you start, stop or change the dose of a medicine?", skippable: true) == true {
            let kinds = MedicationChangeKind.allCases
            let kind = try interview.choose("What changed?", ["started it", "stopped it", "changed the dose"], many: false, required: true)[0]
            let medicines = Medication.allCases
            let medicine = try interview.choose(
                "Which medicine?", medicines.map { knowledge.medications[$0]?.label ?? $0.rawValue }, many: false, required: true)[0]
            let change = MedicationChange(kind: kinds[kind], medication: medicines[medicine])
            if !day.medicationChanges.contains(change) { day.medicationChanges.append(change) }
        }
    }

    static func now(_ value: String?) -> String { value.map { " [\($0)]" } ?? "" }

    func number(_ interview: Interview, _ question: String, _ now: Double?, _ range: ClosedRange<Double>) throws(CLIError) -> Double? {
        while true {
            let answer = try interview.ask("\(question)\(Self.now(now.map { JSONWriter.format($0) })):")
            if answer.isEmpty { return nil }
            if answer.count <= 12, let value = Double(answer.replacing(",", with: ".")), value.isFinite, range.contains(value) { return value }
            interview.say(
                "Please type a number from \(JSONWriter.format(range.lowerBound)) to \(JSONWriter.format(range.upperBound)), or Enter to keep it.")
        }
    }

    func whole(_ interview: Interview, _ question: String, _ now: Int?, _ range: ClosedRange<Int>) throws(CLIError) -> Int? {
        try number(interview, question, now.map(Double.init), Double(range.lowerBound)...Double(range.upperBound)).map { Int($0.rounded()) }
    }
}

struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Show or change your profile: year of birth, sex, conditions, medicines, time zone, region, reminders.",
        usage: "crampcare profile [--birth-year <year>] [--time-zone <zone>] [options]"
    )

    @OptionGroup var journal: JournalOptions
    @Option(name: .customLong(JournalField.birthYear.flag), help: "Year of birth.")
    var birthYear: Int?
    @Option(name: .customLong(JournalField.sex.flag), help: "female, male or other.")
    var sex: String?
    @Option(name: .customLong(JournalField.conditions.flag), help: "A condition code such as diabetes; sets the list (repeat for more).")
    var conditions: [String] = []
    @Flag(help: "Clear the list of conditions.")
    var noConditions = false
    @Option(name: .customLong(JournalField.medications.flag), help: "A medicine code, or the name on the box (furosemide); sets the list (repeat).")
    var medications: [String] = []
    @Flag(help: "Clear the list of medicines.")
    var noMedications = false
    @Option(name: .customLong(JournalField.timeZone.flag), help: "IANA time zone, such as Europe/London.")
    var timeZone: String?
    @Option(name: .customLong(JournalField.region.flag), help: "Region code for the emergency number, such as GB.")
    var region: String?
    @Option(name: .customLong(JournalField.reminderTimes.flag), help: "A reminder time HH:MM; sets the list (repeat).")
    var reminders: [String] = []
    @Option(name: .customLong(JournalField.glassML.flag), help: "Your usual glass in mL (250 if not set), for drinks counted in glasses.")
    var glass: String?
    @Flag(help: "Print the profile as JSON.")
    var json = false

    func run() async throws {
        try await withJournal(journal) { opened in
            let knowledge = opened.knowledge
            var profile = try await opened.app.profile(owner: owner)
            var changed = false
            if let birthYear { profile.birthYear = birthYear; changed = true }
            if let sex { profile.sex = try EpisodeFlags.code(sex, "sex", Sex.self); changed = true }
            if noConditions { profile.conditions = []; changed = true }
            if !conditions.isEmpty {
                var list: [Condition] = []
                for text in conditions { list.append(try EpisodeFlags.code(text, "condition", Condition.self)) }
                profile.conditions = Array(CodeSet(list))
                changed = true
            }
            if noMedications { profile.medications = []; changed = true }
            if !medications.isEmpty {
                var list: [Medication] = []
                for text in medications {
                    guard let code = Medication.table.code(text.lowercased()) ?? knowledge.medicineNames[text.lowercased()] else {
                        throw CLIError.input(
                            "--medication \"\(text)\" is not a medicine CrampCare knows; accepted codes: \(Medication.table.accepted), or names such as furosemide, atorvastatin, salbutamol"
                        )
                    }
                    list.append(code)
                }
                profile.medications = Array(CodeSet(list))
                changed = true
            }
            if let timeZone {
                if timeZone.isEmpty {
                    profile.timeZone = nil
                } else {
                    switch PersonClock.zoneNamed(timeZone) {
                    case .zone(let name): profile.timeZone = name
                    case .ambiguous(let names):
                        throw CLIError.input("--time-zone \"\(timeZone)\" could be \(names.prefix(6).joined(separator: " or ")); give one of them")
                    case .unknown:
                        throw CLIError.input(
                            "--time-zone \"\(timeZone)\" is not a time zone this machine knows; accepted: a city such as London, or IANA names such as Europe/London"
                        )
                    }
                }
                changed = true
            }
            if let glass {
                guard glass.isEmpty || EverydayInput.fluidML(glass, bareUnit: .millilitres).map({ $0 > 0 }) == true else {
                    throw CLIError.input("--glass \"\(glass)\" is not an amount; accepted: mL such as 250 or 330")
                }
                profile.glassML = glass.isEmpty ? nil : EverydayInput.fluidML(glass, bareUnit: .millilitres)
                changed = true
            }
            if let region { profile.region = region.isEmpty ? nil : region.uppercased(); changed = true }
            if !reminders.isEmpty {
                var list: [LocalTime] = []
                for text in reminders {
                    guard let time = LocalTime(iso: text) else {
                        throw CLIError.input("--reminder \"\(text)\" is not a time; accepted: HH:MM such as 21:30")
                    }
                    list.append(time)
                }
                profile.reminderTimes = Array(Set(list)).sorted()
                changed = true
            }
            if changed { profile = try await flagged { try await opened.app.save(profile, owner: owner) } }
            if json {
                Console.write(JournalBackup.encode(JournalContents(profile: profile)))
                return
            }
            if changed { Console.print("Profile saved.") }
            Console.print("  year of birth  \(profile.birthYear.map(String.init) ?? "-")")
            Console.print("  sex            \(profile.sex?.rawValue ?? "-")")
            Console.print(
                "  conditions     \(profile.conditions.isEmpty ? "-" : profile.conditions.map { knowledge.conditions[$0]?.label ?? $0.rawValue }.joined(separator: "; "))"
            )
            Console.print(
                "  medicines      \(profile.medications.isEmpty ? "-" : profile.medications.map { knowledge.medications[$0]?.label ?? $0.rawValue }.joined(separator: "; "))"
            )
            Console.print("  time zone      \(profile.timeZone ?? "-")")
            Console.print("  region         \(profile.region ?? "-")")
            Console.print(
                "  reminders      \(profile.reminderTimes.isEmpty ? "-" : profile.reminderTimes.map(\.description).joined(separator: ", "))")
            Console.print("  glass          \(profile.glass) mL\(profile.glassML == nil ? " (the usual)" : "")")
        }
    }
}

/// A use case's validation error as a message naming the flag (`birth_year` is `--birth-year`).
func flagged<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as JournalError {
        throw CLIError.input("\(JournalField.flagPath(error.field)): \(error.problem)")
    } catch let error as EpisodeDeleted {
        throw CLIError.notFound(error.description)
    }
}

func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the whole journal: CSV (a folder with episodes.csv and daily.csv), a JSON backup, or HL7 FHIR R4.",
        usage: "crampcare export --format <format> [--out <path>] [options]",
        discussion: "Files are written whole or not at all. The formats are described in docs/journal-formats.md."
    )

    @OptionGroup var journal: JournalOptions
    @Option(
        help: "csv, json or fhir.",
        transform: { text in
            guard let format = ExportFormat(rawValue: text) else {
                throw ValidationError(
                    "--format \"\(text)\" is not an export format; accepted: \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return format
        })
    var format: ExportFormat
    @Option(help: "Where to write: a folder for csv, a file for json and fhir (- for stdout).")
    var out: String

    func run() async throws {
        try await withJournal(journal) { opened in
            if format == .csv {
                guard out != "-" else { throw CLIError.input("--out for csv is a folder (it holds episodes.csv and daily.csv)") }
                if mkdir(out, 0o700) != 0, errno != EEXIST {
                    throw CLIError.input("--out \(out): cannot create the folder: \(String(cString: strerror(errno)))")
                }
            }
            let export = try await opened.app.export(format, owner: owner)
            switch format {
            case .csv:
                for file in export.files { try writeAtomically(file.bytes, to: "\(out)/\(file.name)") }
                Console.error("Wrote \(export.episodes) episodes to \(out)/episodes.csv and \(export.days) days to \(out)/daily.csv.")
            case .json:
                try emit(export.files[0].bytes)
                Console.error("Wrote a backup of \(export.episodes) episodes, \(export.days) days and \(export.assessments) assessments.")
            case .fhir:
                try emit(export.files[0].bytes)
                Console.error("Wrote a FHIR R4 Bundle of \(export.episodes) episodes and \(export.days) days.")
            }
        }
    }

    private func emit(_ bytes: [UInt8]) throws {
        if out == "-" {
            Console.write(bytes)
        } else {
            try writeAtomically(bytes, to: out)
        }
    }
}

/// Writes a file whole or not at all: a private temporary file beside it, synced, then renamed.
func writeAtomically(_ bytes: [UInt8], to path: String) throws(CLIError) {
    let temporary = "\(path).tmp-\(getpid())"
    let fd = open(temporary, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw CLIError.input("cannot write \(path): \(String(cString: strerror(errno)))") }
    var offset = 0
    let failed: Bool = bytes.withUnsafeBytes { raw in
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return true
            }
            offset += written
        }
        return fsync(fd) != 0
    }
    close(fd)
    guard !failed, rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw CLIError.input("cannot write \(path): \(reason)")
    }
}

struct Erase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete everything in your journal: episodes, days, assessments and profile.")

    @OptionGroup var journal: JournalOptions
    @Flag(help: "Required: erase all records.")
    var all = false
    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.")
    var yes = false

    func validate() throws {
        guard all else { throw ValidationError("erase needs --all: it deletes every record of the journal") }
    }

    func run() async throws {
        try await withJournal(journal) { opened in
            if !yes {
                guard Console.stdinIsTerminal else { throw CLIError.input("add --yes to erase without a terminal to confirm in") }
                let count = try await opened.journal.countEpisodes(owner: owner, from: nil, before: nil)
                Console.write(
                    Array(
                        "This deletes \(count) episodes and every day, assessment and your profile, and cannot be undone. Type erase to confirm: "
                            .utf8))
                guard readLine()?.trimmingCharacters() == "erase" else {
                    Console.print("Nothing erased.")
                    return
                }
            }
            let summary = try await opened.app.erase(owner: owner)
            Console.print(
                "Erased \(summary.episodes) episodes, \(summary.dayLogs) days, \(summary.assessments) assessments and \(summary.profiles) profile.")
        }
    }
}
