// `critique new`: every family builds from real plays, plants several flaws and two or three red herrings, chosen by seed.
@testable import Critique
import Foundation
import LabTestSupport
import Playbook
import Registry
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

    /// The candidate folder's roster is the one `init` lays (its user and the kit's personas) plus the team, and
    /// every approver and every person who acted through a play is on it. A builder that leaves the roster empty
    /// (anyone may act) fails the first expectation.
    @Test(arguments: ["weights-only", "hand-deploys", "eval-theatre"])
    func theScenarioRosterKnowsEveryApproverAndActor(family: String) throws {
        let built = try Built.scenario(family, seed: 3)
        let registry = try Registry(root: Workspace(root: built.folder).registryPath)
        let roster = try registry.roster()
        #expect(!roster.isEmpty)
        for name in ["alice"] + People.personas.map(\.name) { #expect(roster.person(name) != nil, "\(name)") }
        let moves = try registry.tagHistory("production")
        let approvers = Set(try moves.compactMap { try $0.facts().approver })
        #expect(!approvers.isEmpty)
        for approver in approvers { #expect(roster.person(approver) != nil, "approver \(approver)") }
        for move in moves { #expect(roster.person(move.by) != nil, "event \(move.event) by \(move.by)") }
        for record in try registry.versions() {
            #expect(roster.person(record.metadata.owner) != nil, "owner of #\(record.seq)")
        }
    }

    /// Nine scenarios with fresh secrets, every family at every level (about 40 s of one core): every one builds with
    /// the level's number of flaws, a junior one plants no subtle flaw, and a failure names the family, level, seed
    /// and secret that rebuild it. A builder that assumed every change makes a new version fails here sooner or later.
    @Test func scenariosWithFreshSecretsAllBuild() throws {
        let temp = try TemporaryFolder("critique-many")
        var generator = SystemRandomNumberGenerator()
        var built = 0
        for round in 0..<3 {
            for family in Families.all.map(\.name) {
                for level in CritiqueLevel.allCases where CritiqueLevel.allCases.firstIndex(of: level) == round {
                    let seed = generator.next() % 1_000_000_000
                    let secret = ScenarioRandom.newSecret()
                    let folder = temp.path + "/\(family)-\(round)"
                    do {
                        let scenario = try Scenarios.create(
                            family: family, seed: seed, mode: .interview, level: level, folder: folder,
                            keyPath: folder + ".json", forcing: nil, secret: secret)
                        #expect(
                            scenario.key.flaws.count == level.planted,
                            "family \(family), level \(level.rawValue), seed \(seed), secret \(secret)")
                        if level == .junior {
                            let subtle = scenario.key.flaws.map(\.code).filter(CritiqueLevel.subtle.contains)
                            #expect(
                                subtle.isEmpty, "a junior scenario planted \(subtle); seed \(seed), secret \(secret)")
                        }
                        built += 1
                    } catch {
                        Issue.record(
                            "family \(family), level \(level.rawValue), seed \(seed), secret \(secret) failed: \(error)"
                        )
                    }
                }
            }
        }
        #expect(built == 9)
    }
}
