public import CrampJournal
public import CrampKnowledge

/// The insights for the person, in plain words: what the diary shows, how sure it is, said in
/// words rather than statistics, and only at the tier the statistics allow. The numbers behind it
/// stay in the clinician report. The page and the terminal both show this, section by section.
///
/// It describes what happened and never says how much to drink, sit or exercise: a diary pattern
/// is not advice, and some people's fluids are limited by their kidney or heart team.
public struct InsightWords: Sendable {
    public enum Tone: String, Sendable {
        /// A see-a-doctor pattern.
        case doctor
        /// A finding the statistics allow at this tier.
        case finding
        /// A caution from the knowledge base.
        case caution
        case plain
    }

    public struct Item: Sendable {
        /// A short lead-in ("Possible trigger", "See a doctor soon"); nil for a plain sentence.
        public let label: String?
        public let text: String
        public let tone: Tone
        /// Where the wording comes from, for a caution or pattern (knowledge base source ids).
        public let sources: [String]

        init(_ text: String, label: String? = nil, tone: Tone = .plain, sources: [String] = []) {
            self.label = label
            self.text = text
            self.tone = tone
            self.sources = sources
        }
    }

    public struct Section: Sendable {
        public enum Kind: String, Sendable {
            case seeADoctor = "see-a-doctor"
            case howOften = "how-often"
            case whatMayBringThemOn = "what-may-bring-them-on"
            case whatHelps = "what-helps"
        }

        public let kind: Kind
        public let title: String
        public let items: [Item]
    }

    /// What the page covers, in one sentence.
    public let summary: String
    public let sections: [Section]

    /// `glassML` is the person's glass, so an amount of fluid also reads in their glasses.
    /// `openChecks` counts the urgent or emergency checks of the last 14 days and `unanswered` the
    /// cramps whose safety questions are not answered: both come before anything else.
    public init(
        _ insights: Insights, knowledge: KnowledgeBase, glassML: Int = EverydayInput.defaultGlassML, openChecks: Int = 0, unanswered: Int = 0
    ) {
        let words = Wording(glassML: glassML)
        summary = Self.summary(insights, words)
        sections = [
            Section(
                kind: .seeADoctor, title: "When to see a doctor",
                items: Self.seeADoctor(insights, knowledge, words, openChecks: openChecks, unanswered: unanswered)),
            Section(kind: .howOften, title: "How often", items: Self.howOften(insights, words)),
            Section(kind: .whatMayBringThemOn, title: "What may bring them on", items: Self.triggers(insights, knowledge, words)),
            Section(kind: .whatHelps, title: "What helps you", items: Self.relief(insights, words)),
        ]
    }

    static func summary(_ insights: Insights, _ words: Wording) -> String {
        if insights.episodeCount == 0 && insights.dayLogCount == 0 {
            return "Nothing logged yet. Log your cramps, and each evening how your day went, and this page fills in."
        }
        let days = insights.diary.dayCount
        return "From \(insights.diary.first.words) to \(insights.diary.last.words) (\(words.count(days, "day")))"
            + ": \(words.count(insights.episodeCount, "cramp")) logged, and \(words.count(insights.dayLogCount, "day")) with a day log."
    }

    static func seeADoctor(_ insights: Insights, _ knowledge: KnowledgeBase, _ words: Wording, openChecks: Int, unanswered: Int) -> [Item] {
        var items: [Item] = []
        // What the person was already told comes first: no diary pattern, or its absence, outweighs it.
        if openChecks > 0 {
            items.append(
                Item(
                    "\(openChecks == 1 ? "a check" : "\(openChecks) checks") you made in the last 14 days said to get help. "
                        + "Act on that, whatever this page says.", label: "First", tone: .doctor))
        }
        if unanswered > 0 {
            items.append(
                Item(
                    "\(unanswered == 1 ? "a cramp you logged still has its" : "\(unanswered) cramps you logged still have their") "
                        + "safety questions not answered. Some leg pain that feels like a cramp needs care: answer them first.",
                    label: "First", tone: .doctor))
        }
        for found in insights.patterns {
            // The action first, then what the diary showed and why it matters.
            let advice = found.escalation.map { "\($0.title): \($0.advice)" } ?? found.pattern.advice
            items.append(
                Item(
                    "\(found.pattern.title). \(advice) \(found.plain) \(found.pattern.explanation)",
                    label: found.level >= .urgent ? "Get help today" : "See a doctor soon", tone: .doctor,
                    sources: found.pattern.sources + (found.escalation?.sources ?? []).filter { !found.pattern.sources.contains($0) }))
        }
        if insights.patterns.isEmpty {
            items.append(
                Item(
                    "Your diary so far (\(words.count(insights.diary.dayCount, "day"))) shows none of the patterns this page looks for."))
        }
        if let caution = knowledge.cautions.first(where: { $0.id == "diary_cannot_see_everything" }) {
            items.append(Item(caution.text, label: caution.title, tone: .caution, sources: caution.sources))
        }
        return items
    }

