import CrampApplication
import CrampAssessment
import CrampJournal
import CrampKnowledge

/// The interactive assessment: red-flag questions first (they cannot be skipped, and an
/// emergency answer stops the questions at once), then the rest one step at a time.
struct Interview {
    let knowledge: KnowledgeBase
    let assessor: Assessor
    let numbers: EmergencyNumbers
    let style: Style

    init(knowledge: KnowledgeBase, assessor: Assessor, numbers: EmergencyNumbers, style: Style) {
        self.knowledge = knowledge
        self.assessor = assessor
        self.numbers = numbers
        self.style = style
    }

    func say(_ text: String) { Console.print(wrap(text, width: Console.width)) }

    func ask(_ prompt: String) throws(CLIError) -> String {
        // Wrapped like every other line, so a long question never breaks inside a word.
        Console.write(Array((style.bold(wrap(prompt, width: Console.width)) + " ").utf8))
        guard let line = readLine() else {
            throw CLIError.input("the questions ended before they were answered (no more input)")
        }
        return line.trimmingCharacters()
    }

    /// A yes/no question; with `skippable`, Enter skips it and gives nil.
    func yesNo(_ question: String, skippable: Bool) throws(CLIError) -> Bool? {
        let hint = skippable ? "[y/n, Enter to skip]" : "[y/n]"
        while true {
            switch try ask("\(question) \(hint)").lowercased() {
            case "y", "yes": return true
            case "n", "no": return false
            case "" where skippable, "s" where skippable, "skip" where skippable: return nil
            default: say(skippable ? "Please answer y or n, or press Enter to skip." : "This question cannot be skipped: please answer y or n.")
            }
        }
    }

    /// Picks from numbered choices; returns the chosen indices (empty when skipped). `headings`
    /// puts a heading before the choice at that index.
    func choose(
        _ question: String, _ choices: [String], many: Bool, required: Bool = false, none: String? = nil,
        headings: [Int: String] = [:]
    ) throws(CLIError) -> [Int] {
        say("")
        say(question)
        for (index, choice) in choices.enumerated() {
            if let heading = headings[index] { Console.print("  \(style.bold(heading))") }
            let number = "  \(index + 1). "
            Console.print(wrap(choice, width: Console.width, indent: String(repeating: " ", count: number.count), firstIndent: number))
        }
        let hint = many ? "Numbers, separated by commas" : "A number"
        let empty = none.map { ", or Enter for \($0)" } ?? (required ? "" : ", or Enter to skip")
        while true {
            let answer = try ask("\(hint)\(empty):")
            if answer.isEmpty, !required { return [] }
            let parts = answer.split(whereSeparator: { $0 == "," || $0 == " " })
            let picked = parts.compactMap { Int($0) }.map { $0 - 1 }
            if !picked.isEmpty, picked.count == parts.count, picked.allSatisfy(choices.indices.contains), many || picked.count == 1 {
                return picked
            }
            say("Please type \(many ? "one or more numbers" : "one number") from 1 to \(choices.count).")
        }
    }

    /// Says at once that this is an emergency and ends the questions with what is known so far.
    private func stopForEmergency(_ request: AssessmentRequest) -> AssessmentRequest {
        let (title, action) = Report.banner(.emergency, numbers: numbers)
        say("")
        say(style.paint(" \(title) ", "1;97;41"))
        say(action)
        say("Stopping the questions here. What CrampCare knows so far follows.")
        return request
    }

    /// The interview, asked as `AssessmentInterview` says: red-flag questions first (they cannot
    /// be skipped), a stop at once on an emergency, and only the questions that can still matter.
    /// A profile's lasting facts are shown for confirmation instead of being asked.
    func run(profile: InterviewProfile? = nil) throws(CLIError) -> AssessmentRequest {
        let machine = AssessmentInterview(assessor: assessor)
        var answers = InterviewAnswers(profile: profile)
        say(style.bold("CrampCare assessment"))
        say(knowledge.disclaimer)
        say("")
        say("First, some safety questions. They cannot be skipped. Answer y, n, or ? if you are not sure.")
        var counted: [Finding] = []
        while true {
            switch machine.next(answers) {
            case .emergency(let request, _):
                return stopForEmergency(request)
            case .finished(let request, _):
                return request
            case .ask(let question):
                let answer = try ask(question, answers: answers)
                do throws(InterviewError) {
                    try answers.record(answer, to: question)
                } catch {
                    say(error.problem)
                    continue
                }
                // "Yes" with no sign named: the cautious reading counts the most urgent one.
                let now = machine.countedSigns(answers)
                for sign in now where !counted.contains(sign) {
                    say("You said yes but not which, so CrampCare counts the most serious: \(knowledge.findings[sign]?.label ?? sign.rawValue).")
                }
                counted = now
            }
        }
    }

