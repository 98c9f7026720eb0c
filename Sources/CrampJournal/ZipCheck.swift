/// Checks a zip archive's directory before ZIPFoundation reads it.
///
/// ZIPFoundation 0.9.20 converts 64-bit sizes and offsets to `Int64`/`off_t` without a check
/// that can fail (its guards compare a `UInt64` with `UInt64.max`), and adds them unchecked, so
/// a crafted archive of a few hundred bytes traps the process (docs/upstream-bugs.md). This
/// reads the same records the same way it does, and refuses the archive unless every offset and
/// size it will use lies inside the file. The file is read only at the offsets the records give,
/// so the cost is bounded by the number of entries, itself bounded by the directory's size.
public enum ZipCheck {
    /// An uncompressed size above this is refused: no Apple Health export comes near it, and it
    /// keeps every sum below `Int64.max`.
    public static let maxUncompressedSize: UInt64 = 1 << 40
    /// The end record sits within the last 22 bytes plus a comment of at most 65,535.
    static let endSearchWindow = 22 + 65_535

    /// One entry as ZIPFoundation will see it.
    public struct Entry: Sendable, Equatable {
        public let path: [UInt8]
        public let compressedSize: UInt64
        public let uncompressedSize: UInt64
        public let localHeaderOffset: UInt64
        public let dataOffset: UInt64
    }

    /// Reads `count` bytes at `offset`; fewer at the end of the file.
    public typealias Reader = (_ offset: UInt64, _ count: Int) throws -> [UInt8]

    /// The entries, in directory order, or the first problem found.
    public static func entries(fileSize: UInt64, read: Reader) throws -> [Entry] {
        guard fileSize >= 22, fileSize <= UInt64(Int64.max) else { throw problem("it is too short to be a zip file") }
        let windowStart = fileSize > UInt64(endSearchWindow) ? fileSize - UInt64(endSearchWindow) : 0
        let tail = try read(windowStart, Int(fileSize - windowStart))
        // ZIPFoundation takes the end record nearest the end of the file.
        var endIndex: Int?
        var index = tail.count - 22
        while index >= 0 {
            if u32(tail, index) == 0x0605_4B50 {
                endIndex = index
                break
            }
            index -= 1
        }
        guard let endIndex else { throw problem("it has no end-of-directory record; it is not a zip file, or it is cut short") }
        let endOffset = windowStart + UInt64(endIndex)
        var count = UInt64(u16(tail, endIndex + 10))
        var directorySize = UInt64(u32(tail, endIndex + 12))
        var directoryOffset = UInt64(u32(tail, endIndex + 16))
        // ZIPFoundation uses a ZIP64 end record found just before the locator, whatever the locator says.
        if endOffset > 76 {
            let locator = try read(endOffset - 20, 20)
            let record = try read(endOffset - 76, 56)
            if locator.count == 20, record.count == 56, u32(locator, 0) == 0x0706_4B50, u32(record, 0) == 0x0606_4B50,
                u16(record, 14) >= 45
            {
                count = u64(record, 32)
                directorySize = u64(record, 40)
                directoryOffset = u64(record, 48)
            }
        }
        guard directoryOffset <= fileSize, directorySize <= fileSize - directoryOffset else {
            throw problem("its directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the file of \(fileSize) bytes")
        }
        guard count <= directorySize / 46 + 1 else {
            throw problem("it claims \(count) entries, more than its directory of \(directorySize) bytes can hold")
        }
        var entries: [Entry] = []
        var position = directoryOffset
        for _ in 0..<count {
            guard fileSize >= 46, position <= fileSize - 46 else { break }
            let fixed = try read(position, 46)
            // Where ZIPFoundation's reading of the directory stops, so does this.
            guard fixed.count == 46, u32(fixed, 0) == 0x0201_4B50 else { break }
            let nameLength = Int(u16(fixed, 28))
            let extraLength = Int(u16(fixed, 30))
            let commentLength = Int(u16(fixed, 32))
            let variable = try read(position + 46, nameLength + extraLength + commentLength)
            guard variable.count == nameLength + extraLength + commentLength else { break }
            let entry = try describe(
                fixed: fixed, name: Array(variable[0..<nameLength]),
                extra: Array(variable[nameLength..<(nameLength + extraLength)]), fileSize: fileSize, read: read)
            guard let entry else { break }
            entries.append(entry)
            position += UInt64(46 + nameLength + extraLength + commentLength)
        }
        return entries
    }

