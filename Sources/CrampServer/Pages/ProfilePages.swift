import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The person behind the journal: year of birth, sex, conditions, medicines, zone, region, reminders.
struct ProfilePages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("profile", use: profileForm)
        routes.post("profile", use: saveProfile)
        return routes
    }

    @Sendable func profileForm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = ProfileForm(try await services.journal.profile(owner: owner))
        return page(
            "profile", title: "My profile", section: "profile",
            model: profileData(form, errors: [], saved: request.uri.queryParameters.get("saved") != nil),
            request: request, context: context)
    }

    func profileData(_ form: ProfileForm, errors: [(String, String)], saved: Bool) -> ProfilePage {
        ProfilePage(
            errors: View.errors(errors), saved: saved, birthYear: form.birthYear ?? "", thisYear: services.app.defaultClock.today.year,
            sexes: View.choices(Sex.allCases, chosen: form.sex.map { [$0] } ?? []) { knowledge.sexLabels[$0] ?? $0.rawValue },
            conditions: View.choices(Condition.allCases, chosen: form.condition ?? []) { knowledge.conditions[$0]?.label ?? $0.rawValue },
            medications: View.choices(Medication.allCases, chosen: form.medication ?? []) { knowledge.medications[$0]?.label ?? $0.rawValue },
            timeZone: form.timeZone ?? "", zones: PersonClock.zoneNames, region: form.region ?? "", reminderTimes: form.reminderTimes ?? "",
            glassML: form.glassML ?? "", defaultGlassML: EverydayInput.defaultGlassML)
    }

    @Sendable func saveProfile(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(ProfileForm.self, request, context: context)
        do {
            _ = try await Body.saving { try await services.app.save(try form.profile(), owner: owner) }
            return redirect("/profile?saved=1")
        } catch let problem as Problem {
            return page(
                "profile", title: "My profile", section: "profile",
                model: profileData(form, errors: [(problem.field ?? "", problem.detail)], saved: false),
                request: request, context: context, status: .unprocessableContent)
        }
    }
}

/// The profile form, as its fields are named in `profile.mustache` (lists as `name[]`).
struct ProfileForm: SubmittedForm {
    var csrf: String?
    var birthYear: String?
    var sex: String?
    var condition: [String]?
    var medication: [String]?
    var timeZone: String?
    var region: String?
    /// HH:MM times separated by commas.
    var reminderTimes: String?
    var glassML: String?

    init(_ profile: Profile?) {
        guard let profile else { return }
        birthYear = profile.birthYear.map(String.init)
        sex = profile.sex?.rawValue
        condition = profile.conditions.map(\.rawValue)
        medication = profile.medications.map(\.rawValue)
        timeZone = profile.timeZone
        region = profile.region
        reminderTimes = profile.reminderTimes.map(\.description).joined(separator: ", ")
        glassML = profile.glassML.map(String.init)
    }

    /// The profile the form describes; each value that does not read is refused naming its field
    /// (the use case then checks the whole profile).
    func profile() throws -> Profile {
        var profile = Profile(updatedAt: 0)
        if let text = birthYear?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let year = Int(text) else { throw Problem.invalid("birthYear", "\"\(text.prefix(20))\" is not a year such as 1956") }
            profile.birthYear = year
        }
        profile.sex = try View.code(sex, field: .sex)
        profile.conditions = try View.codes(condition, field: .conditions)
        profile.medications = try View.codes(medication, field: .medications)
        if let zone = timeZone?.trimmingCharacters(in: .whitespaces), !zone.isEmpty {
            switch PersonClock.zoneNamed(zone) {
            case .zone(let name): profile.timeZone = name
            case .ambiguous(let names):
                throw Problem.invalid(
                    "timeZone", "\(Problem.shown(zone, limit: 64)) could be \(names.prefix(6).joined(separator: " or ")); choose one from the list")
            case .unknown:
                throw Problem.invalid(
                    "timeZone",
                    "\(Problem.shown(zone, limit: 64)) is not a time zone; accepted: a city such as London or New York, or a name from the list such as Europe/London"
                )
            }
        }
        if let text = glassML?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let millilitres = EverydayInput.fluidML(text, bareUnit: .millilitres), millilitres > 0 else {
                throw Problem.invalid("glassML", "\(Problem.shown(text, limit: 20)) is not an amount; accepted: mL such as 250 or 330")
            }
            profile.glassML = millilitres
        }
        if let region = region?.trimmingCharacters(in: .whitespaces), !region.isEmpty { profile.region = region.uppercased() }
        let times = (reminderTimes ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for (index, text) in times.enumerated() {
            guard let time = LocalTime(iso: text) else {
                throw Problem.invalid("reminderTimes[\(index)]", "\(Problem.shown(text, limit: 20)) is not a time; accepted: HH:MM such as 21:30")
            }
            profile.reminderTimes.append(time)
        }
        return profile
    }
}

struct ProfilePage: Sendable {
    let errors: [FieldError]
    let saved: Bool
    let birthYear: String
    let thisYear: Int
    let sexes: [Choice]
    let conditions: [Choice]
    let medications: [Choice]
    let timeZone: String
    let zones: [String]
    let region: String
    let reminderTimes: String
    let glassML: String
    let defaultGlassML: Int
}