    /// One question asked in the terminal, read into an answer.
    private func ask(_ question: InterviewQuestion, answers: InterviewAnswers) throws(CLIError) -> InterviewAnswer {
        switch question.kind {
        case .screen(let signs):
            return try askScreen(question, signs)
        case .choice(let options):
            let picked = try choose(
                question.text, options.map { knowledge.findings[$0]?.answer ?? label($0) }, many: false,
                none: "I did not try anything")
            return .findings(picked.map { options[$0] })
        case .checklist(let options):
            return .findings(try askChecklist(question, options))
        case .muscles:
            let picked = try chooseMuscles(question.text, from: EverydayInput.muscleOrder, required: false)
            return .muscles(picked.isEmpty ? [.unsure] : picked)
        case .duration:
            return .minutes(try askDuration())
        case .age:
            return .years(try askNumber(question.text, range: 0...120, required: true) ?? 0)
        case .side:
            return try choose(question.text, Side.allCases.map { knowledge.sideLabels[$0] ?? $0.rawValue }, many: false).first
                .map { .side(Side.allCases[$0]) } ?? .skip
        case .onset:
            return try choose(question.text, Onset.allCases.map { knowledge.onsetLabels[$0] ?? $0.rawValue }, many: false).first
                .map { .onset(Onset.allCases[$0]) } ?? .skip
        case .episodes:
            return try askNumber(question.text, range: 0...10000, required: false).map(InterviewAnswer.count) ?? .skip
        case .severity:
            return try askNumber(question.text, range: 0...10, required: false).map(InterviewAnswer.severity) ?? .skip
        case .sex:
            return try choose(question.text, Sex.allCases.map { knowledge.sexLabels[$0] ?? $0.rawValue }, many: false).first
                .map { .sex(Sex.allCases[$0]) } ?? .skip
        case .recent(let context, let conditions):
            let labels =
                context.map { knowledge.context[$0]?.label ?? $0.rawValue } + conditions.map { knowledge.conditions[$0]?.label ?? $0.rawValue }
            let picked = try choose(question.text, labels, many: true, none: "none of these")
            return .recent(
                picked.filter { $0 < context.count }.map { context[$0] },
                picked.filter { $0 >= context.count }.map { conditions[$0 - context.count] })
        case .conditions(let list):
            let picked = try choose(question.text, list.map { knowledge.conditions[$0]?.label ?? $0.rawValue }, many: true, none: "none of these")
            return .conditions(picked.map { list[$0] })
        case .medications:
            return .medications(try askMedicines())
        case .confirmProfile:
            return .confirmed(try confirmProfile(question, answers.profile))
        }
    }

    private func label(_ finding: Finding) -> String { knowledge.findings[finding]?.label ?? finding.rawValue }

    /// A safety question: it cannot be skipped; "yes" to one with several signs asks which.
    private func askScreen(_ question: InterviewQuestion, _ signs: [Finding]) throws(CLIError) -> InterviewAnswer {
        while true {
            switch try ask("\(question.text) [y/n/?]").lowercased() {
            case "n", "no": return .no
            case "?", "not sure", "unsure", "don't know", "dont know": return .notSure
            case "y", "yes":
                guard signs.count > 1 else { return .yes(signs) }
                let picked = try choose(
                    "Which?", signs.map { knowledge.findings[$0]?.question ?? label($0) }, many: true,
                    none: "not sure which")
                return .yes(picked.map { signs[$0] })
            default: say("This question cannot be skipped: please answer y, n, or ? if you are not sure.")
            }
        }
    }

