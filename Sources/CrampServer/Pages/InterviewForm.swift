import CrampKnowledge
import Foundation
import Hummingbird

/// The interview's form, as `assess.mustache` names its fields: lists as `name[]`, a sign
/// reported by its code as `f[code]=yes`, and each question of the knowledge base under its own
/// name (the safety questions and the choice questions one value, the checklists `id[]`).
/// Every answer so far rides along from page to page in hidden fields.
struct InterviewForm: SubmittedForm {
    var csrf: String?
    var step: String?
    var finish: String?
    /// The pages that were sent (a required question whose page was sent without an answer says so).
    var asked: [String] = []
    /// Signs ticked under a safety question with several.
    var sign: [String] = []
    var muscle: [String] = []
    var context: [String] = []
    var window: [String] = []
    var condition: [String] = []
    var medication: [String] = []
    /// Signs reported by code, `f[code]=yes`.
    var f: [String: String] = [:]
    var durationValue: String?
    var durationUnit: String?
    var age: String?
    var episodesLast30Days: String?
    var severity: String?
    var side: String?
    var onset: String?
    var sex: String?
    var profile: String?
    /// The questions the knowledge base names: one answer each.
    var answers: [String: String] = [:]
    /// The checklist questions the knowledge base names: a list each.
    var lists: [String: [String]] = [:]

    enum Key: String, CodingKey, CaseIterable {
        case csrf, step, finish, asked, sign, muscle, context, window, condition, medication, f
        case durationValue, durationUnit, age, episodesLast30Days, severity, side, onset, sex, profile
    }

    struct Name: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: Key.self)
        func one(_ key: Key) throws -> String? { try form.decodeIfPresent(String.self, forKey: key) }
        func list(_ key: Key) throws -> [String] { try form.decodeIfPresent([String].self, forKey: key) ?? [] }
        (csrf, step, finish) = (try one(.csrf), try one(.step), try one(.finish))
        (asked, sign, muscle) = (try list(.asked), try list(.sign), try list(.muscle))
        (context, window, condition, medication) = (try list(.context), try list(.window), try list(.condition), try list(.medication))
        f = try form.decodeIfPresent([String: String].self, forKey: .f) ?? [:]
        (durationValue, durationUnit, age) = (try one(.durationValue), try one(.durationUnit), try one(.age))
        (episodesLast30Days, severity, side, onset) = (try one(.episodesLast30Days), try one(.severity), try one(.side), try one(.onset))
        (sex, profile) = (try one(.sex), try one(.profile))
        let named = try decoder.container(keyedBy: Name.self)
        for key in named.allKeys where Key(rawValue: key.stringValue) == nil {
            if let value = try? named.decode(String.self, forKey: key) {
                answers[key.stringValue] = value
            } else {
                lists[key.stringValue] = try named.decode([String].self, forKey: key)
            }
        }
    }

    /// The form read leniently, for the emergency check that runs before anything is refused:
    /// a list's items count with or without `[]`, a field sent twice keeps every value it was
    /// given for the lists and its most cautious answer (yes, then not sure) for the rest.
    init(leniently form: Form) {
        func rank(_ value: String) -> Int {
            switch value.trimmingCharacters(in: .whitespaces).lowercased() {
            case "yes": 2
            case "unsure": 1
            default: 0
            }
        }
        for (name, value) in form.pairs {
            let bracket = name.firstIndex(of: "[")
            let base = bracket.map { String(name[..<$0]) } ?? name
            let inside = bracket.map { name[name.index(after: $0)...].prefix { $0 != "]" } }.map(String.init)
            switch Key(rawValue: base) {
            case .asked: asked.append(value)
            case .sign: sign.append(value)
            case .muscle: muscle.append(value)
            case .context: context.append(value)
            case .window: window.append(value)
            case .condition: condition.append(value)
            case .medication: medication.append(value)
            case .f:
                if let code = inside, !code.isEmpty, rank(value) > rank(f[code] ?? "") { f[code] = value }
            case .some(let key):
                set(key, value)
            case nil:
                // The older spelling of a sign by code, `f-code=yes`.
                if base.hasPrefix("f-") {
                    let code = String(base.dropFirst(2))
                    if rank(value) > rank(f[code] ?? "") { f[code] = value }
                } else if bracket != nil || lists[base] != nil {
                    lists[base, default: []].append(value)
                } else if let earlier = answers[base] {
                    lists[base, default: [earlier]].append(value)
                    if rank(value) > rank(earlier) { answers[base] = value }
                } else {
                    answers[base] = value
                }
            }
        }
    }

    private mutating func set(_ key: Key, _ value: String) {
        func first(_ field: inout String?) { if field == nil { field = value } }
        switch key {
        case .csrf: first(&csrf)
        case .step: first(&step)
        case .finish: first(&finish)
        case .durationValue: first(&durationValue)
        case .durationUnit: first(&durationUnit)
        case .age: first(&age)
        case .episodesLast30Days: first(&episodesLast30Days)
        case .severity: first(&severity)
        case .side: first(&side)
        case .onset: first(&onset)
        case .sex: first(&sex)
        case .profile: first(&profile)
        case .asked, .sign, .muscle, .context, .window, .condition, .medication, .f: break
        }
    }

    /// A checklist question's values, or the one value it was sent as.
    func list(_ name: String) -> [String] { lists[name] ?? answers[name].map { [$0] } ?? [] }

    /// The form as it is written back into a page: every field, lists as `name[]`, in a fixed
    /// order, with the fields for which `isOwn` holds (the page's own question) left out.
    func fields(except isOwn: (String) -> Bool) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        func add(_ name: String, _ value: String?) { if let value, !isOwn(name) { out.append((name, value)) } }
        func add(list name: String, _ values: [String]) { if !isOwn(name) { out += values.map { ("\(name)[]", $0) } } }
        add(list: "asked", asked)
        add(list: "sign", sign)
        add(list: "muscle", muscle)
        for (name, values) in [("context", context), ("window", window), ("condition", condition), ("medication", medication)] {
            add(list: name, values)
        }
        if !isOwn("f") { out += f.sorted { $0.key < $1.key }.map { ("f[\($0.key)]", $0.value) } }
        for (name, value) in [
            ("durationValue", durationValue), ("durationUnit", durationUnit), ("age", age), ("episodesLast30Days", episodesLast30Days),
            ("severity", severity), ("side", side), ("onset", onset), ("sex", sex), ("profile", profile),
        ] {
            add(name, value)
        }
        for (name, value) in answers.sorted(by: { $0.key < $1.key }) { add(name, value) }
        for (name, values) in lists.sorted(by: { $0.key < $1.key }) { add(list: name, values) }
        return out
    }
}
