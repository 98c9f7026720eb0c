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
        let glass = try await services.journal.profile(owner: owner)?.glass ?? EverydayInput.defaultGlassML
        let saved = try await services.journal.dayLog(date: date, owner: owner)
        let form = DayForm(saved, glassML: glass)
        return page(
            "day", title: "My day", section: "day",
            model: dayData(form, date: date, glassML: glass, saved: saved, errors: [], justSaved: request.uri.queryParameters.get("saved") != nil),
            request: request, context: context)
    }

    /// The day's number fields after the drinks, in the order the page shows them.
    static let dayNumbers: [(field: JournalField, label: String, step: String, value: any KeyPath<DayForm, String?> & Sendable)] = [
        (.exerciseMinutes, "Exercise (minutes)", "1", \.exerciseMinutes), (.steps, "Steps", "1", \.steps),
        (.sittingHours, "Hours sitting", "0.5", \.sittingHours), (.standingHours, "Hours standing", "0.5", \.standingHours),
        (.sleepHours, "Hours of sleep last night", "0.5", \.sleepHours), (.alcoholUnits, "Alcohol (units)", "0.5", \.alcoholUnits),
        (.caffeineDrinks, "Drinks with caffeine (coffee, tea, cola)", "1", \.caffeineDrinks),
    ]

    /// Situations the day's own fields already ask about: not asked twice.
    static let askedByFields: Set<ContextCode> = [.hotWeather, .lowFluidIntake, .alcohol, .highCaffeine]

    func dayData(_ form: DayForm, date: LocalDate, glassML: Int, saved: DayLog?, errors: [(String, String)], justSaved: Bool) -> DayPage {
        let kinds = MedicationChangeKind.allCases.map { Option(value: $0.rawValue, label: View.changeLabel($0), selected: false) }
        return DayPage(
            date: date.description, errors: View.errors(errors), saved: justSaved,
            fluids: form.fluids ?? "", glassML: glassML,
            fluidsSaved: saved?.fluidsML.map { "Saved: \($0) mL." } ?? "",
            numbers: Self.dayNumbers.map {
                DayPage.Number(name: $0.field.jsonKey, label: $0.label, step: $0.step, value: form[keyPath: $0.value] ?? "")
            },
            intensities: View.choices(ExerciseIntensity.allCases, chosen: form.exerciseIntensity.map { [$0] } ?? []) { $0.rawValue.capitalized },
            electrolyteDrink: form.electrolyteDrink == "yes", hotWeather: form.hotWeather == "yes",
            minerals: View.choices(MineralFood.allCases, chosen: form.mineralFood ?? []) { "Foods rich in \($0.rawValue)" }
                + [
                    Choice(
                        code: JournalCSV.noMineralFoods, label: "None of these",
                        checked: form.mineralFood?.contains(JournalCSV.noMineralFoods) == true)
                ],
            contexts: View.choices(ContextCode.allCases.filter { !Self.askedByFields.contains($0) }, chosen: form.context ?? []) {
                knowledge.context[$0]?.label ?? $0.rawValue
            },
            changes: (form.medicationChange ?? []).compactMap { text -> Choice? in
                guard let change = try? JournalCSV.medicationChange(text, field: "") else { return nil }
                return Choice(
                    code: text,
                    label: "\(View.changeLabel(change.kind)): \(knowledge.medications[change.medication]?.label ?? change.medication.rawValue)",
                    checked: true)
            },
            changeKinds: kinds,
            medicines: Medication.allCases.map { Option(value: $0.rawValue, label: knowledge.medications[$0]?.label ?? $0.rawValue, selected: false) }
        )
    }

    @Sendable func saveDay(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(DayForm.self, request, context: context)
        guard let date = LocalDate(iso: form.date ?? "") else { throw Problem.invalid("date", "the day is missing; reload the page") }
        let glass = try await services.journal.profile(owner: owner)?.glass ?? EverydayInput.defaultGlassML
        let saved = try await services.journal.dayLog(date: date, owner: owner)
        do {
            var day = try form.day(date, keeping: saved, glassML: glass)
            day = try await Body.saving { try await services.app.save(day, owner: owner) }
            return redirect("/day?date=\(date)&saved=1")
        } catch let problem as Problem {
            return page(
                "day", title: "My day", section: "day",
                model: dayData(form, date: date, glassML: glass, saved: saved, errors: [(problem.field ?? "", problem.detail)], justSaved: false),
                request: request, context: context, status: .unprocessableContent)
        }
    }
}