    /// A checklist under the knowledge base's section headings, with one answer at most among its one-of items.
    private func askChecklist(_ question: InterviewQuestion, _ options: [Finding]) throws(CLIError) -> [Finding] {
        var headings: [Int: String] = [:]
        for (index, finding) in options.enumerated() {
            let section = knowledge.findings[finding]?.section
            if let section, index == 0 || knowledge.findings[options[index - 1]]?.section != section { headings[index] = section }
        }
        while true {
            let picked = try choose(question.text, options.map(label), many: true, none: "none of these", headings: headings).map { options[$0] }
            let exclusive = picked.filter(question.oneOf.contains)
            if exclusive.count <= 1 { return picked }
            let section = knowledge.findings[exclusive[0]]?.section.map { "under \"\($0)\" " } ?? "among "
            say("Please choose only one answer \(section)(\(exclusive.map(label).joined(separator: " or "))).")
        }
    }

    /// The profile's lasting facts shown, and whether the person confirms them.
    private func confirmProfile(_ question: InterviewQuestion, _ profile: InterviewProfile?) throws(CLIError) -> Bool {
        guard let profile else { return false }
        say("")
        say("From your profile:")
        if let age = profile.age { Console.print("  Age: \(age)") }
        if let sex = profile.sex { Console.print("  Sex: \(knowledge.sexLabels[sex] ?? sex.rawValue)") }
        let conditions = profile.conditions.map { knowledge.conditions[$0]?.label ?? $0.rawValue }
        Console.print("  Conditions: \(conditions.isEmpty ? "none" : conditions.joined(separator: ", "))")
        let medicines = profile.medications.map { knowledge.medications[$0]?.label ?? $0.rawValue }
        Console.print("  Medicines: \(medicines.isEmpty ? "none" : medicines.joined(separator: ", "))")
        return try yesNo(question.text, skippable: false) == true
    }

    func askDuration() throws(CLIError) -> Double {
        while true {
            let answer = try ask("How long did it last? (such as 2 minutes, 90s or 1 hour; a number alone is minutes)")
            if let seconds = EverydayInput.durationSeconds(answer, bareUnit: .minutes) { return Double(seconds) / 60 }
            say("Please give a time from a second up to 7 days, such as 30 seconds, 2 minutes or 1 hour. This one is needed.")
        }
    }

    /// Muscles picked by number (in `muscles`' order, the same in every command) or named in
    /// everyday words; a word that could be two muscles ("thigh") is asked about.
    func chooseMuscles(_ question: String, from muscles: [Muscle], required: Bool) throws(CLIError) -> [Muscle] {
        say("")
        say(question)
        for (index, muscle) in muscles.enumerated() { Console.print("  \(index + 1). \(knowledge.muscleLabels[muscle] ?? muscle.rawValue)") }
        while true {
            let answer = try ask("Numbers or names, such as 1 or calf\(required ? "" : ", or Enter if not sure"):")
            if answer.isEmpty, !required { return [] }
            switch EverydayInput.muscles(answer, numbered: muscles) {
            case .muscles(let picked) where !picked.isEmpty && picked.allSatisfy(muscles.contains):
                return picked
            case .ambiguous(let word, let choices):
                let offered = choices.filter(muscles.contains)
                say("\"\(word)\" could be \(offered.map { knowledge.muscleLabels[$0] ?? $0.rawValue }.joined(separator: " or ")). Which?")
                let picked = try chooseMuscles("Which one?", from: offered, required: true)
                return picked
            default:
                say("Please type a number from 1 to \(muscles.count), or a name such as calf, hamstring or front of thigh.")
            }
        }
    }