    static func howOften(_ insights: Insights, _ words: Wording) -> [Item] {
        let trends = insights.trends
        guard insights.episodeCount > 0 else { return [Item("No cramps logged yet.")] }
        var items: [Item] = []
        if let recent = trends.recent {
            var text =
                "In the last 4 weeks you logged \(words.count(recent.episodes, "cramp")); in the 8 weeks before, \(recent.referenceEpisodes)"
                + " (about \(Int((Double(recent.referenceEpisodes) / 2).rounded())) every 4 weeks)."
            if let ratio = recent.ratio, recent.episodes + recent.referenceEpisodes > 0 {
                text += " That is \(words.compared(ratio.value, with: "before")). \(words.certainty(ratio))"
                if ratio.value > 1.15 { text += " If your cramps are getting worse or worry you, see your GP anyway." }
            }
            items.append(Item(text, tone: trends.recent?.ratio.map(Wording.isClear) == true ? .finding : .plain))
        } else {
            let days = insights.diary.dayCount
            items.append(
                Item(
                    days >= Trends.periodDays
                        ? "In the last 4 weeks you logged \(words.count(trends.periods.last?.episodes ?? 0, "cramp"))."
                        : "In the \(words.count(days, "day")) since your first entry you logged \(words.count(insights.episodeCount, "cramp")).")
            )
            items.append(Item("After 12 weeks of entries this page can say whether your cramps are coming more or less often."))
        }
        if let period = trends.periods.last, period.episodes > 0 {
            var parts: [String] = []
            if let severity = period.medianSeverity { parts.append("scored about \(Int(severity.rounded())) out of 10") }
            if let seconds = period.medianDurationSeconds { parts.append("lasted \(words.duration(seconds))") }
            if !parts.isEmpty { items.append(Item("In the last 4 weeks a typical cramp " + parts.joined(separator: " and ") + ".")) }
        }
        if let share = trends.nightShare, insights.episodeCount >= 3 {
            let night = Int((share * Double(insights.episodeCount)).rounded())
            items.append(
                Item(
                    night == insights.episodeCount
                        ? "All \(night) of your cramps came at night or in bed."
                        : "\(night) of your \(insights.episodeCount) cramps came at night or in bed."))
        }
        if let change = trends.medicationChange, let ratio = change.ratio, let date = trends.medicationChangeDate {
            items.append(
                Item(
                    "Since the medicine change on \(date.words) you logged \(words.count(change.episodes, "cramp")) in \(change.days) days, "
                        + "against \(change.referenceEpisodes) in the \(change.referenceDays) days before: "
                        + "\(words.compared(ratio.value, with: "before")). \(words.certainty(ratio))",
                    tone: Wording.isClear(ratio) ? .finding : .plain))
        }
        return items
    }

