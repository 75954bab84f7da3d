// `critique new`: every family builds from real plays, plants several flaws and two or three red herrings, chosen by seed.
@testable import Critique
import Foundation
import LabTestSupport
import Testing

@Suite struct ScenarioTests {
    @Test(arguments: ["weights-only", "hand-deploys", "eval-theatre"])
    func everyFamilyBuildsWithSeveralFlawsAndBothHerrings(family: String) throws {
        let built = try Built.scenario(family, seed: 1)
        #expect(built.key.flaws.count == 4)
        let herrings = Set(built.key.herrings.map(\.code))
        #expect(herrings.isSuperset(of: ["HERRING-COSMETIC-PROMPT", "HERRING-EXPIRED-EXPERIMENT"]))
        #expect(herrings.isSubset(of: Set(Taxonomy.herrings.map(\.code))))
        for flaw in built.key.flaws { #expect(!flaw.evidence.isEmpty, "\(flaw.code)") }
    }
}
