// The `monitor` command's loop against a real service, on a manual clock: each pause between looks is that long
// of live traffic, paced on the same clock, so minutes of watching take milliseconds and the times are exact.
import Foundation
import Playbook
import Registry
import Serving
import Synchronization
import Testing

/// The monitor's clock in these tests: manual time, where a pause between looks sends that long of live traffic
/// to the service (itself paced on the manual clock) instead of sleeping.
final class TrafficBetweenLooks: LoopClock {
    typealias Instant = ManualClock.Durations.Instant

    let manual: ManualClock
    let url: String
    let context: PlayContext
    let rate: Double
    private let pauses = Mutex(0)

    init(manual: ManualClock, url: String, context: PlayContext, rate: Double = 200) {
        self.manual = manual
        self.url = url
        self.context = context
        self.rate = rate
    }

    var now: Instant { manual.durations.now }
    var minimumResolution: Duration { manual.durations.minimumResolution }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await manual.durations.sleep(until: deadline, tolerance: tolerance)
    }

    func pause(for duration: Duration) {
        // Each pause draws other customers: the same seed would ask the same cases every time.
        let pause = pauses.withLock { count in
            count += 1
            return count
        }
        do {
            _ = try LiveTraffic.run(
                url: url, rate: rate, duration: duration.seconds, count: nil, seed: UInt64(100 + pause),
                in: context, clock: manual.durations
            ) { _ in }
        } catch {
            Issue.record(error, "live traffic during a pause of the monitor")
        }
    }
}

@Suite(.serialized) struct MonitorTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Registers what `system/` holds after `change` to its prompt, as a child of #1.
    func register(_ lab: ServedLab, _ reason: String, prompt change: (String) -> String) throws -> String {
        let path = lab.root + "/system/prompt.md"
        let prompt = try String(contentsOfFile: path, encoding: .utf8)
        let changed = change(prompt)
        try #require(changed != prompt, "the edit changes the prompt")
        try changed.write(toFile: path, atomically: true, encoding: .utf8)
        return try RegisterPlay.run(
            RegisterRequest(owner: "a", reason: reason, parent: "#1", root: false), in: lab.context
        ).record.id
    }

    func promote(_ id: String, in context: PlayContext) throws {
        let promote = PromoteRequest(ref: id, approver: "b", force: true, reason: "manufactured")
        _ = try PromotePlay.move(promote, gate: try PromotePlay.gate(promote, in: context), canary: nil, in: context)
    }

    @Test func theAlarmFiresAfterABadPromoteUnderLiveTrafficAndOpensAnIncident() throws {
        let manual = ManualClock(start: Self.start)
        let lab = try ServedLab(clock: manual)
        let url = "http://127.0.0.1:\(lab.server.port)"
        let bad = try register(lab, "bad") {
            $0.replacingOccurrences(
                of: "escalate: refund_over_500, legal_threat, account_takeover", with: "escalate: account_takeover")
        }
        let context = lab.context
        // A second of traffic on the good version: the window the bad one is compared with.
        _ = try LiveTraffic.run(
            url: url, rate: 200, duration: 1, count: nil, seed: 3, in: context, clock: manual.durations
        ) { _ in }
        try promote(bad, in: context)
        let promotedAt = manual.now()
        var readings: [MonitorReading] = []
        let outcome = try Monitor.run(
            url: url, window: 2, threshold: 0.9, duration: 15, exitOnAlarm: true, by: "watch", in: context,
            clock: TrafficBetweenLooks(manual: manual, url: url, context: context)
        ) { reading, _ in readings.append(reading) }
        let incident = try #require(outcome.incident)
        #expect(incident.badVersion == bad)
        #expect(incident.source == .monitor)
        #expect(readings.last?.alarm == true && readings.dropLast().allSatisfy { !$0.alarm })
        // The first look sees no traffic of the bad version yet; the second, half a second of it, is enough.
        #expect(outcome.readings == 2)
        #expect(incident.detectedAt.timeIntervalSince(promotedAt) < 0.6, "the alarm fires at the first look it can")
    }

    @Test func aBadCanarysSliceRaisesAnAlarmNamingTheCanaryWhileProductionStays() throws {
        let manual = ManualClock(start: Self.start)
        let lab = try ServedLab(clock: manual)
        let url = "http://127.0.0.1:\(lab.server.port)"
        let bad = try register(lab, "bad canary") {
            $0.replacingOccurrences(
                of: "escalate: refund_over_500, legal_threat, account_takeover", with: "escalate: refund_over_500")
        }
        let context = lab.context
        let production = try #require(context.registry.tag("production"))
        _ = try LiveTraffic.run(
            url: url, rate: 200, duration: 1, count: nil, seed: 3, in: context, clock: manual.durations
        ) { _ in }
        try context.registry.moveTag(CanarySlice.tag, to: bad, by: "ops", reason: "canary")
        let outcome = try Monitor.run(
            url: url, window: 2, threshold: 0.5, duration: 15, exitOnAlarm: true, by: "watch", in: context,
            clock: TrafficBetweenLooks(manual: manual, url: url, context: context)
        ) { _, _ in }
        let incident = try #require(outcome.incident)
        #expect(incident.badVersion == bad, "the incident names the canary, not production")
        #expect(incident.symptom.hasPrefix("the canary \(bad.prefix(12))"), "\(incident.symptom)")
        #expect(context.registry.tag("production") == production)
    }

    @Test func aHarmlessPromoteIsWatchedForItsDurationTwiceASecondWithoutAnAlarm() throws {
        let manual = ManualClock(start: Self.start)
        let lab = try ServedLab(clock: manual)
        let url = "http://127.0.0.1:\(lab.server.port)"
        let harmless = try register(lab, "a note") { $0 + "\nA note.\n" }
        let context = lab.context
        _ = try LiveTraffic.run(
            url: url, rate: 200, duration: 1, count: nil, seed: 3, in: context, clock: manual.durations
        ) { _ in }
        try promote(harmless, in: context)
        let watchedFrom = manual.now()
        var readings: [MonitorReading] = []
        let outcome = try Monitor.run(
            url: url, window: 2, threshold: 0.5, duration: 2.75, exitOnAlarm: false, by: "watch", in: context,
            clock: TrafficBetweenLooks(manual: manual, url: url, context: context, rate: 100)
        ) { reading, _ in readings.append(reading) }
        #expect(outcome.incident == nil)
        #expect(readings.allSatisfy { !$0.alarm })
        // Looks at 0, 0.5, … 2.5 s of the clock, and the rate measured on it: 100 requests a second.
        #expect(outcome.readings == 6)
        #expect((3.0..<3.1).contains(manual.now().timeIntervalSince(watchedFrom)))
        #expect(readings.dropFirst().allSatisfy { (95...110).contains($0.requestsPerSecond) })
        #expect(readings.last?.labelFree?.comparison.enoughData == true)
    }
}