    static func triggers(_ insights: Insights, _ knowledge: KnowledgeBase, _ words: Wording) -> [Item] {
        let analysis = insights.triggers
        let sofar = "So far: \(words.count(analysis.days, "day")) logged, \(analysis.crampDays) of them with a cramp."
        switch analysis.tier {
        case .notEnoughData:
            return [
                Item(
                    "Log each evening how your day went (Day). After \(Triggers.descriptiveDays) days logged, with a cramp on at least "
                        + "\(Triggers.descriptiveCrampDays) of them, this page can look for early signs of what goes with your cramps. " + sofar)
            ]
        case .descriptive, .inferential:
            break
        }
        var items: [Item] = []
        let inferential = analysis.tier == .inferential
        items.append(
            Item(
                inferential
                    ? "From \(words.count(analysis.days, "day")) logged, \(analysis.crampDays) of them with a cramp."
                    : "These are early signs only, from \(words.count(analysis.days, "day")) logged (\(analysis.crampDays) with a cramp): "
                        + "they could easily be chance. After \(Triggers.inferentialDays) days logged, with a cramp on at least "
                        + "\(Triggers.inferentialCrampDays), this page can say more."))
        var shown: [TriggerFinding] = []
        for finding in analysis.findings {
            guard let label = label(finding.verdict), let risk = finding.relativeRisk else { continue }
            shown.append(finding)
            let compared =
                "on \(finding.crampDaysWith) of \(finding.daysWith) such days, against \(finding.crampDaysWithout) of \(finding.daysWithout) other days"
            var chance =
                inferential
                ? "This is a pattern in your diary, not proof that one causes the other: something else may explain both, and it could still be chance."
                : "It could easily be chance, or something else may explain both."
            if finding.exposure.kind == .alcohol && risk.value < 1 { chance += " This is not a reason to drink alcohol." }
            items.append(
                Item(
                    "\(words.exposure(finding.exposure)) you had a cramp \(words.compared(risk.value, with: "on other days")) "
                        + "(\(compared)). \(chance)", label: label, tone: .finding))
            // The fluid-limit caution goes right after the first fluid finding, where it is read.
            if finding.exposure.kind == .lowFluids || finding.exposure.kind == .electrolyteDrink, !items.contains(where: { $0.tone == .caution }),
                let caution = knowledge.cautions.first(where: { $0.id == "fluid_limits" })
            {
                items.append(Item(caution.text, label: caution.title, tone: .caution, sources: caution.sources))
            }
        }
        if shown.isEmpty {
            items.append(Item(inferential ? "Nothing stands out as going with your cramps." : "No early signs so far."))
        }
        let unclear = analysis.findings.filter { $0.verdict == .noEvidenceYet }.map { words.topic($0.exposure) }
        if !unclear.isEmpty, !shown.isEmpty {
            items.append(Item("No clear link so far with \(words.list(unclear))."))
        }
        let short = analysis.findings.filter { $0.verdict == .notEnoughData }.map { words.topic($0.exposure) }
        if !short.isEmpty { items.append(Item("Not enough days yet to tell for \(words.list(short)).")) }
        let kept = analysis.findings.filter { $0.verdict == .shownOnly }.map { words.topic($0.exposure) }
        if !kept.isEmpty {
            items.append(
                Item(
                    "What you log about \(words.list(kept)) is kept and shown to your clinician, but not tested for a link here: "
                        + "each extra thing tested makes a finding by chance more likely."))
        }
        items.append(Item(TriggerPromise.words, label: "What these words mean"))
        return items
    }

    static func label(_ verdict: TriggerFinding.Verdict) -> String? {
        switch verdict {
        case .possibleTrigger: "Possible trigger"
        case .possibleProtector: "Linked to fewer cramps"
        case .earlySignalTrigger, .earlySignalProtector: "Early sign"
        case .notEnoughData, .noEvidenceYet, .shownOnly: nil
        }
    }

    static func relief(_ insights: Insights, _ words: Wording) -> [Item] {
        guard !insights.relief.isEmpty else {
            return [Item("No relief logged yet. When you log a cramp, tap what helped, and this shows what works for you.")]
        }
        var items: [Item] = []
        for effect in insights.relief {
            var text = "\(effect.technique.label): helped \(effect.helped) of the \(words.count(effect.uses, "time")) you tried it"
            if effect.partly > 0 { text += ", and partly helped \(effect.partly) more" }
            text += "."
            if let share = effect.interval {
                if share.lower > 0.5 {
                    text += " You felt it helped more often than not."
                } else if share.upper < 0.5 {
                    text += " You felt it helped less than half the time."
                }
            } else {
                text += " Too few times to tell yet."
            }
            items.append(Item(text))
        }
        if insights.untreatedCount > 0, let seconds = insights.untreatedMedianSeconds {
            items.append(
                Item("With nothing tried, a typical cramp lasted \(words.duration(seconds)) (\(words.count(insights.untreatedCount, "cramp")))."))
        }
        return items
    }
}

/// Numbers in the words a person uses.
struct Wording {
    let glassML: Int

    func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    func list(_ items: [String], joiner: String = "or") -> String {
        guard items.count > 1, let last = items.last else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(joiner) " + last
    }

    /// A rate ratio as "about twice as often"; read with "as before" or "as on other days".
    func often(_ ratio: Double) -> String {
        guard ratio.isFinite else { return ratio > 0 ? "far more often" : "about as often" }
        switch ratio {
        case ..<0.2: return "far less often"
        case ..<0.3: return "about a quarter as often"
        case ..<0.42: return "about a third as often"
        case ..<0.62: return "about half as often"
        case ..<0.87: return "a little less often"
        case ..<1.15: return "about as often"
        case ..<1.35: return "a little more often"
        case ..<1.75: return "about one and a half times as often"
        case ..<2.5: return "about twice as often"
        case ..<10: return "about \(Int(ratio.rounded())) times as often"
        default: return "far more often"
        }
    }

