public import CrampAssessment
public import CrampKnowledge

extension AssessmentRequest {
    /// The assessment of a logged episode: the episode, the person's profile, the day's context
    /// and the journal's own count of episodes in the last 30 days. Without a year of birth the
    /// check assumes an adult (`ageKnown` says so, for the interface to tell the person).
    public static func forLoggedEpisode(
        _ episode: Episode, profile: Profile?, day: DayLog?, episodesLast30Days: Int,
        today: LocalDate
    ) -> (request: AssessmentRequest, ageKnown: Bool) {
        var request = AssessmentRequest(age: 40, durationMinutes: Double(episode.durationSeconds) / 60, muscles: episode.muscles)
        let ageKnown = request.describe(profile: profile, day: day, today: today)
        request.side = episode.side
        request.onset = episode.onset
        request.severity = episode.severity
        request.episodesLast30Days = max(1, episodesLast30Days)
        request.findings = episode.findings
        return (request, ageKnown)
    }

    /// The assessment behind a relief session for a cramp now: the person and their day, no
    /// findings; its relief list is the session's steps, checked against their conditions,
    /// medicines and the day's context like any advice.
    public static func forRelief(muscle: Muscle, profile: Profile?, day: DayLog?, today: LocalDate) -> AssessmentRequest {
        var request = AssessmentRequest(age: 40, durationMinutes: 1, muscles: [muscle])
        request.describe(profile: profile, day: day, today: today)
        return request
    }

    /// The person (age, sex, conditions, medicines) and the day's context; true when the age is
    /// known (otherwise an adult is assumed).
    @discardableResult
    mutating func describe(profile: Profile?, day: DayLog?, today: LocalDate) -> Bool {
        let age = profile?.birthYear.map { min(120, max(0, today.year - $0)) }
        self.age = age ?? 40
        sex = profile?.sex
        conditions = profile?.conditions ?? []
        medications = profile?.medications ?? []
        var context = CodeSet(day?.context ?? [])
        if day?.hotWeather == true { context.insert(.hotWeather) }
        if day?.medicationChanges.contains(where: { $0.kind != .stop }) == true { context.insert(.newMedication) }
        self.context = Array(context)
        return age != nil
    }
}

extension Profile {
    /// The lasting facts an interview shows for confirmation; conditions tied to a time window
    /// (pregnancy, a recent birth) are always asked, never taken from here.
    public func interviewProfile(today: LocalDate) -> InterviewProfile {
        InterviewProfile(
            age: birthYear.map { min(120, max(0, today.year - $0)) }, sex: sex,
            conditions: conditions.filter { !AssessmentInterview.windowConditions.contains($0) },
            medications: medications)
    }
}
