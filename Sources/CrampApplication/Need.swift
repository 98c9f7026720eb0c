public import CrampInsights
public import CrampJournal

extension CrampCareApp {
    /// The need summary of a diary as of today in the person's zone, worked out from the whole
    /// diary: what is kept on each write for the patient list.
    public func needSummary(owner: OwnerID) async throws -> NeedSummary {
        let contents = try await journal.contents(owner: owner)
        let today = clock(for: contents.profile).today
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        let lastEpisode = contents.episodes.map(\.startedAt.localDate).max()
        let lastDay = contents.dayLogs.map(\.date).max()
        return NeedSummary.of(
            insights: insights, assessments: contents.assessments, lastLogged: [lastEpisode, lastDay].compactMap { $0 }.max(),
            zone: contents.profile?.timeZone)
    }

    /// Why a clinician should look at this diary first, from its summary, as of today in the
    /// person's zone (the time-bound reasons are judged on the day the list is read).
    public func need(_ summary: NeedSummary) -> Need {
        let zone = PersonClock.zone(named: summary.zone) ?? defaultZone
        return Need.of(summary, today: PersonClock(zone: zone, source: clockSource).today, knowledge: knowledge)
    }

    /// The need worked out afresh from the whole diary.
    public func need(owner: OwnerID) async throws -> Need {
        need(try await needSummary(owner: owner))
    }
}
