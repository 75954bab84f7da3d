// The seven plays: what each enforces, what each records, and what each refuses without writing anything.
import Evals
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing
import ToyModel

@Suite struct GateTests {
    @Test func theGateRefusesEachBadPromotionAndWritesNothing() throws {
        let lab = try LabWorkspace("playbook")
        let base = try lab.register("baseline")
        try lab.promote("#1")

        // Missing metadata.
        var before = lab.snapshot()
        #expect(throws: RegistryError.self) {
            try RegisterPlay.run(RegisterRequest(owner: "", reason: "x", parent: "#1", root: false), in: lab.context())
        }
        #expect(throws: RegistryError.self) {
            try RegisterPlay.run(RegisterRequest(owner: "a", reason: "x", parent: nil, root: false), in: lab.context())
        }
        #expect(lab.snapshot() == before)

        // Broken lineage: the training data changed but the weights were not retrained.
        try lab.edit("data/train.csv") { $0 + "where did my parcel go,order_status\n" }
        before = lab.snapshot()
        #expect(throws: PlaybookError.self) { try lab.register("new data, old weights", parent: base.id) }
        #expect(lab.snapshot() == before)
        let recorded = try RegisterPlay.run(
            RegisterRequest(owner: "a", reason: "knowingly", parent: base.id, root: false, lineageBrokenOK: true),
            in: lab.context())
        #expect(recorded.lineageBroken)
        #expect(recorded.record.metadata.extra["lineage_broken"] != nil)
        try lab.edit("data/train.csv") {
            $0.replacingOccurrences(of: "where did my parcel go,order_status\n", with: "")
        }

        // A worse eval on the same suite.
        try lab.dropLegalThreatTrigger()
        let worse = try lab.register("trim escalations", parent: base.id)
        before = lab.snapshot()
        #expect(throws: PlaybookError.self) { try lab.promote(worse.shortID) }
        #expect(lab.snapshot() == before)

        // Editing the suite file changes nothing until it is pinned: the gate's evidence stays on the pinned copy.
        try lab.edit("system/prompt.md") {
            try edited($0) {
                $0.replacingOccurrences(
                    of: "escalate: refund_over_500, account_takeover", with: LabWorkspace.escalateLine)
            } + "\nA note.\n"
        }
        try lab.edit("evals/core.jsonl") { $0.split(separator: "\n").dropLast().joined(separator: "\n") + "\n" }
        let otherSuite = try lab.register("same behaviour, edited suite file", parent: base.id)
        #expect(otherSuite.metadata.extra["eval_suite_sha256"] == worse.metadata.extra["eval_suite_sha256"])

        // A stale compare-and-swap: production moved after the gate ran.
        let context = try lab.context()
        let request = PromoteRequest(ref: worse.shortID, approver: "bob", force: true, reason: "override")
        let gate = try PromotePlay.gate(request, in: context)
        try context.registry.moveTag("production", to: otherSuite.id, by: "mallory", reason: "sneaky")
        before = lab.snapshot()
        #expect(throws: RegistryError.self) { try PromotePlay.move(request, gate: gate, canary: nil, in: context) }
        #expect(lab.snapshot() == before)
    }

    @Test func everyPromotionNeedsASecondPerson() throws {
        let lab = try LabWorkspace("playbook")
        try lab.register("baseline", owner: "bob")
        let context = try lab.context()
        let request = PromoteRequest(ref: "#1", approver: "BOB ")
        #expect(
            throws: RegistryError.notASecondPerson(approver: "BOB ", other: "bob", role: "the version's owner")
        ) {
            try PromotePlay.move(request, gate: try PromotePlay.gate(request, in: context), canary: nil, in: context)
        }
    }
}

