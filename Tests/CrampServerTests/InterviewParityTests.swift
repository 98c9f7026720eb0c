import CrampAssessment
import CrampJSON
import CrampKnowledge
import Foundation
import HummingbirdTesting
import Testing

@testable import CrampServer

/// The web pages answered as each public vignette says (yes to its codes, no to every other
/// question asked) reach what the interview itself reaches: the same triage, red flags, cramp
/// verdict, top three factors and relief.
@Suite struct InterviewParity {
    /// `CRAMPCARE_SHARED` as the test command sets it, else `../shared` beside the repository.
    static let sharedFolder: URL =
        ProcessInfo.processInfo.environment["CRAMPCARE_SHARED"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static let vignettes: [(id: String, request: AssessmentRequest)] = {
        guard let data = try? Data(contentsOf: sharedFolder.appendingPathComponent("vignettes/public.json")),
            case .array(let cases)? = try? JSONParser.parse(Array(data))
        else { return [] }
        return cases.compactMap { item in
            guard let id = item["id"]?.stringValue, let body = item["request"], let request = try? AssessmentRequest.decode(body) else { return nil }
            return (id, request)
        }
    }()

    static func outcome(_ result: AssessmentResult) -> String {
        "\(result.triage.rawValue) flags=\(result.redFlags.map(\.rule.id)) cramp=\(result.likelyCramp) "
            + "factors=\(result.factors.prefix(3).map(\.factor.id)) relief=\(result.relief.map(\.item.id))"
    }

    /// The hidden fields a page carries, and its page id.
    static func hidden(_ html: String) -> (step: String?, fields: [(String, String)]) {
        var fields: [(String, String)] = []
        var step: String?
        let pattern = try! NSRegularExpression(pattern: #"<input type="hidden" name="([^"]*)" value="([^"]*)">"#)
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            guard let name = Range(match.range(at: 1), in: html).map({ String(html[$0]) }),
                let value = Range(match.range(at: 2), in: html).map({ unescape(String(html[$0])) })
            else { continue }
            switch name {
            case "csrf": continue
            case "step": step = value
            case "asked" where value == step: fields.append((name, value))
            default: fields.append((name, value))
            }
        }
        return (step, fields)
    }

    static func unescape(_ text: String) -> String {
        var out = text
        for (entity, character) in [
            ("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&#x2F;", "/"), ("&#x3D;", "="), ("&#96;", "`"),
        ] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out.replacingOccurrences(of: "&amp;", with: "&")
    }

    /// A page's fields as the vignette answers its question.
    static func fields(for step: String, _ vignette: AssessmentRequest, _ interview: AssessmentInterview) -> [(String, String)] {
        let findings = Set(vignette.findings.map(\.rawValue))
        switch step {
        case "screen":
            var out: [(String, String)] = []
            for question in interview.questions {
                guard case .screen(let signs) = question.kind else { continue }
                let id = String(question.id.dropFirst("screen.".count))
                let named = signs.filter { findings.contains($0.rawValue) }
                out.append((id, named.isEmpty ? "no" : "yes"))
                if signs.count > 1 { out += named.map { ("sign[]", $0.rawValue) } }
            }
            return out
        case "muscles": return vignette.muscles.map { ("muscle[]", $0.rawValue) }
        case "duration": return [("durationValue", String(vignette.durationMinutes)), ("durationUnit", "minutes")]
        case "age": return [("age", String(vignette.age))]
        case "side": return vignette.side.map { [("side", $0.rawValue)] } ?? []
        case "onset": return vignette.onset.map { [("onset", $0.rawValue)] } ?? []
        case "sex": return vignette.sex.map { [("sex", $0.rawValue)] } ?? []
        case "episodes": return vignette.episodesLast30Days.map { [("episodesLast30Days", String($0))] } ?? []
        case "severity": return vignette.severity.map { [("severity", String($0))] } ?? []
        case "recent":
            return vignette.context.map { ("context[]", $0.rawValue) }
                + vignette.conditions.filter(AssessmentInterview.windowConditions.contains).map { ("window[]", $0.rawValue) }
        case "conditions":
            return vignette.conditions.filter { !AssessmentInterview.windowConditions.contains($0) }.map { ("condition[]", $0.rawValue) }
        case "medications": return vignette.medications.map { ("medication[]", $0.rawValue) }
        default:
            // A checklist or choice of findings.
            guard let question = interview.question(step) else { return [] }
            switch question.kind {
            case .checklist(let options):
                return options.filter { findings.contains($0.rawValue) }.map { ("\(step)[]", $0.rawValue) }
            case .choice(let options):
                return options.filter { findings.contains($0.rawValue) }.map { (step, $0.rawValue) }
            default: return []
            }
        }
    }

    /// A question of the knowledge base is a form field under its own name: none may take the
    /// name of one of the form's own fields.
    @Test func noQuestionShadowsAFieldOfTheForm() throws {
        let interview = AssessmentInterview(assessor: Assessor(knowledge: try KnowledgeBase.bundled.get()))
        let own = Set(InterviewForm.Key.allCases.map(\.rawValue))
        var named = 0
        for question in interview.questions {
            switch question.kind {
            case .screen:
                named += 1
                #expect(!own.contains(String(question.id.dropFirst("screen.".count))), "\(question.id)")
            case .choice, .checklist:
                named += 1
                #expect(!own.contains(question.id), "\(question.id)")
            default: break
            }
        }
        #expect(named > 10)
    }

    @Test func theWebPagesReachWhatTheInterviewReachesForEveryPublicVignette() async throws {
        let cases = Self.vignettes
        try #require(cases.count == 30)
        try await TestServer.make().run { client in
            let knowledge = try KnowledgeBase.bundled.get()
            let assessor = Assessor(knowledge: knowledge)
            let interview = AssessmentInterview(assessor: assessor)
            for (id, vignette) in cases {
                let expected: AssessmentRequest
                switch interview.run(from: vignette).end {
                case .finished(let request, _), .emergency(let request, _): expected = request
                case .ask: Issue.record("\(id): the interview did not end"); continue
                }
                let browser = Browser(client)
                var page = text(try await browser.get("/assess"))
                var pages = 0
                while let step = Self.hidden(page).step, pages < 40 {
                    let response = try await browser.post(
                        "/assess", Self.hidden(page).fields + [("asked[]", step)] + Self.fields(for: step, vignette, interview))
                    page = text(response)
                    pages += 1
                }
                let pattern = try NSRegularExpression(pattern: #"name="request" value="([^"]*)""#)
                guard let match = pattern.firstMatch(in: page, range: NSRange(page.startIndex..., in: page)),
                    let range = Range(match.range(at: 1), in: page)
                else {
                    Issue.record("\(id): no result after \(pages) pages")
                    continue
                }
                let reached = try AssessmentRequest.decode(json: Array(Self.unescape(String(page[range])).utf8))
                #expect(Self.outcome(assessor.assess(reached)) == Self.outcome(assessor.assess(expected)), "\(id)")
            }
        }
    }
}
