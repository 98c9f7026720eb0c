import Foundation
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

// libFuzzer's own driver, called from this program's main (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { start, count in test(start, count) })
