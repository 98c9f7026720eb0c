import Foundation
import CrampJournal

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
    _ = try? JournalBackup.decode(bytes, currentYear: 2026)
    _ = try? JournalBackup.episode(fromJSON: bytes, now: 0)
    _ = try? JournalBackup.day(fromJSON: bytes, now: 0)
    _ = try? JournalBackup.profile(fromJSON: bytes, currentYear: 2026, now: 0)
    return 0
}

// libFuzzer's own driver, called from this program's main (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { start, count in test(start, count) })
