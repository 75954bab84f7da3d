// Live traffic over HTTP: labelled simulated customers sent to a running service at a steady rate.
import Evals
import ToyModel
import Foundation
public import Playbook

public struct LiveTrafficReport: Encodable, Sendable {
    public var requests: Int
    public var satisfied: Int
    public var failed: Int
    public var byVersion: [String: Int]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case requests, satisfied, failed, seconds
        case byVersion = "by_version"
    }
}

public enum LiveTraffic {
    /// Sends requests to `url` for `duration` seconds (or `count` requests), each labelled with its traffic
    /// case so the service can judge it; `status` receives a one-line summary about once a second.
    public static func run(
        url: String, rate: Double, duration: Double?, count: Int?, seed: UInt64,
        campaign: (() -> Set<String>?)? = nil, in context: PlayContext, status: (String) -> Void
    ) throws -> LiveTrafficReport {
        guard rate > 0, rate.isFinite else {
            throw PlaybookError.invalid("--rate must be more than 0 requests per second.")
        }
        let client = try HTTPClient(url: url)
        let cases = try Traffic.cases(in: context, intents: try context.liveSystem().intents)
        let clock = ContinuousClock()
        let start = clock.now
        var report = LiveTrafficReport(requests: 0, satisfied: 0, failed: 0, byVersion: [:], seconds: 0)
        var lastStatus = start
        var index = 0
        while true {
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if let duration, seconds >= duration { break }
            if let count, index >= count { break }
            let due = Double(index) / rate
            if due > seconds { Thread.sleep(forTimeInterval: due - seconds) }
            let draw = Traffic.mix(seed, UInt64(index))
            let labelled = Traffic.pick(cases, draw: draw, campaign: campaign?())
            let body = try JSONSerialization.data(withJSONObject: [
                "text": labelled.input, "seed": Traffic.mix(draw, 0x5EED) >> 12,
            ])
            index += 1
            let response: HTTPResponse
            do {
                response = try client.send("POST", "/v1/ask", headers: [("X-Case-Id", labelled.id)], body: body)
            } catch {
                // Nothing answering at the start is a mistake to report; a failure later is a failed request.
                if report.requests == 0, report.failed == 0 { throw error }
                report.failed += 1
                continue
            }
            guard response.status == 200, let answer = try? JSONDecoder().decode(ToyAnswer.self, from: response.body)
            else {
                report.failed += 1
                continue
            }
            report.requests += 1
            report.byVersion[answer.version, default: 0] += 1
            if EvalRunner.judge(answer.answer, against: labelled.expect).isEmpty { report.satisfied += 1 }
            if clock.now - lastStatus >= .seconds(1) {
                lastStatus = clock.now
                status(
                    String(
                        format: "%d requests, %.1f%% satisfied, %d failed, serving %@", report.requests,
                        100 * Double(report.satisfied) / Double(max(report.requests, 1)), report.failed,
                        String(answer.version.prefix(12))))
            }
        }
        let elapsed = clock.now - start
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return report
    }
}

/// An answer as the service returns it.
struct ToyAnswer: Decodable {
    var answer: Answer
    var version: String { answer.version }

    init(from decoder: any Decoder) throws { answer = try Answer(from: decoder) }
}
