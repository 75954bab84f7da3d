// A drill's plan from its seed: which fault, when it ships within the window, and the code that reproduces it
// elsewhere (seed, fault as asked, and a fingerprint of the kit's fault catalog and bundled system).
import Foundation
import Hashing
import Playbook
import ToyModel

public struct DrillPlan: Sendable, Equatable {
    /// The fault as asked for (`random` keeps the code from naming it).
    public var asked: String
    /// The kit fault the drill plays (for a team's fault, the one with the same right call).
    public var fault: FaultKind
    /// The team's fault, when the drill ships one from a team's catalogue.
    public var team: TeamFault?
    public var seed: UInt64
    /// Seconds after the drill starts at which the bad change ships.
    public var shipAfter: Double
    public var window: Double
    /// The catalogue the code names: the kit's, or a team's (`TeamCatalogue.fingerprint`).
    public var fingerprint: String

    /// Fault kinds a person may name: the catalog plus `random`.
    public static let faultNames = FaultKind.allCases.map(\.rawValue) + ["random"]
    /// Earliest a fault ships: the service, traffic and monitor need a baseline of live traffic first.
    public static let warmUp: Double = 20

    /// With a team's catalogue, `random` picks one of the team's faults, and the kit's stay nameable.
    public init(fault asked: String, seed: UInt64, window: Double, catalogue: TeamCatalogue? = nil) throws {
        let teamNames = catalogue?.faults.map(\.name) ?? []
        guard Self.faultNames.contains(asked) || teamNames.contains(asked) else {
            throw DrillsError.unknownFault(asked, known: teamNames + Self.faultNames)
        }
        guard window >= Self.warmUp, window <= 86_400 else {
            throw DrillsError.badWindow(window, least: Self.warmUp)
        }
        var random = SeededGenerator(seed: seed, stream: 1)
        var team = catalogue?.fault(named: asked)
        if asked == "random", let faults = catalogue?.faults { team = faults[random.int(0...(faults.count - 1))] }
        let kinds = FaultKind.allCases
        self.asked = asked
        self.team = team
        self.fault = team?.playsAs ?? FaultKind(rawValue: asked) ?? kinds[random.int(0...(kinds.count - 1))]
        self.seed = seed
        self.window = window
        fingerprint = catalogue?.fingerprint ?? Self.catalogFingerprint
        shipAfter = Self.warmUp + random.unit() * (window - Self.warmUp)
    }

    /// The code: `<fault>-<seed>-<window s>-<catalog fingerprint>`, e.g. `random-7-300-3fa91c2e`.
    public var code: String { "\(asked)-\(seed)-\(Int(window))-\(fingerprint)" }

    /// What the game master's sheet and the debrief call the fault, and what shipped.
    public var faultName: String { team?.name ?? fault.rawValue }
    public var summary: String { team?.summary ?? fault.gameMasterSummary }

    /// Rebuilds the plan a code names; a code from another kit or another team catalogue is refused, since the
    /// same seed would not give the same drill.
    public init(code: String, catalogue: TeamCatalogue? = nil) throws {
        let (asked, seed, window, fingerprint) = try Self.parts(of: code)
        let expected = catalogue?.fingerprint ?? Self.catalogFingerprint
        guard fingerprint == expected else { throw DrillsError.codeFromOtherKit(code, fingerprint: expected) }
        try self.init(fault: asked, seed: seed, window: window, catalogue: catalogue)
    }

    /// The plan a drill's opened seal holds: its team fault, if any, travels in the seal (checked against its
    /// commitment), so the catalogue file is not needed again.
    public init(opened plan: SealedPlan) throws {
        guard let team = plan.team else {
            self = try DrillPlan(code: plan.code)
            return
        }
        let parts = try Self.parts(of: plan.code)
        asked = parts.asked
        fault = team.playsAs
        self.team = team
        seed = parts.seed
        window = parts.window
        fingerprint = parts.fingerprint
        shipAfter = plan.shipAfterSeconds
    }

    static func parts(of code: String) throws -> (asked: String, seed: UInt64, window: Double, fingerprint: String) {
        let parts = code.split(separator: "-").map(String.init)
        guard parts.count >= 4, let seed = UInt64(parts[parts.count - 3]),
            let window = Double(parts[parts.count - 2])
        else { throw DrillsError.badCode(code) }
        return (parts[..<(parts.count - 3)].joined(separator: "-"), seed, window, parts[parts.count - 1])
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