/// The day form, as its fields are named in `day.mustache` (the JSON keys; lists as `name[]`).
struct DayForm: SubmittedForm {
    var csrf: String?
    var date: String?
    /// Drinks: glasses, or litres or mL typed ("1.2 L").
    var fluids: String?
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
    /// The day's medicine changes kept (`kind:medicine`, ticked), and one more to add.
    var medicationChange: [String]?
    var changesShown: String?
    var newChangeKind: String?
    var newChangeMedicine: String?

    /// The form filled in from a saved day (empty for none), drinks in the person's glasses.
    init(_ day: DayLog?, glassML: Int) {
        guard let day else { return }
        fluids = day.fluidsML.map { View.glasses($0, glassML: glassML) }
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
        mineralFood = day.mineralFoods.map { $0.isEmpty ? [JournalCSV.noMineralFoods] : $0.map(\.rawValue) }
        context = day.context.map(\.rawValue)
        medicationChange = day.medicationChanges.map(JournalCSV.medicationChangeText)
    }

    /// The day the form describes; each value that does not read is refused naming its field.
    func day(_ date: LocalDate, keeping saved: DayLog?, glassML: Int) throws -> DayLog {
        var day = DayLog(date: date, updatedAt: 0)
        if let text = fluids?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let millilitres = EverydayInput.fluidML(text, bareUnit: .glasses, glassML: glassML) else {
                throw Problem.invalid(
                    "fluidsML",
                    "\(Problem.shown(text, limit: 20)) is not an amount to drink in a day; accepted: glasses such as 6, or 1.5 L or 1500 mL, up to 20 L"
                )
            }
            day.fluidsML = millilitres
        }
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
        // Nothing ticked is not logged; "None of these" is none eaten.
        if let ticked = mineralFood, !ticked.isEmpty {
            do throws(JournalError) {
                day.mineralFoods = try JournalCSV.mineralFoods(ticked.joined(separator: ";"), field: JournalField.mineralFoods.jsonKey)
            } catch {
                throw Problem.invalid(error.field, error.problem)
            }
        } else {
            day.mineralFoods = nil
        }
        // The situations the page does not list (its own fields ask them) stay as they were.
        let shown: [ContextCode] = try View.codes(context, field: .context)
        day.context = Array(CodeSet(shown + (saved?.context ?? []).filter(DayPages.askedByFields.contains)))
        if changesShown == "yes" {
            var changes: [MedicationChange] = []
            for (index, text) in (medicationChange ?? []).enumerated() {
                do throws(JournalError) {
                    changes.append(try JournalCSV.medicationChange(text, field: "medicationChanges[\(index)]"))
                } catch {
                    throw Problem.invalid(error.field, error.problem)
                }
            }
            let kind: MedicationChangeKind? = try View.code(newChangeKind, field: .medicationChanges)
            let medicine: Medication? = try View.code(newChangeMedicine, field: .medicationChanges)
            if let kind, let medicine {
                changes.append(MedicationChange(kind: kind, medication: medicine))
            } else if kind != nil || medicine != nil {
                throw Problem.invalid("medicationChanges", "choose both what changed and which medicine, or neither")
            }
            day.medicationChanges = Array(Set(changes)).sorted { JournalCSV.medicationChangeText($0) < JournalCSV.medicationChangeText($1) }
        } else {
            // A client that does not show the changes keeps them.
            day.medicationChanges = saved?.medicationChanges ?? []
        }
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
    let fluids: String
    let glassML: Int
    /// "Saved: 1500 mL.", or empty.
    let fluidsSaved: String
    let numbers: [Number]
    let intensities: [Choice]
    let electrolyteDrink: Bool
    let hotWeather: Bool
    let minerals: [Choice]
    let contexts: [Choice]
    let changes: [Choice]
    let changeKinds: [Option]
    let medicines: [Option]
}