@Suite struct RollbackTests {
    @Test func lastKnownGoodSkipsAVersionWithAnIncident() throws {
        let lab = try LabWorkspace("playbook")
        let good = try lab.register("baseline")
        try lab.promote("#1")
        try lab.serve()
        try lab.edit("system/prompt.md") { $0 + "\nCosmetic note one.\n" }
        let cursed = try lab.register("cosmetic one", parent: good.id)
        try lab.promote(cursed.shortID)
        // An incident names the second version as bad, even though its eval passed.
        _ = try Incidents.open(
            symptom: "odd answers", detectedAt: nil, badVersion: cursed.id, by: "ops", in: lab.context())
        try lab.dropLegalThreatTrigger()
        let bad = try lab.register("trim", parent: cursed.id)
        try lab.promote(bad.shortID, force: true)
        lab.clock.advance(seconds: 30)
        let result = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "legal threats", incident: nil, detectedAt: lab.clock.now(), by: "ops"),
            in: lab.context())
        #expect(result.to == good.id)
        #expect(!result.confirmed, "a re-run suite is no new evidence")
        #expect(try lab.context().registry.tag("production") == good.id)
    }

    @Test func theIncidentRecordsTimeToRollbackFromDetection() throws {
        let lab = try LabWorkspace("playbook")
        let good = try lab.register("baseline")
        try lab.promote("#1")
        try lab.serve()
        try lab.dropLegalThreatTrigger()
        let bad = try lab.register("trim", parent: good.id)
        try lab.promote(bad.shortID, force: true)
        let incident = try Incidents.open(
            symptom: "legal threats not escalated", detectedAt: nil, badVersion: nil, by: "monitor", in: lab.context())
        lab.clock.advance(seconds: 42)
        let result = try RollbackPlay.run(
            RollbackRequest(ref: nil, reason: "restore escalations", incident: nil, detectedAt: nil, by: "ops"),
            in: lab.context())
        #expect(result.incident.id == incident.id)
        #expect(abs(result.timeToRollbackSeconds - 42) < 0.01)
        #expect(result.incident.goodVersion == good.id && result.incident.badVersion == bad.id)
        #expect(result.incident.timeToRollbackSeconds.map { abs($0 - 42) < 0.01 } == true)
    }

    @Test func withNoEarlierGoodVersionNothingChanges() throws {
        let lab = try LabWorkspace("playbook")
        try lab.register("baseline")
        try lab.promote("#1")
        let before = lab.snapshot()
        #expect(throws: PlaybookError.self) {
            try RollbackPlay.run(
                RollbackRequest(ref: nil, reason: "panic", incident: nil, detectedAt: nil, by: "ops"), in: lab.context()
            )
        }
        #expect(lab.snapshot() == before)
    }
}

@Suite struct GarbageCollectionTests {
    /// Random histories: gc never deletes a blob of a version that ever held production, and the dry run
    /// lists exactly what the real run deletes.
    @Test(arguments: [UInt64(3), 11, 29]) func gcKeepsEveryProductionBlob(seed: UInt64) throws {
        let lab = try LabWorkspace("playbook")
        var random = seed
        func next(_ bound: Int) -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((random >> 33) % UInt64(bound))
        }
        let base = try lab.register("baseline")
        try lab.promote("#1")
        _ = try Experiments.start(name: "tries", from: base.id, ttl: "1h", by: "ops", in: lab.context())
        var everProduction: Set<String> = [base.id]
        var versions = [base]
        for step in 0..<8 {
            try lab.edit("system/prompt.md") { $0 + "\nNote \(step).\n" }
            if next(3) == 0 { try lab.edit("system/index/contact.md") { $0 + "\nUpdated \(step).\n" } }
            let record = try lab.register("step \(step)", parent: versions[next(versions.count)].id)
            versions.append(record)
            if next(3) == 0 {
                try lab.promote(record.shortID, force: true)
                everProduction.insert(record.id)
            }
        }
        lab.clock.advance(seconds: 7200)
        let context = try lab.context()
        let productionBlobs = try Set(
            everProduction.flatMap { id -> [String] in
                let record = try context.registry.record(id: id)
                var hashes = record.manifest.components.values.map(\.sha256)
                for entry in record.manifest.components.values where entry.kind == .folder {
                    hashes += try context.registry.folderListing(entry.sha256).files.values
                }
                return hashes
            })
        let dryRun = try GCPlay.run(dryRun: true, by: "ops", in: context)
        let planned = try context.registry.events().last
        #expect(planned?.kind == GCPlay.plannedEvent, "the dry run is recorded")
        #expect(planned?.data["blobs"] == dryRun.blobs.joined(separator: " "))
        let real = try GCPlay.run(dryRun: false, by: "ops", in: context)
        #expect(!real.versions.isEmpty, "something expired and was collected")
        #expect(dryRun.blobs == real.blobs && dryRun.versions == real.versions)
        #expect(Set(real.blobs).isDisjoint(with: productionBlobs))
        #expect(real.versions.allSatisfy { !everProduction.contains($0) })
        for id in everProduction { _ = try context.system(for: try context.registry.record(id: id)) }
        #expect(context.registry.fsck().ok)
        #expect(try context.registry.versions().count == versions.count, "metadata stays")
    }
}

@Suite struct InvestigateTests {
    func investigate(_ lab: LabWorkspace) throws -> Investigation {
        lab.clock.advance(seconds: 60)
        return try InvestigatePlay.run(onset: lab.clock.now(), by: "sre", in: lab.context())
    }