    /// "about twice as often as before", "a little less often than on other days".
    func compared(_ ratio: Double, with other: String) -> String {
        let words = often(ratio)
        return words.hasSuffix("as often") ? "\(words) as \(other)" : "\(words) than \(other)"
    }

    /// A change is "clear" when its 95% interval leaves out no change at all.
    static func isClear(_ ratio: Estimate) -> Bool { ratio.lower > 1 || ratio.upper < 1 }

    func certainty(_ ratio: Estimate) -> String {
        Self.isClear(ratio) ? "This is probably more than chance, though it could still be chance." : "This could be chance."
    }

    /// "about 2 minutes"
    func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "an unknown time" }
        if seconds < 60 { return "under a minute" }
        if seconds < 90 { return "about a minute" }
        if seconds < 5400 { return "about \(Int((seconds / 60).rounded())) minutes" }
        if seconds < 172_800 { return "about \(Int((seconds / 3600).rounded())) hours" }
        return "about \(Int(min(seconds / 86_400, 1e6).rounded())) days"
    }

    /// An amount of fluid as a person says it: litres to one decimal, with their glasses.
    func fluid(_ millilitres: Double) -> String {
        guard millilitres.isFinite, millilitres > 0 else { return "very little" }
        let litres = Format.decimal(millilitres / 1000, places: 1)
        let amount =
            millilitres < 1000
            ? "\(Int((millilitres / 50).rounded()) * 50) mL"
            : litres == "1.0" ? "1 litre" : litres.hasSuffix(".0") ? "\(litres.dropLast(2)) litres" : "\(litres) litres"
        let glasses = Int((millilitres / Double(max(1, glassML))).rounded())
        guard glasses >= 1 else { return "about \(amount)" }
        return "about \(amount), about \(glasses == 1 ? "1 glass" : "\(glasses) glasses")"
    }

    func hours(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e6 ? count(Int(value), "hour") : "\(Format.decimal(value, places: 1)) hours"
    }

    /// The days an exposure names, as the start of a sentence: "on days you drank less than …".
    func exposure(_ exposure: Exposure) -> String {
        let cut = exposure.threshold ?? 0
        let amount = Format.decimal(cut, places: cut == cut.rounded() ? 0 : 1)
        switch exposure.kind {
        case .lowFluids: return "on the days you drank least (up to \(fluid(cut)))"
        case .longSitting: return "on the days you sat longest (\(hours(cut)) or more)"
        case .longStanding: return "on the days you were on your feet longest (\(hours(cut)) or more)"
        case .alcohol:
            return cut <= 0 ? "on days you had any alcohol" : "on the days you had most alcohol (\(amount) unit\(cut == 1 ? "" : "s") or more)"
        case .hardExercise: return "on days you did hard exercise"
        case .hardExercisePreviousDay: return "on the day after hard exercise"
        case .hotWeather: return "on hot days"
        case .electrolyteDrink: return "on days you had an electrolyte drink"
        case .shortSleep: return "after your shortest nights (\(hours(cut)) of sleep or less)"
        case .manyStepsPreviousDay: return "on the day after you walked most (\(amount) steps or more)"
        case .caffeinePreviousDay:
            return "on the day after you had most caffeine (\(amount) drink\(cut == 1 ? "" : "s") with caffeine or more)"
        case .noMineralFoods: return "on days you ate none of the foods rich in potassium, magnesium or calcium"
        }
    }

    /// What an exposure is about, for a list: "hot weather, alcohol or long sitting".
    func topic(_ exposure: Exposure) -> String {
        switch exposure.kind {
        case .lowFluids: "how much you drank"
        case .longSitting: "long sitting"
        case .longStanding: "long standing"
        case .alcohol: "alcohol"
        case .hardExercise: "hard exercise"
        case .hardExercisePreviousDay: "hard exercise the day before"
        case .hotWeather: "hot weather"
        case .electrolyteDrink: "electrolyte drinks"
        case .shortSleep: "how long you slept"
        case .manyStepsPreviousDay: "how much you walked"
        case .caffeinePreviousDay: "caffeine"
        case .noMineralFoods: "mineral-rich foods"
        }
    }
}
