// The one traffic generator: request i of a seed asks the same case whichever transport carries it, and the
// cases and answer seeds are those the kit has always drawn for that seed.
import Evals
import Foundation
import Playbook
import Registry
import Serving
import Testing
import ToyModel

@Suite(.serialized) struct TrafficGeneratorTests {
    /// Requests 0-5 of seed 7 (case id, answer seed), as drawn before the generator was shared.
    static let seedSeven: [(id: String, seed: UInt64)] = [
        ("t-account_access-14", 7_943_305_999_372_511_135), ("t-payment_issue-21", 16_089_921_022_482_181_328),
        ("t-warranty_claim-21", 17_950_773_138_922_121_984), ("t-refund-large-16", 126_981_241_834_630_276),
        ("t-damaged_item-17", 17_826_659_697_638_514_315), ("t-order_status-12", 985_423_049_450_002_772),
    ]
    /// The same requests during a campaign for refunds and returns: every draw with its top bit set asks one.
    static let seedSevenCampaign = [
        "t-account_access-14", "t-payment_issue-21", "t-refund-large-20", "t-returns-06", "t-damaged_item-17",
        "t-order_status-12",
    ]

    @Test func inProcessAndOverHTTPTheRequestsOfASeedAreTheSameAsBefore() throws {
        let lab = try ServedLab()
        _ = try Traffic.run(requests: 6, rate: 0, seed: 7, in: lab.context)
        _ = try LiveTraffic.run(
            url: "http://127.0.0.1:\(lab.server.port)", rate: 1000, duration: nil, count: 6, seed: 7, in: lab.context
        ) { _ in }
        let records = try AttributionLog(registryRoot: lab.context.registry.root).read(after: LogCursor()).records
        let inProcess = records.filter { $0.source == "traffic" }
        let overHTTP = records.filter { $0.source == "http" }
        #expect(inProcess.map(\.caseID) == Self.seedSeven.map(\.id))
        #expect(inProcess.map(\.seed) == Self.seedSeven.map(\.seed))
        #expect(overHTTP.map(\.caseID) == Self.seedSeven.map(\.id))
        // A JSON number is exact below 2^53, so the wire carries the top 52 bits of the same seed.
        #expect(overHTTP.map(\.seed) == Self.seedSeven.map { $0.seed >> 12 })
    }

    @Test func aCampaignAsksAboutItsIntentsOnHalfTheDraws() throws {
        let lab = try ServedLab()
        let generator = RequestGenerator(
            cases: try Traffic.cases(in: lab.context, intents: try lab.context.liveSystem().intents), seed: 7)
        let campaign: Set<String> = ["refund_request", "returns"]
        #expect((0..<6).map { generator.request($0, campaign: campaign).labelled.id } == Self.seedSevenCampaign)
        #expect((0..<6).map { generator.request($0).seed } == Self.seedSeven.map(\.seed))
    }
}
