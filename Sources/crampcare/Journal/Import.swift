import ArgumentParser
import CrampJournal
import CrampStorage

#if canImport(Glibc)
import Glibc
#endif

enum ImportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a CSV file (episodes.csv or daily.csv) or a JSON backup into the journal.",
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
    @Option(help: "csv or json (default: told by the file).")
    var format: ImportFormat?
    @Flag(help: "Check the file and say what would change, writing nothing.")
    var dryRun = false
    @Flag(help: "With a JSON backup: replace everything in the journal with it.")
    var replace = false
    @Flag(name: .shortAndLong, help: "Do not ask before --replace.")
    var yes = false

    /// How many problems are listed before the rest are only counted.
    static let listedProblems = 50

    func run() async throws {
        try await withJournal(journal) { store in
            let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw CLIError.input("cannot open \(path): \(String(cString: strerror(errno)))") }
            defer { if fd != 0 { close(fd) } }
            var reader = ChunkReader(fd: fd)
            let head = try reader.peek()
            let kind = format ?? Self.sniff(head)
            let now = LocalClock.now().instant
            if kind == .csv {
                guard !replace else { throw CLIError.input("--replace is for a JSON backup; a CSV file is merged") }
                let first = head
                if dryRun {
                    let counts = try await Self.readCSV(ChunkReader(fd: fd, first: first), now: now, sink: nil)
                    Console.print("Checked: \(counts.episodes) episodes and \(counts.days) days are valid. Nothing written (--dry-run).")
                    return
                }
                // Parse and write at once, in one transaction: any problem rolls it all back.
                let (_, summary) = try await store.importStreaming(owner: owner) { sink in
                    try await Self.readCSV(ChunkReader(fd: fd, first: first), now: now, sink: sink)
                }
                Self.report(summary)
                return
            }
            var contents = try JournalBackup.decode(try reader.readAll(limit: 1 << 30, what: path))
            if replace {
                guard kind == .json else { throw CLIError.input("--replace is for a JSON backup; a CSV file is merged") }
                if !yes && !dryRun {
                    guard Console.stdinIsTerminal, path != "-" else { throw CLIError.input("add --yes to replace the journal without a terminal to confirm in") }
                    Console.write(Array("Replace everything in the journal with this backup (\(contents.episodes.count) episodes, \(contents.dayLogs.count) days)? Type replace to confirm: ".utf8))
                    guard readLine()?.trimmingCharacters() == "replace" else {
                        Console.print("Nothing changed.")
                        return
                    }
                }
                if dryRun {
                    Console.print("Checked: the backup is valid (\(contents.episodes.count) episodes, \(contents.dayLogs.count) days, \(contents.assessments.count) assessments). Nothing written (--dry-run).")
                    return
                }
                try await store.restore(contents, owner: owner)
                Console.print("Restored \(contents.episodes.count) episodes, \(contents.dayLogs.count) days and \(contents.assessments.count) assessments.")
                return
            }
            if dryRun {
                Console.print("Checked: \(contents.episodes.count) episodes and \(contents.dayLogs.count) days are valid. Nothing written (--dry-run).")
                return
            }
            Self.report(try await store.importBatch(contents, owner: owner))
            contents = JournalContents()
        }
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
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let first = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        return first == UInt8(ascii: "{") ? .json : .csv
    }

    /// Rows handed to the journal at a time while the rest of the file is read.
    static let batchSize = 2000

    /// Reads a CSV file as a stream, checking every row and handing checked batches to `sink`;
    /// throws with every problem found (the caller's transaction then writes nothing).
    static func readCSV(_ reader: ChunkReader, now: Int64, sink: (any ImportSink)?) async throws -> (episodes: Int, days: Int) {
        var reader = reader
        var parser = CSVParser()
        var header: JournalCSV.Header?
        var episodes: [Episode] = []
        var days: [DayLog] = []
        var counts = (episodes: 0, days: 0)
        var problems: [String] = []
        var problemCount = 0
        var seenEpisodes: [EntryID: Int] = [:]
        var seenDays: [LocalDate: Int] = [:]
        var skippedBOM = false

        func problem(_ text: String) {
            problemCount += 1
            if problems.count < listedProblems { problems.append(text) }
        }

        func handle(_ records: [CSVRecord]) throws(JournalError) {
            for record in records {
                guard let known = header else {
                    header = try JournalCSV.Header(record)
                    continue
                }
                do throws(JournalError) {
                    switch known.kind {
                    case .episodes:
                        let episode = try JournalCSV.episode(record, header: known, owner: owner, now: now)
                        if let earlier = seenEpisodes.updateValue(record.line, forKey: episode.id) {
                            seenEpisodes[episode.id] = earlier
                            problem("line \(record.line): id: the episode \(episode.id) is also on line \(earlier)")
                        } else {
                            episodes.append(episode)
                            counts.episodes += 1
                        }
                    case .days:
                        let day = try JournalCSV.day(record, header: known, now: now)
                        if let earlier = seenDays.updateValue(record.line, forKey: day.date) {
                            seenDays[day.date] = earlier
                            problem("line \(record.line): date: \(day.date) is also on line \(earlier); one row a day")
                        } else {
                            days.append(day)
                            counts.days += 1
                        }
                    }
                } catch {
                    problem(error.description)
                }
            }
        }

        /// Hands on what is checked so far; once a problem is found nothing more is written.
        func deliver(final: Bool) async throws {
            guard let sink, problemCount == 0 else {
                episodes.removeAll(keepingCapacity: true)
                days.removeAll(keepingCapacity: true)
                return
            }
            if episodes.count >= batchSize || (final && !episodes.isEmpty) {
                try await sink.add(episodes: episodes)
                episodes.removeAll(keepingCapacity: true)
            }
            if days.count >= batchSize || (final && !days.isEmpty) {
                try await sink.add(dayLogs: days)
                days.removeAll(keepingCapacity: true)
            }
        }

        do {
            while var chunk = try reader.next() {
                if !skippedBOM {
                    if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk.removeFirst(3) }
                    skippedBOM = true
                }
                try handle(try parser.feed(chunk))
                try await deliver(final: false)
            }
            try handle(try parser.finish())
        } catch let error as JournalError {
            // A broken structure (an unclosed quote, an over-long record): nothing after it can be trusted.
            problem(error.description)
        }
        if header == nil, problemCount == 0 { problem("the file is empty; expected a CrampCare CSV header") }
        guard problemCount == 0 else {
            for text in problems { Console.error("crampcare: \(text)") }
            if problemCount > problems.count { Console.error("crampcare: … and \(problemCount - problems.count) more problems") }
            throw CLIError.input("\(problemCount) problem\(problemCount == 1 ? "" : "s") in the file; nothing was imported")
        }
        try await deliver(final: true)
        return counts
    }
}

/// Reads a file descriptor in chunks, with a look at the first chunk before reading on.
struct ChunkReader {
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
