import CrampJournal
import FuzzSupport

fuzz { bytes in
    var parser = XMLStreamParser(maxMarkupBytes: 1 << 16)
    var health = AppleHealthImport()
    // Fed in two pieces, so a token split between reads is tried too.
    let half = bytes.count / 2
    for piece in [Array(bytes[..<half]), Array(bytes[half...])] {
        guard let events = try? parser.feed(piece) else { return }
        for event in events { try? health.consume(event) }
    }
    _ = try? parser.finish()
    _ = try? health.merged(into: [:], now: 0)
}
