import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJSON
import CrampJournal
import CrampKnowledge
import Foundation
import HTTPTypes
import Hummingbird

/// A submitted form (application/x-www-form-urlencoded) as name and value pairs, repeated names
/// kept in order: read only where nothing may be refused yet (the interview's emergency check).
struct Form: Sendable {
    var pairs: [(name: String, value: String)]

    /// Fields a form may have: the longest form (the day, with its lists) has under 100.
    static let maxFields = 400
    static let maxBytes = 64 << 10

    /// Bounds what an error page can echo back: the longest real form (a note of 2,000
    /// characters with every box ticked) is under 20 KiB.
    static func checkSize(_ bytes: [UInt8]) throws {
        guard bytes.count <= maxBytes else {
            throw Problem(.contentTooLarge, "Form too large", detail: "the form is \(bytes.count) bytes; at most \(maxBytes) are accepted")
        }
        let count = bytes.lazy.filter { $0 == UInt8(ascii: "&") }.count + 1
        guard count <= maxFields else {
            throw Problem.invalid("form", "it has \(count) fields; at most \(maxFields) are accepted")
        }
    }

    /// What was wrong with a form the decoder refused, naming the field.
    static func problem(_ error: URLEncodedFormError) -> String {
        let field = Problem.shown(error.value, limit: 60)
        switch error.code {
        case .duplicateKeys: return "the field \(field) is sent more than once; send it once, or a list as \(error.value.prefix(60))[]"
        case .failedToPercentDecode: return "\(field) is not percent-encoded UTF-8 text"
        default: return "the field \(field) does not fit this form"
        }
    }

    /// A field whose value has the wrong shape (a list where one value belongs, or the reverse).
    static func problem(_ error: DecodingError) -> Problem {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        @unknown default:
            path = []
        }
        let field = path.map(\.stringValue).joined(separator: ".")
        return Problem.invalid(field.isEmpty ? "form" : field, "this field has the wrong shape for this form (one value, or a list sent as name[])")
    }

    init(_ bytes: [UInt8]) {
        pairs = bytes.split(separator: UInt8(ascii: "&")).compactMap { part in
            let halves = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(halves[0]), !name.isEmpty else { return nil }
            return (name, halves.count > 1 ? Self.decode(halves[1]) ?? "" : "")
        }
    }

    func value(_ name: String) -> String? { pairs.first { $0.name == name }?.value }
    func values(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// Percent-decoding with `+` as a space; nil for bytes that are not UTF-8.
    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(0x20)
            } else if byte == UInt8(ascii: "%"), let first = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), first < bytes.endIndex,
                let second = bytes.index(first, offsetBy: 1, limitedBy: bytes.endIndex), second < bytes.endIndex,
                let high = hex(bytes[first]), let low = hex(bytes[second])
            {
                out.append(high << 4 | low)
                index = second
            } else {
                out.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(validating: out, as: UTF8.self)
    }
}

// Page models: each template reads one typed model (its fields by name, through Mirror), so a
// missing or misspelt value is a compile error, not a blank on the page. Lists a template tests
// for emptiness use `{{^empty(list)}}`.

/// A form's error, linked to its field's element.
struct FieldError: Sendable {
    let field: String
    let message: String
}

/// A code to tick or choose on a form.
struct Choice: Sendable {
    let code: String
    let label: String
    let checked: Bool
    /// A duration chip's seconds, for the offline log to make an episode without the server.
    var seconds: Int? = nil
}

/// One option of a select list.
struct Option: Sendable {
    let value: String
    let label: String
    let selected: Bool
}

/// A link under a message.
struct Link: Sendable {
    let href: String
    let label: String
}

/// A short page: a heading, a sentence and perhaps a link on.
struct MessagePage: Sendable {
    let heading: String
    let text: String
    let link: Link?
}

