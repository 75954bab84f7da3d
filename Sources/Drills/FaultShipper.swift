// Ships the drill's fault as "someone" on the team would: builds the change on a checkout of its base version,
// registers it, promotes it (forcing past a failed gate, as a hurried hotfix does), and records what was done
// sealed under the game master's token (`drill.fault.sealed`), opened only once the drill ends.
public import Foundation
import Hashing
public import Playbook
public import Registry

/// `drill.fault`: what was shipped, in plain text, as drills before sealing recorded it (read, no longer written).
public struct DrillFaultShipped: EventPayload {
    public static let kind = "drill.fault"
    public var drill: String
    public var kind: FaultKind
    public var badVersion: String
    public var parent: String
    public var lastKnownGood: String
    public var shippedAt: Date
    public var badComponent: String?
    /// The component the release had to keep (fix-forward only).
    public var requiredComponent: String?
    /// The live traffic's mix during the drill, when the fault brings its own (see `TrafficMix`).
    public var traffic: String?
    public var drillID: String

    public init(drill: String, facts: FaultFacts, traffic: String?) {
        self.drill = drill
        kind = facts.kind
        badVersion = facts.badVersion
        parent = facts.parent
        lastKnownGood = facts.lastKnownGood
        shippedAt = facts.shippedAt
        badComponent = facts.badComponent
        requiredComponent = facts.requiredComponent
        self.traffic = traffic
        drillID = drill
    }

    /// The facts the debrief reveals; the shipper is always the kit's teammate.
    public var facts: FaultFacts {
        FaultFacts(
            kind: kind, shippedAt: shippedAt, badVersion: badVersion, parent: parent, lastKnownGood: lastKnownGood,
            badComponent: badComponent, requiredComponent: requiredComponent, shippedBy: FaultShipper.shipper)
    }

    enum CodingKeys: String, CodingKey {
        case drill, kind, parent, traffic
        case badVersion = "bad_version"
        case lastKnownGood = "last_known_good"
        case shippedAt = "shipped_at"
        case badComponent = "bad_component"
        case requiredComponent = "required_component"
        case drillID = "drill_id"
    }
}

public enum FaultShipper {
    /// The teammate who ships the change.
    public static let shipper = "dana"
    /// The kit's second person who approves the shipper's change (every promotion needs one); like the shipper,
    /// never a participant.
    public static let approver = "kit-reviewer"
    static let swappedLabels = ("refund_request", "returns")
    static let privacyNotice =
        "\nFrom 1 December chat transcripts are kept for 30 days, not 90 (privacy policy PRIV-7, required by law).\n"

    /// Builds, registers and promotes the fault, then records what shipped sealed under `seal`.
    @discardableResult
    public static func ship(
        _ plan: DrillPlan, laid: LaidHistory, drill: String, seal: DrillSeal, in context: PlayContext
    ) throws -> FaultFacts {
        let kind = plan.fault
        var base = kind == .lkgTrap ? laid.oldBad : laid.recent
        // The two-step fault's first step is harmless and passes its gate, but the bad one follows before it ran
        // in production: it is not known good, and the last known good stays the laid one.
        if kind == .twoStep { base = try shipHarmlessStep(on: base, seed: plan.seed, in: context) }
        if kind == .noCleanLKG { try namePastReleases(in: context) }
        let (reason, bad, required) =
            try plan.team.map { try build($0, on: base, seed: plan.seed, in: context) }
            ?? build(kind, on: base, seed: plan.seed, in: context)
        let record = try context.registry.record(id: bad)
        if kind == .badCanary {
            // A partial rollout: the canary tag, not production, moves (a recorded event like every tag move).
            try context.registry.moveTag(CanarySlice.tag, to: record.id, by: shipper, reason: reason)
        } else {
            try promote(record.id, reason: reason, in: context)
        }
        let facts = FaultFacts(
            kind: kind, shippedAt: context.now(), badVersion: bad, parent: base,
            lastKnownGood: laid.lastKnownGood,
            badComponent: plan.team?.change.component ?? kind.badComponent, requiredComponent: required,
            shippedBy: shipper, team: plan.team)
        let sealed = try seal.seal("fault", facts)
        let shipped = DrillFaultSealed(drill: drill, seal: sealed.box, commitment: sealed.commitment)
        _ = try context.registry.write { writer in try writer.append(shipped, actor: "drill") }
        return facts
    }

