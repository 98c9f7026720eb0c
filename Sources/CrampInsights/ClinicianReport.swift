import CrampJSON
public import CrampJournal
public import CrampKnowledge

/// The report a clinician reads: a summary of one to two printed pages of HTML, then the cramps
/// themselves as an appendix from a new page; self-contained (styles inline, charts as inline
/// SVG, no script), from a journal's contents and its insights.
public struct ClinicianReport: Sendable {
    public let contents: JournalContents
    public let insights: Insights
    public let knowledge: KnowledgeBase
    /// Whether the appendix shows the person's notes: always in their own report, through a
    /// grant only when they chose to share them.
    public let notes: Bool

    public init(contents: JournalContents, insights: Insights, knowledge: KnowledgeBase, notes: Bool = true) {
        self.contents = contents
        self.insights = insights
        self.knowledge = knowledge
        self.notes = notes
    }

    static func html(_ text: String) -> String { HTMLText.escape(text) }

    /// The whole printable document.
    public func document() -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>CrampCare diary report, \(Self.html(insights.covered))</title>
        <style>body{font:14px/1.4 system-ui,sans-serif;color:#111;background:#fff;margin:0}@media print{body{font-size:9px;line-height:1.25}}\(Self.style)</style></head>
        <body><main class="report">\(body(headingLevel: 1))</main></body></html>
        """
    }

    /// The report's styles, all under `.report` so a web page can take them too: compact on
    /// screen, A4 with small type in print.
    public static let style = """
        .report{max-width:60rem;margin:0 auto;padding:1rem}
        .report h1{font-size:1.4rem;margin:0 0 .25rem}.report h2{font-size:1.1rem;margin:1rem 0 .3rem;border-bottom:1px solid #999}
        .report table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.3rem 0}.report .wide{overflow-x:auto}
        .report th,.report td{border:1px solid #bbb;padding:.15rem .35rem;text-align:left;vertical-align:top}
        .report th{background:rgba(128,128,128,.18)}.report .note{font-size:.85rem}.report .flag{border:2px solid #8b0000;padding:.3rem .5rem;margin:.3rem 0}
        .report .chart{max-width:40rem;display:block;margin:.3rem 0}.report .charts{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}
        @media (max-width:40rem){.report .charts{grid-template-columns:1fr}}
        @media print{@page{size:A4;margin:10mm}.report{padding:0;max-width:none;font-size:9px;line-height:1.25}
        .report h1{font-size:14px}.report h2{font-size:11px;margin:.5rem 0 .2rem;break-after:avoid}.report p{margin:.2rem 0}
        .report table{font-size:8.5px;margin:.15rem 0}.report th,.report td{padding:.05rem .25rem}
        .report .chart{max-height:42mm;width:auto;margin:0}.report .flag{padding:.15rem .3rem;margin:.15rem 0}
        .report .charts{grid-template-columns:1fr 1fr}.report table,.report .chart,.report .flag{break-inside:avoid}
        .report .appendix{break-before:page}.report .appendix table{break-inside:auto}.report .appendix tr{break-inside:avoid}}
        """

    /// The report's content, for a page of the web app or the printable document.
    public func body(headingLevel: Int = 1) -> String {
        let h1 = "h\(headingLevel)", h2 = "h\(headingLevel + 1)"
        var out = "<\(h1)>Leg cramp diary report</\(h1)>"
        out +=
            "<p>Period covered: <strong>\(Self.html(insights.covered))</strong>. Made on \(insights.today) by CrampCare "
            + "(knowledge base \(Self.html(knowledge.version))). \(insights.episodeCount) episodes and \(insights.dayLogCount) day logs.</p>"
        out += "<p class=\"note\">\(Self.html(knowledge.disclaimer))</p>"

        out += "<\(h2)>See a doctor</\(h2)>"
        if insights.patterns.isEmpty {
            out += "<p>None of the diary patterns that call for a check were found in this period.</p>"
        } else {
            for found in insights.patterns {
                out +=
                    "<div class=\"flag\"><strong>\(Self.html(found.pattern.title))</strong> (\(found.level >= .urgent ? "urgent" : "soon")): "
                    + "\(Self.html(found.evidence)). "
                    + (found.escalation.map { "<strong>\(Self.html($0.title))</strong>: \(Self.html($0.advice)) " } ?? "")
                    + "\(Self.html(found.pattern.advice)) <span class=\"note\">Sources: \(Self.html(sourceNames(found.pattern.sources + (found.escalation?.sources ?? []))))</span></div>"
            }
        }

        out += "<\(h2)>Person</\(h2)>" + profileTable()

        out += "<\(h2)>Frequency and trend</\(h2)>"
        out += trendSentence()
        out += "<div class=\"charts\">\(Charts.episodesPerWeek(insights.trends.weeklyCounts))\(Charts.severityOverTime(insights.episodes))</div>"
        out += periodsTable()

        out += "<\(h2)>Possible triggers</\(h2)>" + triggerSection()
        out += "<\(h2)>What relief works</\(h2)>" + reliefSection()
        out += "<\(h2)>Recent assessments</\(h2)>" + assessmentsTable()
        out +=
            "<p class=\"note\">Methods: a cramp before 06:00 counts for the day before. Counts have exact Poisson intervals; rate ratios exact conditional intervals. "
            + "Exposures are each person's own quarters of their logged amounts, with a declared lag. Below 90 logged days or 10 cramp days, "
            + "results are an early signal only (Fisher's exact test). From then on a possible trigger needs a logistic regression adjusted for the day before "
            + "and for trend (Firth-penalised where cells are sparse) and the exact test, both under Benjamini–Hochberg control at q = 0.10. "
            + "Associations in a diary do not show a cause.</p>"
        return out + appendix(h2)
    }

    /// Every cramp of the period, oldest first, after the summary: on paper it starts a new page,
    /// so the first two stay the summary.
    func appendix(_ h2: String) -> String {
        var out = "<section class=\"appendix\"><\(h2) id=\"appendix\">Appendix: the cramps</\(h2)>"
        guard !insights.episodes.isEmpty else { return out + "<p>No cramps in this period.</p></section>" }
        out +=
            "<p class=\"note\">\(insights.episodes.count) \(insights.episodes.count == 1 ? "cramp" : "cramps"), oldest first"
            + (notes ? "." : "; the person has not shared their notes.") + "</p>"
            + "<div class=\"wide\" tabindex=\"0\"><table><tr><th scope=\"col\">Date</th><th scope=\"col\">Time</th><th scope=\"col\">Where</th>"
            + "<th scope=\"col\">Side</th><th scope=\"col\">How bad (0–10)</th><th scope=\"col\">How long</th><th scope=\"col\">What helped</th>"
            + (notes ? "<th scope=\"col\">Note</th>" : "") + "</tr>"
        for episode in insights.episodes.sorted(by: { ($0.startedAt.instant, $0.id.description) < ($1.startedAt.instant, $1.id.description) }) {
            let seconds = episode.startedAt.localSecondsOfDay
            let time = "\(seconds / 3600 < 10 ? "0" : "")\(seconds / 3600):\(seconds / 60 % 60 < 10 ? "0" : "")\(seconds / 60 % 60)"
            let helped = episode.reliefs.filter { $0.outcome != .no }.map(\.technique.label)
            out +=
                "<tr><td>\(episode.startedAt.localDate)</td><td>\(time)</td>"
                + "<td>\(Self.html(episode.muscles.map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: ", ")))</td>"
                + "<td>\(Self.html(episode.side.map { knowledge.sideLabels[$0] ?? $0.rawValue } ?? "—"))</td>"
                + "<td>\(episode.severity.map(String.init) ?? "—")</td><td>\(Self.html(episode.lasted))</td>"
                + "<td>\(Self.html(helped.isEmpty ? "—" : helped.joined(separator: ", ")))</td>"
                + (notes ? "<td>\(Self.html(episode.note ?? ""))</td>" : "") + "</tr>"
        }
        return out + "</table></div></section>"
    }

    func sourceNames(_ ids: [String]) -> String { knowledge.sourceNames(ids).joined(separator: "; ") }

    func profileTable() -> String {
        guard let profile = contents.profile else { return "<p>No profile recorded.</p>" }
        var rows: [(String, String)] = []
        if let year = profile.birthYear { rows.append(("Age", "about \(insights.today.year - year) (born \(year))")) }
        if let sex = profile.sex { rows.append(("Sex", knowledge.sexLabels[sex] ?? sex.rawValue)) }
        rows.append(
            (
                "Conditions",
                profile.conditions.isEmpty
                    ? "none recorded" : profile.conditions.map { knowledge.conditions[$0]?.label ?? $0.rawValue }.joined(separator: ", ")
            ))
        rows.append(
            (
                "Medicines",
                profile.medications.isEmpty
                    ? "none recorded" : profile.medications.map { knowledge.medications[$0]?.label ?? $0.rawValue }.joined(separator: ", ")
            ))
        let changes = contents.dayLogs.filter { !$0.medicationChanges.isEmpty }.sorted { $0.date < $1.date }.suffix(5)
        if !changes.isEmpty {
            rows.append(
                (
                    "Medicine changes",
                    changes.map { log in
                        "\(log.date): "
                            + log.medicationChanges.map {
                                "\($0.kind.rawValue) \(knowledge.medications[$0.medication]?.label ?? $0.medication.rawValue)"
                            }.joined(separator: ", ")
                    }.joined(separator: "; ")
                ))
        }
        return "<div class=\"wide\" tabindex=\"0\"><table>"
            + rows.map { "<tr><th scope=\"row\">\(Self.html($0.0))</th><td>\(Self.html($0.1))</td></tr>" }.joined() + "</table></div>"
    }

    func trendSentence() -> String {
        var parts: [String] = []
        if let recent = insights.trends.recent {
            if let ratio = recent.ratio {
                parts.append(
                    "Last 4 weeks: \(recent.episodes) episodes against \(recent.referenceEpisodes) in the 8 weeks before, a rate ratio of "
                        + "\(Format.ratio(ratio.value)) (95% interval \(Format.ratio(ratio.lower)) to \(Format.ratio(ratio.upper))).")
            } else {
                parts.append("No episodes in the last 12 weeks.")
            }
        } else {
            parts.append("The diary is shorter than 12 weeks, so the recent rate is not compared yet.")
        }
        if let change = insights.trends.medicationChange, let ratio = change.ratio, let date = insights.trends.medicationChangeDate {
            parts.append(
                "Since the medicine change on \(date): \(change.episodes) episodes in \(change.days) days against \(change.referenceEpisodes) in \(change.referenceDays) days before "
                    + "(rate ratio \(Format.ratio(ratio.value)), \(Format.ratio(ratio.lower)) to \(Format.ratio(ratio.upper))).")
        }
        parts.append("At night: \(Format.percent(insights.trends.nightShare)) of episodes.")
        return "<p>" + Self.html(parts.joined(separator: " ")) + "</p>"
    }

    func periodsTable() -> String {
        let periods = insights.trends.periods.suffix(6)
        guard !periods.isEmpty else { return "<p>No whole 28-day period logged yet.</p>" }
        var out =
            "<div class=\"wide\" tabindex=\"0\"><table><caption class=\"note\">The last \(periods.count) periods of 28 days</caption><tr><th scope=\"col\">Period</th><th scope=\"col\">Episodes (95% interval)</th>"
            + "<th scope=\"col\">Median length</th><th scope=\"col\">Median severity</th><th scope=\"col\">At night</th></tr>"
        for period in periods {
            out +=
                "<tr><td>\(period.first) to \(period.last)</td><td>\(period.episodes) (\(Format.decimal(period.interval.lower, places: 1))–\(Format.decimal(period.interval.upper, places: 1)))</td>"
                + "<td>\(Format.minutes(period.medianDurationSeconds))</td><td>\(period.medianSeverity.map { Format.decimal($0, places: 1) } ?? "—")</td>"
                + "<td>\(Format.percent(period.nightShare))</td></tr>"
        }
        return out + "</table></div>"
    }

    func triggerSection() -> String {
        let analysis = insights.triggers
        var out = ""
        switch analysis.tier {
        case .notEnoughData:
            return
                "<p>Not enough data yet: \(Self.html(analysis.needed ?? "")). \(analysis.days) logged days, \(analysis.crampDays) with a cramp.</p>"
        case .descriptive:
            out +=
                "<p>Early signals only (\(analysis.days) logged days, \(analysis.crampDays) with a cramp). Needs \(Self.html(analysis.needed ?? "")).</p>"
        case .inferential:
            out += "<p>\(analysis.days) logged days, \(analysis.crampDays) with a cramp.</p>"
        }
        out += "<p>\(Self.html(Self.method(analysis)))</p>"
        out += Charts.forestPlot(analysis.findings)
        out +=
            "<div class=\"wide\" tabindex=\"0\"><table><tr><th scope=\"col\">Exposure</th><th scope=\"col\">Days with / without</th><th scope=\"col\">Cramp days with / without</th>"
            + "<th scope=\"col\">Relative risk (95%)</th><th scope=\"col\">p</th><th scope=\"col\">q</th><th scope=\"col\">Evidence</th></tr>"
        for finding in analysis.findings {
            let risk = finding.relativeRisk.map(Format.ratioInterval) ?? "—"
            let p = analysis.tier == .inferential ? finding.modelP : finding.fisherP
            out +=
                "<tr><td>\(Self.html(finding.exposure.label)): \(Self.html(finding.exposure.definition))</td><td>\(finding.daysWith) / \(finding.daysWithout)</td>"
                + "<td>\(Format.percent(finding.rateWith)) / \(Format.percent(finding.rateWithout))</td><td>\(risk)</td><td>\(Format.pValue(p))</td>"
                + "<td>\(Format.pValue(finding.q))</td><td>\(Self.html(finding.verdict.words))\(finding.missing.map { ": " + Self.html($0) } ?? "")</td></tr>"
        }
        return out + "</table></div>"
    }

    /// How a verdict is reached and what it promises, for the clinician.
    static func method(_ analysis: TriggerAnalysis) -> String {
        let tested = analysis.findings.filter { $0.missing == nil }.count
        func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
        return "Each exposure is tested one way, the way its factor points. Possible trigger (from \(Triggers.inferentialDays) logged days "
            + "and \(Triggers.inferentialCrampDays) cramp days): logistic model of a cramp day on the exposure, the day before (cramp, none, "
            + "not logged) and trend, likelihood-ratio test (Firth where cells are sparse), Benjamini–Hochberg q ≤ "
            + "\(Format.decimal(TriggerAnalysis.falseDiscoveryRate, places: 2)) across the \(tested) exposures tested. Early signal: one-sided "
            + "exact test, q ≤ \(Format.decimal(TriggerAnalysis.earlySignalRate, places: 2)). In \(Format.thousands(TriggerPromise.simulatedDiaries)) "
            + "simulated diaries per length with serial correlation: trigger-free diaries with any possible trigger ≤ "
            + "\(percent(TriggerPromise.falseClaimsAtMost)) (90–365 days), any early signal ≤ \(percent(TriggerPromise.earlyFalseAtMost)) "
            + "(60 days); a relative risk of 3 on 30% of days found in ≥ \(percent(TriggerPromise.foundAt90Days)) at 90 days and ≥ "
            + "\(percent(TriggerPromise.foundAt120Days)) at 120."
    }

    func reliefSection() -> String {
        var out = "<p>Episodes with nothing tried: \(insights.untreatedCount), median length \(Format.minutes(insights.untreatedMedianSeconds)).</p>"
        guard !insights.relief.isEmpty else { return out + "<p>No relief logged yet.</p>" }
        out += Charts.reliefEffectiveness(insights.relief)
        out +=
            "<div class=\"wide\" tabindex=\"0\"><table><tr><th scope=\"col\">Technique</th><th scope=\"col\">Uses</th><th scope=\"col\">Helped (95%)</th><th scope=\"col\">By severity</th><th scope=\"col\">Median length</th></tr>"
        for effect in insights.relief {
            let share =
                effect.interval.map(Format.percentInterval)
                ?? "after \(ReliefEffect.minimumUses) uses"
            let bands = effect.bands.map { "\($0.label): \($0.helped) of \($0.uses)" }.joined(separator: "; ")
            out +=
                "<tr><td>\(Self.html(effect.technique.rawValue))</td><td>\(effect.uses)</td><td>\(effect.helped) helped, \(effect.partly) partly; \(share)</td>"
                + "<td>\(bands.isEmpty ? "—" : Self.html(bands))</td><td>\(Format.minutes(effect.medianDurationSeconds))</td></tr>"
        }
        return out + "</table></div>"
    }

    func assessmentsTable() -> String {
        let recent = contents.assessments.sorted { $0.madeAt.instant > $1.madeAt.instant }.prefix(5)
        guard !recent.isEmpty else { return "<p>No assessments recorded.</p>" }
        var out =
            "<div class=\"wide\" tabindex=\"0\"><table><tr><th scope=\"col\">When</th><th scope=\"col\">Triage</th><th scope=\"col\">Red flags</th></tr>"
        for record in recent {
            let flags = (try? JSONParser.parse(record.resultJSON))?["redFlags"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            let titles = flags.map { id in knowledge.rules.first { $0.id == id }?.title ?? id }
            out +=
                "<tr><td>\(record.madeAt.localDate)</td><td>\(Self.html(record.triage == .selfCare ? "self care" : record.triage.rawValue))</td>"
                + "<td>\(titles.isEmpty ? "none" : Self.html(titles.joined(separator: "; ")))</td></tr>"
        }
        return out + "</table></div>"
    }
}