    @Test func eachRegressionKindIsTracedToItsComponent() throws {
        let kinds: [(String, (LabWorkspace) throws -> Void)] = [
            ("prompt.md", { try $0.dropLegalThreatTrigger() }),
            (
                "config.json",
                { lab in
                    try lab.edit("system/config.json") {
                        $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 1.0")
                    }
                }
            ),
            ("index", { lab in try FileManager.default.removeItem(atPath: lab.root + "/system/index/orders.md") }),
            (
                "config.json",
                { lab in
                    try lab.edit("system/config.json") {
                        $0.replacingOccurrences(
                            of: "\"confidence_threshold\": 0.45", with: "\"confidence_threshold\": 0")
                    }
                }
            ),
        ]
        for (component, breakIt) in kinds {
            let lab = try LabWorkspace("playbook")
            let good = try lab.register("baseline")
            try lab.promote("#1")
            try breakIt(lab)
            let bad = try lab.register("change", parent: good.id)
            try lab.promote(bad.shortID, force: true)
            let finding = try investigate(lab)
            #expect(finding.regressionConfirmed, "\(component)")
            #expect(finding.components.contains(component), "\(component): \(finding.conclusion)")
        }
    }

    @Test func swappedLabelsAreTracedToTheWeightsAndTheirData() throws {
        let lab = try LabWorkspace("playbook")
        let good = try lab.register("baseline")
        try lab.promote("#1")
        try lab.edit("data/train.csv") { csv in
            csv.split(separator: "\n").map { line in
                if line.hasSuffix(",refund_request") { return line.dropLast("refund_request".count) + "returns" }
                if line.hasSuffix(",returns") { return line.dropLast("returns".count) + "refund_request" }
                return String(line)
            }.joined(separator: "\n") + "\n"
        }
        let csv = try Data(contentsOf: URL(fileURLWithPath: lab.root + "/data/train.csv"))
        _ = try Training.run(
            csv: csv, dataPath: lab.root + "/data/train.csv", outPath: lab.root + "/system/weights.json", seed: 42,
            by: "alice", in: Workspace(root: lab.root), now: lab.clock.now)
        let bad = try lab.register("retrained", parent: good.id)
        try lab.promote(bad.shortID, force: true)
        let finding = try investigate(lab)
        #expect(finding.regressionConfirmed)
        #expect(finding.components.contains("weights.json"))
    }

    /// Raising the refund escalation amount flips one floored case at temperature 0: the gate refuses it on the
    /// floor, so investigate must not call it noise (the paired test alone gives p = 1).
    @Test func aFlippedFlooredCaseAtTemperatureZeroIsARegression() throws {
        let lab = try LabWorkspace("playbook")
        let good = try lab.register("baseline")
        try lab.promote("#1")
        try lab.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"refund_escalation_amount\": 500", with: "\"refund_escalation_amount\": 700")
        }
        let bad = try lab.register("raise the refund escalation amount", parent: good.id)
        try lab.promote(bad.shortID, force: true)
        let finding = try investigate(lab)
        let suspect = try #require(finding.suspects.first)
        #expect(suspect.comparison.verdict != .worse, "the suite-level test alone does not see it")
        #expect(finding.regressionConfirmed, "\(finding.conclusion)")
        #expect(suspect.rules.contains(.floor) && suspect.rules.contains(.deterministic), "\(suspect.rules)")
        #expect(suspect.floors.contains { $0.worse && $0.category == "escalate:refund_over_500" })
        #expect(finding.components == ["config.json"])
        #expect(
            finding.conclusion.contains("floored category escalate:refund_over_500 is worse"), "\(finding.conclusion)")
        #expect(finding.conclusion.contains("at temperature 0"), "\(finding.conclusion)")
    }

    /// Determinism cuts both ways: at temperature 0 a change that makes no case fail is noise, with no p-value.
    @Test func aCosmeticChangeAtTemperatureZeroMakesNoCaseFail() throws {
        let lab = try LabWorkspace("playbook")
        let good = try lab.register("baseline")
        try lab.promote("#1")
        try lab.edit("system/prompt.md") { $0 + "\nReviewed on Tuesday.\n" }
        let cosmetic = try lab.register("cosmetic", parent: good.id)
        try lab.promote(cosmetic.shortID, force: true)
        let finding = try investigate(lab)
        let suspect = try #require(finding.suspects.first)
        #expect(suspect.deterministic && suspect.newlyFailing.isEmpty && suspect.rules.isEmpty)
        #expect(!finding.regressionConfirmed, "\(finding.conclusion)")
    }

    @Test func aCosmeticChangeAtTemperatureIsNoise() throws {
        let lab = try LabWorkspace("playbook")
        try lab.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"temperature\": 0", with: "\"temperature\": 0.7")
        }
        let good = try lab.register("sampled baseline")
        try lab.promote("#1", force: true)
        try lab.edit("system/prompt.md") { $0 + "\nReviewed on Monday.\n" }
        let cosmetic = try lab.register("cosmetic", parent: good.id)
        try lab.promote(cosmetic.shortID, force: true)
        let finding = try investigate(lab)
        #expect(!finding.regressionConfirmed)
        #expect(finding.conclusion.contains("not distinguishable from noise"))
    }
}
