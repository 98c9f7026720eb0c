public import CrampInsights
public import CrampJournal

extension CrampCareApp {
    /// Why a clinician should look at this diary first (the patient list's order and reasons),
    /// as of today in the person's zone. Worked out from the whole diary on each call: a list of
    /// a few dozen patients costs that many insights (docs/sharing.md; summaries kept on write
    /// are still to come).
    public func need(owner: OwnerID) async throws -> Need {
        let view = try await insights(owner: owner)
        let contents = view.contents
        let lastEpisode = contents.episodes.map(\.startedAt.localDate).max()
        let lastDay = contents.dayLogs.map(\.date).max()
        let lastLogged = [lastEpisode, lastDay].compactMap { $0 }.max()
        return Need.of(insights: view.insights, assessments: contents.assessments, lastLogged: lastLogged, today: view.insights.today)
    }
}
