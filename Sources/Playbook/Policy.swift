// The policy, pinned like the suite (Pins.swift): `.labrunner/settings.json` (thresholds, floors, alpha, repeats,
// retention, every key it has) is stored as a blob, with defaults filled in, by a `policy.pinned` event naming who
// changed it and why. Every gate, canary and rollback decision records the hash of the pin in force. A
// settings.json that differs from the pin is refused by those plays, naming the difference and `policy pin`: an
// edit nobody pinned must not quietly change what the numbers mean. A pin that loosens the policy (a lower pass
// threshold, a floor removed, a higher alpha, fewer repeats, another standard suite) needs a second person. With
// no pin yet, the first decision pins the file ("first use") unless it loosens the kit's defaults.
public import Foundation
import Hashing
public import Registry

/// A pin of the policy as the log records it.
public struct PinnedPolicy: Encodable, Sendable, Equatable {
    public var sha256: String
    public var by: String
    public var reason: String
    public var approver: String?
    /// What it loosened from the pin before it (or the kit's defaults), in words.
    public var loosened: [String]
    public var at: Date
    public var event: Int

    init(_ pinned: PolicyPinned, event: Event) {
        sha256 = pinned.sha256
        by = event.actor
        reason = pinned.reason
        approver = pinned.approver
        loosened = pinned.loosened.map { $0.components(separatedBy: "; ") } ?? []
        at = event.at
        self.event = event.seq
    }
}

/// `policy.pinned`: the workspace's settings stored as a blob and named the policy decisions run under.
public struct PolicyPinned: EventPayload {
    public static let kind = "policy.pinned"
    public var sha256: String
    public var reason: String
    /// The workspace file it was pinned from.
    public var file: String
    /// The second person who allowed a pin that loosens the policy.
    public var approver: String?
    /// What it loosened, joined by "; ".
    public var loosened: String?
    /// The hash of the pin it replaced.
    public var previous: String?
}

/// `policy pin` and `policy show`: the pin in force and how settings.json differs from it.
public struct PolicyReport: Encodable, Sendable {
    /// The pin in force (after `policy pin`, the one it wrote or the one already in force).
    public var pin: PinnedPolicy?
    /// The pin it replaced (`policy pin` only).
    public var previous: PinnedPolicy?
    public var file: String
    /// The hash pinning settings.json would record.
    public var fileSHA256: String
    /// Each setting that differs, `key before → after`, against the pin in force (or the kit's defaults).
    public var changes: [String]
    /// The changes that loosen the policy, in words: pinning them needs a second person.
    public var loosens: [String]
    /// settings.json is the pinned policy: nothing to pin (or, after `policy pin`, nothing was written).
    public var unchanged: Bool

    enum CodingKeys: String, CodingKey {
        case pin, previous, file, changes, loosens, unchanged
        case fileSHA256 = "file_sha256"
    }
}

public enum PolicyPins {
    public static let pinnedEvent = PolicyPinned.kind
    public static let file = ".labrunner/settings.json"

    public static func all(events: [Event]) throws -> [PinnedPolicy] {
        try events.payloads(PolicyPinned.self).map { PinnedPolicy($0.payload, event: $0.event) }
    }

    public static func current(events: [Event]) throws -> PinnedPolicy? { try all(events: events).last }

    /// The bytes a pin stores: the settings with every default filled in, as canonical JSON.
    static func encode(_ settings: PlaybookSettings) throws -> Data { try CanonicalJSON.encode(settings) }

    /// The settings a pin stored; a missing or unreadable blob is an error naming the pin.
    static func load(_ pin: PinnedPolicy, in registry: Registry) throws -> PlaybookSettings {
        do {
            return try JSONDecoder().decode(PlaybookSettings.self, from: try registry.objects.get(pin.sha256))
        } catch {
            throw PlaybookError.invalid(
                "The pinned policy \(pin.sha256.prefix(12)) (event #\(pin.event)) cannot be read from the store; "
                    + "run 'LabRunner fsck', then pin settings.json again with 'LabRunner policy pin --reason TEXT'.")
        }
    }

