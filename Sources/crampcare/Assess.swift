import ArgumentParser
import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

struct Assess: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Assess an episode: triage, red flags, what else it might be, causes and relief.",
        usage: "crampcare assess [--input <file>] [--format <format>] [options]",
        discussion: """
            In a terminal, asks the red-flag questions first, then the rest step by step. \
            With --json, reads one request (assessment-request.schema.json) from stdin or --input \
            and prints one result. With --ndjson, reads one request per line and prints one compact \
            result per line. Bad input exits with code 2 and a message naming the field.
            """
    )

    @Flag(help: "Read a JSON request from stdin (or --input) and print the JSON result.")
    var json = false

    @Flag(help: "Read one JSON request per line and print one compact result per line.")
    var ndjson = false

    @Option(help: "Read the JSON request from this file instead of stdin.")
    var input: String?

    @Option(help: "How to print the result: text, json or markdown.")
    var format: OutputFormat?

    @Option(help: "Your region (ISO country code such as GB, US, AU) for the emergency number; default from the locale.")
    var region: String?

    @Flag(help: "Keep the assessment in the journal (interactive assessments are always kept).")
    var save = false

    @OptionGroup var journal: JournalOptions

    func validate() throws {
        if json, ndjson { throw ValidationError("choose one of --json and --ndjson") }
        if ndjson, format != nil { throw ValidationError("--ndjson always prints compact JSON; drop --format") }
    }

    func run() async throws {
        let knowledge = try loadKnowledge()
        if let region, knowledge.emergencyNumbers[region.uppercased()] == nil {
            let known = knowledge.emergencyNumbers.keys.sorted().joined(separator: ", ")
            Console.error(
                "crampcare: --region \"\(region)\" is not a region CrampCare knows (known: \(known)); using \(knowledge.defaultEmergencyNumbers.emergency), which works from mobiles in many countries"
            )
        }
        let assessor = Assessor(knowledge: knowledge)
        let encoder = ResultEncoder(knowledge: knowledge)
        if ndjson {
            let failures: Int
            if save {
                failures = try await withJournal(journal) { opened in
                    try await streamNDJSON(assessor: assessor, encoder: encoder, keeping: opened)
                }
            } else {
                failures = try await reportingAsync { try await streamNDJSON(assessor: assessor, encoder: encoder, keeping: nil) }
            }
            if failures > 0 {
                Console.error("crampcare: \(failures) line\(failures == 1 ? "" : "s") could not be assessed (see the error objects)")
                throw ExitCode(2)
            }
            return
        }
        var kept: (request: AssessmentRequest, result: AssessmentResult)?
        let asksQuestions = !(json || input != nil || !Console.stdinIsTerminal)
        let profile = asksQuestions ? await savedProfile() : nil
        try reporting {
            let request: AssessmentRequest
            var interactive = false
            if !asksQuestions {
                let bytes = try input.map { path throws(CLIError) in try Console.readFile(path) } ?? Console.readAll()
                do throws(RequestError) {
                    // Parsed once; a FHIR QuestionnaireResponse to `crampcare questionnaire --fhir` is read as a request.
                    let parsed: JSONValue
                    do throws(JSONSyntaxError) {
                        parsed = try JSONParser.parse(bytes)
                    } catch {
                        throw RequestError(field: "", problem: error.description)
                    }
                    if AssessmentQuestionnaire.isResponse(parsed) {
                        request = try AssessmentQuestionnaire.request(
                            fromResponse: parsed, medicineNames: knowledge.medicineNames,
                            interview: AssessmentInterview(assessor: assessor))
                    } else {
                        request = try AssessmentRequest.decode(parsed, medicineNames: knowledge.medicineNames)
                    }
                } catch {
                    throw CLIError.input("invalid request: \(error.description)")
                }
            } else {
                let interview = Interview(
                    knowledge: knowledge, assessor: assessor, numbers: numbers(knowledge), style: Style(enabled: Console.colourEnabled))
                request = try interview.run(profile: profile)
                interactive = true
            }
            let result = assessor.assess(request)
            switch format ?? (json ? .json : .text) {
            case .json:
                Console.write(encoder.encode(result) + [0x0A])
            case .text, .markdown:
                var report = Report(
                    knowledge: knowledge, numbers: numbers(knowledge), format: format == .markdown ? .markdown : .text,
                    style: Style(enabled: Console.colourEnabled), width: Console.width)
                let text = report.render(result)
                // An emergency is printed whole; otherwise the rest after what matters first is paged.
                Console.page(text, kept: report.kept, whole: format == .markdown || result.triage == .emergency)
            }
            if interactive || save { kept = (request, result) }
        }
        if let kept { await keep(kept.request, kept.result, knowledge: knowledge) }
    }

    /// Keeps an assessment in the journal. The advice is already on screen: a journal that cannot
    /// be written costs a warning, never the result.
    private func keep(_ request: AssessmentRequest, _ result: AssessmentResult, knowledge: KnowledgeBase) async {
        let keeping: Keeping
        let settings = journal.settings
        do {
            keeping = try await SQLJournalStore.withJournal(settings.database) { store in
                await personalApp(store, knowledge: knowledge, settings: settings).keep(request, result, owner: owner)
            }
        } catch {
            keeping = .notKept(reason: (error as? StorageError)?.message ?? String(describing: error))
        }
        if let failure = keeping.failure { Console.error("crampcare: the assessment was not kept in the journal: \(failure)") }
    }

    /// The profile's lasting facts for the interview to confirm; nil when there is none or the
    /// journal cannot be read (the questions are then asked).
    private func savedProfile() async -> InterviewProfile? {
        let profile = try? await SQLJournalStore.withJournal(journal.location) { store in try await store.profile(owner: owner) }
        return profile.map { $0.interviewProfile(today: PersonClock(zone: PersonClock.zone(named: $0.timeZone) ?? .current).today) }
    }

    private func numbers(_ knowledge: KnowledgeBase) -> EmergencyNumbers {
        knowledge.emergencyNumbers(region: region ?? Self.regionFromLocale())
    }

    /// The country part of the locale (en_GB.UTF-8 gives GB).
    static func regionFromLocale() -> String? {
        KnowledgeBase.region(fromLocale: Settings().locale)
    }

    /// One request per line in, one compact result (or error object) per line out; with a store,
    /// each assessment is kept, in batches. Returns how many lines failed.
    private func streamNDJSON(assessor: Assessor, encoder: ResultEncoder, keeping opened: OpenJournal?) async throws -> Int {
        let fd: Int32
        if let input {
            fd = open(input, O_RDONLY)
            guard fd >= 0 else { throw CLIError.input("cannot open \(input)") }
        } else {
            fd = 0
        }
        defer { if fd != 0 { close(fd) } }
        let names = assessor.knowledge.medicineNames
        var output: [UInt8] = []
        output.reserveCapacity(1 << 17)
        var failures = 0
        var records: [AssessmentRecord] = []
        let madeAt = opened?.clock.now()

        func flushRecords(final: Bool) async throws {
            guard let opened, records.count >= 500 || (final && !records.isEmpty) else { return }
            _ = try await opened.app.keep(records, owner: owner)
            records.removeAll(keepingCapacity: true)
        }

        func handle(_ line: ArraySlice<UInt8>, lineNumber: Int) {
            // Blank lines carry no request; skip them but keep counting.
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            do throws(RequestError) {
                let request = try AssessmentRequest.decode(json: Array(line), medicineNames: names)
                let result = assessor.assess(request)
                output.append(contentsOf: encoder.encodeCompact(result))
                output.append(0x0A)
                if let opened, let madeAt { records.append(opened.app.records.assessment(request, result, madeAt: madeAt, owner: owner)) }
            } catch {
                failures += 1
                output.append(contentsOf: ndjsonError(line: lineNumber, field: error.field, message: error.description))
            }
            if output.count >= 1 << 16 {
                Console.write(output)
                output.removeAll(keepingCapacity: true)
            }
        }

        var lines = NDJSONLines(fd: fd)
        while let line = try lines.next() {
            switch line {
            case .text(let text, let number):
                handle(text, lineNumber: number)
                try await flushRecords(final: false)
            case .tooLong(let number):
                // A line this long is not a request: reported by number, and skipped to its end.
                failures += 1
                output.append(contentsOf: NDJSONLines.tooLongError(line: number))
            }
        }
        Console.write(output)
        try await flushRecords(final: true)
        return failures
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
