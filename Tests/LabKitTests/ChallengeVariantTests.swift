// Challenge mode's variants: a seed picks one story for good, guided mode is the first, the checks are filled from
// the story picked, a manifest cannot name a value no variant gives, and the tour never fills in a command.
import Foundation
import LabTestSupport
import Testing

@testable import LabKit

@Suite struct ChallengeVariantTests {
    static func lab(_ id: String) throws -> Lab { try LabCatalog.load(root: ManifestTests.repository).lab(id) }

    @Test func aSeedPicksOneVariantForGoodAndGuidedModeIsTheFirst() throws {
        let lab = try Self.lab("10")
        #expect(lab.isSeeded)
        #expect(lab.variantIndex(seed: nil) == 0)
        #expect((1...40).map { lab.variantIndex(seed: $0) } == (1...40).map { lab.variantIndex(seed: $0) })
        // Forty seeds reach every variant: a seed that always picked the guided story would prove nothing.
        #expect(Set((1...40).map { lab.variantIndex(seed: $0) }).count == lab.manifest.variants?.count)
        #expect(lab.variant(seed: nil)["regressor"] == "dana")
        #expect(try Self.lab("00").variant(seed: 5).isEmpty, "an unseeded lab has no variant")
    }

    @Test func theChecksAreFilledFromTheVariantTheSeedPicks() throws {
        let lab = try Self.lab("10")
        let seed = try #require((1...40).first { lab.variant(seed: $0)["regressor"] == "erin" })
        let resolved = lab.resolved(seed: seed)
        let owners = resolved.manifest.checks.compactMap { $0.param("owner") }
        #expect(owners.contains("erin") && owners.contains("dana"), "\(owners)")
        #expect(!owners.contains { $0.contains("{variant.") })
        // The guided story, with no seed, grades dana's change as the regression, as the page tells.
        let guided = lab.resolved(seed: nil).manifest.checks.first { $0.name == "regression-resolved" }
        #expect(guided?.param("owner") == "dana")
        let environment = lab.scriptEnvironment(seed: seed)
        #expect(environment["LABRUNNER_SEED"] == "\(seed)")
        #expect(environment["LABRUNNER_VARIANT_REGRESSOR"] == "erin")
        #expect(lab.scriptEnvironment(seed: nil)["LABRUNNER_SEED"] == nil, "guided mode has no seed")
    }

    @Test func aManifestCannotNameAValueNoVariantGives() throws {
        let copy = try ManifestTests.catalog(editing: "07-run-an-experiment") { manifest in
            var checks = manifest["checks"] as? [[String: Any]] ?? []
            checks[1]["params"] = ["component": "prompt.md", "changed_to": "{variant.directive}"]
            manifest["checks"] = checks
        }
        let error = try #require(throws: LabError.self) { try LabCatalog.load(root: copy.path) }
        #expect(error.description.contains("names {variant.directive}, which no variant gives"), "\(error)")

        let uneven = try ManifestTests.catalog(editing: "07-run-an-experiment") { manifest in
            manifest["variants"] = [["name": "a", "from": "b", "to": "c"], ["name": "a"]]
        }
        let unevenError = try #require(throws: LabError.self) { try LabCatalog.load(root: uneven.path) }
        #expect(unevenError.description.contains("variants[1]"), "\(unevenError)")
    }

    @Test func challengeModeNamesCommandsWithoutFillingThemIn() {
        #expect(
            Placeholders.named("LabRunner investigate --onset ONSET_A --reported-at REPORTED_A")
                == "LabRunner investigate (see --help)")
        #expect(
            Placeholders.named("LabRunner incident confirm {incident}") == "LabRunner incident confirm (see --help)")
        #expect(Placeholders.named("LabRunner audit REQUEST_ID --replay") == "LabRunner audit (see --help)")
        #expect(Placeholders.named("cat complaints.txt") == "cat complaints.txt", "a shell step is shown as it is")
    }

    @Test func theSeedRulesAreRefusedBeforeAnythingIsWritten() throws {
        #expect(throws: (any Error).self) { try ChallengeSeed.chosen(challenge: false, given: 3) }
        #expect(try ChallengeSeed.chosen(challenge: false, given: nil) == nil)
        #expect(try ChallengeSeed.chosen(challenge: true, given: 3) == 3)
        #expect(try ChallengeSeed.chosen(challenge: true, given: nil) != nil)
    }
}
