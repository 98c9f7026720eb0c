public import CrampJournal
public import Foundation

/// Now and local times for one person: the clock every use case reads, in that person's time
/// zone (their profile's, else the default). Per call, never process-wide: one server serves
/// people in many zones, so nothing here sets TZ.
public struct PersonClock: Sendable {
    public let zone: TimeZone
    public let source: any JournalClock

    public init(zone: TimeZone, source: any JournalClock = SystemClock()) {
        self.zone = zone
        self.source = source
    }

    /// A zone by its IANA name; nil for a name this machine does not know.
    public static func zone(named name: String?) -> TimeZone? {
        guard let name, !name.isEmpty else { return nil }
        return TimeZone(identifier: name)
    }

    /// Every zone name this machine knows, sorted (the profile's picker lists them).
    public static let zoneNames: [String] = TimeZone.knownTimeZoneIdentifiers.sorted()

    /// What a person typed for their time zone, as the IANA name: the name itself in any case
    /// ("europe/london"), or a place the names end with ("London", "new york"). `.ambiguous`
    /// lists the names a place could be; `.unknown` when none fits.
    public enum ZoneMatch: Sendable, Equatable {
        case zone(String)
        case ambiguous([String])
        case unknown
    }

    public static func zoneNamed(_ text: String) -> ZoneMatch {
        let typed = EverydayInput.squeezedText(text)
        guard !typed.isEmpty, typed.count <= 64 else { return .unknown }
        if zone(named: typed) != nil, zoneNames.contains(typed) || typed == "UTC" { return .zone(typed) }
        let lower = typed.lowercased().replacing(" ", with: "_")
        if let exact = zoneNames.first(where: { $0.lowercased() == lower }) { return .zone(exact) }
        let places = zoneNames.filter { $0.lowercased().split(separator: "/").last.map(String.init) == lower }
        switch places.count {
        case 0: return .unknown
        case 1: return .zone(places[0])
        default: return .ambiguous(places)
        }
    }

    public func now() -> LocalTimestamp { stamp(source.millisecondsNow()) }

    public var today: LocalDate { now().localDate }

    /// A moment with the offset the zone had then.
    public func stamp(_ instant: Int64) -> LocalTimestamp {
        LocalTimestamp(instant: instant, zoneOffsetSeconds: zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant) / 1000)))
    }

    /// The instant a local date starts.
    public func midnight(of date: LocalDate) -> Int64 {
        local(date: date, secondsOfDay: 0).instant
    }

    /// A local wall-clock time, with the offset in force then.
    public func local(date: LocalDate, secondsOfDay: Int) -> LocalTimestamp {
        let wall = Int64(date.daysSinceEpoch) * 86_400_000 + Int64(secondsOfDay) * 1000
        // The offset at the wall time read as UTC, corrected once: right except within a DST jump.
        var offset = stamp(wall).utcOffsetSeconds
        offset = stamp(wall - Int64(offset) * 1000).utcOffsetSeconds
        return LocalTimestamp(instant: wall - Int64(offset) * 1000, zoneOffsetSeconds: offset)
    }

    /// The range of instants from the start of `from` to the end of `through` (either open).
    public func instants(from: LocalDate?, through: LocalDate?) -> (from: Int64?, before: Int64?) {
        (from.map { midnight(of: $0) }, through.map { midnight(of: $0.adding(days: 1)) })
    }
}

extension PersonClock {
    /// When something started, from what a person typed: "now", an everyday time ("3am",
    /// "yesterday 23:30", read as the most recent such time in this zone), a local date and time
    /// ("2026-11-26 07:30", "2026-11-26T07:30"), or ISO 8601 with its offset. Nil for anything
    /// else; never later than now.
    public func startTime(_ text: String) -> LocalTimestamp? {
        let trimmed = EverydayInput.squeezedText(text)
        let now = now()
        if trimmed.lowercased() == "now" || trimmed.lowercased() == "just now" { return now }
        if let stamp = LocalTimestamp(iso: trimmed) { return stamp.instant <= now.instant ? stamp : nil }
        let parts = trimmed.replacing("T", with: " ").split(separator: " ")
        if parts.count == 2, let date = LocalDate(iso: parts[0]), let time = EverydayInput.clockTime(String(parts[1])) {
            let stamp = local(date: date, secondsOfDay: time.secondsOfDay)
            return stamp.instant <= now.instant ? stamp : nil
        }
        guard let time = EverydayInput.clockTime(trimmed) else { return nil }
        let today = local(date: now.localDate, secondsOfDay: time.secondsOfDay)
        let yesterday = local(date: now.localDate.adding(days: -1), secondsOfDay: time.secondsOfDay)
        switch time.day {
        case .today: return today.instant <= now.instant ? today : nil
        case .yesterday: return yesterday
        case .mostRecent: return today.instant <= now.instant ? today : yesterday
        }
    }
}
