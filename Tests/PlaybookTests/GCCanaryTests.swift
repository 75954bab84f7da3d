// gc and a canary, interleaved by hand at the moments the race hit by chance: gc while a canary holds its pin
// (after its check, before its answers reach the attribution log), and gc just before a canary starts. Also a
// collected version brought back by registering its content again, and collectable again once nothing holds it.
import Foundation
import LabTestSupport
import Registry
import Testing

@testable import Playbook

@Suite struct GCCanaryTests {
    /// Production #1 and #2, an experiment's version whose window has passed (gc would collect it now).
    func expiredExperimentVersion(_ lab: LabWorkspace) throws -> VersionRecord {
        try lab.register("baseline")
        try lab.promote("#1")
        _ = try Experiments.start(name: "exp", from: "#1", ttl: "1h", by: "ops", in: lab.context())
        try lab.edit("system/prompt.md") { $0 + "\nAn experiment's line.\n" }
        let version = try lab.register("try a line", parent: "#1", experiment: "exp")
        _ = try Experiments.end(name: "exp", by: "ops", in: lab.context())
        lab.clock.advance(seconds: 7200)
        #expect(try GCPlay.plan(in: lab.context()).versions == [version.id], "collectable before the canary")
        return version
    }

    func started(_ version: VersionRecord, in lab: LabWorkspace) throws -> CanaryStarted {
        let production = try #require(try lab.context().registry.tag("production"))
        return CanaryStarted(candidate: version.id, production: production, percent: 50, requests: 200)
    }

    @Test func gcWhileACanaryHoldsItsPinKeepsTheCandidate() throws {
        let lab = try LabWorkspace("gc-canary")
        let version = try expiredExperimentVersion(lab)
        let context = try lab.context()
        let pin = try started(version, in: lab)
        try Canary.pin(pin, by: "bob", in: context)
        // gc runs now: the canary has checked the blobs and may have loaded them, but logged no answer yet.
        #expect(try context.registry.events().last?.kind == CanaryStarted.kind)
        #expect(try AttributionLog(registryRoot: context.registry.root).answeredByVersion()[version.id] == nil)
        let plan = try GCPlay.run(dryRun: false, by: "ops", in: context)
        #expect(plan.versions.isEmpty)
        let kept = try #require(plan.kept.first { $0.version == version.id })
        #expect(kept.reasons.contains { $0.hasPrefix("a canary was started on it (event #") }, "\(kept.reasons)")
        // The canary's traffic and the promotion it allows both go ahead, and the answers replay.
        let report = try Traffic.run(
            requests: 40, rate: 0, seed: 3, source: "canary", in: context, route: { _ in version.id })
        let request = PromoteRequest(ref: version.shortID, approver: "bob")
        _ = try PromotePlay.move(
            request, gate: try PromotePlay.gate(request, in: context), canary: nil, in: context)
        #expect(context.registry.tag("production") == version.id)
        let audit = try AuditPlay.run(requestID: try #require(report.lastRequest), replay: true, in: context)
        #expect(audit.replay?.identical == true)
        #expect(context.registry.fsck().ok)
    }

    @Test func aCanaryAfterGcCollectedItsCandidateRefusesBeforeAnswering() throws {
        let lab = try LabWorkspace("gc-canary")
        let version = try expiredExperimentVersion(lab)
        let context = try lab.context()
        #expect(try GCPlay.run(dryRun: false, by: "ops", in: context).versions == [version.id])
        let production = try #require(context.registry.tag("production"))
        let before = lab.snapshot()
        do {
            let plan = try Canary.plan(
                percent: 50, requests: .count(200), production: try context.registry.record(id: production), seed: 1,
                in: context)
            _ = try Canary.run(
                plan: plan, candidate: version.id, production: production, seed: 1, by: "bob", in: context,
                clock: lab.clock.durations)
            Issue.record("a canary ran on a collected version")
        } catch {
            #expect(
                "\(error)".hasPrefix(
                    "Cannot start a canary on version #\(version.seq) \(version.shortID): its artifacts were garbage-collected at "
                ), "\(error)")
        }
        #expect(lab.snapshot() == before, "no pin, no request, nothing written")
        // The promotion refuses too, before any eval or traffic.
        #expect(throws: RegistryError.self) {
            try PromotePlay.run(
                PromoteRequest(ref: version.shortID, approver: "bob", canaryPercent: 50), in: context)
        }
        #expect(lab.snapshot() == before)
    }

    @Test func aCollectedVersionRegisteredAgainServesAndIsCollectableAgainOnceNothingHoldsIt() throws {
        let lab = try LabWorkspace("gc-canary")
        let version = try expiredExperimentVersion(lab)
        #expect(try GCPlay.run(dryRun: false, by: "ops", in: lab.context()).versions == [version.id])
        // system/ still holds the experiment's content: registering it again is the same version.
        lab.clock.advance(seconds: 1)
        let again = try RegisterPlay.run(
            RegisterRequest(owner: "alice", reason: "bring it back", parent: "#1", root: false), in: lab.context())
        #expect(again.existing && again.record.id == version.id && again.restoredBlobs > 0)
        let event = try #require(try lab.context().registry.events().last)
        #expect(event.kind == VersionReregistered.kind && event.data["restored_blobs"] == String(again.restoredBlobs))
        _ = try lab.context().system(for: version)
        #expect(try lab.context().registry.fsck().ok)
        // Expired and held by nothing, it goes again; once promoted, it never will.
        #expect(try GCPlay.plan(in: lab.context()).versions == [version.id])
        try lab.promote(version.shortID)
        #expect(try GCPlay.plan(in: lab.context()).versions.isEmpty)
        // Registering it again with every blob present restores nothing and says so in no field.
        lab.clock.advance(seconds: 1)
        let present = try RegisterPlay.run(
            RegisterRequest(owner: "alice", reason: "again", parent: "#1", root: false), in: lab.context())
        #expect(present.restoredBlobs == 0)
        #expect(try lab.context().registry.events().last?.data["restored_blobs"] == nil)
    }
}
