// Challenge mode end to end: a lab laid from a seed varies what must be found and decided, the tour names
// commands without filling them in, the reference solution decides from the workspace's evidence and passes under
// every seed, a solution that follows the guided story fails under some seed, and the grade records mode and seed.
import Foundation
import LabTestSupport
import Testing

/// A seeded lab: the lab before it (laid once and shared), three seeds that lay different variants, and a solution
/// that follows the guided story without looking, with the seed that fails it and the check that says so.
struct SeededLab: Sendable, CustomStringConvertible {
    var lab: String
    var before: String
    var seeds: [Int]
    var guidedStory: String
    var failingSeed: Int
    var failingCheck: String

    var description: String { lab }
    var number: String { String(lab.prefix(2)) }
}

let seededLabs: [SeededLab] = [
    // Seeds 1, 2 and 11: a guide removed by dana after erin's note; the returns guide by dana before erin's note; the
    // warranty guide by erin before dana's note. The guided story investigates by the returns category and rolls
    // back to the last known good, which under seed 11 would undo the harmless later change.
    SeededLab(
        lab: "10-investigate-a-regression", before: "09-garbage-collection", seeds: [1, 2, 11],
        guidedStory: """
            onset_a=$(grep '^onset-a:' complaints.txt | cut -d' ' -f2)
            reported_a=$(grep '^reported-a:' complaints.txt | cut -d' ' -f2)
            onset_b=$(grep '^onset-b:' complaints.txt | cut -d' ' -f2)
            "$LABRUNNER" investigate --onset "$onset_a" --reported-at "$reported_a"
            "$LABRUNNER" investigate --onset "$onset_b" --category returns
            "$LABRUNNER" rollback --reason "the returns guide vanished from the index in dana's tidy-up" || true
            rm -rf system && "$LABRUNNER" checkout production system
            """, failingSeed: 11, failingCheck: "regression-resolved"),
    // Seeds 1, 2 and 3 describe three customers of lab 03's canary by their words. The guided story audits the
    // latest request, one of this lab's own traffic.
    SeededLab(
        lab: "04-attribution", before: "03-promotion-is-a-tag-move", seeds: [1, 2, 3],
        guidedStory: """
            "$LABRUNNER" traffic --requests 200 --seed 4
            request=$("$LABRUNNER" requests --limit 1 --json | grep -o '"id" : "req-[0-9a-f]*"' | cut -d'"' -f4)
            "$LABRUNNER" audit "$request" --out answers/04-audit.json
            """, failingSeed: 1, failingCheck: "request-audited"),
    // Seeds 1, 2 and 3 ask about citations, a formal tone and shorter answers.
    SeededLab(
        lab: "07-run-an-experiment", before: "05-manufacture-an-incident", seeds: [1, 2, 3],
        guidedStory: """
            "$LABRUNNER" experiment start formal-tone --from production --ttl 3d
            rm -rf system && "$LABRUNNER" checkout production system
            sed -i 's/^tone: friendly$/tone: formal/' system/prompt.md
            "$LABRUNNER" register --experiment formal-tone --parent production --owner me --reason "formal tone?"
            "$LABRUNNER" eval compare production exp-formal-tone
            "$LABRUNNER" experiment end formal-tone
            """, failingSeed: 1, failingCheck: "experiment-version"),
    // Seeds 1, 2 and 3 describe three customers of the incident by their words (ranks 7, 3 and 0 of the bad
    // version's requests with words of their own). The guided story audits the bad version's latest request.
    SeededLab(
        lab: "08-answer-an-audit", before: "07-run-an-experiment", seeds: [1, 2, 3],
        guidedStory: """
            bad=$("$LABRUNNER" incident list --json | grep -o '"bad_version" : "[^"]*"' | head -1 | cut -d'"' -f4)
            request=$("$LABRUNNER" requests --version "$bad" --limit 1 --json | grep -o '"id" : "req-[0-9a-f]*"' | cut -d'"' -f4)
            "$LABRUNNER" audit "$request" --replay --out answers/08-audit.json
            """, failingSeed: 1, failingCheck: "audited"),
    // Seeds 1, 2 and 3: production's weights trained with seed 42 (guided), 7 and 2026.
    SeededLab(
        lab: "11-reproducibility-and-sampling", before: "09-garbage-collection", seeds: [1, 2, 3],
        guidedStory: """
            "$LABRUNNER" train --seed 42 --out repro/weights.json
            mkdir -p answers && printf 'seed: 42\ncompare: interval\n' > answers/11-reproducibility.txt
            """, failingSeed: 2, failingCheck: "seed-named"),
]

@Suite struct ChallengeTests {
    /// `seeded` started in challenge mode with `seed`, from the shared start of the lab before it.
    static func started(_ seeded: SeededLab, seed: Int) throws -> Sandbox {
        let sandbox = try Sandbox(time: .live)
        try LaidStarts.start(seeded.before, in: sandbox)
        let start = try sandbox.run(
            ["lab", "start", seeded.number, "--challenge", "--seed", "\(seed)"], in: LabsTests.workspace)
        try #require(start.status == 0, "lab start \(seeded.number) --challenge --seed \(seed): \(start.stderr)")
        return sandbox
    }

