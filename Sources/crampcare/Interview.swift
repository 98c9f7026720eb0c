import CrampAssessment
import CrampKnowledge

/// The interactive assessment: red-flag questions first (they cannot be skipped, and an
/// emergency answer stops the questions at once), then the rest one step at a time.
struct Interview {
    let knowledge: KnowledgeBase
    let assessor: Assessor
    let numbers: EmergencyNumbers
    let style: Style

    private var findings: [Finding] = []
    private var negatives: [Finding] = []

    init(knowledge: KnowledgeBase, assessor: Assessor, numbers: EmergencyNumbers, style: Style) {
        self.knowledge = knowledge
        self.assessor = assessor
        self.numbers = numbers
        self.style = style
    }

    func say(_ text: String) { Console.print(wrap(text, width: Console.width)) }

    func ask(_ prompt: String) throws(CLIError) -> String {
        Console.write(Array((style.bold(prompt) + " ").utf8))
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

    /// Picks from numbered choices; returns the chosen indices (empty when skipped).
    func choose(_ question: String, _ choices: [String], many: Bool, required: Bool = false) throws(CLIError) -> [Int] {
        say("")
        say(question)
        for (index, choice) in choices.enumerated() { Console.print("  \(index + 1). \(choice)") }
        let hint = many ? "Numbers, separated by commas" : "A number"
        while true {
            let answer = try ask("\(hint)\(required ? "" : ", or Enter to skip"):")
            if answer.isEmpty, !required { return [] }
            let parts = answer.split(whereSeparator: { $0 == "," || $0 == " " })
            let picked = parts.compactMap { Int($0) }.map { $0 - 1 }
            if !picked.isEmpty, picked.count == parts.count, picked.allSatisfy(choices.indices.contains), many || picked.count == 1 {
                return picked
            }
            say("Please type \(many ? "one or more numbers" : "one number") from 1 to \(choices.count).")
        }
    }

    /// What has been said so far, as a request: placeholders (an unnamed muscle, a nominal
    /// minute) stand for what is not asked yet, and `asked` says which fields are real.
    private func soFar(_ known: AssessmentRequest? = nil) -> AssessmentRequest {
        var request = known ?? AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.unsure])
        request.findings = findings
        request.negatives = negatives
        return request
    }

    /// Whether an emergency rule already holds for certain on what has been said (the rest unknown).
    private func emergencyNow(_ known: AssessmentRequest? = nil, asked: KnownAnswers.Fields = []) -> Bool {
        assessor.isEmergencyNow(soFar(known), asked: asked)
    }

    /// Says at once that this is an emergency and ends the questions with what is known so far.
    private func stopForEmergency(_ known: AssessmentRequest? = nil) -> AssessmentRequest {
        let (title, action) = Report.banner(.emergency, numbers: numbers)
        say("")
        say(style.paint(" \(title) ", "1;97;41"))
        say(action)
        say("Stopping the questions here. What CrampCare knows so far follows.")
        return soFar(known)
    }

    mutating func run() throws(CLIError) -> AssessmentRequest {
        say(style.bold("CrampCare assessment"))
        say(knowledge.disclaimer)
        say("")
        say("First, some safety questions. They cannot be skipped.")
        for step in knowledge.redFlagSteps {
            let signs = knowledge.signs(of: step)
            guard try yesNo(step.text, skippable: false) == true else {
                negatives += signs
                continue
            }
            var named: [Finding] = []
            for sign in signs {
                let present = signs.count == 1
                    ? true : try yesNo("  \(knowledge.findings[sign]?.question ?? sign.rawValue)", skippable: false) == true
                if present {
                    findings.append(sign)
                    named.append(sign)
                } else {
                    negatives.append(sign)
                }
                if present, emergencyNow() { return stopForEmergency() }
            }
            // "Yes", then "no" to every sign: the cautious reading counts the most urgent one.
            if named.isEmpty, let sign = assessor.mostUrgentSigns(for: [signs], given: soFar(), asked: []).first {
                negatives.removeAll { $0 == sign }
                findings.append(sign)
                say("You said yes but none of the signs, so CrampCare counts the most serious: \(knowledge.findings[sign]?.label ?? sign.rawValue).")
                if emergencyNow() { return stopForEmergency() }
            }
        }

        let muscles = try choose("Which muscle cramped?", Muscle.allCases.map { knowledge.muscleLabels[$0] ?? $0.rawValue }, many: true)
        let duration = try askDuration()
        let ageText = try askNumber("How old are you?", range: 0...120, required: true)
        var request = AssessmentRequest(age: ageText ?? 0, durationMinutes: duration,
                                        muscles: muscles.isEmpty ? [.unsure] : muscles.map { Muscle.allCases[$0] })
        if let side = try choose("Which side?", Side.allCases.map { knowledge.sideLabels[$0] ?? $0.rawValue }, many: false).first {
            request.side = Side.allCases[side]
        }
        if let onset = try choose("What were you doing when it started?", Onset.allCases.map { knowledge.onsetLabels[$0] ?? $0.rawValue }, many: false).first {
            request.onset = Onset.allCases[onset]
        }
        request.severity = try askNumber("How bad was it, from 0 (no pain) to 10 (worst)?", range: 0...10, required: false)
        request.episodesLast30Days = try askNumber("How many cramps have you had in the last 30 days, counting this one?", range: 0...10000, required: false)
        if let sex = try choose("Sex", Sex.allCases.map { knowledge.sexLabels[$0] ?? $0.rawValue }, many: false).first {
            request.sex = Sex.allCases[sex]
        }
        let episodeAsked: KnownAnswers.Fields = [.episode]
        if emergencyNow(request, asked: episodeAsked) { return stopForEmergency(request) }
        for step in knowledge.otherSteps {
            say("")
            say(style.bold(step.text))
            for finding in Finding.allCases where knowledge.findings[finding]?.step == step.id && knowledge.findings[finding]?.isRedFlag == false {
                switch try yesNo(knowledge.findings[finding]?.question ?? finding.rawValue, skippable: true) {
                case true?:
                    findings.append(finding)
                    if emergencyNow(request, asked: episodeAsked) { return stopForEmergency(request) }
                case false?: negatives.append(finding)
                case nil: break
                }
            }
        }
        request.context = try choose("In the day or two before, did any of these apply?",
                                     ContextCode.allCases.map { knowledge.context[$0]?.label ?? $0.rawValue }, many: true)
            .map { ContextCode.allCases[$0] }
        if emergencyNow(request, asked: episodeAsked.union(.context)) { return stopForEmergency(request) }
        request.conditions = try choose("Do you have any of these conditions?",
                                        Condition.allCases.map { knowledge.conditions[$0]?.label ?? $0.rawValue }, many: true)
            .map { Condition.allCases[$0] }
        if emergencyNow(request, asked: episodeAsked.union([.context, .conditions])) { return stopForEmergency(request) }
        request.medications = try askMedicines()
        request.findings = findings
        request.negatives = negatives
        return request
    }

    func askDuration() throws(CLIError) -> Double {
        while true {
            let answer = try ask("How long did it last? (for example 2m, 90s, 1h)")
            if let minutes = Self.minutes(answer), minutes > 0, minutes <= 10080 { return minutes }
            say("Please give a time from a few seconds up to 7 days, such as 30s, 2m or 1h. This one is needed.")
        }
    }

    /// Minutes from "90s", "2m", "2", "1.5h" or "1d".
    static func minutes(_ text: String) -> Double? {
        let lower = text.lowercased().replacing(" ", with: "")
        let units: [(String, Double)] = [("min", 1), ("sec", 1.0 / 60), ("s", 1.0 / 60), ("m", 1), ("h", 60), ("d", 1440)]
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            return Double(lower.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(lower)
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
            say("Not on CrampCare's list: \(unknown.joined(separator: ", ")). Type a number from the list, a listed name, or Enter for none. A medicine not on the list is not known to cause cramps; mention it to your doctor if you are unsure.")
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

import CrampJournal

extension Interview {
    /// The questions for logging an episode in a terminal: what, how long, when, how bad, the
    /// red-flag screen, what was tried, and a note.
    mutating func askEpisode(into episode: inout Episode, now: LocalTimestamp) throws(CLIError) {
        say(style.bold("Log a cramp"))
        let muscles = try choose("Which muscle cramped?", Muscle.allCases.map { knowledge.muscleLabels[$0] ?? $0.rawValue }, many: true, required: true)
        episode.muscles = Array(CodeSet(muscles.map { Muscle.allCases[$0] }))
        let minutes = try askDuration()
        episode.durationSeconds = max(1, Int((minutes * 60).rounded()))
        while true {
            let answer = try ask("When did it start? (HH:MM, or Enter for just now)")
            if answer.isEmpty {
                episode.startedAt = LocalTimestamp(instant: now.instant - Int64(episode.durationSeconds) * 1000, zoneOffsetSeconds: now.utcOffsetSeconds)
                break
            }
            do {
                episode.startedAt = try EpisodeFlags.start(answer, now: now)
                break
            } catch {
                say(error.message)
            }
        }
        episode.severity = try askNumber("How bad was it, from 0 (no pain) to 10 (worst)?", range: 0...10, required: false)
        if let side = try choose("Which side?", Side.allCases.map { knowledge.sideLabels[$0] ?? $0.rawValue }, many: false).first {
            episode.side = Side.allCases[side]
        }
        if let onset = try choose("What were you doing when it started?", Onset.allCases.map { knowledge.onsetLabels[$0] ?? $0.rawValue }, many: false).first {
            episode.onset = Onset.allCases[onset]
        }
        var noticed = CodeSet<Finding>()
        let features = knowledge.cramp.features.map(\.finding)
        for index in try choose("Did you notice any of these?", features.map { knowledge.findings[$0]?.label ?? $0.rawValue }, many: true) {
            noticed.insert(features[index])
        }
        say("")
        say("Some safety questions, so CrampCare can tell you at once if this needs care:")
        for step in knowledge.redFlagSteps {
            let signs = knowledge.signs(of: step)
            guard try yesNo(step.text, skippable: false) == true else { continue }
            if signs.count == 1 {
                noticed.insert(signs[0])
                continue
            }
            for sign in signs where try yesNo("  \(knowledge.findings[sign]?.question ?? sign.rawValue)", skippable: false) == true {
                noticed.insert(sign)
            }
        }
        episode.findings = Array(noticed)
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
