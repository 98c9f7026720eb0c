import Foundation
import CrampJournal

@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
    var parser = XMLStreamParser(maxMarkupBytes: 1 << 16)
    var health = AppleHealthImport()
    // Fed in two pieces, so a token split between reads is tried too.
    let half = bytes.count / 2
    for piece in [Array(bytes[..<half]), Array(bytes[half...])] {
        guard let events = try? parser.feed(piece) else { return 0 }
        for event in events { try? health.consume(event) }
    }
    _ = try? parser.finish()
    _ = try? health.merged(into: [:], now: 0)
    return 0
}

// libFuzzer's own driver, called from this program's main (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { start, count in test(start, count) })