    @Test(arguments: seededLabs.flatMap { seeded in seeded.seeds.map { (seeded, $0) } })
    func theReferenceSolutionDecidesFromTheEvidenceUnderEverySeed(_ seeded: SeededLab, _ seed: Int) throws {
        let sandbox = try Self.started(seeded, seed: seed)
        let status = try sandbox.run(["lab", "status"], in: LabsTests.workspace)
        #expect(status.stdout.contains("(see --help)"), "\(status.stdout)")
        for line in status.stdout.split(separator: "\n") where line.contains("LabRunner ") {
            let command = line.replacingOccurrences(of: "(see --help)", with: "")
            #expect(!command.contains(" --"), "the tour must not fill in a command: \(line)")
        }
        #expect(try LabsTests.grade(sandbox, seeded.lab).status == 1, "an untouched challenge must not pass")

        let solved = try sandbox.shell(
            "bash '\(Repository.root)/Solutions/\(seeded.lab)/solve.sh'", in: LabsTests.workspace)
        #expect(solved.status == 0, "seed \(seed): \(solved.stdout.suffix(800)) \(solved.stderr.suffix(500))")
        let graded = try LabsTests.grade(sandbox, seeded.lab)
        #expect(graded.status == 0, "seed \(seed): \(graded.text)")
        let labGrade = graded.json["labs"].array.first
        #expect(labGrade?["mode"].string == "challenge")
        #expect(labGrade?["seed"].int == seed)
        let text = try sandbox.run(["lab", "grade", seeded.number], in: LabsTests.workspace).stdout
        #expect(text.contains("challenge (seed \(seed))"), "\(text)")
    }

    @Test(arguments: seededLabs)
    func aSolutionThatFollowsTheGuidedStoryFailsUnderSomeSeed(_ seeded: SeededLab) throws {
        let sandbox = try Self.started(seeded, seed: seeded.failingSeed)
        try sandbox.shell(seeded.guidedStory, in: LabsTests.workspace)
        let graded = try LabsTests.grade(sandbox, seeded.lab)
        #expect(graded.status == 1, "the guided story passed a challenge: \(graded.text)")
        let test = graded.json["tests"].array.first { $0["name"].string == seeded.failingCheck }
        #expect(test?["status"].string == "fail", "\(seeded.failingCheck) should fail: \(graded.text)")
    }

    @Test func theSeededLabsAreTheOnesTestedAndDocsListThem() throws {
        let sandbox = try Sandbox()
        let seeded = try (0...12).map { String(format: "%02d", $0) }.filter { number in
            LabsTests.json(try sandbox.run(["lab", "show", number, "--json"]).stdout)["seeded"].bool == true
        }
        #expect(Set(seeded) == Set(seededLabs.map(\.number)), "\(seeded)")
        let docs = String(
            decoding: FileManager.default.contents(atPath: Repository.root + "/Docs/labs.md") ?? Data(), as: UTF8.self)
        let listed = docs.components(separatedBy: "## Challenge mode").dropFirst().first ?? ""
        for number in seeded { #expect(listed.contains("Lab \(number)"), "Docs/labs.md lists seeded lab \(number)") }
    }

    @Test func aStartedLabKeepsItsModeAndSeedRefusesWithoutChallenge() throws {
        let sandbox = try Sandbox()
        let bare = try sandbox.run(["lab", "start", "00", "--seed", "4"])
        #expect(bare.status == 64 && bare.stderr.contains("--challenge"), "\(bare.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/" + LabsTests.workspace))

        #expect(try sandbox.run(["lab", "start", "00", "--challenge", "--seed", "4"]).status == 0)
        let before = sandbox.snapshot(LabsTests.workspace + "/.labrunner/registry")
        let guided = try sandbox.run(["lab", "start", "00"], in: LabsTests.workspace)
        #expect(guided.status == 1 && guided.stderr.contains("challenge (seed 4)"), "\(guided.stderr)")
        #expect(sandbox.snapshot(LabsTests.workspace + "/.labrunner/registry") == before, "a refusal writes nothing")
    }

    @Test func labShowPrintsAPageWithoutStartingIt() throws {
        let sandbox = try Sandbox()
        let shown = try sandbox.run(["lab", "show", "06"])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("Timed: the clock starts when the lab starts"))
        #expect(shown.stdout.contains("# Lab 06 · Emergency rollback against the clock"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/" + LabsTests.workspace), "nothing started")
        let seeded = try sandbox.run(["lab", "show", "10", "--json"])
        #expect(LabsTests.json(seeded.stdout)["seeded"].bool == true)
    }

    @Test func theTourSaysReadItFirstBeforeTheTimedLab() throws {
        let sandbox = try LabsTests.started("05-manufacture-an-incident")
        try sandbox.shell(
            "bash '\(Repository.root)/Solutions/05-manufacture-an-incident/solve.sh'", in: LabsTests.workspace)
        let status = try sandbox.run(["lab", "status"], in: LabsTests.workspace).stdout
        let show = try #require(status.range(of: "LabRunner lab show 06"), "\(status)")
        let start = try #require(status.range(of: "LabRunner lab start 06"), "\(status)")
        #expect(show.lowerBound < start.lowerBound)
        #expect(status.contains("read its page first"))
    }
}
