import CrampApplication
import CrampJournal
import CrampKnowledge
import Foundation
import Hummingbird
import HummingbirdCore

/// The filters over a list of cramps (from, to, muscle, least severity) and its paging, read from
/// the address for the person's journal and a patient's cramps alike: a bad value is named and
/// left out, the rest still filter.
struct CrampFilterForm: Sendable {
    let action: String
    /// "Filter the journal" on the person's own, "Filter the cramps" on a patient's.
    let title: String
    let from: String
    let to: String
    let minSeverity: String
    let muscles: [Choice]
    let filtered: Bool
    /// The query kept for the next page's link (the filters that were accepted).
    let kept: [String]

    static func read(
        _ query: FlatDictionary<Substring, Substring>, clock: PersonClock, action: String, title: String, knowledge: KnowledgeBase
    ) throws -> (form: CrampFilterForm, filter: EpisodeFilter, errors: [(String, String)]) {
        var filter = EpisodeFilter()
        var errors: [(String, String)] = []
        var kept: [String] = []
        func keep(_ name: String, _ value: String) {
            kept.append("\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        if let from = query.get("from"), !from.isEmpty {
            do { filter.from = try Query.instant(from, field: "from", clock: clock, endOfDay: false); keep("from", from) } catch let p as Problem {
                errors.append(("from", p.detail))
            }
        }
        if let to = query.get("to"), !to.isEmpty {
            do { filter.before = try Query.instant(to, field: "to", clock: clock, endOfDay: true); keep("to", to) } catch let p as Problem {
                errors.append(("to", p.detail))
            }
        }
        if let muscle = query.get("muscle"), !muscle.isEmpty {
            if let code = Muscle.table.code(muscle) {
                filter.muscles = [code]; keep("muscle", muscle)
            } else {
                errors.append(("muscle", "\"\(muscle.prefix(40))\" is not a muscle; accepted: \(Muscle.table.accepted)"))
            }
        }
        if let minimum = query.get("minSeverity"), !minimum.isEmpty {
            do { filter.minimumSeverity = try Query.integer(minimum, field: "minSeverity", in: 0...10); keep("minSeverity", minimum) } catch let p
                as Problem
            {
                errors.append(("minSeverity", p.detail))
            }
        }
        if let after = query.get("after") {
            if let cursor = EpisodeCursor(after) {
                filter.after = cursor
            } else {
                errors.append(("after", "\(Problem.shown(after, limit: 40)) is not a page of this list"))
            }
        }
        let form = CrampFilterForm(
            action: action, title: title, from: String((query.get("from") ?? "").prefix(40)), to: String((query.get("to") ?? "").prefix(40)),
            minSeverity: String((query.get("minSeverity") ?? "").prefix(10)),
            muscles: View.choices(Muscle.menuOrder, chosen: [query.get("muscle") ?? ""]) { knowledge.muscleLabels[$0] ?? $0.rawValue },
            filtered: !kept.isEmpty, kept: kept)
        return (form, filter, errors)
    }

    /// Reads one page of `size` (asking for one more to know whether there is a next), and the
    /// link to the next page with the same filters.
    func page(_ episodes: [Episode], size: Int) -> (episodes: [Episode], next: String?) {
        guard episodes.count > size else { return (episodes, nil) }
        let shown = Array(episodes.prefix(size))
        guard let last = shown.last else { return (shown, nil) }
        let cursor = "after=\(EpisodeCursor(instant: last.startedAt.instant, id: last.id))"
        return (shown, "\(action)?" + (kept + [cursor]).joined(separator: "&"))
    }
}
