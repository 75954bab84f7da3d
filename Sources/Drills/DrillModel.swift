// The drill's vocabulary: fault kinds and the right call for each, the phases a response passes through, the
// events a drill records, and the record a finished drill leaves in the team's workspace.
public import Foundation
import Playbook

/// What "someone" ships during a drill. Each is seeded; `random` is resolved to one of these by the seed.
public enum FaultKind: String, CaseIterable, Codable, Sendable {
    case prompt, config, weights, index, noise
    case lkgTrap = "lkg-trap"
    case fixForward = "fix-forward"
    case twoStep = "two-step"
    /// A subtle wrong fact the label-free monitor cannot see: customers complain (`DrillComplaints`).
    case slowDrift = "slow-drift"
    /// Shipped with a privacy review that names every older release: nothing is known good, fix forward.
    case noCleanLKG = "no-clean-lkg"
    /// A partial rollout: the `canary` tag points at a bad prompt and answers a slice; production stays healthy.
    case badCanary = "bad-canary"

    /// Detected by customers' complaints, not the monitor: the team opens the incident ('incident open').
    public var detectedByComplaint: Bool { self == .slowDrift }

    /// The right call, as the game master's sheet and the grader state it.
    public var rightCall: RightCall {
        switch self {
        case .noise: return .investigateAndKeep
        case .fixForward: return .fixForward
        case .noCleanLKG: return .fixForwardWithoutKnownGood
        case .badCanary: return .stopCanary
        default: return .rollBackToLastKnownGood
        }
    }

    /// One line for the game master: what was shipped.
    public var gameMasterSummary: String {
        switch self {
        case .prompt: return "the prompt lost the legal_threat escalation trigger (system/prompt.md)"
        case .config:
            return "config.json's confidence_threshold was set to 0, so unsure answers are no longer clarified"
        case .weights: return "weights retrained on data with refund and return labels swapped (system/weights.json)"
        case .index: return "the orders guide was deleted from the retrieval index (system/index/orders.md)"
        case .noise:
            return "a notes-only change, shipped while a newsletter doubles refund and return "
                + "questions: the monitor's alarm is the traffic, not the version"
        case .lkgTrap:
            return "a bad prompt built on the version the old incident named bad: its parent is bad too"
        case .fixForward:
            return "one release carries a required privacy-notice change (system/index/privacy.md) and a bad "
                + "config.json (confidence_threshold 0)"
        case .twoStep:
            return "two steps: a harmless notes change through its gate, then at once a bad prompt on top of it "
                + "(the legal_threat escalation trigger dropped): the harmless parent never ran in production"
        case .slowDrift:
            return "the returns guide now says 7 days, not 30 (system/index/returns.md): the monitor stays quiet, "
                + "customers complain"
        case .noCleanLKG:
            return "a privacy review names every older release bad, then a bad prompt ships (the legal_threat "
                + "escalation trigger dropped): no version is known good, so fix forward"
        case .badCanary:
            return "a partial rollout: the canary tag points at a bad prompt (the legal_threat and account_takeover "
                + "escalation triggers dropped) and answers \(CanarySlice.percent)% of requests; production stays healthy, so stop the "
                + "canary and keep production"
        }
    }
}

public enum RightCall: String, Codable, Sendable {
    case rollBackToLastKnownGood = "roll back to the last known good"
    case investigateAndKeep = "investigate, keep production, close as a false alarm"
    case fixForward = "fix forward: roll back only the bad component, keep the required change"
    case fixForwardWithoutKnownGood =
        "fix forward: no version is known good, so restore the bad component from the parent and promote that"
    case stopCanary = "stop the canary: move the canary tag back to production, keep production where it is"
}

/// The phases of a response, in order; each is reached at the time of a recorded event.
public enum Phase: String, CaseIterable, Codable, Sendable {
    case detected, acknowledged, diagnosed, mitigated, recovered, resolved

    /// The lap's target in seconds, from the previous phase reached (detected: from the fault shipping).
    public var targetSeconds: Double {
        switch self {
        case .detected: return 90
        case .acknowledged: return 60
        case .diagnosed: return 240
        case .mitigated: return 180
        case .recovered: return 120
        case .resolved: return 300
        }
    }

    /// What event reaches the phase, for people reading a debrief.
    public var meaning: String {
        switch self {
        case .detected: return "the monitor's alarm opened the incident"
        case .acknowledged: return "someone ran 'drill ack'"
        case .diagnosed: return "an investigate or diff named the shipped version"
        case .mitigated: return "production moved"
        case .recovered: return "live signals back within bounds on the restored version"
        case .resolved: return "the incident was closed with a resolution"
        }
    }
}

/// The roles a drill records per action.
public enum DrillRole: String, CaseIterable, Codable, Sendable {
    case commander, scribe, `operator`

    public var title: String {
        switch self {
        case .commander: return "incident commander"
        case .scribe: return "scribe"
        case .operator: return "operator"
        }
    }
}

/// The event kinds a drill writes into its own workspace's log; each kind's payload is beside its writer.
public enum DrillEvent {
    public static let started = DrillStarted.kind
    /// Hidden from participants' views until the drill ends (sealed, and in older logs in plain text).
    public static let fault = DrillFaultShipped.kind
    public static let sealedFault = DrillFaultSealed.kind
    public static let opened = DrillOpened.kind
    public static let joined = DrillJoined.kind
    public static let acknowledged = DrillAcknowledged.kind
    /// A diff a participant looked at during the drill (diff writes nothing else).
    public static let looked = DrillDiffRead.kind
    public static let recovered = DrillRecovered.kind
    public static let ended = DrillEnded.kind

