import CrampJournal
import FuzzSupport

fuzz { bytes in
    var parser = CSVParser(maxRecordBytes: 1 << 16)
    guard let records = try? parser.feed(bytes) + parser.finish(), let first = records.first, let header = try? JournalCSV.Header(first) else {
        return
    }
    for record in records.dropFirst() {
        _ = try? JournalCSV.episode(record, header: header, owner: .local, now: 0)
        _ = try? JournalCSV.day(record, header: header, now: 0)
    }
}
