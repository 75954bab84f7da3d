// The published flaw taxonomy: every code a finding may use, its severity, the play it breaks, how the kit's own
// commands expose it and what the right practice is. Docs/critique.md is written from this table.

public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    case high, medium, low

    /// Weight in recall: missing a high-severity flaw costs three times a low one.
    public var weight: Int {
        switch self {
        case .high: return 3
        case .medium: return 2
        case .low: return 1
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.weight > rhs.weight }
}

public struct FlawKind: Codable, Sendable, Equatable {
    public var code: String
    public var title: String
    public var severity: Severity
    /// The play (1 register … 7 investigate) whose practice the flaw breaks.
    public var play: Int
    /// The kit's commands that expose it.
    public var detection: String
    public var practice: String
}

public enum Taxonomy {
    public static let kinds: [FlawKind] = [
        FlawKind(
            code: "PROMPT-EDITED-IN-PLACE",
            title: "Weights versioned but the prompt edited in place after registration",
            severity: .high, play: 1,
            detection: "LabRunner hash system/prompt.md, compared with the prompt blob in 'LabRunner show production'",
            practice: "Every behaviour-affecting component is part of the version: edit, then register a new version."),
        FlawKind(
            code: "PROMPT-STORE-LABEL",
            title: "Prompt served from a separate store whose label moved outside the registry",
            severity: .high, play: 1,
            detection: "LabRunner hash on the store's prompt, 'LabRunner show production', 'LabRunner log' (no event)",
            practice: "One composite version id covers prompt, weights, config and index; labels are registry tags."),
        FlawKind(
            code: "COPY-PROMOTION", title: "Promotion by copying files instead of moving the tag",
            severity: .high, play: 2,
            detection: "LabRunner hash deploy/current/*, against 'LabRunner tags' and 'LabRunner show production'",
            practice: "Serving reads the production tag; promotion is a recorded, gated tag move."),
        FlawKind(
            code: "LOGS-WITHOUT-VERSION", title: "Serving logs without version ids",
            severity: .high, play: 5,
            detection: "LabRunner audit REQ for an id from the team's log: the attribution log does not know it",
            practice: "Every request is logged with the version id that answered it, so audit and replay work."),
        FlawKind(
            code: "SUITE-CHANGED", title: "Eval suite changed between two compared versions",
            severity: .medium, play: 7,
            detection:
                "LabRunner show on both versions (different suite SHA-256), 'LabRunner suite show', 'LabRunner log'",
            practice: "Compare versions only on the same pinned suite; eval compare refuses different suites."),
        FlawKind(
            code: "GC-DELETED-SERVED", title: "GC deleted blobs of a version that served traffic",
            severity: .high, play: 6,
            detection:
                "LabRunner log (gc.collected naming the version), 'LabRunner requests', 'LabRunner audit REQ --replay'",
            practice: "Retention keeps every version that answered a request; gc --dry-run first."),
        FlawKind(
            code: "MUTABLE-LATEST", title: "A mutable 'latest-build' tag used as production",
            severity: .medium, play: 2,
            detection:
                "deploy/serve.json names 'latest-build'; 'LabRunner tags' and 'LabRunner log' show it moved on every register",
            practice: "Serve the production tag, moved only by the promote play (gate, approver, event)."),
        FlawKind(
            code: "NOISE-REGRESSION", title: "A regression called from noise (tiny n, sampled)",
            severity: .medium, play: 7,
            detection: "LabRunner eval compare / investigate: not distinguishable at temperature > 0 with repeats",
            practice: "Case-level, repeated evals with a stated test before calling a regression."),
        FlawKind(
            code: "NO-LINEAGE", title: "A version with no parent or no dataset lineage",
            severity: .medium, play: 1,
            detection: "LabRunner versions / show #N: parent none in the middle of a history",
            practice: "Every version names its parent and the dataset its weights came from."),
        FlawKind(
            code: "UNRECORDED-TRAINING", title: "Training without a recorded seed",
            severity: .medium, play: 1,
            detection:
                "LabRunner show #N: lineage_unverified; 'LabRunner log' has no training.recorded for the weights",
            practice: "Train with LabRunner train so data hash, seed and hyperparameters are recorded."),
        FlawKind(
            code: "NO-ROLLBACK-REHEARSAL", title: "No rollback rehearsal in 90 days",
            severity: .low, play: 3,
            detection: "LabRunner log: the last rollback event is more than 90 days before the last event",
            practice: "Rehearse a rollback at least every 90 days, with rollback --dry-run and a drill."),
        FlawKind(
            code: "APPROVER-IS-AUTHOR", title: "Approver is the author on a high-stakes promotion",
            severity: .high, play: 2,
            detection:
                "LabRunner log / show #N: the production move's approver is the version's owner, high_stakes true",
            practice: "High-stakes promotions need a second person; the promote play refuses the author."),
        FlawKind(
            code: "CONFIG-WITHOUT-EVAL", title: "A config change shipped without an eval",
            severity: .high, play: 1,
            detection: "LabRunner show #N: no eval recorded; 'LabRunner log': the production move has no gate",
            practice: "Config is a component: register it through the gate, promote through the play."),
        FlawKind(
            code: "FORCED-AS-KNOWN-GOOD", title: "A force-promoted version later used as last known good",
            severity: .medium, play: 3,
            detection:
                "LabRunner rollback --dry-run skips it (gate overridden); 'LabRunner log' shows the hand move to it",
            practice: "Last known good passed its gate without override; let the rollback play choose it."),
        FlawKind(
            code: "DETECTION-BEFORE-DEPLOY", title: "Incident detection time before the deploy it blames",
            severity: .low, play: 3,
            detection: "LabRunner incident show INC-N: detected_at earlier than the bad version's production move",
            practice: "Record detection when the symptom is seen; the incident play refuses impossible times."),
        FlawKind(
            code: "INPUTS-RETAINED", title: "Request inputs kept past their retention period",
            severity: .medium, play: 5,
            detection: "LabRunner requests: full text on requests older than the retention period",
            practice: "Inputs past retention are dropped and only their SHA-256 kept."),
        FlawKind(
            code: "INCIDENT-LEFT-OPEN", title: "An incident rolled back but never closed",
            severity: .low, play: 3,
            detection: "LabRunner incident list: open after its rollback",
            practice: "Close incidents with a resolution; the write-up follows."),
        FlawKind(
            code: "SUITE-UNPINNED", title: "Gates ran a workspace suite file that was never pinned",
            severity: .medium, play: 2,
            detection: "LabRunner suite show: no pin, or the workspace file differs from the pin",
            practice: "Pin the standard suite in the registry; gates run the pinned copy."),
    ]

    /// Things that look odd and are fine: reporting them costs points.
    public static let herrings: [FlawKind] = [
        FlawKind(
            code: "HERRING-COSMETIC-PROMPT", title: "A cosmetic prompt change with its own version id", severity: .low,
            play: 1, detection: "LabRunner diff #A #B: notes lines only; registered through the gate",
            practice: "Fine: any prompt edit is a new version, even one that changes no behaviour."),
        FlawKind(
            code: "HERRING-EXPIRED-EXPERIMENT", title: "An expired experiment collected properly", severity: .low,
            play: 6, detection: "LabRunner log: gc.planned then gc.collected of a version that never served",
            practice: "Fine: expired experiment versions that never served are what gc is for; metadata is kept."),
        FlawKind(
            code: "HERRING-STORE-LAGGING", title: "A prompt-store label that is not on the newest file", severity: .low,
            play: 1,
            detection: "LabRunner hash on the labelled file equals the prompt blob of 'LabRunner show production'",
            practice: "Fine: the label serves production's exact prompt; the newer file is a draft nobody serves."),
    ]

    public static func kind(_ code: String) -> FlawKind? {
        (kinds + herrings).first { $0.code == code.uppercased() }
    }
}
