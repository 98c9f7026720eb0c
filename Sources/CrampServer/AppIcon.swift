/// The app's icon for the home screen, drawn here rather than downloaded: the brand blue with a
/// white ring open on the right (a "C"), edges smoothed. A PNG of a few colours (a palette of
/// blends), written with stored deflate blocks: no compression library, and small enough (one
/// byte a pixel) for a file fetched once and kept.
enum AppIcon {
    /// 192 and 512 pixels, as browsers ask; the maskable one keeps the ring inside the middle 80%
    /// so a round or squircle mask never cuts it.
    static let sizes = [192, 512]

    static func png(size: Int, maskable: Bool) -> [UInt8] {
        let levels = 16
        let background: (UInt8, UInt8, UInt8) = (0x0B, 0x4F, 0x8A)
        let foreground: (UInt8, UInt8, UInt8) = (0xFF, 0xFF, 0xFF)
        // Palette entry k blends background to foreground by k / levels.
        var palette: [UInt8] = []
        for level in 0...levels {
            let t = Double(level) / Double(levels)
            for (from, to) in [(background.0, foreground.0), (background.1, foreground.1), (background.2, foreground.2)] {
                palette.append(UInt8((Double(from) + (Double(to) - Double(from)) * t).rounded()))
            }
        }
        let scale = maskable ? 0.8 : 1.0
        let outer = 0.36 * scale
        let inner = 0.22 * scale
        // Four by four samples a pixel: the share inside the ring picks the blend.
        let samples = 4
        var raw: [UInt8] = []
        raw.reserveCapacity((size + 1) * size)
        for y in 0..<size {
            raw.append(0)  // filter: none
            for x in 0..<size {
                var inside = 0
                for sy in 0..<samples {
                    for sx in 0..<samples {
                        let px = (Double(x) + (Double(sx) + 0.5) / Double(samples)) / Double(size) - 0.5
                        let py = (Double(y) + (Double(sy) + 0.5) / Double(samples)) / Double(size) - 0.5
                        let r = (px * px + py * py).squareRoot()
                        // The opening: a wedge to the right, about 70° wide.
                        let open = px > 0 && abs(py) < px * 0.7
                        if r <= outer && r >= inner && !open { inside += 1 }
                    }
                }
                raw.append(UInt8(inside * levels / (samples * samples)))
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(size)) + bigEndian(UInt32(size))
        header += [8, 3, 0, 0, 0]  // 8-bit palette indices, no interlace
        chunk("IHDR", header, into: &png)
        chunk("PLTE", palette, into: &png)
        chunk("IDAT", zlibStored(raw), into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value),
        ]
    }

    static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        png += bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    /// A zlib stream of stored (uncompressed) deflate blocks, each at most 65,535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let length = min(65_535, data.count - start)
            let last: UInt8 = start + length >= data.count ? 1 : 0
            out.append(last)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[start..<(start + length)]
            start += length
        } while start < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + bigEndian(b << 16 | a)
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
