// The `lab.started` and `lab.ready` events: written by LabKit when a lab starts or is reset, read by the report
// page for its rehearsals. Declared here, the lowest module both see, so there is one declaration of each kind
// and one rule for which starts count as attempts.
public import Registry

/// `lab.started`: one attempt at a lab began, graded against the manifest stored under `manifestSHA256`.
public struct LabStarted: EventPayload, Equatable {
    public static let kind = "lab.started"
    public var lab: String
    /// The blob holding the lab's manifest as it was started.
    public var manifestSHA256: String
    /// 1 for the first start, then one more for each reset.
    public var attempt: Int
    /// True when a script (the lab's setup, or the reference solution laying it down) runs after this event:
    /// the attempt counts only once its `lab.ready` follows. Absent on starts with nothing to run, and on every
    /// start recorded before `lab.ready` existed, which count at once.
    public var awaitsReady: Bool?
    /// One hash over every file of the lab as started (manifest, page, scripts, reference solution); absent on
    /// starts recorded before it was.
    public var labSHA256: String?
    /// The seed a challenge-mode start laid the lab from (which variant of its story it is); absent in guided mode.
    public var seed: Int?

    public init(
        lab: String, manifestSHA256: String, attempt: Int, awaitsReady: Bool? = nil, labSHA256: String? = nil,
        seed: Int? = nil
    ) {
        self.lab = lab
        self.manifestSHA256 = manifestSHA256
        self.attempt = attempt
        self.awaitsReady = awaitsReady
        self.labSHA256 = labSHA256
        self.seed = seed
    }

    /// "challenge (seed N)" or "guided", as grades, banners and reports say it.
    public var modeWords: String { seed.map { "challenge (seed \($0))" } ?? "guided" }

    enum CodingKeys: String, CodingKey {
        case lab, attempt, seed
        case manifestSHA256 = "manifest_sha256"
        case awaitsReady = "awaits_ready"
        case labSHA256 = "lab_sha256"
    }
}

/// `lab.ready`: the scripts a start awaited (its setup; when laid down, the reference solution too) finished, so
/// the attempt begun by event `start` counts. A start killed before this is not an attempt: the next
/// `lab start` or `lab reset` begins it again from the lab's starting state.
public struct LabReady: EventPayload, Equatable {
    public static let kind = "lab.ready"
    public var lab: String
    public var attempt: Int
    /// The seq of the `lab.started` event this completes.
    public var start: Int

    public init(lab: String, attempt: Int, start: Int) {
        self.lab = lab
        self.attempt = attempt
        self.start = start
    }
}

extension LabStarted {
    /// The starts that count as attempts, oldest first: each one that awaited nothing, or whose `lab.ready`
    /// was recorded. A start whose scripts were interrupted is left out, so a kill never adds an attempt.
    public static func attempts(in events: [Event]) throws -> [(event: Event, payload: LabStarted)] {
        let ready = Set(try events.payloads(LabReady.self).map(\.payload.start))
        return try events.payloads(LabStarted.self).filter { $0.payload.counts(start: $0.event.seq, ready: ready) }
    }

    /// Whether this start, event `start`, is an attempt, given the starts a `lab.ready` names.
    public func counts(start: Int, ready: Set<Int>) -> Bool { awaitsReady != true || ready.contains(start) }
}