    /// Promotes the shipped change, forced past a failed gate as a hurried hotfix is.
    static func promote(_ id: String, reason: String, in context: PlayContext) throws {
        do {
            // The shipper's change is approved by a teammate: every promotion needs a second person.
            _ = try PromotePlay.run(PromoteRequest(ref: id, approver: approver), in: context)
        } catch PlaybookError.gateFailed, PlaybookError.breakGlassNeeded {
            _ = try PromotePlay.run(
                PromoteRequest(ref: id, approver: approver, force: true, reason: "\(reason); the eval run was flaky"),
                in: context)
        }
    }

    /// Registers the fault's version built on `base`; returns the registration reason, its id and the required
    /// component (fix-forward only).
    static func build(_ kind: FaultKind, on base: String, seed: UInt64, in context: PlayContext) throws -> (
        String, String, String?
    ) {
        // From the same neutral pool as the harmless changes the history laid: the reason says nothing.
        let neutral = HistoryLayer.neutralReason(seed: seed, index: 0)
        var reason = neutral
        var required: String?
        let id = try registerOnCheckout(of: base, by: shipper, brokenLineageOK: kind == .weights, in: context) {
            edits in
            switch kind {
            case .prompt, .lkgTrap, .twoStep, .noCleanLKG:
                try dropLegalThreat(edits)
            case .badCanary:
                // A slice answers a fifth of the traffic: its change must be plain enough to show there in time.
                try edits.replace(
                    "system/prompt.md", "escalate: refund_over_500, legal_threat, account_takeover",
                    with: "escalate: refund_over_500")
            case .slowDrift:
                // The same words, one number changed: answers cite the same guide at the same length.
                try edits.replace(
                    "system/index/returns.md", "within 30 days of delivery", with: "within 7 days of delivery")
            case .config:
                try answerWithoutClarifying(edits)
            case .weights:
                try retrainOnSwappedLabels(in: context)
            case .index:
                try FileManager.default.removeItem(atPath: edits.root + "/system/index/orders.md")
            case .noise:
                try edits.appendNote("Newsletter week: expect more refund and return questions.")
            case .fixForward:
                try edits.write("system/index/privacy.md", try edits.read("system/index/privacy.md") + privacyNotice)
                try answerWithoutClarifying(edits)
                // The release notes name the legal change, as a real team's would; the rest stays neutral.
                reason = "privacy notice PRIV-7 (required by law from 1 December) and " + neutral
                required = "index"
            }
            return reason
        }
        return (reason, id, required)
    }

    /// A team's fault built on `base`: its change (and, for a fix forward, the change the release must keep, which
    /// the reason names as a real team's release notes would).
    static func build(_ fault: TeamFault, on base: String, seed: UInt64, in context: PlayContext) throws -> (
        String, String, String?
    ) {
        let neutral = HistoryLayer.neutralReason(seed: seed, index: 0)
        let reason = fault.required.map { "required change to \($0.file) and " + neutral } ?? neutral
        let id = try registerOnCheckout(of: base, by: shipper, in: context) { edits in
            try fault.required?.make(edits)
            try fault.change.make(edits)
            return reason
        }
        return (reason, id, fault.required?.component)
    }

    /// The two-step fault's first step: a notes change on `base`, promoted through its gate by the shipper's
    /// reviewer; its id.
    static func shipHarmlessStep(on base: String, seed: UInt64, in context: PlayContext) throws -> String {
        let id = try registerOnCheckout(of: base, by: shipper, in: context) { edits in
            try edits.appendNote("Tracking links in order emails open the carrier's own page.")
            return HistoryLayer.neutralReason(seed: seed, index: HistoryLayer.neutralReasons.count - 1)
        }
        _ = try PromotePlay.run(PromoteRequest(ref: id, approver: approver), in: context)
        return id
    }