    /// settings.json against the pin in force (or the kit's defaults when nothing is pinned); writes nothing.
    public static func show(in context: PlayContext) throws -> PolicyReport {
        let pin = try current(events: try context.registry.events())
        return try report(pin: pin, previous: nil, in: context)
    }

    static func report(pin: PinnedPolicy?, previous: PinnedPolicy?, in context: PlayContext) throws -> PolicyReport {
        let base = try pin.map { try load($0, in: context.registry) } ?? PlaybookSettings()
        let sha = SHA256.hash(try encode(context.settings)).hex
        return PolicyReport(
            pin: pin, previous: previous, file: file, fileSHA256: sha,
            changes: try context.settings.differences(from: base), loosens: context.settings.loosenings(from: base),
            unchanged: pin?.sha256 == sha)
    }

    /// Pins settings.json as the policy, by `actor` for `reason`; a pin that loosens the policy in force (or the
    /// kit's defaults, for the first pin) needs `approver`, a second person. Pinning the policy in force again
    /// writes nothing.
    public static func pin(reason: String, by actor: String, approver: String?, in context: PlayContext) throws
        -> PolicyReport
    {
        try RegisterPlay.requireText(
            reason, field: "--reason", hint: "every policy change records why, pass --reason TEXT")
        try RegisterPlay.requireText(
            actor, field: "--by", hint: "every policy change records who made it, pass --by NAME")
        return try pin(reason: reason, by: actor, approver: approver, onlyIfNone: false, in: context)
    }

    static func looseningRefused(_ loosens: String) -> any Error {
        PlaybookError.invalid(
            "settings.json loosens the policy (\(loosens)), which needs a second person: pin it with "
                + "'LabRunner policy pin --reason TEXT --approver NAME', NAME someone other than you, or undo the edit."
        )
    }

    static func pin(reason: String, by actor: String, approver: String?, onlyIfNone: Bool, in context: PlayContext)
        throws -> PolicyReport
    {
        let data = try encode(context.settings)
        let sha = SHA256.hash(data).hex
        var previous: PinnedPolicy?
        let written = try Pins.write(by: actor, approver: approver, in: context, refusal: looseningRefused) {
            events -> Pins.Draft<PolicyPinned>? in
            previous = try current(events: events)
            if let previous, onlyIfNone || previous.sha256 == sha { return nil }
            let base = try previous.map { try load($0, in: context.registry) } ?? PlaybookSettings()
            let loosens = context.settings.loosenings(from: base).joined(separator: "; ")
            return Pins.Draft(data: data, weakens: loosens.isEmpty ? nil : loosens) { approver in
                PolicyPinned(
                    sha256: sha, reason: reason, file: file, approver: approver,
                    loosened: loosens.isEmpty ? nil : loosens, previous: previous?.sha256)
            }
        }
        guard let (pinned, event) = written else { return try report(pin: previous, previous: previous, in: context) }
        var report = try report(pin: PinnedPolicy(pinned, event: event), previous: previous, in: context)
        let base = try previous.map { try load($0, in: context.registry) } ?? PlaybookSettings()
        report.changes = try context.settings.differences(from: base)
        report.loosens = context.settings.loosenings(from: base)
        report.unchanged = false
        return report
    }
}

