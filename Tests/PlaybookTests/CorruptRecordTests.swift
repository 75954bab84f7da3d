// A damaged record is an error that names the event, never a silent absence: the readers of incidents, tag
// moves, evals and experiments refuse an event whose fields do not read as its kind.
import Foundation
import LabTestSupport
import Hashing
import Playbook
import Registry
import Testing

@Suite struct CorruptRecordTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// An incident opened, then updated by a rollback with `fields` changed.
    static func incidentHistory(updated change: (inout [String: String]) -> Void) throws -> [Event] {
        let opened = try EventFields.encode(
            IncidentOpened(
                incident: "INC-0001", symptom: "wrong refunds", detectedAt: start, source: .manual,
                badVersion: String(repeating: "b", count: 64), drillID: nil))
        var updated = try EventFields.encode(
            IncidentUpdated(
                incident: "INC-0001", goodVersion: String(repeating: "a", count: 64), tagMovedAt: start,
                timeToRollback: FormattedNumber(61.5, format: "%.3f"), status: .mitigated))
        change(&updated)
        return [
            Event(seq: 1, at: start, kind: IncidentOpened.kind, actor: "ops", data: opened, prev: ""),
            Event(seq: 2, at: start, kind: IncidentUpdated.kind, actor: "ops", data: updated, prev: ""),
        ]
    }

    /// Whether `body` throws the damaged-event error naming event `seq` of `kind` and `field`.
    static func refuses(seq: Int, kind: String, field: String, _ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch let error as RegistryError {
            guard case .corruptEvent(let badSeq, let badKind, let reason) = error else { return false }
            return badSeq == seq && badKind == kind && reason.contains(field)
                && error.description.hasPrefix("Event #\(seq) (\(kind)) in events.jsonl is damaged")
        } catch {
            return false
        }
    }

    @Test func theUndamagedHistoryFolds() throws {
        let incident = try #require(try Incidents.all(events: try Self.incidentHistory { _ in }).first)
        #expect(incident.status == .mitigated)
        #expect(incident.timeToRollbackSeconds == 61.5)
    }

    @Test func aTimeToRollbackThatIsNotANumberIsAnErrorNamingTheEvent() throws {
        let events = try Self.incidentHistory { $0["time_to_rollback_s"] = "soon" }
        #expect(
            Self.refuses(seq: 2, kind: IncidentUpdated.kind, field: "time_to_rollback_s") {
                _ = try Incidents.all(events: events)
            })
    }

    @Test func anUnknownStatusIsAnErrorNamingTheEvent() throws {
        let events = try Self.incidentHistory { $0["status"] = "resolved" }
        #expect(
            Self.refuses(seq: 2, kind: IncidentUpdated.kind, field: "status") { _ = try Incidents.all(events: events) })
        #expect(
            Self.refuses(seq: 2, kind: IncidentUpdated.kind, field: "status") {
                _ = try Incidents.find("INC-0001", events: events)
            })
    }

    @Test func aDetectionTimeThatIsNotATimeIsAnError() throws {
        var events = try Self.incidentHistory { _ in }
        events[0].data["detected_at"] = "yesterday"
        #expect(
            Self.refuses(seq: 1, kind: IncidentOpened.kind, field: "detected_at") {
                _ = try Incidents.all(events: events)
            })
    }

    @Test func aHandWrittenOpeningWithoutTimeOrSourceWasAPersonsWhenItWasOpened() throws {
        var events = try Self.incidentHistory { _ in }
        events[0].data["detected_at"] = nil
        events[0].data["source"] = nil
        events[0].at = Self.start.addingTimeInterval(30)
        let incident = try #require(try Incidents.all(events: events).first)
        #expect(incident.detectedAt == events[0].at && incident.source == .manual)
    }

    @Test func aDamagedIncidentInTheLogStopsTheRollbackBeforeAnythingMoves() throws {
        let lab = try LabWorkspace()
        let base = try lab.register("base")
        try lab.promote(base.shortID)
        try lab.edit("system/prompt.md") { $0 + "\nA second note.\n" }
        let second = try lab.register("second", parent: base.id)
        try lab.promote(second.shortID)
        let context = try lab.context()
        try context.registry.write { writer in
            try writer.append(
                kind: IncidentOpened.kind, actor: "ops",
                data: ["incident": "INC-0001", "symptom": "x", "detected_at": "yesterday", "source": "manual"])
        }
        let seq = try #require(try context.registry.events().last?.seq)
        #expect(
            Self.refuses(seq: seq, kind: IncidentOpened.kind, field: "detected_at") {
                _ = try RollbackPlay.run(
                    RollbackRequest(ref: nil, reason: "bad", incident: nil, detectedAt: nil, by: "ops"), in: context)
            })
        #expect(context.registry.tag("production") == second.id, "nothing moved")
    }

    @Test func aTagMoveWithAnUnknownGateIsAnErrorNamingIt() throws {
        let lab = try LabWorkspace()
        let base = try lab.register("base")
        let context = try lab.context()
        let moved = try context.registry.moveTag(
            "production", to: base.id, by: "ops", reason: "by hand", details: ["play": "promote", "gate": "skipped"])
        let move = try #require(try context.registry.tagHistory("production").last)
        #expect(Self.refuses(seq: moved.seq, kind: TagMoved.kind, field: "gate") { _ = try move.facts() })
        #expect(
            Self.refuses(seq: moved.seq, kind: TagMoved.kind, field: "gate") {
                _ = try RollbackPlay.reasonsNotKnownGood(base.id, in: context)
            })
    }

    @Test func anEvalWhosePassRateIsNotANumberIsAnError() throws {
        let lab = try LabWorkspace()
        let base = try lab.register("base")
        let context = try lab.context()
        let summary = try #require(try EvalLedger.summaries(for: base, events: []).first)
        var fields = try EventFields.encode(summary.recorded)
        fields["pass_rate"] = "high"
        let event = try context.registry.write { writer in
            try writer.append(kind: EvalRecorded.kind, actor: "ops", data: fields)
        }
        #expect(
            Self.refuses(seq: event.seq, kind: EvalRecorded.kind, field: "pass_rate") {
                _ = try EvalLedger.summaries(for: base, events: try context.registry.events())
            })
    }

    @Test func anExperimentWithoutItsExpiryIsAnError() throws {
        let event = Event(
            seq: 4, at: Self.start, kind: ExperimentStarted.kind, actor: "ops",
            data: ["experiment": "tries", "from": String(repeating: "a", count: 64), "ttl": "7d"], prev: "")
        #expect(
            Self.refuses(seq: 4, kind: ExperimentStarted.kind, field: "expires_at") {
                _ = try Experiments.all(events: [event])
            })
    }

    @Test func typedFactsOnATagMoveAreTheFieldsPlaysAlwaysWrote() throws {
        let facts = TagMoveFacts(
            play: .promote, approver: "bob", gate: .overridden, gateFinding: "pass rate 80.0% is below production's",
            candidatePassRate: 0.8, productionPassRate: 0.9, highStakes: false, overrideReason: "hotfix",
            floorsBroken: ["escalate:legal_threat", "refuse:medical"])
        #expect(
            try EventFields.encode(facts) == [
                "play": "promote", "approver": "bob", "gate": "overridden",
                "gate_finding": "pass rate 80.0% is below production's", "candidate_pass_rate": "0.8",
                "production_pass_rate": "0.9", "high_stakes": "false", "override_reason": "hotfix",
                "floors_broken": "escalate:legal_threat,refuse:medical",
            ])
        #expect(facts.brokenFloors == ["escalate:legal_threat", "refuse:medical"])
    }
}
