// The one monitor rule: what is out of bounds, and how many looks in a row raise the alarm (one for the
// `monitor` command, two for the drill's monitor).
import Serving
import Testing

@Suite struct MonitorRuleTests {
    let unhappy = MonitorLook(labelFree: nil, labelled: 40, satisfiedShare: 0.5)
    let happy = MonitorLook(labelFree: nil, labelled: 40, satisfiedShare: 0.95)

    @Test func oneLookOutOfBoundsIsAnAlarmWhenOneIsAsked() {
        var rule = MonitorRule(consecutiveLooks: 1, threshold: 0.85)
        #expect(rule.record(happy) == false)
        #expect(rule.record(unhappy) == true)
        #expect(rule.record(unhappy) == true, "the alarm stands while looks stay out of bounds")
        #expect(rule.record(happy) == false)
        #expect(rule.symptoms(of: unhappy) == ["satisfied share 50.0% below 85.0%"])
    }

    @Test func twoAskedMeansTwoInARowAndALookWithinBoundsStartsOver() {
        var rule = MonitorRule(consecutiveLooks: 2, threshold: 0.85)
        #expect(rule.record(unhappy) == false)
        #expect(rule.record(happy) == false)
        #expect(rule.record(unhappy) == false)
        #expect(rule.record(unhappy) == true)
    }

    @Test func labelsCountOnlyWhenJudgedAndWhenThereAreEnough() {
        var unjudged = MonitorRule(consecutiveLooks: 1)
        #expect(unjudged.record(unhappy) == false)
        var judged = MonitorRule(consecutiveLooks: 1, threshold: 0.85)
        let few = MonitorLook(labelFree: nil, labelled: MonitorRule.minimumLabelled - 1, satisfiedShare: 0)
        #expect(judged.record(few) == false)
        #expect(judged.symptoms(of: MonitorLook(labelFree: nil)).isEmpty)
    }
}
