// Live traffic over HTTP: the traffic generator's labelled customers sent to a running service at a steady rate.
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
    /// case so the service can judge it; `status` receives a one-line summary about once a second. The requests
    /// are the traffic generator's, paced on `clock`.
    public static func run(
        url: String, rate: Double, duration: Double?, count: Int?, seed: UInt64,
        campaign: (() -> Set<String>?)? = nil, in context: PlayContext, clock: any LoopClock = ContinuousClock(),
        status: (String) -> Void
    ) throws -> LiveTrafficReport {
        guard rate > 0, rate.isFinite else {
            throw PlaybookError.invalid("--rate must be more than 0 requests per second.")
        }
        let client = try HTTPClient(url: url)
        let customers = RequestGenerator(
            cases: try Traffic.cases(in: context, intents: try context.liveSystem().intents), seed: seed)
        let started = clock.stopwatch()
        var report = LiveTrafficReport(requests: 0, satisfied: 0, failed: 0, byVersion: [:], seconds: 0)
        var lastStatus = Duration.zero
        var index = 0
        while true {
            if let duration, started.elapsed.seconds >= duration { break }
            if let count, index >= count { break }
            Traffic.waitForTurn(index, rate: rate, started: started, on: clock)
            let request = customers.request(index, campaign: campaign?())
            let labelled = request.labelled
            // A JSON number is exact only below 2^53, so the wire carries the seed's top 52 bits.
            let body = try JSONSerialization.data(withJSONObject: [
                "text": labelled.input, "seed": request.seed >> 12,
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
            if started.elapsed - lastStatus >= .seconds(1) {
                lastStatus = started.elapsed
                status(
                    String(
                        format: "%d requests, %.1f%% satisfied, %d failed, serving %@", report.requests,
                        100 * Double(report.satisfied) / Double(max(report.requests, 1)), report.failed,
                        String(answer.version.prefix(12))))
            }
        }
        report.seconds = started.elapsed.seconds
        return report
    }
}

/// An answer as the service returns it.
struct ToyAnswer: Decodable {
    var answer: Answer
    var version: String { answer.version }

    init(from decoder: any Decoder) throws { answer = try Answer(from: decoder) }
}
