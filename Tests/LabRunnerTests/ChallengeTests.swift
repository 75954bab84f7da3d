// Challenge mode end to end: a lab laid from a seed varies what must be found and decided, the tour names
// commands without filling them in, the reference solution decides from the workspace's evidence and passes under
// every seed, a solution that follows the guided story fails under some seed, and the grade records mode and seed.
import Foundation
import LabTestSupport
import Testing

@Suite struct ChallengeTests {
    static let lab = "10-investigate-a-regression"

    /// Lab 10 started in challenge mode with `seed` (lab 09 comes from the shared laid-down start).
    static func started(seed: Int) throws -> Sandbox {
        let sandbox = try Sandbox(time: .live)
        try LaidStarts.start("09-garbage-collection", in: sandbox)
        let start = try sandbox.run(
            ["lab", "start", "10", "--challenge", "--seed", "\(seed)"], in: LabsTests.workspace)
        try #require(start.status == 0, "lab start 10 --challenge --seed \(seed): \(start.stderr)")
        return sandbox
    }

    /// The solution lab 10 had before challenge mode: it follows the page's story (investigate complaint B by the
    /// returns category, then roll back to the last known good) without deciding anything from the evidence.
    static let guidedStory = """
        source "$(dirname "$0")/../lib.sh"
        onset_a=$(grep '^onset-a:' complaints.txt | cut -d' ' -f2)
        reported_a=$(grep '^reported-a:' complaints.txt | cut -d' ' -f2)
        onset_b=$(grep '^onset-b:' complaints.txt | cut -d' ' -f2)
        "$L" investigate --onset "$onset_a" --reported-at "$reported_a"
        "$L" investigate --onset "$onset_b" --category returns
        "$L" rollback --reason "the returns guide vanished from the index in dana's tidy-up"
        rm -rf system
        "$L" checkout production system
        """

    /// Seeds 1, 2 and 11 lay three different variants of lab 10 (a guide removed by dana after erin's note; by
    /// erin before dana's note; the returns guide by dana before erin's note).
    @Test(arguments: [1, 2, 11])
    func theReferenceSolutionDecidesFromTheEvidenceUnderEverySeed(_ seed: Int) throws {
        let sandbox = try Self.started(seed: seed)
        let status = try sandbox.run(["lab", "status"], in: LabsTests.workspace)
        #expect(status.stdout.contains("LabRunner investigate (see --help)"), "\(status.stdout)")
        #expect(!status.stdout.contains("--onset"), "the tour must not fill in the answer: \(status.stdout)")
        let untouched = try LabsTests.grade(sandbox, Self.lab)
        #expect(untouched.status == 1, "an untouched challenge must not pass")

        let solved = try sandbox.shell(
            "bash '\(Repository.root)/Solutions/\(Self.lab)/solve.sh'", in: LabsTests.workspace)
        #expect(solved.status == 0, "seed \(seed): \(solved.stdout.suffix(800)) \(solved.stderr.suffix(500))")
        let graded = try LabsTests.grade(sandbox, Self.lab)
        #expect(graded.status == 0, "seed \(seed): \(graded.text)")
        let labGrade = graded.json["labs"].array.first
        #expect(labGrade?["mode"].string == "challenge")
        #expect(labGrade?["seed"].int == seed)
        let text = try sandbox.run(["lab", "grade", "10"], in: LabsTests.workspace).stdout
        #expect(text.contains("challenge (seed \(seed))"), "\(text)")
    }

    @Test func aSolutionThatFollowsTheGuidedStoryFailsUnderSomeSeed() throws {
        let sandbox = try Self.started(seed: 11)
        let complaints = sandbox.read(LabsTests.workspace + "/complaints.txt")
        #expect(complaints.contains("warranty"), "seed 11 breaks the warranty guide: \(complaints)")
        let script = sandbox.path + "/Solutions/guided/solve.sh"
        try FileManager.default.createDirectory(
            atPath: sandbox.path + "/Solutions/guided", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Repository.root + "/Solutions/lib.sh", toPath: sandbox.path + "/Solutions/lib.sh")
        try Data(Self.guidedStory.utf8).write(to: URL(fileURLWithPath: script))
        try sandbox.shell("bash '\(script)'", in: LabsTests.workspace)
        let graded = try LabsTests.grade(sandbox, Self.lab)
        #expect(graded.status == 1, "the guided story passed a challenge: \(graded.text)")
        let resolved = graded.json["tests"].array.first { $0["name"].string == "regression-resolved" }
        #expect(resolved?["status"].string == "fail", "\(graded.text)")
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
