import ArgumentParser
import CrampApplication
import CrampJournal
import CrampStorage
import Foundation
import ZIPFoundation

#if canImport(Glibc)
import Glibc
#endif

enum ImportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json
    case appleHealth = "apple-health"
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a CSV file (episodes.csv or daily.csv), a JSON backup, or an Apple Health export (export.xml or its zip).",
        usage: "crampcare import <path> [--dry-run] [--replace] [options]",
        discussion: """
            The format is told by the file, or by --format. The whole file is checked first; every \
            problem is reported with its line, and nothing is written if anything is wrong. Importing \
            the same file twice adds nothing the second time. --replace restores a JSON backup in \
            place of everything in the journal.
            """
    )

    @OptionGroup var journal: JournalOptions
    @Argument(help: "The file to import, or - for stdin.")
    var path: String
    @Option(help: "csv, json or apple-health (default: told by the file).")
    var format: ImportFormat?
    @Flag(help: "Check the file and say what would change, writing nothing.")
    var dryRun = false
    @Flag(help: "With a JSON backup: replace everything in the journal with it.")
    var replace = false
    @Flag(name: .shortAndLong, help: "Do not ask before --replace.")
    var yes = false

    func run() async throws {
        try await withJournal(journal) { opened in
            let app = opened.app
            let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw CLIError.input("cannot open \(path): \(String(cString: strerror(errno)))") }
            defer { if fd != 0 { close(fd) } }
            var reader = ChunkReader(fd: fd)
            let head = try reader.peek()
            let kind = format ?? Self.sniff(head)
            switch kind {
            case .appleHealth: try await importHealth(app, reader: reader, head: head, fd: fd)
            case .csv: try await importCSV(app, head: head, fd: fd)
            case .json: try await importBackup(opened, reader: &reader)
            }
        }
    }

    private func importHealth(_ app: CrampCareApp, reader: ChunkReader, head: [UInt8], fd: Int32) async throws {
        let zipped = head.starts(with: [0x50, 0x4B, 0x03, 0x04])
        guard !zipped || path != "-" else { throw CLIError.input("a zipped Apple Health export must be given as a file, not on stdin") }
        let health = zipped ? try Self.readHealthZip(path) : try Self.readHealthXML(ChunkReader(fd: fd, first: head), size: Self.size(fd))
        guard let (days, first, last) = try await app.healthDays(health, owner: owner) else {
            Console.print("The export holds no water, steps, sleep or workouts: nothing to import.")
            return
        }
        if dryRun {
            Console.print("Checked: \(health.records) records give \(days.count) days (\(first) to \(last)). Nothing written (--dry-run).")
            return
        }
        let summary = try await app.importBackup(JournalContents(dayLogs: days), mode: .merge, owner: owner)
        Console.print(
            "Imported from Apple Health: \(summary.dayLogsWritten) days (\(first) to \(last)) from \(health.records) records\(health.skipped > 0 ? "; \(health.skipped) records could not be read and were left out" : "")."
        )
    }

    private func importCSV(_ app: CrampCareApp, head: [UInt8], fd: Int32) async throws {
        guard !replace else { throw CLIError.input("--replace is for a JSON backup; a CSV file is merged") }
        let file = ChunkReader(fd: fd, first: head)
        do {
            if dryRun {
                let counts = try await app.checkCSV(file, owner: owner)
                Console.print("Checked: \(counts.episodes) episodes and \(counts.days) days are valid. Nothing written (--dry-run).")
                return
            }
            // Parsed and written at once, in one transaction: any problem rolls it all back.
            Self.report(try await app.importCSV(file, owner: owner, expectedRows: Self.size(fd) / 60))
        } catch let refused as CSVRefused {
            for text in refused.problems { Console.error("crampcare: \(text)") }
            if refused.count > refused.problems.count { Console.error("crampcare: … and \(refused.count - refused.problems.count) more problems") }
            throw CLIError.input(refused.description)
        }
    }

    private func importBackup(_ opened: OpenJournal, reader: inout ChunkReader) async throws {
        let app = opened.app
        var contents = try JournalBackup.decode(
            try reader.readAll(limit: JournalBackup.maxBytes, what: path), currentYear: opened.clock.today.year)
        if replace {
            if !yes && !dryRun {
                guard Console.stdinIsTerminal, path != "-" else {
                    throw CLIError.input("add --yes to replace the journal without a terminal to confirm in")
                }
                Console.write(
                    Array(
                        "Replace everything in the journal with this backup (\(contents.episodes.count) episodes, \(contents.dayLogs.count) days)? Type replace to confirm: "
                            .utf8))
                guard readLine()?.trimmingCharacters() == "replace" else {
                    Console.print("Nothing changed.")
                    return
                }
            }
            if dryRun {
                Console.print(
                    "Checked: the backup is valid (\(contents.episodes.count) episodes, \(contents.dayLogs.count) days, \(contents.assessments.count) assessments). Nothing written (--dry-run)."
                )
                return
            }
            _ = try await app.importBackup(contents, mode: .replace, owner: owner)
            Console.print(
                "Restored \(contents.episodes.count) episodes, \(contents.dayLogs.count) days and \(contents.assessments.count) assessments.")
            return
        }
        if dryRun {
            Console.print(
                "Checked: \(contents.episodes.count) episodes and \(contents.dayLogs.count) days are valid. Nothing written (--dry-run).")
            return
        }
        Self.report(try await app.importBackup(contents, mode: .merge, owner: owner))
        contents = JournalContents()
    }

    static func report(_ summary: ImportSummary) {
        var parts = ["\(summary.episodesAdded) episodes added"]
        if summary.episodesUnchanged > 0 { parts.append("\(summary.episodesUnchanged) already in the journal") }
        if summary.dayLogsWritten > 0 { parts.append("\(summary.dayLogsWritten) days written") }
        if summary.assessmentsAdded > 0 { parts.append("\(summary.assessmentsAdded) assessments added") }
        if summary.profileTaken { parts.append("the profile taken") }
        Console.print("Imported: " + parts.joined(separator: ", ") + ".")
    }

    static func sniff(_ head: [UInt8]) -> ImportFormat {
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .appleHealth }
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let first = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        switch first {
        case UInt8(ascii: "{"): return .json
        case UInt8(ascii: "<"): return .appleHealth
        default: return .csv
        }
    }

    static func size(_ fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
    }

    /// Streams an export.xml through the tokenizer and the day totals, in constant memory.
    static func readHealthXML(_ reader: ChunkReader, size: Int) throws -> AppleHealthImport {
        var reader = reader
        var parser = XMLStreamParser()
        var health = AppleHealthImport()
        var progress = Progress(total: size)
        while let chunk = try reader.next() {
            for event in try parser.feed(chunk) { try health.consume(event) }
            progress.advance(by: chunk.count)
        }
        try parser.finish()
        progress.finish()
        try health.validate()
        return health
    }

    /// Finds export.xml in Apple's zip and streams it out of the archive.
    static func readHealthZip(_ path: String) throws -> AppleHealthImport {
        try checkZip(path)
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw CLIError.input("\(path) is not a readable zip file")
        }
        guard let entry = archive.first(where: { $0.type == .file && ($0.path == "export.xml" || $0.path.hasSuffix("/export.xml")) }) else {
            throw CLIError.input("\(path) holds no export.xml; is it Apple Health's export.zip?")
        }
        var parser = XMLStreamParser()
        var health = AppleHealthImport()
        var progress = Progress(total: Int(clamping: entry.uncompressedSize))
        do {
            let checksum = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: false) { data in
                for event in try parser.feed([UInt8](data)) { try health.consume(event) }
                progress.advance(by: data.count)
            }
            // ZIPFoundation computes the checksum but leaves the comparing to its caller.
            guard checksum == entry.checksum else {
                throw CLIError.input("\(path): export.xml is damaged in the zip (its checksum does not match); export it again from the Health app")
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw CLIError.input("\(path): export.xml could not be read from the zip: \(error)")
        }
        try parser.finish()
        progress.finish()
        try health.validate()
        return health
    }

    /// Refuses an archive whose directory points outside the file, before ZIPFoundation reads it
    /// (it traps on such offsets and sizes).
    static func checkZip(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError.input("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let size = UInt64(max(0, size(fd)))
        do {
            _ = try ZipCheck.entries(fileSize: size) { offset, count in
                guard count > 0, offset <= UInt64(Int64.max) else { return [] }
                var bytes = [UInt8](repeating: 0, count: count)
                var filled = 0
                while filled < count {
                    let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled)) }
                    if got < 0, errno == EINTR { continue }
                    guard got > 0 else { break }
                    filled += got
                }
                return Array(bytes[0..<filled])
            }
        } catch let error as JournalError {
            throw CLIError.input("\(path): \(error.problem)")
        }
    }
}

