public import CrampKnowledge

/// Everyday words and amounts, read the same way by the terminal and the web pages: "calves",
/// "2 minutes", "90s", "3am", "yesterday 23:30", "1.2L", "3 glasses", "last week". Each reader
/// takes only what belongs to it (a duration reader never reads a time of day), and a word that
/// could mean two things ("thigh") is returned as a question, never guessed. Every reader looks
/// at a bounded prefix of its text and checks each number's range before any conversion to an
/// integer, so no input can trap.
public enum EverydayInput {
    /// Longer text than this is no everyday answer (and is not read further).
    public static let maximumLength = 80

    // MARK: muscles

    /// The order muscles are numbered in, in every list a person picks from by number.
    public static let muscleOrder = Muscle.menuOrder

    /// What a person's words for the muscles mean.
    public enum MuscleReading: Sendable, Equatable {
        case muscles([Muscle])
        /// The word could be either muscle: ask which.
        case ambiguous(word: String, choices: [Muscle])
        case unknown(word: String)
    }

    /// Words for one muscle; several are read when joined by commas, "and", "&", "+" or ";".
    static let muscleWords: [String: Muscle] = {
        var words: [String: Muscle] = [:]
        for word in [
            "calf", "calves", "calfs", "calf muscle", "calf muscles", "back of the lower leg", "back of lower leg", "back of my lower leg",
            "gastrocnemius", "soleus",
        ] { words[word] = .calf }
        for word in [
            "hamstring", "hamstrings", "ham string", "hammy", "hammies", "back of thigh", "back of the thigh", "back of my thigh", "back of thighs",
            "back of the thighs", "back thigh",
        ] { words[word] = .hamstrings }
        for word in [
            "quadriceps", "quadricep", "quad", "quads", "front of thigh", "front of the thigh", "front of my thigh", "front of thighs",
            "front of the thighs", "front thigh",
        ] { words[word] = .quadriceps }
        for word in ["unsure", "not sure", "don't know", "dont know", "i don't know", "no idea", "?"] { words[word] = .unsure }
        return words
    }()

    /// Words that name more than one of the muscles, with the ones they could be.
    static let ambiguousMuscleWords: [String: [Muscle]] = {
        var words: [String: [Muscle]] = [:]
        for word in ["thigh", "thighs", "my thigh", "upper leg", "upper legs"] { words[word] = [.hamstrings, .quadriceps] }
        for word in ["behind the knee", "behind my knee", "back of the knee", "back of my knee"] { words[word] = [.calf, .hamstrings] }
        for word in ["leg", "legs", "my leg", "knee", "my knee"] { words[word] = [.calf, .hamstrings, .quadriceps] }
        return words
    }()

    /// Muscles from everyday words, or from the numbers of `muscleOrder` (1 is the calf);
    /// `numbered` lists the muscles a menu shows, in that order.
    public static func muscles(_ text: String, numbered: [Muscle] = muscleOrder) -> MuscleReading {
        let parts = listParts(text)
        guard !parts.isEmpty else { return .unknown(word: "") }
        var found: [Muscle] = []
        for part in parts {
            if let number = Int(part), number >= 1, number <= numbered.count {
                found.append(numbered[number - 1])
            } else if let muscle = muscleWords[part] ?? Muscle(rawValue: part) {
                found.append(muscle)
            } else if let choices = ambiguousMuscleWords[part] {
                return .ambiguous(word: part, choices: choices)
            } else {
                return .unknown(word: part)
            }
        }
        return .muscles(Array(CodeSet(found)))
    }

    /// Lower-cased parts of a list ("calf and hamstring" is two), each trimmed, none empty.
    static func listParts(_ text: String) -> [String] {
        var lower = String(text.prefix(maximumLength)).lowercased()
        for joiner in [" and ", "&", "+", ";", "/"] { lower = lower.replacing(joiner, with: ",") }
        return lower.split(separator: ",").map { squeezed(String($0)) }.filter { !$0.isEmpty }
    }

    /// Trimmed, with runs of spaces as one, at most `maximumLength` characters read.
    public static func squeezedText(_ text: String) -> String { squeezed(String(text.prefix(maximumLength))) }

