public import CrampJournal

/// A file read in chunks, in order; nil at its end.
public protocol ByteChunks: Sendable {
    mutating func next() throws -> [UInt8]?
}

/// The CSV file was refused: its first problems, each with its line, and how many there were.
/// Nothing of it was written.
public struct CSVRefused: Error, Sendable, CustomStringConvertible {
    public let problems: [String]
    public let count: Int

    public var description: String { "\(count) problem\(count == 1 ? "" : "s") in the file; nothing was imported" }
}

extension CrampCareApp {
    /// Rows handed to the journal at a time while the rest of the file is read.
    public static let csvBatchSize = 5000
    /// Problems listed when a file is refused; the rest are counted.
    public static let listedProblems = 50

    /// Imports a CSV file (episodes.csv or daily.csv) as it is read, in one transaction: every row
    /// is checked, and any problem writes nothing (`CSVRefused` lists them). `expectedRows`, when
    /// known from the file's size, sizes the duplicate check up front.
    public func importCSV(_ file: some ByteChunks, owner: OwnerID, expectedRows: Int = 0) async throws -> ImportSummary {
        let now = clockSource.millisecondsNow()
        return try await importStreaming(owner: owner) { sink in
            try await Self.readCSV(file, owner: owner, now: now, sink: sink, expectedRows: expectedRows)
        }.1
    }

    /// Checks a CSV file as `importCSV` would, writing nothing: what it would add.
    public func checkCSV(_ file: some ByteChunks, owner: OwnerID) async throws -> (episodes: Int, days: Int) {
        try await Self.readCSV(file, owner: owner, now: clockSource.millisecondsNow(), sink: nil)
    }

    static func readCSV(
        _ file: some ByteChunks, owner: OwnerID, now: Int64, sink: (any ImportSink)?, expectedRows: Int = 0
    ) async throws -> (episodes: Int, days: Int) {
        var file = file
        var parser = CSVParser()
        var rows = CSVRows(owner: owner, now: now, expectedRows: expectedRows)
        var skippedBOM = false
        do {
            while var chunk = try file.next() {
                if !skippedBOM {
                    if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk.removeFirst(3) }
                    skippedBOM = true
                }
                try rows.handle(try parser.feed(chunk))
                try await rows.deliver(to: sink, final: false)
            }
            try rows.handle(try parser.finish())
        } catch let error as JournalError {
            // A broken structure (an unclosed quote, an over-long record): nothing after it can be trusted.
            rows.problem(error.description)
        }
        if rows.header == nil, rows.problemCount == 0 { rows.problem("the file is empty; expected a CrampCare CSV header") }
        guard rows.problemCount == 0 else { throw CSVRefused(problems: rows.problems, count: rows.problemCount) }
        try await rows.deliver(to: sink, final: true)
        return rows.counts
    }
}

/// The rows of a CSV import so far: checked, counted, de-duplicated, and the problems found.
struct CSVRows {
    let owner: OwnerID
    let now: Int64
    var header: JournalCSV.Header?
    var episodes: [Episode] = []
    var days: [DayLog] = []
    var counts = (episodes: 0, days: 0)
    var problems: [String] = []
    var problemCount = 0
    var seenEpisodes: [EntryID: Int] = [:]
    var seenDays: [LocalDate: Int] = [:]

    init(owner: OwnerID, now: Int64, expectedRows: Int) {
        self.owner = owner
        self.now = now
        // Sized from the file up front: growing a large table costs a rehash each time.
        seenEpisodes.reserveCapacity(min(max(expectedRows, 0), 4_000_000))
    }

    mutating func problem(_ text: String) {
        problemCount += 1
        if problems.count < CrampCareApp.listedProblems { problems.append(text) }
    }

    /// The first record is the header; every other is checked, a bad one noted as a problem.
    mutating func handle(_ records: [CSVRecord]) throws(JournalError) {
        for record in records {
            guard let known = header else {
                // A file whose header does not read cannot be read at all: the import stops there.
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
    mutating func deliver(to sink: (any ImportSink)?, final: Bool) async throws {
        guard let sink, problemCount == 0 else {
            episodes.removeAll(keepingCapacity: true)
            days.removeAll(keepingCapacity: true)
            return
        }
        if episodes.count >= CrampCareApp.csvBatchSize || (final && !episodes.isEmpty) {
            try await sink.add(episodes: episodes)
            episodes.removeAll(keepingCapacity: true)
        }
        if days.count >= CrampCareApp.csvBatchSize || (final && !days.isEmpty) {
            try await sink.add(dayLogs: days)
            days.removeAll(keepingCapacity: true)
        }
    }
}
