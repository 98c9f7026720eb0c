import CrampJSON
public import CrampJournal
public import CrampKnowledge

/// Everything the insights say about one person's journal, computed once from its contents.
public struct Insights: Sendable {
    public let today: LocalDate
    public let diary: Diary
    public let episodeCount: Int
    public let dayLogCount: Int
    public let trends: Trends
    public let triggers: TriggerAnalysis
    public let relief: [ReliefEffect]
    public let untreatedMedianSeconds: Double?
    public let untreatedCount: Int
    public let patterns: [PatternFound]

    public init(contents: JournalContents, today: LocalDate, knowledge: KnowledgeBase) {
        self.today = today
        let diary = Diary(episodes: contents.episodes, dayLogs: contents.dayLogs, through: today)
        self.diary = diary
        // Everything counts the same days: the diary's window through `today`.
        let window = diary.first...diary.last
        let episodes = contents.episodes.filter { window.contains(Diary.day(of: $0)) }
        let dayLogs = contents.dayLogs.filter { window.contains($0.date) }
        episodeCount = episodes.count
        dayLogCount = dayLogs.count
        trends = Trends(episodes: episodes, diary: diary, dayLogs: dayLogs)
        triggers = Triggers.analyse(diary)
        let measured = ReliefEffect.measure(episodes)
        relief = measured.effects
        untreatedMedianSeconds = measured.untreatedMedianSeconds
        untreatedCount = measured.untreated
        patterns = Patterns.find(episodes: episodes, trends: trends, diary: diary, knowledge: knowledge)
        self.episodes = episodes
    }

    /// The episodes inside the diary's window (for charts).
    public let episodes: [Episode]

    /// The period the insights cover, in words.
    public var covered: String {
        episodeCount == 0 && dayLogCount == 0
            ? "no entries yet" : "\(diary.first) to \(diary.last) (\(diary.dayCount) day\(diary.dayCount == 1 ? "" : "s"))"
    }

    /// The insights as JSON (camelCase, as the API); numbers that are not finite are null.
    public func json(knowledge: KnowledgeBase) -> [UInt8] {
        var out = InsightsJSON()
        out.write(self, knowledge: knowledge)
        return out.w.bytes
    }

}
