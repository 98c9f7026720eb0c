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

/// How a day went: fluids, exercise, sitting, sleep, heat, food and medicines.
struct DayPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("day", use: dayForm)
        routes.post("day", use: saveDay)
        return routes
    }

    @Sendable func dayForm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let today = try await services.clock(owner: owner).today
        let date = request.uri.queryParameters.get("date").flatMap { LocalDate(iso: $0) } ?? today
        let form = DayForm(try await services.journal.dayLog(date: date, owner: owner))
        return page(
            "day", title: "My day", section: "day",
            model: dayData(form, date: date, errors: [], saved: request.uri.queryParameters.get("saved") != nil),
            request: request, context: context)
    }

    /// The day's number fields, in the order the page shows them.
    static let dayNumbers: [(field: JournalField, label: String, step: String, value: any KeyPath<DayForm, String?> & Sendable)] = [
        (.fluidsML, "Fluids (mL)", "50", \.fluidsML), (.exerciseMinutes, "Exercise (minutes)", "1", \.exerciseMinutes),
        (.steps, "Steps", "1", \.steps),
        (.sittingHours, "Hours sitting", "0.5", \.sittingHours), (.standingHours, "Hours standing", "0.5", \.standingHours),
        (.sleepHours, "Hours of sleep", "0.5", \.sleepHours), (.alcoholUnits, "Alcohol (units)", "0.5", \.alcoholUnits),
        (.caffeineDrinks, "Caffeine drinks", "1", \.caffeineDrinks),
    ]

    func dayData(_ form: DayForm, date: LocalDate, errors: [(String, String)], saved: Bool) -> DayPage {
        DayPage(
            date: date.description, errors: View.errors(errors), saved: saved,
            numbers: Self.dayNumbers.map {
                DayPage.Number(name: $0.field.jsonKey, label: $0.label, step: $0.step, value: form[keyPath: $0.value] ?? "")
            },
            intensities: View.choices(ExerciseIntensity.allCases, chosen: form.exerciseIntensity.map { [$0] } ?? []) { $0.rawValue.capitalized },
            electrolyteDrink: form.electrolyteDrink == "yes", hotWeather: form.hotWeather == "yes",
            minerals: View.choices(MineralFood.allCases, chosen: form.mineralFood ?? []) { "Foods rich in \($0.rawValue)" },
            contexts: View.choices(ContextCode.allCases, chosen: form.context ?? []) { knowledge.context[$0]?.label ?? $0.rawValue })
    }

    @Sendable func saveDay(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(DayForm.self, request, context: context)
        guard let date = LocalDate(iso: form.date ?? "") else { throw Problem.invalid("date", "the day is missing; reload the page") }
        do {
            // The page has no field for medicine changes: those already logged are kept.
            var day = try form.day(date, keeping: try await services.journal.dayLog(date: date, owner: owner))
            day = try await Body.saving { try await services.app.save(day, owner: owner) }
            return redirect("/day?date=\(date)&saved=1")
        } catch let problem as Problem {
            return page(
                "day", title: "My day", section: "day",
                model: dayData(form, date: date, errors: [(problem.field ?? "", problem.detail)], saved: false),
                request: request, context: context, status: .unprocessableContent)
        }
    }
}

/// The day form, as its fields are named in `day.mustache` (the JSON keys; lists as `name[]`).
struct DayForm: SubmittedForm {
    var csrf: String?
    var date: String?
    var fluidsML: String?
    var exerciseMinutes: String?
    var steps: String?
    var sittingHours: String?
    var standingHours: String?
    var sleepHours: String?
    var alcoholUnits: String?
    var caffeineDrinks: String?
    var exerciseIntensity: String?
    var electrolyteDrink: String?
    var hotWeather: String?
    var mineralFood: [String]?
    var context: [String]?

    /// The form filled in from a saved day (empty for none).
    init(_ day: DayLog?) {
        guard let day else { return }
        fluidsML = day.fluidsML.map(String.init)
        exerciseMinutes = day.exerciseMinutes.map(String.init)
        steps = day.steps.map(String.init)
        sittingHours = day.sittingHours.map { JSONWriter.format($0) }
        standingHours = day.standingHours.map { JSONWriter.format($0) }
        sleepHours = day.sleepHours.map { JSONWriter.format($0) }
        alcoholUnits = day.alcoholUnits.map { JSONWriter.format($0) }
        caffeineDrinks = day.caffeineDrinks.map(String.init)
        exerciseIntensity = day.exerciseIntensity?.rawValue
        electrolyteDrink = day.electrolyteDrink == true ? "yes" : nil
        hotWeather = day.hotWeather == true ? "yes" : nil
        mineralFood = day.mineralFoods.map(\.rawValue)
        context = day.context.map(\.rawValue)
    }

    /// The day the form describes; each value that does not read is refused naming its field.
    func day(_ date: LocalDate, keeping saved: DayLog?) throws -> DayLog {
        var day = DayLog(date: date, updatedAt: 0)
        day.fluidsML = try View.whole(fluidsML, field: .fluidsML)
        day.exerciseMinutes = try View.whole(exerciseMinutes, field: .exerciseMinutes)
        day.steps = try View.whole(steps, field: .steps)
        day.sittingHours = try View.number(sittingHours, field: .sittingHours)
        day.standingHours = try View.number(standingHours, field: .standingHours)
        day.sleepHours = try View.number(sleepHours, field: .sleepHours)
        day.alcoholUnits = try View.number(alcoholUnits, field: .alcoholUnits)
        day.caffeineDrinks = try View.whole(caffeineDrinks, field: .caffeineDrinks)
        day.exerciseIntensity = try View.code(exerciseIntensity, field: .exerciseIntensity)
        day.electrolyteDrink = electrolyteDrink == "yes"
        day.hotWeather = hotWeather == "yes"
        day.mineralFoods = try View.codes(mineralFood, field: .mineralFoods)
        day.context = try View.codes(context, field: .context)
        day.medicationChanges = saved?.medicationChanges ?? []
        return day
    }
}

struct DayPage: Sendable {
    struct Number: Sendable {
        let name: String
        let label: String
        let step: String
        let value: String
    }

    let date: String
    let errors: [FieldError]
    let saved: Bool
    let numbers: [Number]
    let intensities: [Choice]
    let electrolyteDrink: Bool
    let hotWeather: Bool
    let minerals: [Choice]
    let contexts: [Choice]
}