    /// The no-clean-lkg fault's review: an incident, opened and closed by the story's on-call, naming each release
    /// that otherwise would be known good, so the rollback play finds none and the team must fix forward.
    static func namePastReleases(in context: PlayContext) throws {
        let events = try context.registry.events()
        let named = Set(try Incidents.all(events: events).compactMap(\.badVersion))
        let held = try context.registry.tagHistory("production").map(\.to)
        var seen: Set<String> = []
        for version in held where !named.contains(version) && seen.insert(version).inserted {
            guard try RollbackPlay.reasonsNotKnownGood(version, in: context).isEmpty else { continue }
            let incident = try Incidents.open(
                symptom: "privacy review PRIV-9: order emails quote the previous customer's order number",
                detectedAt: nil, badVersion: version, by: HistoryLayer.onCall, in: context)
            _ = try Incidents.close(
                incident.id, resolution: "found by the privacy review; the affected customers were told",
                by: HistoryLayer.onCall, in: context)
        }
    }

    /// Registers a version built on a checkout of `base` (its parent), edited by `edit`, which returns the
    /// reason. The workspace's own system/ is set aside meanwhile and put back untouched.
    public static func registerOnCheckout(
        of base: String, by owner: String, brokenLineageOK: Bool = false, in context: PlayContext,
        edit: (SystemEdits) throws -> String
    ) throws -> String {
        let system = context.workspace.systemPath
        let aside = context.workspace.markerPath + "/drill-aside-" + UUID().uuidString
        let manager = FileManager.default
        try manager.moveItem(atPath: system, toPath: aside)
        defer {
            // Putting the team's system/ back is best effort on every path; a failure here must not hide the
            // error that ended the edit.
            try? manager.removeItem(atPath: system)
            try? manager.moveItem(atPath: aside, toPath: system)
        }
        try context.registry.checkout(try context.registry.record(id: base), into: system)
        let reason = try edit(SystemEdits(root: context.workspace.root))
        let request = RegisterRequest(
            owner: owner, reason: reason, parent: base, root: false, lineageBrokenOK: brokenLineageOK)
        return try RegisterPlay.run(request, in: context).record.id
    }

    static func answerWithoutClarifying(_ edits: SystemEdits) throws {
        try edits.replace("system/config.json", "\"confidence_threshold\": 0.45", with: "\"confidence_threshold\": 0")
    }

    static func dropLegalThreat(_ edits: SystemEdits) throws {
        try edits.replace(
            "system/prompt.md", "escalate: refund_over_500, legal_threat, account_takeover",
            with: "escalate: refund_over_500, account_takeover")
    }

    /// Retrains weights on the bundled data with two intents' labels swapped, recorded as a real training run.
    static func retrainOnSwappedLabels(in context: PlayContext) throws {
        let workspace = context.workspace
        guard let csv = FileManager.default.contents(atPath: workspace.trainingDataPath) else {
            throw DrillsError.buildFailed("data/train.csv is missing")
        }
        let (a, b) = swappedLabels
        let swapped = String(decoding: csv, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> String in
                if line.hasSuffix(",\(a)") { return line.dropLast(a.count) + b }
                if line.hasSuffix(",\(b)") { return line.dropLast(b.count) + a }
                return String(line)
            }.joined(separator: "\n")
        _ = try Training.run(
            csv: Data(swapped.utf8), dataPath: workspace.root + "/data/train-relabelled.csv",
            outPath: workspace.systemPath + "/weights.json", seed: 42, by: shipper, in: workspace, now: context.now)
    }
}

extension FaultKind {
    /// The component the fault breaks (nil for noise, which breaks nothing).
    public var badComponent: String? {
        switch self {
        case .prompt, .lkgTrap, .twoStep, .noCleanLKG, .badCanary: return "prompt.md"
        case .slowDrift: return "index"
        case .config, .fixForward: return "config.json"
        case .weights: return "weights.json"
        case .index: return "index"
        case .noise: return nil
        }
    }
}

/// The live traffic's customer mix: normal, or the newsletter campaign the noise fault brings.
public enum TrafficMix {
    public static let campaign = "campaign"
    /// Intents the campaign brings more of.
    public static let campaignIntents: Set<String> = ["refund_request", "returns"]
}
