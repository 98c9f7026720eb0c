public import CrampJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A calendar date without a time zone (a day log's date).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        // Digits only: `Int` would also read "+026" as the year 26.
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, parts.allSatisfy(isDigits),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public init(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (Hinnant's days_from_civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }

    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    /// Indexed by `daysSinceEpoch` modulo 7: 1970-01-01 was a Thursday.
    public static let weekdayNames = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]

    /// "3 Mar 2026", as a person reads a date.
    public var words: String { "\(day) \(LocalDate.monthNames[month - 1]) \(year)" }

    public var weekdayName: String { LocalDate.weekdayNames[((daysSinceEpoch % 7) + 7) % 7] }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }
}

/// ASCII digits and nothing else (no sign, no space).
func isDigits(_ text: some StringProtocol) -> Bool {
    text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

/// A wall-clock time of day, `HH:MM` (a reminder time).
public struct LocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, parts.allSatisfy(isDigits),
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var description: String { "\(pad(hour, 2)):\(pad(minute, 2))" }
    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { (lhs.hour, lhs.minute) < (rhs.hour, rhs.minute) }
}

/// A moment, and the UTC offset it was recorded in. They are kept apart so that every storage
/// engine keeps the offset exactly (a PostgreSQL `timestamptz` would drop it).
public struct LocalTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let instant: Int64
    /// The offset from UTC where it was recorded, in seconds (-18:00 to +18:00).
    public let utcOffsetSeconds: Int

    public init?(instant: Int64, utcOffsetSeconds: Int) {
        guard abs(utcOffsetSeconds) <= 18 * 3600, utcOffsetSeconds % 60 == 0 else { return nil }
        self.instant = instant
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// A moment with the offset a time-zone database gives for it, rounded to the whole minute
    /// and kept within ±18:00. Before standard time zones had offsets in seconds (London's local
    /// mean time was −0:01:15 until 1847), which an ISO 8601 offset cannot say.
    public init(instant: Int64, zoneOffsetSeconds: Int) {
        let minutes = (zoneOffsetSeconds + (zoneOffsetSeconds < 0 ? -30 : 30)) / 60
        self.instant = instant
        utcOffsetSeconds = min(max(minutes, -18 * 60), 18 * 60) * 60
    }

    /// The local calendar date and time of day where it was recorded.
    public var localDate: LocalDate { LocalDate(daysSinceEpoch: Int(floorDiv(localMilliseconds, 86_400_000))) }
    public var localSecondsOfDay: Int { Int(floorMod(localMilliseconds, 86_400_000) / 1000) }
    private var localMilliseconds: Int64 { instant + Int64(utcOffsetSeconds) * 1000 }

    /// ISO 8601 with its offset: `2026-11-26T07:30:00+01:00` (milliseconds only when present).
    public var description: String {
        var bytes: [UInt8] = []
        appendISO(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The most bytes `writeISO` writes (a year of nine digits, milliseconds and an offset).
    public static let maximumISOBytes = 40

    /// The ISO 8601 text as ASCII bytes, built without Strings.
    public func appendISO(to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maximumISOBytes) { buffer in
            var cursor = ByteCursor(buffer)
            writeISO(to: &cursor)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<cursor.count]))
        }
    }

    /// The ISO 8601 text through a cursor with `maximumISOBytes` of room (a page of episodes writes fifty).
    public func writeISO(to cursor: inout ByteCursor) {
        let local = localMilliseconds
        let date = LocalDate(daysSinceEpoch: Int(floorDiv(local, 86_400_000)))
        let ms = Int(floorMod(local, 86_400_000))
        let seconds = ms / 1000
        // Years above 9999 cannot be made by the parser, but are written whole if ever given.
        cursor.padded(date.year, width: 4); cursor.byte(UInt8(ascii: "-")); cursor.padded(date.month, width: 2)
        cursor.byte(UInt8(ascii: "-")); cursor.padded(date.day, width: 2)
        cursor.byte(UInt8(ascii: "T"))
        cursor.padded(seconds / 3600, width: 2); cursor.byte(UInt8(ascii: ":")); cursor.padded(seconds / 60 % 60, width: 2)
        cursor.byte(UInt8(ascii: ":")); cursor.padded(seconds % 60, width: 2)
        if ms % 1000 != 0 { cursor.byte(UInt8(ascii: ".")); cursor.padded(ms % 1000, width: 3) }
        if utcOffsetSeconds == 0 {
            cursor.byte(UInt8(ascii: "Z"))
            return
        }
        cursor.byte(utcOffsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let offset = abs(utcOffsetSeconds) / 60
        cursor.padded(offset / 60, width: 2); cursor.byte(UInt8(ascii: ":")); cursor.padded(offset % 60, width: 2)
    }

    /// Parses ISO 8601 date-time with a required offset (`Z`, `+01:00`, `-0500`); seconds and a
    /// fraction are optional. Reads the UTF-8 bytes in place: imports parse one per row.
    public init?(iso text: String) {
        var text = text
        guard let parsed = text.withUTF8({ LocalTimestamp.parse($0) }) else { return nil }
        self = parsed
    }

    static func parse(_ scalars: UnsafeBufferPointer<UInt8>) -> LocalTimestamp? {
        guard scalars.count >= 17, scalars[4] == UInt8(ascii: "-"), scalars[7] == UInt8(ascii: "-"),
            scalars[10] == UInt8(ascii: "T") || scalars[10] == UInt8(ascii: " ")
        else { return nil }
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= scalars.count else { return nil }
            var value = 0
            for offset in 0..<digits {
                let byte = scalars[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        guard let year = number(4) else { return nil }
        index += 1
        guard let month = number(2) else { return nil }
        index += 1
        guard let day = number(2), let date = LocalDate(year: year, month: month, day: day) else { return nil }
        index = 11
        guard let hour = number(2), index < scalars.count, scalars[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        guard let minute = number(2), hour <= 23, minute <= 59 else { return nil }
        var second = 0
        var millis = 0
        if index < scalars.count, scalars[index] == UInt8(ascii: ":") {
            index += 1
            guard let value = number(2), value <= 59 else { return nil }
            second = value
            if index < scalars.count, scalars[index] == UInt8(ascii: ".") || scalars[index] == UInt8(ascii: ",") {
                index += 1
                var digits = 0
                while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
                    if digits < 3 { millis = millis * 10 + Int(scalars[index] - 48) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                // Digits past the third are read and dropped (a range digits..<3 would trap on them).
                if digits < 3 { for _ in digits..<3 { millis *= 10 } }
            }
        }
        guard index < scalars.count else { return nil }
        var offsetSeconds = 0
        switch scalars[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let negative = scalars[index] == UInt8(ascii: "-")
            index += 1
            guard let hours = number(2) else { return nil }
            if index < scalars.count, scalars[index] == UInt8(ascii: ":") { index += 1 }
            guard let minutes = number(2), hours <= 18, minutes <= 59 else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (negative ? -1 : 1)
        default:
            return nil
        }
        guard index == scalars.count else { return nil }
        let local = Int64(date.daysSinceEpoch) * 86_400_000 + Int64(hour * 3600 + minute * 60 + second) * 1000 + Int64(millis)
        return LocalTimestamp(instant: local - Int64(offsetSeconds) * 1000, utcOffsetSeconds: offsetSeconds)
    }

    public static func < (lhs: LocalTimestamp, rhs: LocalTimestamp) -> Bool { lhs.instant < rhs.instant }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

/// Where "now" comes from: the system's clock, or a fixed one in tests. Every use case reads
/// the time through one of these (`PersonClock` adds the person's time zone).
public protocol JournalClock: Sendable {
    /// Milliseconds since the epoch.
    func millisecondsNow() -> Int64
}

/// The machine's wall clock.
public struct SystemClock: JournalClock {
    public init() {}

    public func millisecondsNow() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A clock that always reads the same moment (tests, and reproducible reports).
public struct FixedClock: JournalClock {
    public let milliseconds: Int64
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public func millisecondsNow() -> Int64 { milliseconds }
}