    func askNumber(_ question: String, range: ClosedRange<Int>, required: Bool) throws(CLIError) -> Int? {
        while true {
            let answer = try ask("\(question)\(required ? "" : " (Enter to skip)")")
            if answer.isEmpty, !required { return nil }
            if let value = Int(answer), range.contains(value) { return value }
            say("Please type a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
    }

    private func askMedicines() throws(CLIError) -> [Medication] {
        let choices = Medication.allCases.map { knowledge.medications[$0]?.label ?? $0.rawValue }
        say("")
        say("Do you take any of these medicines? You can type numbers, or the name on the box (such as furosemide).")
        for (index, choice) in choices.enumerated() { Console.print("  \(index + 1). \(choice)") }
        while true {
            let answer = try ask("Numbers or names, separated by commas, or Enter for none:")
            if answer.isEmpty { return [] }
            var chosen: [Medication] = []
            var unknown: [String] = []
            for part in answer.split(separator: ",").map({ String($0).trimmingCharacters() }) where !part.isEmpty {
                if let number = Int(part), Medication.allCases.indices.contains(number - 1) {
                    chosen.append(Medication.allCases[number - 1])
                } else if let code = Medication(rawValue: part.lowercased()) ?? knowledge.medicineNames[part.lowercased()] {
                    chosen.append(code)
                } else {
                    unknown.append(part)
                }
            }
            if unknown.isEmpty { return Array(CodeSet(chosen)) }
            say(
                "Not on CrampCare's list: \(unknown.joined(separator: ", ")). Type a number from the list, a listed name, or Enter for none. A medicine not on the list is not known to cause cramps; mention it to your doctor if you are unsure."
            )
        }
    }
}

extension String {
    func trimmingCharacters() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}

extension Interview {
    /// The questions for logging an episode in a terminal: what, how long, when, how bad, the
    /// red-flag screen, what was tried, and a note.
    mutating func askEpisode(into episode: inout Episode, clock: PersonClock) throws(CLIError) {
        let now = clock.now()
        say(style.bold("Log a cramp"))
        episode.muscles = Array(CodeSet(try chooseMuscles("Which muscle cramped?", from: EverydayInput.muscleOrder, required: true)))
        let minutes = try askDuration()
        episode.durationSeconds = max(1, Int((minutes * 60).rounded()))
        while true {
            let answer = try ask("When did it start? (such as 3am, 23:30 or yesterday 23:30; Enter for just now)")
            if answer.isEmpty {
                episode.startedAt = LocalTimestamp(
                    instant: now.instant - Int64(episode.durationSeconds) * 1000, zoneOffsetSeconds: now.utcOffsetSeconds)
                break
            }
            do {
                episode.startedAt = try EpisodeFlags.start(answer, clock: clock)
                break
            } catch {
                say(error.message)
            }
        }
        episode.severity = try askNumber("How bad was it, from 0 (no pain) to 10 (worst)?", range: 0...10, required: false)
        if let side = try choose("Which side?", Side.allCases.map { knowledge.sideLabels[$0] ?? $0.rawValue }, many: false).first {
            episode.side = Side.allCases[side]
        }
        if let onset = try choose(
            "What were you doing when it started?", Onset.allCases.map { knowledge.onsetLabels[$0] ?? $0.rawValue }, many: false
        ).first {
            episode.onset = Onset.allCases[onset]
        }
        var noticed = CodeSet<Finding>()
        let features = knowledge.cramp.features.map(\.finding)
        for index in try choose("Did you notice any of these?", features.map { knowledge.findings[$0]?.label ?? $0.rawValue }, many: true) {
            noticed.insert(features[index])
        }
        say("")
        say("Some safety questions, so CrampCare can tell you at once if this needs care. Answer y, n, or ? if you are not sure.")
        // The same screen as the assessment, with its stop: on an emergency the rest can wait.
        let machine = AssessmentInterview(assessor: assessor)
        var answers = InterviewAnswers()
        if let question = machine.question("muscles") { try? answers.record(.muscles(episode.muscles), to: question) }
        if let question = machine.question("duration") { try? answers.record(.minutes(minutes), to: question) }
        var emergency = false
        for question in machine.questions {
            guard case .screen = question.kind else { continue }
            try? answers.record(try ask(question, answers: answers), to: question)
            if case .emergency = machine.next(answers) {
                emergency = true
                break
            }
        }
        noticed.formUnion(machine.request(answers).request.findings)
        episode.findings = Array(noticed)
        if emergency {
            let (title, action) = Report.banner(.emergency, numbers: numbers)
            say("")
            say(style.paint(" \(title) ", "1;97;41"))
            say(action)
            say("Stopping the questions here; the cramp is logged with what you said.")
            return
        }
        let techniques = ReliefTried.Technique.allCases
        for index in try choose("What did you try?", techniques.map(\.rawValue), many: true) {
            let outcomes = ReliefTried.Outcome.allCases
            let outcome = try choose("Did \(techniques[index].rawValue) help?", outcomes.map(\.rawValue), many: false, required: true)[0]
            episode.reliefs.append(ReliefTried(technique: techniques[index], outcome: outcomes[outcome]))
        }
        let note = try ask("A note, if you like (Enter to skip):")
        episode.note = note.isEmpty ? nil : note
    }
}