    private static func describe(fixed: [UInt8], name: [UInt8], extra: [UInt8], fileSize: UInt64, read: Reader) throws -> Entry? {
        let versionNeeded = u16(fixed, 6)
        let method = u16(fixed, 10)
        let compressed32 = u32(fixed, 20)
        let uncompressed32 = u32(fixed, 24)
        let disk16 = u16(fixed, 34)
        let offset32 = u32(fixed, 42)
        // The ZIP64 fields present are those whose 32-bit value is all ones, in this order.
        var sizes: [Int] = []
        if uncompressed32 == .max { sizes.append(8) }
        if compressed32 == .max { sizes.append(8) }
        if offset32 == .max { sizes.append(8) }
        if disk16 == .max { sizes.append(4) }
        var zip64: (uncompressed: UInt64, compressed: UInt64, offset: UInt64)?
        if let field = firstZIP64Field(extra), field.count == 4 + sizes.reduce(0, +) {
            var at = 4
            func take(_ present: Bool) -> UInt64 {
                guard present else { return 0 }
                defer { at += 8 }
                return u64(field, at)
            }
            let uncompressed = take(uncompressed32 == .max)
            let compressed = take(compressed32 == .max)
            let offset = take(offset32 == .max)
            zip64 = (uncompressed, compressed, offset)
        }
        let isZIP64 = (versionNeeded & 0xFF) >= 45 || zip64 != nil
        func effective(_ wide: UInt64?, _ narrow: UInt32) -> UInt64 {
            if isZIP64, let wide, wide > 0 { return wide }
            return UInt64(narrow)
        }
        let compressed = effective(zip64?.compressed, compressed32)
        let uncompressed = effective(zip64?.uncompressed, uncompressed32)
        let offset = effective(zip64?.offset, offset32)
        let shownName = String(decoding: name.prefix(80), as: UTF8.self)
        guard offset <= fileSize, fileSize - offset >= 30 else {
            throw problem("the entry \"\(shownName)\" starts at \(offset), outside the file of \(fileSize) bytes")
        }
        guard uncompressed <= maxUncompressedSize else {
            throw problem("the entry \"\(shownName)\" claims \(uncompressed) bytes unpacked; at most \(maxUncompressedSize) are accepted")
        }
        guard compressed <= fileSize else {
            throw problem("the entry \"\(shownName)\" claims \(compressed) packed bytes, more than the file of \(fileSize) bytes")
        }
        let local = try read(offset, 30)
        guard local.count == 30, u32(local, 0) == 0x0403_4B50 else { return nil }
        let dataOffset = offset + 30 + UInt64(u16(local, 26)) + UInt64(u16(local, 28))
        // ZIPFoundation reads the data by the local header's method; both must say the same.
        guard u16(local, 8) == method else {
            throw problem("the entry \"\(shownName)\" is stored one way in the directory and another in its header")
        }
        let stored = method == 0
        let dataSize = stored ? uncompressed : compressed
        guard dataOffset <= fileSize, dataSize <= fileSize - dataOffset else {
            throw problem("the entry \"\(shownName)\" has \(dataSize) bytes of data at \(dataOffset), past the end of the file of \(fileSize) bytes")
        }
        return Entry(path: name, compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: offset, dataOffset: dataOffset)
    }

    /// The first extra field with id 1, as ZIPFoundation finds it (a malformed list ends the search).
    private static func firstZIP64Field(_ extra: [UInt8]) -> [UInt8]? {
        var offset = 0
        while offset < extra.count - 4 {
            let id = u16(extra, offset)
            let next = offset + 4 + Int(u16(extra, offset + 2))
            guard next <= extra.count else { return nil }
            if id == 1 { return Array(extra[offset..<next]) }
            offset = next
        }
        return nil
    }

    private static func problem(_ text: String) -> JournalError {
        JournalError(field: "", problem: "the zip file cannot be read safely: \(text)")
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16
    }

    private static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32
    }
}
