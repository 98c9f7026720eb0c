public import CrampJournal

extension CrampCareApp {
    /// Changes a saved episode: the fields the person changed, stamped now, validated, saved.
    /// It is not checked again here (the web and the terminal offer the check after a log).
    public func update(_ episode: Episode, owner: OwnerID) async throws -> Episode {
        var episode = episode
        episode.updatedAt = clockSource.millisecondsNow()
        try episode.validate()
        try await journal.saveEpisode(episode, owner: owner)
        return episode
    }

    /// A day's log as saved, or a new empty one for that date.
    public func dayLog(_ date: LocalDate, owner: OwnerID) async throws -> DayLog {
        try await journal.dayLog(date: date, owner: owner) ?? DayLog(date: date, updatedAt: clockSource.millisecondsNow())
    }

    /// Saves a day's log, stamped now and validated.
    public func save(_ day: DayLog, owner: OwnerID) async throws -> DayLog {
        var day = day
        day.updatedAt = clockSource.millisecondsNow()
        try day.validate()
        try await journal.saveDayLog(day, owner: owner)
        return day
    }

    /// The profile as saved, or a new empty one.
    public func profile(owner: OwnerID) async throws -> Profile {
        try await journal.profile(owner: owner) ?? Profile(updatedAt: clockSource.millisecondsNow())
    }

    /// Saves the profile, stamped now and validated; a time zone must be one this machine knows.
    public func save(_ profile: Profile, owner: OwnerID) async throws -> Profile {
        var profile = profile
        let now = clock(for: nil).now()
        profile.updatedAt = now.instant
        try profile.validate(currentYear: now.localDate.year)
        if let zone = profile.timeZone, PersonClock.zone(named: zone) == nil {
            throw JournalError(
                field: "time_zone",
                problem:
                    "\"\(zone.prefix(64))\" is not a time zone this machine knows; accepted: IANA names such as Europe/London or America/New_York")
        }
        try await journal.saveProfile(profile, owner: owner)
        return profile
    }
}
