import CrampJournal
import FuzzSupport

fuzz { bytes in
    _ = try? ZipCheck.entries(fileSize: UInt64(bytes.count)) { offset, length in
        guard offset < UInt64(bytes.count) else { return [] }
        return Array(bytes[Int(offset)..<min(bytes.count, Int(offset) + length)])
    }
}