    /// Kinds participants' views leave out while the drill runs.
    public static let hidden: Set<String> = [fault, sealedFault]
}

/// One lap: the phase, when it was reached, and how long it took from the previous phase reached.
public struct Lap: Codable, Sendable, Equatable {
    public var phase: Phase
    public var at: Date?
    public var seconds: Double?
    public var targetSeconds: Double
    /// The event that reached it (its sequence number in the drill's log).
    public var event: Int?
    public var by: String?
    public var role: String?
    public var met: Bool? { seconds.map { $0 <= targetSeconds } }

    enum CodingKeys: String, CodingKey {
        case phase, at, seconds, event, by, role, met
        case targetSeconds = "target_s"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(phase, forKey: .phase)
        try container.encodeIfPresent(at, forKey: .at)
        try container.encodeIfPresent(seconds, forKey: .seconds)
        try container.encode(targetSeconds, forKey: .targetSeconds)
        try container.encodeIfPresent(event, forKey: .event)
        try container.encodeIfPresent(by, forKey: .by)
        try container.encodeIfPresent(role, forKey: .role)
        try container.encodeIfPresent(met, forKey: .met)
    }

    public init(
        phase: Phase, at: Date?, seconds: Double?, event: Int?, by: String?, role: String?
    ) {
        self.phase = phase
        self.at = at
        self.seconds = seconds
        self.targetSeconds = phase.targetSeconds
        self.event = event
        self.by = by
        self.role = role
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        phase = try container.decode(Phase.self, forKey: .phase)
        at = try container.decodeIfPresent(Date.self, forKey: .at)
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds)
        targetSeconds = try container.decode(Double.self, forKey: .targetSeconds)
        event = try container.decodeIfPresent(Int.self, forKey: .event)
        by = try container.decodeIfPresent(String.self, forKey: .by)
        role = try container.decodeIfPresent(String.self, forKey: .role)
    }
}

/// Whether the team made the right call, and why, in the sentence the debrief prints.
public struct CallVerdict: Codable, Sendable, Equatable {
    public var right: Bool
    public var expected: RightCall
    public var finding: String
    /// Where production went first after the alarm (nil: it never moved).
    public var firstTarget: String?
    /// The call's points out of `DrillScoring.callPoints`, graded by consequence (absent in older records).
    public var points: Int?
    /// The share of requests after the alarm that the bad version answered (harm while it served).
    public var harmShare: Double?

    enum CodingKeys: String, CodingKey {
        case right, expected, finding, points
        case firstTarget = "firstTarget"
        case harmShare = "harm_share"
    }

    public init(
        right: Bool, expected: RightCall, finding: String, firstTarget: String?, points: Int? = nil,
        harmShare: Double? = nil
    ) {
        self.right = right
        self.expected = expected
        self.finding = finding
        self.firstTarget = firstTarget
        self.points = points
        self.harmShare = harmShare
    }
}

/// One person's part in a drill.
public struct Participant: Codable, Sendable, Equatable {
    public var name: String
    public var roles: [DrillRole]
    public var actions: Int
}

/// What the fault was, revealed once the drill has ended.
public struct FaultFacts: Codable, Sendable, Equatable {
    public var kind: FaultKind
    public var shippedAt: Date
    public var badVersion: String
    public var parent: String
    public var lastKnownGood: String
    public var badComponent: String?
    public var requiredComponent: String?
    public var shippedBy: String
    /// The team's fault it was, when the drill played one from a team's catalogue (`kind` is the kit fault it
    /// played as).
    public var team: TeamFault? = nil

    /// What the debrief calls the fault, and what shipped.
    public var name: String { team?.name ?? kind.rawValue }
    public var summary: String { team?.summary ?? kind.gameMasterSummary }

    enum CodingKeys: String, CodingKey {
        case kind, parent, team
        case shippedAt = "shipped_at"
        case badVersion = "bad_version"
        case lastKnownGood = "last_known_good"
        case badComponent = "bad_component"
        case requiredComponent = "required_component"
        case shippedBy = "shipped_by"
    }
}

/// The record a finished drill leaves in the team's workspace (`.labrunner/drills/<id>.json`).
public struct DrillRecord: Codable, Sendable, Equatable {
    public var id: String
    public var code: String
    public var startedAt: Date
    public var endedAt: Date
    public var ending: DrillEnding
    public var fault: FaultFacts?
    public var incident: String?
    public var laps: [Lap]
    public var call: CallVerdict?
    /// Detection → production moved (the drill's time to rollback or fix).
    public var timeToMitigateSeconds: Double?
    /// The kit's own scripted response on the same drill, detection → mitigated (or resolved, for noise).
    public var optimalSeconds: Double?
    /// The team's time beyond the scripted response.
    public var overheadSeconds: Double?
    public var participants: [Participant]
    public var score: Int
    /// The follow-ups, each with an id, owner and due date; older records hold plain sentences (`ActionItem`).
    public var actionItems: [ActionItem]
    /// The drill's own workspace, relative to the team's.
    public var workspace: String

    enum CodingKeys: String, CodingKey {
        case id, code, ending, fault, incident, laps, call, participants, score, workspace
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case timeToMitigateSeconds = "time_to_mitigate_s"
        case optimalSeconds = "optimal_s"
        case overheadSeconds = "overhead_s"
        case actionItems = "action_items"
    }

    /// Ran to `drill end` with a fault shipped: the only drills that satisfy the cadence.
    public var isCompleted: Bool { ending == .ended && fault != nil }

    /// Right or wrong, as history lists it.
    public var outcome: String {
        guard fault != nil else { return "no fault shipped" }
        guard let call else { return "unfinished" }
        return call.right ? "right" : "wrong"
    }
}
