// A drill's plan from its seed: which fault, when it ships within the window, and the code that reproduces it
// elsewhere (seed, fault as asked, and a fingerprint of the kit's fault catalog and bundled system).
import Foundation
import Hashing
import Playbook
import ToyModel

public struct DrillPlan: Sendable, Equatable {
    /// The fault as asked for (`random` keeps the code from naming it).
    public var asked: String
    public var fault: FaultKind
    public var seed: UInt64
    /// Seconds after the drill starts at which the bad change ships.
    public var shipAfter: Double
    public var window: Double

    /// Fault kinds a person may name: the catalog plus `random`.
    public static let faultNames = FaultKind.allCases.map(\.rawValue) + ["random"]
    /// Earliest a fault ships: the service, traffic and monitor need a baseline of live traffic first.
    public static let warmUp: Double = 20

    public init(fault asked: String, seed: UInt64, window: Double) throws {
        guard Self.faultNames.contains(asked) else {
            throw DrillsError.unknownFault(asked, known: Self.faultNames)
        }
        guard window >= Self.warmUp, window <= 86_400 else {
            throw DrillsError.badWindow(window, least: Self.warmUp)
        }
        var random = SeededGenerator(seed: seed, stream: 1)
        let kinds = FaultKind.allCases
        self.asked = asked
        self.fault = FaultKind(rawValue: asked) ?? kinds[random.int(0...(kinds.count - 1))]
        self.seed = seed
        self.window = window
        shipAfter = Self.warmUp + random.unit() * (window - Self.warmUp)
    }

    /// The code: `<fault>-<seed>-<window s>-<catalog fingerprint>`, e.g. `random-7-300-3fa91c2e`.
    public var code: String { "\(asked)-\(seed)-\(Int(window))-\(Self.catalogFingerprint)" }

    /// Rebuilds the plan a code names; a code from another kit (a different catalog) is refused, since the same
    /// seed would not give the same drill.
    public init(code: String) throws {
        let parts = code.split(separator: "-").map(String.init)
        guard parts.count >= 4, let seed = UInt64(parts[parts.count - 3]),
            let window = Double(parts[parts.count - 2])
        else { throw DrillsError.badCode(code) }
        let asked = parts[..<(parts.count - 3)].joined(separator: "-")
        guard parts[parts.count - 1] == Self.catalogFingerprint else {
            throw DrillsError.codeFromOtherKit(code, fingerprint: Self.catalogFingerprint)
        }
        try self.init(fault: asked, seed: seed, window: window)
    }

    /// SHA-256 (first 8 hex) of the fault catalog and the bundled system the history is laid from.
    public static let catalogFingerprint: String = {
        var data = Data()
        for kind in FaultKind.allCases { data += Data("\(kind.rawValue)\n\(kind.gameMasterSummary)\n".utf8) }
        data += Data(HistoryLayer.fingerprintText.utf8)
        for file in DefaultSystem.bundled { data += Data(file.path.utf8) + file.data }
        return String(SHA256.hash(data).hex.prefix(8))
    }()
}