extension PlayContext {
    /// The hash of the policy in force, checked against settings.json, for a decision about to be made (refused,
    /// writing nothing, when settings.json differs from it); nil when nothing is pinned yet and settings.json does
    /// not loosen the kit's defaults. For refusals before any work and for previews.
    public func checkPolicy() throws -> String? {
        guard let pin = try PolicyPins.current(events: try registry.events()) else {
            let loosens = settings.loosenings(from: PlaybookSettings())
            guard loosens.isEmpty else {
                throw PlaybookError.invalid(
                    "settings.json loosens the kit's default policy (\(loosens.joined(separator: "; "))) and no policy "
                        + "is pinned: a second person must pin it first with 'LabRunner policy pin --reason TEXT "
                        + "--approver NAME' (see 'LabRunner policy show').")
            }
            return nil
        }
        let pinned = try PolicyPins.load(pin, in: registry)
        guard pinned == settings else {
            let changes = try settings.differences(from: pinned).joined(separator: "; ")
            throw PlaybookError.invalid(
                "settings.json differs from the pinned policy \(pin.sha256.prefix(12)) (event #\(pin.event)): "
                    + "\(changes); pin it with 'LabRunner policy pin --reason TEXT' (a loosening also needs "
                    + "--approver NAME, a second person) or undo the edit.")
        }
        return pin.sha256
    }

    /// The hash a decision records: the pin in force, or settings.json pinned on this first use (recorded as
    /// `policy.pinned`, reason "first use") when nothing is pinned yet. Refused as `checkPolicy` refuses.
    public func policyInForce(by actor: String) throws -> String {
        if let sha = try checkPolicy() { return sha }
        let report = try PolicyPins.pin(
            reason: SuitePins.firstUseReason, by: actor, approver: nil, onlyIfNone: true, in: self)
        return report.pin?.sha256 ?? report.fileSHA256
    }
}

extension PlaybookSettings {
    /// Each setting that differs from `old`, as `key before → after` (JSON values), in key order.
    public func differences(from old: PlaybookSettings) throws -> [String] {
        let before = try Self.fields(old)
        let after = try Self.fields(self)
        return Set(before.keys).union(after.keys).sorted().compactMap { key in
            before[key] == after[key] ? nil : "\(key) \(before[key] ?? "absent") → \(after[key] ?? "absent")"
        }
    }

    static func fields(_ settings: PlaybookSettings) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: try CanonicalJSON.encode(settings)) as? [String: Any]
        var fields: [String: String] = [:]
        for (key, value) in object ?? [:] {
            let data = try JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
            fields[key] = String(decoding: data, as: UTF8.self)
        }
        return fields
    }

    /// How these settings loosen `old`, one phrase each: what a second person must allow. A lower pass threshold,
    /// a floor pattern removed, a higher alpha, fewer sampled repeats, or another standard suite (whose cases the
    /// suite pin never compared) each let a worse version through.
    public func loosenings(from old: PlaybookSettings) -> [String] {
        var found: [String] = []
        if passThreshold < old.passThreshold {
            found.append("pass_threshold lowered from \(old.passThreshold) to \(passThreshold)")
        }
        for floor in old.floors where !floors.contains(floor) { found.append("floor \(floor) removed") }
        if alpha > old.alpha { found.append("alpha raised from \(old.alpha) to \(alpha)") }
        if sampledRepeats < old.sampledRepeats {
            found.append("sampled_repeats lowered from \(old.sampledRepeats) to \(sampledRepeats)")
        }
        if standardSuite != old.standardSuite {
            found.append("standard_suite changed from \(old.standardSuite) to \(standardSuite)")
        }
        // A canary that needs a bigger drop, less power, a looser alpha or a shorter bake catches less.
        let (canary, before) = (self.canary, old.canary)
        if canary.minEffect > before.minEffect {
            found.append("canary_min_effect raised from \(before.minEffect) to \(canary.minEffect)")
        }
        if canary.power < before.power { found.append("canary_power lowered from \(before.power) to \(canary.power)") }
        if canary.safetyAlpha > before.safetyAlpha {
            found.append("canary_safety_alpha raised from \(before.safetyAlpha) to \(canary.safetyAlpha)")
        }
        if canary.bakeSeconds < before.bakeSeconds {
            found.append("canary_bake_seconds lowered from \(before.bakeSeconds) to \(canary.bakeSeconds)")
        }
        if lastKnownGoodRequests < old.lastKnownGoodRequests {
            found.append(
                "last_known_good_requests lowered from \(old.lastKnownGoodRequests) to \(lastKnownGoodRequests)")
        }
        return found
    }
}
