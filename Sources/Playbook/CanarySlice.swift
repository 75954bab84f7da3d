// The live canary's slice: while a `canary` tag points at a version other than production's, that share of live
// requests is answered by it and the rest by production. The service picks by request id and the in-process
// traffic by request counter, so a given request always lands on the same side (no coin is tossed).
import Foundation

public enum CanarySlice {
    /// The tag a partial rollout moves; `LabRunner tag canary production` stops it.
    public static let tag = "canary"
    /// The share of requests the canary answers, in percent.
    public static let percent = 20

    /// The canary's target when one is live: the tag set and pointing elsewhere than production.
    public static func live(canary: String?, production: String?) -> String? {
        guard let canary, canary != production else { return nil }
        return canary
    }

    /// How an alarm on the canary's slice begins, naming the canary version.
    public static func naming(_ canary: String) -> String {
        "the canary \(canary.prefix(12)) (\(percent)% of requests): "
    }

    /// Whether the request with this id goes to the canary (FNV-1a of the id, so it is stable across runs).
    public static func takes(requestID: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in requestID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash % 100 < UInt64(percent)
    }

    /// Whether request number `index` of a run goes to the canary: every fifth one at 20%.
    public static func takes(index: Int) -> Bool { index % (100 / percent) == 0 }
}
