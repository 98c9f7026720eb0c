public import CrampAssessment
import CrampJSON
public import CrampKnowledge
import Foundation

/// A personal plan as an iCalendar file (RFC 5545): one VEVENT per routine that has a reminder,
/// recurring by RRULE, with a VALARM, at the person's own reminder times in their time zone.
/// UIDs are the item's id, so importing a newer plan updates the events instead of adding more.
public enum PlanCalendar {
    /// The reminder time for a moment of the day: the person's first reminder time in that part
    /// of the day, else a sensible default.
    public static func time(for moment: PlanReminder.Moment, reminderTimes: [LocalTime]) -> LocalTime {
        let sorted = reminderTimes.sorted()
        func first(_ from: Int, _ to: Int) -> LocalTime? { sorted.first { $0.hour >= from && $0.hour < to } }
        switch moment {
        case .morning: return first(5, 12) ?? LocalTime(hour: 8, minute: 0)!
        case .midday: return first(12, 17) ?? LocalTime(hour: 12, minute: 30)!
        case .evening: return first(17, 21) ?? LocalTime(hour: 19, minute: 0)!
        case .bedtime: return first(21, 24) ?? LocalTime(hour: 21, minute: 30)!
        }
    }

    static let weekdayWords: [PlanReminder.Weekday: String] = [
        .mo: "Mon", .tu: "Tue", .we: "Wed", .th: "Thu", .fr: "Fri", .sa: "Sat", .su: "Sun",
    ]

    /// A reminder in words: "Mon, Wed, Fri at 19:00, 10 min" or "every day at 21:30, 10 min".
    public static func describe(_ reminder: PlanReminder, reminderTimes: [LocalTime]) -> String {
        let days = reminder.days.isEmpty ? "every day" : reminder.days.compactMap { weekdayWords[$0] }.joined(separator: ", ")
        return "\(days) at \(time(for: reminder.at, reminderTimes: reminderTimes)), \(reminder.minutes) min"
    }

    /// A routine due at a time: its title, length and place in the plan (0-based, to link to how
    /// it is done).
    public struct Due: Sendable {
        public let title: String
        public let time: LocalTime
        public let minutes: Int
        public let index: Int
    }

    /// The plan's next seven days: the routines of every day once, then each day's others.
    public struct Week: Sendable {
        public struct Day: Sendable {
            public let date: LocalDate
            public let due: [Due]
        }

        public let everyDay: [Due]
        /// Seven days from the first, each with the routines that fall only on some days.
        public let days: [Day]
        public var isEmpty: Bool { everyDay.isEmpty && days.allSatisfy(\.due.isEmpty) }

        /// "Today, Wed 2 Dec", "Tomorrow, Thu 3 Dec", "Fri 4 Dec"; ", also" when every day's routines
        /// are listed above it.
        public func label(_ offset: Int) -> String {
            guard days.indices.contains(offset) else { return "" }
            let date = days[offset].date
            let name = "\(date.weekdayName) \(date.day) \(LocalDate.monthNames[date.month - 1])"
            let day = offset == 0 ? "Today, \(name)" : offset == 1 ? "Tomorrow, \(name)" : name
            return everyDay.isEmpty ? day : "\(day), also"
        }
    }

    /// The seven days from `start`.
    public static func week(plan: PersonalPlan, reminderTimes: [LocalTime], start: LocalDate) -> Week {
        let order = PlanReminder.Weekday.allCases
        func due(_ index: Int, _ item: PlanItem, _ reminder: PlanReminder) -> Due {
            Due(title: item.title, time: time(for: reminder.at, reminderTimes: reminderTimes), minutes: reminder.minutes, index: index)
        }
        func inOrder(_ list: [Due]) -> [Due] { list.sorted { ($0.time, $0.index) < ($1.time, $1.index) } }
        let timed = plan.items.enumerated().compactMap { index, item in item.item.reminder.map { (index, item, $0) } }
        let everyDay = inOrder(timed.filter { $0.2.days.isEmpty }.map { due($0.0, $0.1, $0.2) })
        let days = (0..<7).map { offset in
            let date = start.adding(days: offset)
            let weekday = order[weekday(date)]
            return Week.Day(
                date: date, due: inOrder(timed.filter { !$0.2.days.isEmpty && $0.2.days.contains(weekday) }.map { due($0.0, $0.1, $0.2) }))
        }
        return Week(everyDay: everyDay, days: days)
    }

