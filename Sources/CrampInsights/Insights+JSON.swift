import CrampJSON
import CrampJournal
import CrampKnowledge

/// Writes the insights as the API's JSON, one section at a time.
struct InsightsJSON {
    var w = JSONWriter(capacity: 8192)

    mutating func write(_ insights: Insights, knowledge: KnowledgeBase) {
        w.beginObject()
        w.key("today"); w.value(insights.today.description)
        w.key("from"); w.value(insights.diary.first.description)
        w.key("through"); w.value(insights.diary.last.description)
        w.key("days"); w.value(insights.diary.dayCount)
        w.key("episodes"); w.value(insights.episodeCount)
        w.key("dayLogs"); w.value(insights.dayLogCount)
        w.key("disclaimer"); w.value(knowledge.disclaimer)
        trends(insights.trends)
        triggers(insights.triggers)
        relief(insights)
        seeADoctor(insights.patterns)
        w.endObject()
    }

    mutating func number(_ value: Double?) {
        if let value, value.isFinite { w.value(value) } else { w.null() }
    }

    mutating func estimate(_ value: Estimate?) {
        guard let value else { return w.null() }
        w.beginObject()
        w.key("value"); number(value.value)
        w.key("lower"); number(value.lower)
        w.key("upper"); number(value.upper)
        w.endObject()
    }

    mutating func change(_ value: Trends.RateChange?) {
        guard let value else { return w.null() }
        w.beginObject()
        w.key("label"); w.value(value.label)
        w.key("episodes"); w.value(value.episodes)
        w.key("days"); w.value(value.days)
        w.key("referenceEpisodes"); w.value(value.referenceEpisodes)
        w.key("referenceDays"); w.value(value.referenceDays)
        w.key("rateRatio"); estimate(value.ratio)
        w.endObject()
    }

    /// Counts by period and week, and the changes in rate.
    mutating func trends(_ trends: Trends) {
        w.key("trends")
        w.beginObject()
        w.key("periods")
        w.beginArray()
        for period in trends.periods {
            w.beginObject()
            w.key("from"); w.value(period.first.description)
            w.key("through"); w.value(period.last.description)
            w.key("episodes"); estimate(period.interval)
            w.key("medianDurationSeconds"); number(period.medianDurationSeconds)
            w.key("medianSeverity"); number(period.medianSeverity)
            w.key("nightShare"); number(period.nightShare)
            w.endObject()
        }
        w.endArray()
        w.key("recent"); change(trends.recent)
        w.key("medicationChange"); change(trends.medicationChange)
        w.key("medicationChangeDate"); if let date = trends.medicationChangeDate { w.value(date.description) } else { w.null() }
        w.key("nightShare"); number(trends.nightShare)
        w.key("weeks")
        w.beginArray()
        for week in trends.weeklyCounts {
            w.beginObject()
            w.key("from"); w.value(week.start.description)
            w.key("episodes"); w.value(week.count)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// Each exposure's statistics and verdict.
    mutating func triggers(_ triggers: TriggerAnalysis) {
        w.key("triggers")
        w.beginObject()
        w.key("tier"); w.value(triggers.tier.rawValue)
        w.key("days"); w.value(triggers.days)
        w.key("crampDays"); w.value(triggers.crampDays)
        w.key("needed"); if let needed = triggers.needed, !needed.isEmpty { w.value(needed) } else { w.null() }
        w.key("falseDiscoveryRate"); w.value(TriggerAnalysis.falseDiscoveryRate)
        w.key("exposures")
        w.beginArray()
        for finding in triggers.findings {
            w.beginObject()
            w.key("exposure"); w.value(finding.exposure.kind.rawValue)
            w.key("label"); w.value(finding.exposure.label)
            w.key("definition"); w.value(finding.exposure.definition)
            w.key("lag"); w.value(finding.exposure.lag.rawValue)
            w.key("factor")
            if let factor = finding.exposure.kind.factor { w.value(factor) } else { w.null() }
            w.key("direction"); w.value(finding.exposure.kind.expected.rawValue)
            w.key("share"); number(finding.exposure.share)
            w.key("daysWith"); w.value(finding.daysWith)
            w.key("daysWithout"); w.value(finding.daysWithout)
            w.key("crampDaysWith"); w.value(finding.crampDaysWith)
            w.key("crampDaysWithout"); w.value(finding.crampDaysWithout)
            w.key("relativeRisk"); estimate(finding.relativeRisk)
            w.key("fisherP"); number(finding.fisherP)
            w.key("oddsRatio"); estimate(finding.oddsRatio)
            w.key("modelP"); number(finding.modelP)
            w.key("penalised"); w.value(finding.penalised)
            w.key("q"); number(finding.q)
            w.key("verdict"); w.value(finding.verdict.rawValue)
            w.key("words"); w.value(finding.verdict.words)
            w.key("missing"); if let missing = finding.missing { w.value(missing) } else { w.null() }
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// What relief worked, by technique and severity.
    mutating func relief(_ insights: Insights) {
        w.key("relief")
        w.beginObject()
        w.key("untreatedEpisodes"); w.value(insights.untreatedCount)
        w.key("untreatedMedianSeconds"); number(insights.untreatedMedianSeconds)
        w.key("minimumUses"); w.value(ReliefEffect.minimumUses)
        w.key("techniques")
        w.beginArray()
        for effect in insights.relief {
            w.beginObject()
            w.key("technique"); w.value(effect.technique.rawValue)
            w.key("uses"); w.value(effect.uses)
            w.key("helped"); w.value(effect.helped)
            w.key("partly"); w.value(effect.partly)
            w.key("helpedShare"); estimate(effect.interval)
            w.key("bySeverity")
            w.beginArray()
            for band in effect.bands {
                w.beginObject()
                w.key("severity"); w.value(band.label)
                w.key("uses"); w.value(band.uses)
                w.key("helped"); w.value(band.helped)
                w.key("helpedShare"); estimate(band.interval)
                w.endObject()
            }
            w.endArray()
            w.key("medianDurationSeconds"); number(effect.medianDurationSeconds)
            w.key("medianSecondsToEase"); number(effect.medianSecondsToEase)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// The patterns that mean "see a doctor".
    mutating func seeADoctor(_ patterns: [PatternFound]) {
        w.key("seeADoctor")
        w.beginArray()
        for found in patterns {
            w.beginObject()
            w.key("pattern"); w.value(found.pattern.kind.rawValue)
            w.key("level"); w.value(found.level.rawValue)
            w.key("title"); w.value(found.pattern.title)
            w.key("explanation"); w.value(found.pattern.explanation)
            w.key("evidence"); w.value(found.evidence)
            w.key("advice"); w.value(found.pattern.advice)
            w.key("sources"); w.stringArray(found.pattern.sources)
            w.endObject()
        }
        w.endArray()
    }
}