    /// Trimmed, with runs of spaces as one.
    static func squeezed(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    // MARK: durations

    public enum DurationUnit: Sendable {
        case seconds, minutes
    }

    /// Seconds from "2 minutes", "90s", "1.5h", "2 min 30 s", "1m30s", "2:30" (minutes and
    /// seconds), "a minute", "half an hour"; a bare number is in `bareUnit`. Nil for anything
    /// else, for no time at all, and for more than `limitSeconds`.
    public static func durationSeconds(_ text: String, bareUnit: DurationUnit, limitSeconds: Int = JournalLimits.maxDurationSeconds) -> Int? {
        var lower = squeezed(String(text.prefix(maximumLength)).lowercased()).replacing(",", with: ".")
        guard !lower.isEmpty else { return nil }
        for (words, replacement) in [
            ("half an hour", "30 min"), ("half a minute", "30 s"), ("an hour", "1 h"), ("a minute", "1 min"), ("a few seconds", "5 s"),
            ("a second", "1 s"), ("a day", "1 d"),
        ] {
            lower = lower.replacing(words, with: replacement)
        }
        var total = 0.0
        if let colon = minutesAndSeconds(lower) {
            total = colon
        } else {
            let terms = durationTerms(lower)
            guard let terms, !terms.isEmpty else { return nil }
            for (number, unit) in terms {
                guard let factor = unit.isEmpty ? (bareUnit == .seconds ? 1 : 60) : durationUnits[unit] else { return nil }
                guard terms.count == 1 || !unit.isEmpty else { return nil }
                total += number * factor
            }
        }
        guard total.isFinite, total > 0, total <= Double(limitSeconds) else { return nil }
        return max(1, Int(total.rounded()))
    }

    /// Seconds per unit, by every spelling.
    static let durationUnits: [String: Double] = {
        var units: [String: Double] = [:]
        for unit in ["s", "sec", "secs", "second", "seconds"] { units[unit] = 1 }
        for unit in ["m", "min", "mins", "minute", "minutes"] { units[unit] = 60 }
        for unit in ["h", "hr", "hrs", "hour", "hours"] { units[unit] = 3600 }
        for unit in ["d", "day", "days"] { units[unit] = 86_400 }
        return units
    }()

    /// "2:30" as 150 seconds (minutes, then seconds under 60).
    static func minutesAndSeconds(_ text: String) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCIIDigit) }),
            let minutes = Double(parts[0]), let seconds = Double(parts[1]), seconds < 60
        else { return nil }
        return minutes * 60 + seconds
    }

    /// "2 min 30 s" as [(2, "min"), (30, "s")]: numbers, each with the letters after it.
    static func durationTerms(_ text: String) -> [(Double, String)]? {
        var terms: [(Double, String)] = []
        var index = text.startIndex
        func skipSpaces() { while index < text.endIndex, text[index] == " " { index = text.index(after: index) } }
        skipSpaces()
        while index < text.endIndex {
            let numberStart = index
            while index < text.endIndex, text[index].isASCIIDigit || text[index] == "." { index = text.index(after: index) }
            guard numberStart < index, let number = Double(text[numberStart..<index]) else { return nil }
            skipSpaces()
            let unitStart = index
            while index < text.endIndex, text[index].isLetter { index = text.index(after: index) }
            terms.append((number, String(text[unitStart..<index])))
            skipSpaces()
            if text[index...].hasPrefix("and ") { index = text.index(index, offsetBy: 4) }
            skipSpaces()
        }
        return terms
    }

    // MARK: times of day

    /// A time of day a person typed, and which day it is on.
    public struct ClockTime: Sendable, Equatable {
        public enum Day: Sendable, Equatable {
            /// The most recent such time: today's if it has passed, else yesterday's.
            case mostRecent
            case today
            case yesterday
        }

        public let day: Day
        public let secondsOfDay: Int
    }

    /// "3am", "3:15 pm", "23:30", "noon", "midnight", "yesterday 23:30", "today 7am"; "now" is
    /// not a clock time (the caller reads it).
    public static func clockTime(_ text: String) -> ClockTime? {
        var lower = squeezed(String(text.prefix(maximumLength)).lowercased())
        var day = ClockTime.Day.mostRecent
        for (word, named) in [("yesterday", ClockTime.Day.yesterday), ("last night", .mostRecent), ("today", .today), ("tonight", .today)] {
            if lower.hasPrefix(word + " ") || lower.hasSuffix(" " + word) {
                day = named
                lower = squeezed(lower.replacing(word, with: "").replacing(" at ", with: " "))
                break
            }
        }
        if lower.hasPrefix("at ") { lower = String(lower.dropFirst(3)) }
        if lower == "noon" || lower == "midday" { return ClockTime(day: day, secondsOfDay: 12 * 3600) }
        if lower == "midnight" { return ClockTime(day: day, secondsOfDay: 0) }
        var meridiem: String?
        for suffix in ["a.m.", "p.m.", "am", "pm"] where lower.hasSuffix(suffix) {
            meridiem = String(suffix.first!)
            lower = squeezed(String(lower.dropLast(suffix.count)))
            break
        }
        let parts = lower.split(separator: lower.contains(":") ? ":" : ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCIIDigit) }),
            var hour = Int(parts[0]), let minute = parts.count == 2 ? Int(parts[1]) : 0, minute < 60
        else { return nil }
        if let meridiem {
            guard (1...12).contains(hour) else { return nil }
            if hour == 12 { hour = 0 }
            if meridiem == "p" { hour += 12 }
        } else {
            // "23" alone is no time; "23:30" is.
            guard parts.count == 2, hour < 24 else { return nil }
        }
        return ClockTime(day: day, secondsOfDay: hour * 3600 + minute * 60)
    }

    // MARK: fluids

    /// The usual glass, when the profile sets none.
    public static let defaultGlassML = 250

    public enum FluidUnit: Sendable {
        case millilitres, glasses
    }

    /// Millilitres from "1.2L", "1,5 litres", "1500ml", "3 glasses", "2 cups", "a glass"; a bare
    /// number is in `bareUnit`. Nil for anything else and beyond the journal's limit.
    public static func fluidML(_ text: String, bareUnit: FluidUnit, glassML: Int = defaultGlassML) -> Int? {
        var lower = squeezed(String(text.prefix(maximumLength)).lowercased()).replacing(",", with: ".")
        for article in ["a ", "one "] where lower.hasPrefix(article) { lower = "1 " + lower.dropFirst(article.count) }
        var end = lower.startIndex
        while end < lower.endIndex, lower[end].isASCIIDigit || lower[end] == "." { end = lower.index(after: end) }
        guard end > lower.startIndex, let number = Double(lower[..<end]), number.isFinite, number >= 0 else { return nil }
        var unit = squeezed(String(lower[end...]))
        for drink in [" of water", " of fluid", " of fluids", " of drink", " of drinks"] where unit.hasSuffix(drink) {
            unit = String(unit.dropLast(drink.count))
        }
        let factor: Double
        switch unit {
        case "": factor = bareUnit == .millilitres ? 1 : Double(glassML)
        case "ml", "millilitre", "millilitres", "milliliter", "milliliters", "cc": factor = 1
        case "l", "litre", "litres", "liter", "liters", "ltr": factor = 1000
        case "glass", "glasses", "cup", "cups", "mug", "mugs": factor = Double(glassML)
        default: return nil
        }
        let millilitres = number * factor
        guard millilitres <= Double(JournalLimits.maxFluidsML) else { return nil }
        return Int(millilitres.rounded())
    }

    // MARK: date ranges

    /// The days a range covers, both ends included.
    public struct DateRange: Sendable, Equatable {
        public let from: LocalDate
        public let through: LocalDate
    }

    /// "today", "yesterday", "last week" or "past week" (the last 7 days, today included), "this
    /// week" (from Monday), "last month" (the last 30 days), "this month", "last 3 months", "last
    /// 10 days", "2026-11-01..2026-11-30", or one ISO date. Nil for anything else.
    public static func dateRange(_ text: String, today: LocalDate) -> DateRange? {
        let lower = squeezed(String(text.prefix(maximumLength)).lowercased())
        func last(_ days: Int) -> DateRange {
            DateRange(from: LocalDate(daysSinceEpoch: today.daysSinceEpoch - (days - 1)), through: today)
        }
        switch lower {
        case "today": return last(1)
        case "yesterday":
            let day = LocalDate(daysSinceEpoch: today.daysSinceEpoch - 1)
            return DateRange(from: day, through: day)
        case "last week", "past week", "this past week", "the last week", "the past week": return last(7)
        case "last fortnight", "past fortnight", "last two weeks", "past two weeks": return last(14)
        case "last month", "past month", "the last month", "the past month": return last(30)
        case "last year", "past year": return last(365)
        case "this week":
            // 1970-01-01 was a Thursday: Monday is 3 days on.
            let sinceMonday = ((today.daysSinceEpoch - 4) % 7 + 7) % 7
            return last(sinceMonday + 1)
        case "this month": return DateRange(from: LocalDate(year: today.year, month: today.month, day: 1) ?? today, through: today)
        default: break
        }
        let words = lower.split(separator: " ").map(String.init)
        if words.count == 3, words[0] == "last" || words[0] == "past", let count = Int(words[1]), (1...3660).contains(count) {
            let perUnit: Int? =
                switch words[2] {
                case "day", "days": 1
                case "week", "weeks": 7
                case "month", "months": 30
                default: nil
                }
            if let perUnit, count * perUnit <= 3660 { return last(count * perUnit) }
            return nil
        }
        let ends = lower.replacing("..", with: " to ").split(separator: " to ", omittingEmptySubsequences: false)
            .map { squeezed(String($0)) }
        if ends.count == 2, let from = LocalDate(iso: ends[0]), let through = LocalDate(iso: ends[1]), from <= through {
            return DateRange(from: from, through: through)
        }
        if let day = LocalDate(iso: lower) { return DateRange(from: day, through: day) }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
