// Scenario folders in temporary directories, built once per family and seed and shared by the tests that read them.
@testable import Critique
import Foundation
import Hashing
import LabTestSupport
import Synchronization

/// Building a scenario runs real plays; each (family, seed) is built once for the whole test run.
enum Built {
    private static let cache = Mutex<[String: (TemporaryFolder, NewScenario)]>([:])

    static func scenario(_ family: String, seed: UInt64, mode: CritiqueMode = .interview, everyFlaw: Bool = false)
        throws -> NewScenario
    {
        let name = "\(family)-\(seed)-\(mode.rawValue)-\(everyFlaw)"
        if let hit = cache.withLock({ $0[name] }) { return hit.1 }
        let temp = try TemporaryFolder("critique")
        let built = try Scenarios.create(
            family: family, seed: seed, mode: mode, folder: temp.path + "/candidate", keyPath: nil,
            forcing: everyFlaw ? Set(try Families.family(family).pool) : nil, secret: secret(seed))
        // Two tests may build the same scenario at once: the first one cached wins, and stays on disk.
        return cache.withLock { cache in
            if let hit = cache[name] { return hit.1 }
            cache[name] = (temp, built)
            return built
        }
    }

    /// A fixed secret per seed, so pinned numbers stay pinned (real scenarios draw theirs from the system).
    static func secret(_ seed: UInt64) -> String { SHA256.hash(Data("test secret \(seed)".utf8)).hex }
}
