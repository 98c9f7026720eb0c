import CrampJournal
import FuzzSupport

fuzz { bytes in
    _ = try? JournalBackup.decode(bytes, currentYear: 2026)
    _ = try? JournalBackup.episode(fromJSON: bytes, now: 0)
    _ = try? JournalBackup.day(fromJSON: bytes, now: 0)
    _ = try? JournalBackup.profile(fromJSON: bytes, currentYear: 2026, now: 0)
}
