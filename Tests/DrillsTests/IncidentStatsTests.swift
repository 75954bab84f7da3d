// `incident stats` against a registry built through the plays, checked against counts made by hand.
import Drills
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct IncidentStatsTests {
    /// Two quarters of history (hand counts in the comments):
    /// 2026-Q4: deploy A (#1), deploy B (#2, bad) → INC-0001 detected, rolled back 300 s later, confirmed;
    ///          a drill ships #3 and opens INC-0002, rolled back 120 s later, unconfirmed.
    /// 2027-Q1: deploy C (#4), deploy D (#5, bad) → INC-0003 rolled back after 600 s, confirmed;
    ///          INC-0004 also names #5 and is never rolled back.
    static func story() throws -> (LabWorkspace, [Event]) {
        let lab = try LabWorkspace("drills")
        let v1 = try lab.register("baseline")
        try lab.promote("#1")
        try lab.serve()
        try lab.setEscalation("escalate: refund_over_500, account_takeover")
        try lab.register("shorter escalation list", parent: v1.id)
        try lab.promote("#2", force: true)
        lab.clock.advance(seconds: 100)
        _ = try Incidents.open(
            symptom: "legal threats not escalated", detectedAt: nil, badVersion: nil, by: "dave", in: lab.context())
        lab.clock.advance(seconds: 300)
        try lab.rollback(incident: nil, confirm: true)

        try lab.edit("system/prompt.md") {
            try edited($0) {
                $0.replacingOccurrences(
                    of: "escalate: refund_over_500, account_takeover", with: LabWorkspace.escalateLine)
            } + "\nThank you for shopping with us.\n"
        }
        let v3 = try lab.register("drill fault", parent: v1.id)
        let context = try lab.context()
        try context.registry.moveTag(
            "production", to: v3.id, by: "gm", reason: "drill fault", details: ["play": "drill", "drill_id": "D-1"])
        lab.clock.advance(seconds: 50)
        try context.registry.write { writer in
            _ = try writer.append(
                IncidentOpened(
                    incident: "INC-0002", symptom: "drill: answers wander", detectedAt: lab.clock.now(),
                    source: .monitor, badVersion: v3.id, drillID: "D-1"),
                actor: "gm")
        }
        lab.clock.advance(seconds: 120)
        try lab.rollback(incident: "INC-0002", confirm: false)

        lab.clock.advance(seconds: 60 * 86_400)  // into 2027-Q1
        try lab.edit("system/prompt.md") { $0 + "We answer within one day.\n" }
        let v4 = try lab.register("friendlier close", parent: v1.id)
        try lab.promote("#4")
        try lab.serve()
        try lab.setEscalation("escalate: refund_over_500, account_takeover")
        let v5 = try lab.register("shorter escalation list again", parent: v4.id)
        try lab.promote("#5", force: true)
        lab.clock.advance(seconds: 50)
        _ = try Incidents.open(
            symptom: "legal threats not escalated again", detectedAt: nil, badVersion: nil, by: "dave",
            in: lab.context())
        lab.clock.advance(seconds: 600)
        try lab.rollback(incident: nil, confirm: true)
        lab.clock.advance(seconds: 10)
        _ = try Incidents.open(
            symptom: "refund complaints", detectedAt: nil, badVersion: v5.id, by: "erin", in: lab.context())
        return (lab, try lab.context().registry.events())
    }

    @Test func matchesTheIncidentsInATestRegistry() throws {
        let (_, events) = try Self.story()
        let report = try IncidentStats.report(events: events)
        #expect(report.quarters.map(\.quarter) == ["2026-Q4", "2027-Q1"])
        let q4 = report.quarters[0]
        #expect(q4.real.ids == ["INC-0001"])
        #expect(q4.real.toRestored == DurationSummary([300]))
        #expect(q4.real.toRestored.medianSeconds == 300)
        #expect(q4.real.toConfirmed.medianSeconds == 300)
        #expect(q4.drills.ids == ["INC-0002"])
        #expect(q4.drills.toRestored.medianSeconds == 120)
        #expect(q4.drills.toConfirmed.count == 0, "an unconfirmed rollback has no time to confirmed")
        #expect(q4.deployments == 2, "the drill's move and the rollback are not deployments")
        #expect(q4.failedDeployments == 1)
        #expect(q4.changeFailureRate == 0.5)
        #expect(q4.recoveryMedianSeconds == 400, "DORA recovery runs from #2's deployment: 100 s to detection + 300 s")

        let q1 = report.quarters[1]
        #expect(q1.real.ids == ["INC-0003", "INC-0004"])
        #expect(q1.real.toRestored.count == 1)
        #expect(q1.real.toRestored.medianSeconds == 600)
        #expect(q1.real.toConfirmed.p90Seconds == 600)
        #expect(q1.drills.incidents == 0)
        #expect(q1.deployments == 2)
        #expect(q1.failedDeployments == 1, "two incidents naming one deployment fail it once")
        #expect(q1.changeFailureRate == 0.5)
        #expect(q1.recoveryMedianSeconds == 650, "#5 deployed, detected 50 s later, restored 600 s after that")

        #expect(report.total.real.incidents == 3)
        #expect(report.total.drills.incidents == 1)
        #expect(report.total.real.toRestored.medianSeconds == 450)
        #expect(report.total.real.toRestored.p90Seconds == 600)
        #expect(report.total.deployments == 4)
        #expect(report.total.failedDeployments == 2)

        let only = try IncidentStats.report(events: events, quarter: Quarter(parsing: "2027-Q1"))
        #expect(only.quarters.map(\.quarter) == ["2027-Q1"])
        #expect(only.total.real.incidents == 2)
        #expect(only.total.deployments == 2)

        let empty = try IncidentStats.report(events: events, quarter: Quarter(parsing: "2025-Q2"))
        #expect(empty.total.real.incidents == 0)
        #expect(empty.total.changeFailureRate == nil)

        // The pilot quarter's measurement: 2 real incidents over the 90 days of 2027-Q1, and its median rollback.
        let q1Quarter = try #require(Quarter(parsing: "2027-Q1"))
        let measured = try PaybackModel.measure(
            events: events, now: q1Quarter.end.addingTimeInterval(86_400), quarter: q1Quarter)
        #expect(measured.map(\.key) == ["incidents_per_year", "rollback_minutes_before", "rollback_minutes_during"])
        #expect(measured[0].value == 8.11)  // 2 × 365 / 90, to the hundredth
        #expect(measured[1].value == 5)  // INC-0001's 300 s; the drill before the pilot does not count
        #expect(measured[2].value == 10)
    }

    @Test func drillRuleIsTheOpeningEventsDrillID() throws {
        let at = Date(timeIntervalSince1970: 0)
        func opened(_ incident: String, drillID: String?) throws -> [String: String] {
            try EventFields.encode(
                IncidentOpened(
                    incident: incident, symptom: "s", detectedAt: at, source: .manual, badVersion: nil,
                    drillID: drillID))
        }
        let drill = Event(
            seq: 1, at: at, kind: Incidents.opened, actor: "gm", data: try opened("INC-0001", drillID: "D-1"), prev: "")
        let real = Event(
            seq: 2, at: at, kind: Incidents.opened, actor: "me", data: try opened("INC-0002", drillID: nil), prev: "")
        let laterMention = Event(
            seq: 3, at: at, kind: Incidents.updated, actor: "me", data: ["incident": "INC-0002", "drill_id": "D-9"],
            prev: "")
        #expect(try DrillMarking.incidentIDs(events: [drill, real, laterMention]) == ["INC-0001"])
    }

    @Test func medianAndNearestRankP90() {
        #expect(DurationSummary([]).medianSeconds == nil)
        #expect(DurationSummary([5]).p90Seconds == 5)
        #expect(DurationSummary([40, 10, 30, 20]).medianSeconds == 25)
        let ten = DurationSummary((1...10).map(Double.init))
        #expect(ten.p90Seconds == 9)
        let eleven = DurationSummary((1...11).map(Double.init))
        #expect(eleven.p90Seconds == 10)
        #expect(eleven.medianSeconds == 6)
    }

    @Test func quartersAreUTCAndParsedStrictly() throws {
        #expect(Quarter(parsing: "2026-q4") == Quarter(year: 2026, number: 4))
        for bad in ["2026-Q5", "2026Q4", "26-Q1", "2026-Q", "Q4-2026", "2026-Q04"] {
            #expect(Quarter(parsing: bad) == nil, "\(bad)")
        }
        let lastMoment = try #require(Timestamp.date(from: "2026-12-31T23:59:59.999Z"))
        #expect(Quarter(containing: lastMoment).description == "2026-Q4")
        let newYear = try #require(Timestamp.date(from: "2027-01-01T00:00:00.000Z"))
        #expect(Quarter(containing: newYear).description == "2027-Q1")
        #expect(Quarter(year: 2026, number: 4).end == newYear)
    }
}
