public import CrampAssessment
import CrampKnowledge

extension AssessmentRequest {
    /// The assessment of a logged episode: the episode, the person's profile, the day's context
    /// and the journal's own count of episodes in the last 30 days. Without a year of birth the
    /// check assumes an adult (`ageKnown` says so, for the interface to tell the person).
    public static func forLoggedEpisode(_ episode: Episode, profile: Profile?, day: DayLog?, episodesLast30Days: Int,
                                        today: LocalDate) -> (request: AssessmentRequest, ageKnown: Bool) {
        let age = profile?.birthYear.map { min(120, max(0, today.year - $0)) }
        var request = AssessmentRequest(age: age ?? 40, durationMinutes: Double(episode.durationSeconds) / 60, muscles: episode.muscles)
        request.sex = profile?.sex
        request.side = episode.side
        request.onset = episode.onset
        request.severity = episode.severity
        request.episodesLast30Days = max(1, episodesLast30Days)
        request.findings = episode.findings
        request.conditions = profile?.conditions ?? []
        request.medications = profile?.medications ?? []
        var context = CodeSet(day?.context ?? [])
        if day?.hotWeather == true { context.insert(.hotWeather) }
        if day?.medicationChanges.contains(where: { $0.kind != .stop }) == true { context.insert(.newMedication) }
        request.context = Array(context)
        return (request, age != nil)
    }
}