/// Reads a file descriptor in chunks, with a look at the first chunk before reading on.
struct ChunkReader: ByteChunks {
    let fd: Int32
    private var peeked: [UInt8]?
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    init(fd: Int32, first: [UInt8]? = nil) {
        self.fd = fd
        peeked = first
    }

    mutating func peek() throws(CLIError) -> [UInt8] {
        if let peeked { return peeked }
        let chunk = try read() ?? []
        peeked = chunk
        return chunk
    }

    mutating func next() throws(CLIError) -> [UInt8]? {
        if let chunk = peeked {
            peeked = nil
            return chunk.isEmpty ? nil : chunk
        }
        return try read()
    }

    private mutating func read() throws(CLIError) -> [UInt8]? {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError.input("cannot read the file: \(String(cString: strerror(errno)))")
            }
            return count == 0 ? nil : Array(buffer[0..<count])
        }
    }

    mutating func readAll(limit: Int, what: String) throws(CLIError) -> [UInt8] {
        var out: [UInt8] = []
        while let chunk = try next() {
            out += chunk
            if out.count > limit { throw CLIError.input("\(what) is larger than \(limit >> 20) MiB") }
        }
        return out
    }
}

/// A progress bar on stderr, drawn only on a terminal, redrawn at most every whole percent.
struct Progress {
    let total: Int
    private var read = 0
    private var shown = -1
    private let enabled = isatty(2) == 1

    init(total: Int) {
        self.total = total
    }

    mutating func advance(by count: Int) {
        read += count
        guard enabled, total > 0 else { return }
        let percent = min(100, read * 100 / total)
        guard percent != shown else { return }
        shown = percent
        let filled = percent * 30 / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
        Console.write(Array("\r  reading [\(bar)] \(percent)%".utf8), to: 2)
    }

    func finish() {
        if enabled, total > 0, shown >= 0 { Console.write(Array("\r\u{1B}[K".utf8), to: 2) }
    }
}
