public import CrampAssessment
public import CrampInsights
public import CrampJournal
import CrampKnowledge
import Foundation

/// A person's prevention plan, with what it was built from.
public struct PlanView: Sendable {
    public let plan: PersonalPlan
    public let profile: Profile?
    public let today: LocalDate
    /// The zone the reminders are in: the profile's, else the default.
    public let zoneName: String
    /// Cramps of the last 30 days whose red-flag questions are not answered: until they are, the
    /// plan's self-care comes after a prompt to answer them.
    public let unanswered: [Episode]
    public var unansweredWords: String? {
        switch unanswered.count {
        case 0: nil
        case 1: "A cramp you logged still has its safety questions unanswered. Answer them before you rely on this plan."
        default: "\(unanswered.count) cramps you logged still have their safety questions unanswered. Answer them before you rely on this plan."
        }
    }
    public var reminderTimes: [LocalTime] { profile?.reminderTimes ?? [] }
    /// The seven days from today, each with what is due.
    public var week: PlanCalendar.Week { PlanCalendar.week(plan: plan, reminderTimes: reminderTimes, start: today) }
}

/// What the insights were computed from.
public struct InsightsView: Sendable {
    public let insights: Insights
    public let contents: JournalContents
    /// The same insights in plain words, for the person (the statistics are the clinician report's).
    public let words: InsightWords
}

extension CrampCareApp {
    /// The insights for an owner as of a day, else today in their zone.
    public func insights(owner: OwnerID, asOf: LocalDate? = nil) async throws -> InsightsView {
        let contents = try await journal.contents(owner: owner)
        let today = asOf ?? clock(for: contents.profile).today
        let insights = Insights(contents: contents, today: today, knowledge: knowledge)
        // The same windows as the plan's "see first" and the home page's unanswered notice.
        let openChecks = PlanInputs.openChecks(contents.assessments, today: today).count
        let unanswered = Self.unanswered(contents.episodes, today: today).count
        return InsightsView(
            insights: insights, contents: contents,
            words: InsightWords(
                insights, knowledge: knowledge, glassML: contents.profile?.glass ?? EverydayInput.defaultGlassML, openChecks: openChecks,
                unanswered: unanswered))
    }

    /// The cramps of the last `recentDays` through `today` whose safety questions are not answered.
    static func unanswered(_ episodes: [Episode], today: LocalDate) -> [Episode] {
        let window = today.adding(days: -recentDays)...today
        return episodes.filter { $0.safetyQuestions == .notAnswered && window.contains($0.startedAt.localDate) }
    }

    /// The prevention plan: the profile, what the assessments found and the diary's possible triggers.
    public func plan(owner: OwnerID, asOf: LocalDate? = nil) async throws -> PlanView {
        let view = try await insights(owner: owner, asOf: asOf)
        let request = PlanInputs.request(contents: view.contents, insights: view.insights, today: view.insights.today, knowledge: knowledge)
        let clock = clock(for: view.contents.profile)
        return PlanView(
            plan: Planner.plan(request, knowledge: knowledge), profile: view.contents.profile, today: view.insights.today,
            zoneName: clock.zone.identifier,
            unanswered: Self.unanswered(view.contents.episodes, today: view.insights.today))
    }

    /// The plan's routines as an iCalendar file, starting on `start` (default: tomorrow).
    public func planCalendar(_ view: PlanView, start: LocalDate? = nil) -> String {
        PlanCalendar.ics(
            plan: view.plan, zone: view.zoneName, reminderTimes: view.reminderTimes, start: start ?? view.today.adding(days: 1),
            now: clockSource.millisecondsNow(), knowledge: knowledge)
    }
}
