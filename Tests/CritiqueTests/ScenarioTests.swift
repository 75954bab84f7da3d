// `critique new`: every family builds from real plays, plants several flaws and both red herrings, chosen by seed.
@testable import Critique
import Foundation
import LabTestSupport
import Testing

@Suite struct ScenarioTests {
    @Test(arguments: ["weights-only", "hand-deploys", "eval-theatre"])
    func everyFamilyBuildsWithSeveralFlawsAndBothHerrings(family: String) throws {
        let built = try Built.scenario(family, seed: 1)
        #expect(built.key.flaws.count == 4)
        #expect(Set(built.key.herrings.map(\.code)) == ["HERRING-COSMETIC-PROMPT", "HERRING-EXPIRED-EXPERIMENT"])
        for flaw in built.key.flaws { #expect(!flaw.evidence.isEmpty, "\(flaw.code)") }
    }
}
