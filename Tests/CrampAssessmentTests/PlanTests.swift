import CrampAssessment
import CrampKnowledge
import Testing

@Suite struct PlannerTests {
    @Test func everyPlanHasTheRoutineAndOnlyKnowledgeBaseItems() {
        let plan = Planner.plan(PlanRequest(), knowledge: knowledge)
        let ids = plan.items.map(\.id)
        #expect(ids == knowledge.prevention.filter(\.inEveryPlan).map(\.id))
        #expect(plan.items.allSatisfy { $0.reason.hasPrefix("Part of every plan") && !$0.item.sources.isEmpty })
        #expect(!plan.olderAdult && plan.items.allSatisfy { !$0.gentler })
    }

    @Test func factorsAddItemsAndSayWhereTheyWereFound() {
        var request = PlanRequest()
        request.factors = [
            ("poor_circulation", "found in your assessment"), ("dehydration_electrolytes", "your diary: low fluids is a possible trigger"),
        ]
        request.context = [.smoking]
        let plan = Planner.plan(request, knowledge: knowledge)
        let smoking = plan.items.first { $0.id == "stop_smoking" }
        #expect(smoking?.reason.contains("found in your assessment") == true)
        let fluids = plan.items.first { $0.id == "fluids_electrolytes" }!
        #expect(fluids.answers.map(\.factor.id) == ["dehydration_electrolytes"])
        #expect(fluids.reason.contains("possible trigger"))
        // Every-plan items first, in the knowledge base's order; then the others by factor.
        let everyPlan = knowledge.prevention.filter(\.inEveryPlan).count
        #expect(plan.items.prefix(everyPlan).allSatisfy { $0.item.inEveryPlan })
    }

    @Test func olderAdultsGetGentlerVariants() {
        var request = PlanRequest()
        request.age = Planner.olderAdultAge
        let plan = Planner.plan(request, knowledge: knowledge)
        #expect(plan.olderAdult)
        for item in plan.items where item.item.gentler != nil {
            #expect(item.gentler && item.title == item.item.gentler!.title && item.sets == nil)
        }
        request.age = Planner.olderAdultAge - 1
        #expect(!Planner.plan(request, knowledge: knowledge).olderAdult)
    }

    @Test func theAssessmentsContraindicationsAndCautionsApply() {
        var request = PlanRequest()
        request.findings = [.calfSwelling, .calfTenderness, .calfWarmthRedness]
        request.conditions = [.kidneyDisease]
        request.openRedFlags = knowledge.rules.filter { $0.level >= .urgent }.prefix(1).map(\.id)
        let plan = Planner.plan(request, knowledge: knowledge)
        #expect(!plan.items.contains { $0.id == "calf_raises_and_stretch" })
        #expect(plan.leftOut.contains { $0.item.id == "calf_raises_and_stretch" })
        #expect(plan.items.first { $0.id == "fluids_electrolytes" }?.cautions.isEmpty == false)
        #expect(plan.seeFirst.count == 1)
        #expect(plan.seeFirstWords?.hasPrefix("A check in the last 14 days found: \(plan.seeFirst[0]).") == true)
        // Nothing ruled out for the same facts by the assessment reaches the plan.
        var facts = Facts(age: 0, durationMinutes: 0)
        facts.findings = CodeSet(request.findings)
        facts.conditions = CodeSet(request.conditions)
        #expect(plan.items.allSatisfy { !$0.item.isRuledOut(by: facts) })
    }

    @Test func everyOpenCheckIsSaidOnceAndNoneMeansNothingToSeeFirst() {
        let urgent = knowledge.rules.filter { $0.level >= .urgent }.prefix(2).map(\.id)
        var request = PlanRequest()
        #expect(Planner.plan(request, knowledge: knowledge).seeFirstWords == nil)
        request.openRedFlags = urgent + urgent
        request.openChecks = 3
        let plan = Planner.plan(request, knowledge: knowledge)
        #expect(plan.seeFirst.count == 2)
        #expect(plan.seeFirstWords?.hasPrefix("3 checks in the last 14 days found: ") == true)
        // An urgent check whose red flags are unknown still says to be seen: never an empty "found ."
        request.openRedFlags = []
        request.openChecks = 1
        #expect(
            Planner.plan(request, knowledge: knowledge).seeFirstWords
                == "A check in the last 14 days found signs that need a doctor. Get that seen before you start new exercise.")
    }

    @Test func thePlanIsDeterministic() {
        var request = PlanRequest()
        request.age = 70
        request.factors = [("fatigue_overuse", "a"), ("muscle_imbalance", "b")]
        let first = Planner.plan(request, knowledge: knowledge).items.map { "\($0.id)|\($0.reason)|\($0.gentler)" }
        let second = Planner.plan(request, knowledge: knowledge).items.map { "\($0.id)|\($0.reason)|\($0.gentler)" }
        #expect(first == second)
    }
}