    /// Monday is 0.
    static func weekday(_ date: LocalDate) -> Int { ((date.daysSinceEpoch + 3) % 7 + 7) % 7 }

    /// The file. `zone` is an IANA name (the profile's), `start` the plan's first day, `now` the
    /// stamp (milliseconds since 1970) so the same inputs give the same file.
    public static func ics(
        plan: PersonalPlan, zone: String, reminderTimes: [LocalTime], start: LocalDate, now: Int64,
        knowledge: KnowledgeBase
    ) -> String {
        let timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
        let zoneID = timeZone.identifier
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//CrampCare//Prevention plan//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:CrampCare prevention plan", "X-WR-TIMEZONE:\(zoneID)",
        ]
        lines += timezone(timeZone, around: start)
        let stamp = utcStamp(now)
        for item in plan.items {
            guard let reminder = item.item.reminder else { continue }
            let at = time(for: reminder.at, reminderTimes: reminderTimes)
            var first = start
            if !reminder.days.isEmpty {
                let wanted = Set(reminder.days.compactMap { PlanReminder.Weekday.allCases.firstIndex(of: $0) })
                while !wanted.contains(weekday(first)) { first = first.adding(days: 1) }
            }
            var description = [item.reason] + item.steps
            if let sets = item.sets { description.append("Sets: \(sets)") }
            if let progression = item.progression { description.append("Each week: \(progression)") }
            if item.gentler { description.append("Build up with a physiotherapist if you can.") }
            description += item.cautions.map { "Caution: \($0)" }
            description.append(
                "Sources: "
                    + item.item.sources.map { id in knowledge.sources[id].map { "\($0.publisher), \($0.title)" } ?? id }.joined(separator: "; "))
            lines += [
                "BEGIN:VEVENT",
                "UID:crampcare-plan-\(item.id)@crampcare",
                "DTSTAMP:\(stamp)",
                "LAST-MODIFIED:\(stamp)",
                "DTSTART;TZID=\(zoneID):\(compact(first))T\(pad(at.hour))\(pad(at.minute))00",
                "DURATION:PT\(reminder.minutes)M",
                reminder.days.isEmpty
                    ? "RRULE:FREQ=DAILY" : "RRULE:FREQ=WEEKLY;BYDAY=" + reminder.days.map { $0.rawValue.uppercased() }.joined(separator: ","),
                "SUMMARY:\(escape(item.title))",
                "DESCRIPTION:\(escape(description.joined(separator: "\n")))",
                "CATEGORIES:CrampCare",
                "TRANSP:TRANSPARENT",
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "DESCRIPTION:\(escape(item.title))",
                "TRIGGER:PT0S",
                "END:VALARM",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A VTIMEZONE listing each change of offset from a year before the plan to two years after
    /// (or one fixed offset), so any calendar can place the events without its own zone data.
    static func timezone(_ zone: TimeZone, around start: LocalDate) -> [String] {
        let from = Date(timeIntervalSince1970: Double(start.adding(days: -366).daysSinceEpoch) * 86_400)
        let until = Date(timeIntervalSince1970: Double(start.adding(days: 731).daysSinceEpoch) * 86_400)
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(zone.identifier)"]
        var moment = from
        var transitions: [Date] = []
        while let next = zone.nextDaylightSavingTimeTransition(after: moment), next < until, transitions.count < 16 {
            transitions.append(next)
            moment = next
        }
        if transitions.isEmpty {
            let offset = offsetText(zone.secondsFromGMT(for: from))
            lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:\(offset)", "TZOFFSETTO:\(offset)", "END:STANDARD"]
        } else {
            for transition in transitions {
                let before = zone.secondsFromGMT(for: transition.addingTimeInterval(-1))
                let after = zone.secondsFromGMT(for: transition)
                let kind = zone.isDaylightSavingTime(for: transition) ? "DAYLIGHT" : "STANDARD"
                // The onset as local time before the change, as RFC 5545 wants it.
                let local = Int64(transition.timeIntervalSince1970.rounded()) + Int64(before)
                let day = LocalDate(daysSinceEpoch: Int(floorDivide(local, 86_400)))
                let seconds = Int(local - Int64(day.daysSinceEpoch) * 86_400)
                lines += [
                    "BEGIN:\(kind)", "DTSTART:\(compact(day))T\(pad(seconds / 3600))\(pad(seconds / 60 % 60))\(pad(seconds % 60))",
                    "TZOFFSETFROM:\(offsetText(before))", "TZOFFSETTO:\(offsetText(after))", "END:\(kind)",
                ]
            }
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func compact(_ date: LocalDate) -> String {
        String(date.description.filter { $0 != "-" })
    }

    static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return "\(sign)\(pad(minutes / 60))\(pad(minutes % 60))"
    }

    static func utcStamp(_ milliseconds: Int64) -> String {
        let seconds = floorDivide(milliseconds, 1000)
        let day = LocalDate(daysSinceEpoch: Int(floorDivide(seconds, 86_400)))
        let rest = Int(seconds - Int64(day.daysSinceEpoch) * 86_400)
        return "\(compact(day))T\(pad(rest / 3600))\(pad(rest / 60 % 60))\(pad(rest % 60))Z"
    }

    /// TEXT values escape backslash, semicolon, comma and new lines, and drop other control
    /// characters (RFC 5545 allows none). Over Unicode scalars: "\r\n", or a new line with a
    /// combining mark, is one `Character` that a per-`Character` match lets through raw.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case ";": out.append(contentsOf: "\\;".unicodeScalars)
            case ",": out.append(contentsOf: "\\,".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\t": out.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: continue
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Lines longer than 75 octets are folded: CRLF and a space, never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        var parts: [String] = []
        var current = ""
        var octets = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            let limit = parts.isEmpty ? 75 : 74
            if octets + size > limit {
                parts.append(current)
                current = ""
                octets = 0
            }
            current.unicodeScalars.append(scalar)
            octets += size
        }
        parts.append(current)
        return parts.joined(separator: "\r\n ")
    }
}

/// A plan as JSON, for `crampcare plan --json` and the web page's data.
public enum PlanJSON {
    public static func encode(_ plan: PersonalPlan, reminderTimes: [LocalTime], zone: String, knowledge: KnowledgeBase) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("knowledgeVersion"); w.value(knowledge.version)
        w.key("olderAdult"); w.value(plan.olderAdult)
        w.key("timeZone"); w.value(zone)
        w.key("seeFirst"); w.stringArray(plan.seeFirst)
        w.key("openChecks"); w.value(plan.openChecks)
        w.key("items")
        w.beginArray()
        for item in plan.items {
            w.beginObject()
            w.key("id"); w.value(item.id)
            w.key("kind"); w.value(item.item.kind.rawValue)
            w.key("title"); w.value(item.title)
            w.key("gentler"); w.value(item.gentler)
            w.key("why"); w.value(item.reason)
            w.key("answers")
            w.beginArray()
            for answer in item.answers {
                w.beginObject()
                w.key("factor"); w.value(answer.factor.id)
                w.key("name"); w.value(answer.factor.name)
                w.key("foundIn"); w.value(answer.foundIn)
                w.endObject()
            }
            w.endArray()
            w.key("steps"); w.stringArray(item.steps)
            w.key("sets"); if let sets = item.sets { w.value(sets) } else { w.null() }
            w.key("progression"); if let progression = item.progression { w.value(progression) } else { w.null() }
            w.key("cautions"); w.stringArray(item.cautions)
            w.key("reminder")
            if let reminder = item.item.reminder {
                let at = PlanCalendar.time(for: reminder.at, reminderTimes: reminderTimes)
                w.beginObject()
                w.key("days"); w.stringArray(reminder.days.isEmpty ? ["daily"] : reminder.days.map(\.rawValue))
                w.key("at"); w.value(at.description)
                w.key("minutes"); w.value(reminder.minutes)
                w.endObject()
            } else {
                w.null()
            }
            w.key("sources"); w.stringArray(item.item.sources)
            w.endObject()
        }
        w.endArray()
        w.key("leftOut")
        w.beginArray()
        for (item, reason) in plan.leftOut {
            w.beginObject()
            w.key("id"); w.value(item.id)
            w.key("title"); w.value(item.title)
            w.key("reason"); w.value(reason)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}