/// Small pieces shared by the pages' view data.
enum View {
    /// A form's whole number, nil when blank; refused naming the field as the form names it.
    static func whole(_ text: String?, field: JournalField) throws -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw Problem.invalid(field.jsonKey, "\"\(text.prefix(20))\" is not a whole number") }
        return value
    }

    /// A form's number, nil when blank.
    static func number(_ text: String?, field: JournalField) throws -> Double? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let value = Double(text), value.isFinite else { throw Problem.invalid(field.jsonKey, "\"\(text.prefix(20))\" is not a number") }
        return value
    }

    /// A form's code, nil when blank.
    static func code<Code: CodeList>(_ text: String?, field: JournalField) throws -> Code? {
        guard let text, !text.isEmpty else { return nil }
        guard let code = Code.table.code(text) else {
            throw Problem.invalid(field.jsonKey, "\(Problem.shown(text, limit: 40)) is not accepted; accepted: \(Code.table.accepted)")
        }
        return code
    }

    /// A form's ticked codes, in the order sent.
    static func codes<Code: CodeList>(_ texts: [String]?, field: JournalField) throws -> [Code] {
        var codes: [Code] = []
        for (index, text) in (texts ?? []).enumerated() {
            guard let code = Code.table.code(text) else {
                throw Problem.invalid(
                    "\(field.jsonKey)[\(index)]", "\(Problem.shown(text, limit: 40)) is not accepted; accepted: \(Code.table.accepted)")
            }
            codes.append(code)
        }
        return codes
    }

    static func errors(_ list: [(String, String)]) -> [FieldError] {
        list.map { FieldError(field: anchor($0.0), message: $0.1.prefix(1).uppercased() + $0.1.dropFirst()) }
    }

    /// The id of the form element a field's error links to: `episode.muscles[1]` is `muscles`.
    static func anchor(_ field: String) -> String {
        var name = String(field.split(separator: ".").last ?? "")
        if let bracket = name.firstIndex(of: "[") { name = String(name[..<bracket]) }
        return ["durationMinutes": "duration", "duration": "durationSeconds", "fluids_ml": "fluidsML"][name] ?? Body.jsonField(name)
    }

    static func choices<Code: CodeList>(_ codes: [Code], chosen: [String], label: (Code) -> String) -> [Choice] {
        codes.map { Choice(code: $0.rawValue, label: label($0), checked: chosen.contains($0.rawValue)) }
    }

    static func durationUnits(_ selected: String) -> [Option] {
        ["seconds", "minutes", "hours", "days"].map { Option(value: $0, label: $0, selected: $0 == selected) }
    }

    /// A duration from a form's number and unit, in whole seconds within the journal's limit;
    /// the problem names the field, the value and what is accepted. The range is checked before
    /// any conversion to an integer, which would stop the process on a value such as 1e18.
    static func durationSeconds(_ value: String?, unit: String?, field: String) throws -> Int {
        guard let minutes = minutes(value, unit: unit), minutes > 0 else {
            throw Problem.invalid(field, "please say how long it lasted, as a number such as 2 (minutes)")
        }
        let seconds = (minutes * 60).rounded()
        guard seconds <= Double(JournalLimits.maxDurationSeconds) else {
            throw Problem.invalid(
                field,
                "\"\((value ?? "").prefix(20))\" \(unit ?? "minutes") is longer than CrampCare accepts; accepted: more than 0 and at most 7 days")
        }
        return max(1, Int(seconds))
    }

    static func minutes(_ value: String?, unit: String?) -> Double? {
        guard let text = value?.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "."), let number = Double(text),
            number.isFinite
        else { return nil }
        // No unit is minutes; a unit not on the list is no duration at all, never minutes.
        switch unit?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "seconds": return number / 60
        case "minutes", nil, "": return number
        case "hours": return number * 60
        case "days": return number * 1440
        default: return nil
        }
    }

    static func durationFields(_ seconds: Int) -> (String, String) {
        if seconds % 3600 == 0, seconds >= 3600 { return (String(seconds / 3600), "hours") }
        if seconds % 60 == 0 { return (String(seconds / 60), "minutes") }
        return (String(seconds), "seconds")
    }

    /// "Tue 3 Mar 2026, 23:15", in the time the person logged it.
    static func when(_ stamp: LocalTimestamp) -> String {
        let date = stamp.localDate
        let seconds = stamp.localSecondsOfDay
        let minute = seconds / 60 % 60
        return "\(date.weekdayName) \(date.words), \(seconds / 3600):\(minute < 10 ? "0" : "")\(minute)"
    }

    /// The value of a datetime-local input.
    static func dateTimeLocal(_ stamp: LocalTimestamp) -> String {
        let seconds = stamp.localSecondsOfDay
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(stamp.localDate)T\(two(seconds / 3600)):\(two(seconds / 60 % 60))"
    }

    /// "YYYY-MM-DDTHH:MM", with ":SS" or ":SS.sss" allowed (what a datetime-local input sends),
    /// read as a wall-clock time on `clock`. Digits only: no number parser sees the text.
    static func parseDateTimeLocal(_ text: String, clock: PersonClock) -> LocalTimestamp? {
        let parts = text.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2, let date = LocalDate(iso: parts[0]) else { return nil }
        let time = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3, let hour = twoDigits(time[0]), let minute = twoDigits(time[1]), hour <= 23, minute <= 59 else {
            return nil
        }
        var second = 0
        if time.count == 3 {
            let pieces = time[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard let whole = twoDigits(pieces[0]), whole <= 59,
                pieces.count == 1 || !pieces[1].isEmpty && pieces[1].utf8.allSatisfy({ (48...57).contains($0) })
            else { return nil }
            second = whole
        }
        return clock.local(date: date, secondsOfDay: hour * 3600 + minute * 60 + second)
    }

    private static func twoDigits(_ text: Substring) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 2, bytes.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(bytes[0] - 48) * 10 + Int(bytes[1] - 48)
    }

    /// What a person tried, in their words.
    /// The reliefs the night log offers as "what helped" (a painkiller does not ease a cramp).
    static let quickReliefs: [ReliefTried.Technique] = [.stretch, .walking, .massage, .heat, .fluids]

    /// A label as the start of a sentence or a button: "calf" is "Calf".
    static func capitalised(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// A medicine change in words.
    static func changeLabel(_ kind: MedicationChangeKind) -> String {
        switch kind {
        case .start: "Started"
        case .stop: "Stopped"
        case .dose: "Changed the dose of"
        }
    }

    /// Millilitres as glasses of `glassML` ("6", "4.5"), or as mL when not a whole or half glass.
    static func glasses(_ millilitres: Int, glassML: Int) -> String {
        guard glassML > 0 else { return "\(millilitres) mL" }
        let halves = millilitres * 2 / glassML
        guard halves * glassML == millilitres * 2 else { return "\(millilitres) mL" }
        return halves % 2 == 0 ? String(halves / 2) : "\(halves / 2).5"
    }

    static func outcome(_ outcome: ReliefTried.Outcome) -> String {
        switch outcome {
        case .helped: "helped"
        case .partly: "helped a little"
        case .no: "did not help"
        }
    }

    static func json(_ value: JSONValue) -> [UInt8] {
        var w = JSONWriter()
        w.write(value)
        return w.bytes
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// A result as the result page shows it: the same sections, in the same order, as the terminal.
/// The result page: the one ResultPresentation, in the template's terms.
struct ResultPage: Sendable {
    struct Tag: Sendable {
        let cssClass: String
        let text: String
    }

    struct Detail: Sendable {
        let label: String?
        let text: String
        let isBecause: Bool
    }

    struct Item: Sendable {
        let title: String
        let tag: Tag?
        let summary: String?
        let details: [Detail]
        let steps: [String]
        let cautions: [String]
        let byline: String?
        let url: String?
        /// Only words: a plain list item.
        let plain: Bool
    }

    struct Section: Sendable {
        let heading: String
        let paragraphs: [String]
        let items: [Item]
        let listClass: String
        let isSources: Bool
        let isPrevention: Bool
        let isRelief: Bool
    }

    let triage: String
    let bannerTitle: String
    let bannerAction: String
    let callNumber: String?
    /// The muscle code of the guided stretch the result offers, if any.
    let guidedStretch: String?
    let notices: [String]
    let stoppedEarly: Bool
    let counted: [String]
    let sections: [Section]
    /// The request, for "Keep this result" (signed in only).
    let requestJSON: String?
    let disclaimer: String
    let knowledgeVersion: String

    init(_ shown: ResultPresentation, stoppedEarly: Bool = false, counted: [String] = [], requestJSON: String? = nil) {
        triage = shown.triage.rawValue
        bannerTitle = shown.title
        bannerAction = shown.action
        callNumber = shown.callNumber
        guidedStretch = shown.guidedStretch?.rawValue
        notices = shown.notices
        self.stoppedEarly = stoppedEarly
        self.counted = counted
        self.requestJSON = requestJSON
        disclaimer = shown.disclaimer
        knowledgeVersion = shown.knowledgeVersion
        sections = shown.sections.map { section in
            Section(
                heading: section.heading, paragraphs: section.paragraphs,
                items: section.items.map { item in
                    let tag = item.tag.map { tag in
                        switch tag.kind {
                        case .level: Tag(cssClass: "level level-\(tag.code)", text: tag.text)
                        case .score: Tag(cssClass: "score", text: "(\(tag.text))")
                        case .hold: Tag(cssClass: "hold", text: "(\(tag.text))")
                        }
                    }
                    return Item(
                        title: item.title, tag: tag, summary: item.summary,
                        details: item.details.map { Detail(label: $0.label, text: $0.text, isBecause: $0.isBecause) },
                        steps: item.steps, cautions: item.cautions, byline: item.byline, url: item.url,
                        plain: tag == nil && item.summary == nil && item.details.isEmpty && item.steps.isEmpty && item.cautions.isEmpty
                            && item.byline == nil)
                }, listClass: section.kind == .sources ? "sources" : (section.kind == .safetyNet || section.kind == .unscreened ? "" : "items"),
                isSources: section.kind == .sources, isPrevention: section.kind == .prevention, isRelief: section.kind == .relief)
        }
    }
}
