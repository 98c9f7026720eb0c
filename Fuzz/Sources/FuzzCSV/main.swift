import CrampJournal

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
    var parser = CSVParser(maxRecordBytes: 1 << 16)
    guard let records = try? parser.feed(bytes) + parser.finish(), let first = records.first, let header = try? JournalCSV.Header(first) else { return 0 }
    for record in records.dropFirst() {
        _ = try? JournalCSV.episode(record, header: header, owner: .local, now: 0)
        _ = try? JournalCSV.day(record, header: header, now: 0)
    }
    return 0
}
