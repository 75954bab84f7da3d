// Every lab end to end: untouched starts fail, reference solutions earn full marks, plausible wrong solutions fail
// with the reason a learner needs, and grades repeat exactly. The lab commands run in-process on the real time;
// the scripts (setup, reference and wrong solutions) call the built binary through $LABRUNNER.
import Foundation
import LabTestSupport
import Synchronization
import Testing

/// A wrong way to do a lab, and the check that must catch it with a phrase from its reason.
struct WrongSolution: Sendable, CustomStringConvertible {
    var lab: String
    var script: String
    var failingCheck: String
    var phrase: String

    var description: String { lab }
}

let wrongSolutions: [WrongSolution] = [
    WrongSolution(
        lab: "00-orientation",
        script: """
            "$LABRUNNER" eval run --out results/baseline.json
            sed -i 's/"passes" : [0-9]*/"passes" : 233/' results/baseline.json
            """, failingCheck: "baseline-measured", phrase: "recomputed, not trusted"),
    WrongSolution(
        lab: "01-what-is-a-version",
        script: """
            "$LABRUNNER" register --root --owner me --reason baseline
            echo "A note." >> system/prompt.md
            sed -i 's/"retrieval_top_k": 2/"retrieval_top_k": 3/' system/config.json
            "$LABRUNNER" register --parent '#1' --owner me --reason "note and a retrieval tweak"
            """, failingCheck: "prompt-only-version", phrase: "in prompt.md alone"),
    WrongSolution(
        lab: "02-register-behind-the-gate",
        script: """
            echo "my lampshade came with a dent,damaged_item" >> data/train.csv
            "$LABRUNNER" register --parent '#2' --owner me --reason "new data" --lineage-broken-ok
            """, failingCheck: "lineage-true", phrase: "broken lineage"),
    // New data, and the weights file edited to claim it rather than retrained.
    WrongSolution(
        lab: "02-register-behind-the-gate",
        script: """
            echo "my lampshade came with a dent,damaged_item" >> data/train.csv
            data=$("$LABRUNNER" hash data/train.csv | cut -d' ' -f1)
            sed -i "s/\\"data_sha256\\":\\"[0-9a-f]*\\"/\\"data_sha256\\":\\"$data\\"/" system/weights.json
            "$LABRUNNER" register --parent '#2' --owner me --reason "new data" --lineage-unverified-ok
            """, failingCheck: "retrained", phrase: "no training run the registry recorded"),
    WrongSolution(
        lab: "03-promotion-is-a-tag-move",
        script: """
            "$LABRUNNER" tag production '#3' --by me --reason "quicker than the gate"
            """, failingCheck: "gated-moves-only", phrase: "plain tag move"),
    WrongSolution(
        lab: "04-attribution",
        script: """
            "$LABRUNNER" traffic --requests 20 --seed 4
            request=$("$LABRUNNER" requests --limit 1 --json | grep -o '"id" : "req-[0-9a-f]*"' | cut -d'"' -f4)
            "$LABRUNNER" audit "$request" --out answers/04-audit.json
            """, failingCheck: "customers-served", phrase: "at least 100"),
    WrongSolution(
        lab: "05-manufacture-an-incident",
        script: """
            sed -i 's/^escalate: refund_over_500, legal_threat, account_takeover$/escalate: account_takeover/' system/prompt.md
            "$LABRUNNER" register --parent production --owner me --reason "shorter escalation list"
            "$LABRUNNER" promote '#4' --approver a-reviewer --force --reason "manufactured"
            "$LABRUNNER" traffic --requests 300 --seed 5
            """, failingCheck: "drop-confirmed", phrase: "No eval of #4"),
    WrongSolution(
        lab: "06-emergency-rollback",
        script: """
            "$LABRUNNER" rollback '#1' --reason "back to the very start"
            "$LABRUNNER" incident close INC-0001 --resolution "rolled back"
            """, failingCheck: "last-known-good", phrase: "which was not the last known good"),
    // The old path to "confirmed": the rollback re-ran the suite that passed at registration, and nothing else.
    WrongSolution(
        lab: "06-emergency-rollback",
        script: """
            "$LABRUNNER" rollback --reason "restore escalations"
            "$LABRUNNER" incident close INC-0001 --resolution "rolled back"
            """, failingCheck: "confirmed", phrase: "not confirmed by live evidence"),
    WrongSolution(
        lab: "07-run-an-experiment",
        script: """
            "$LABRUNNER" experiment start formal-tone --from production --ttl 3d
            sed -i 's/^tone: friendly$/tone: formal/' system/prompt.md
            "$LABRUNNER" register --experiment formal-tone --parent production --owner me --reason "formal tone"
            "$LABRUNNER" eval run --version exp-formal-tone
            "$LABRUNNER" experiment end formal-tone
            """, failingCheck: "fair-comparison", phrase: "compared with production"),
    // Lab 05's worse prompt left in system/: the "formal tone" experiment then changes two things.
    WrongSolution(
        lab: "07-run-an-experiment",
        script: """
            sed -i 's/^escalate: refund_over_500, legal_threat, account_takeover$/escalate: account_takeover/' system/prompt.md
            "$LABRUNNER" experiment start formal-tone --from production --ttl 3d
            sed -i 's/^tone: friendly$/tone: formal/' system/prompt.md
            "$LABRUNNER" register --experiment formal-tone --parent production --owner me --reason "formal tone"
            "$LABRUNNER" eval compare production exp-formal-tone
            "$LABRUNNER" experiment end formal-tone
            """, failingCheck: "experiment-version", phrase: "'escalate: account_takeover'"),
    // A retrieval tweak rides along with the tone: another component changed.
    WrongSolution(
        lab: "07-run-an-experiment",
        script: """
            "$LABRUNNER" experiment start formal-tone --from production --ttl 3d
            sed -i 's/^tone: friendly$/tone: formal/' system/prompt.md
            sed -i 's/"retrieval_top_k": 2/"retrieval_top_k": 3/' system/config.json
            "$LABRUNNER" register --experiment formal-tone --parent production --owner me --reason "formal tone"
            "$LABRUNNER" eval compare production exp-formal-tone
            "$LABRUNNER" experiment end formal-tone
            """, failingCheck: "experiment-version", phrase: "also changes config.json"),
    WrongSolution(
        lab: "08-answer-an-audit",
        script: """
            request=$("$LABRUNNER" requests --limit 1 --json | grep -o '"id" : "req-[0-9a-f]*"' | cut -d'"' -f4)
            "$LABRUNNER" audit "$request" --replay --out answers/08-audit.json
            """, failingCheck: "audited", phrase: "not by a version an incident names as bad"),
    WrongSolution(
        lab: "09-garbage-collection",
        script: """
            "$LABRUNNER" experiment start seed-sweep-2 --from production --ttl 2s
            "$LABRUNNER" train --seed 8
            "$LABRUNNER" register --experiment seed-sweep-2 --parent production --owner me --reason "seed 8"
            "$LABRUNNER" experiment end seed-sweep-2
            sleep 3
            "$LABRUNNER" gc --yes
            """, failingCheck: "dry-run-first", phrase: "without a dry run"),
    WrongSolution(
        lab: "10-investigate-a-regression",
        script: """
            "$LABRUNNER" investigate --onset "$(grep '^onset-a:' complaints.txt | cut -d' ' -f2)"
            "$LABRUNNER" investigate --onset "$(grep '^onset-b:' complaints.txt | cut -d' ' -f2)"
            "$LABRUNNER" rollback '#3' --reason "undo everything from today"
            """, failingCheck: "innocent-change-kept", phrase: "undoing erin's change"),
    WrongSolution(
        lab: "11-reproducibility-and-sampling",
        script: """
            "$LABRUNNER" checkout production copied
            mkdir -p repro && cp copied/weights.json repro/weights.json
            printf 'seed: 7\\ncompare: outputs\\n' > answers/11-reproducibility.txt
            """, failingCheck: "weights-reproduced", phrase: "retrain it with the kit, not a copy"),
    // A wrong seed: graded against the seed the registry's training run recorded, not a constant in lab.json.
    WrongSolution(
        lab: "11-reproducibility-and-sampling",
        script: """
            "$LABRUNNER" train --seed 42 --out repro/weights.json
            printf 'seed: 7\\ncompare: interval\\n' > answers/11-reproducibility.txt
            """, failingCheck: "seed-named", phrase: "the registry's training run"),
    // Filler long enough for any word count, citing nothing the registry backs.
    WrongSolution(
        lab: "12-capstone-writeup",
        script: """
            "$LABRUNNER" writeup --out writeup.md
            awk '/^<!-- your words: / { print; getline; print "Things happened and then other things happened, and in the end everything was fine again, which was good for everyone involved."; next } { print }' writeup.md > writeup.tmp
            mv writeup.tmp writeup.md
            """, failingCheck: "writeup-written", phrase: "cites nothing the registry backs"),
    // The same filler with a version that is not the incident's: any '#1' must not do.
    WrongSolution(
        lab: "12-capstone-writeup",
        script: """
            "$LABRUNNER" writeup --out writeup.md
            awk '/^<!-- your words: / { print; getline; print "Things happened after #1 and then other things happened, and in the end everything was fine again, which was good."; next } { print }' writeup.md > writeup.tmp
            mv writeup.tmp writeup.md
            """, failingCheck: "writeup-written", phrase: "cites nothing the registry backs"),
]

@Suite struct LabsTests {
    static let workspace = "lab-workspace"

    /// Starts `lab` in a fresh sandbox: earlier labs are laid down by their reference solutions.
    static func started(_ lab: String) throws -> Sandbox {
        let sandbox = try Sandbox(time: .live)
        try LaidStarts.start(lab, in: sandbox)
        return sandbox
    }

    static func json(_ text: String) -> JSONValueBox {
        JSONValueBox((try? JSONSerialization.jsonObject(with: Data(text.utf8))) ?? [:])
    }

    static func grade(_ sandbox: Sandbox, _ lab: String) throws -> (status: Int32, json: JSONValueBox, text: String) {
        let result = try sandbox.run(["lab", "grade", lab, "--format", "json"], in: workspace)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return (result.status, JSONValueBox(json), result.stdout)
    }

    @Test(arguments: wrongSolutions)
    func untouchedFailsSolutionPassesWrongSolutionFails(_ wrong: WrongSolution) throws {
        let sandbox = try Self.started(wrong.lab)

        let untouched = try Self.grade(sandbox, wrong.lab)
        #expect(untouched.status == 1, "the untouched start of \(wrong.lab) must not pass")
        #expect(untouched.json["status"].string == "fail")

        let solved = try sandbox.shell(
            "bash '\(Repository.root)/Solutions/\(wrong.lab)/solve.sh'", in: Self.workspace)
        #expect(solved.status == 0, "\(wrong.lab) solution: \(solved.stdout.suffix(500)) \(solved.stderr.suffix(500))")
        let graded = try Self.grade(sandbox, wrong.lab)
        #expect(graded.status == 0, "\(wrong.lab): \(graded.text)")
        #expect(graded.json["status"].string == "pass")
        #expect(graded.json["score"].int == graded.json["max_score"].int)
        #expect((graded.json["max_score"].int ?? 0) > 0)
        #expect(try Self.grade(sandbox, wrong.lab).text == graded.text, "a second grade must say the same")

        let reset = try sandbox.run(["lab", "reset", String(wrong.lab.prefix(2)), "--yes"], in: Self.workspace)
        #expect(reset.status == 0, "reset \(wrong.lab): \(reset.stderr)")
        #expect(try Self.grade(sandbox, wrong.lab).status == 1, "after reset \(wrong.lab) must not pass")
        try sandbox.shell("set -e\n" + wrong.script, in: Self.workspace)
        let failed = try Self.grade(sandbox, wrong.lab)
        #expect(failed.status == 1, "the wrong solution of \(wrong.lab) passed: \(failed.text)")
        let test = failed.json["tests"].array.first { $0["name"].string == wrong.failingCheck }
        #expect(test?["status"].string == "fail", "\(wrong.failingCheck) should fail: \(failed.text)")
        #expect(
            test?["message"].string?.contains(wrong.phrase) == true,
            "\(wrong.failingCheck) should say '\(wrong.phrase)': \(test?["message"].string ?? "")")
    }

    @Test func everyLabHasAWrongSolution() throws {
        let labs = try FileManager.default.contentsOfDirectory(atPath: Repository.root + "/Labs").filter {
            FileManager.default.fileExists(atPath: "\(Repository.root)/Labs/\($0)/lab.json")
        }
        #expect(Set(labs) == Set(wrongSolutions.map(\.lab)))
        for lab in labs {
            #expect(FileManager.default.fileExists(atPath: "\(Repository.root)/Solutions/\(lab)/solve.sh"), "\(lab)")
        }
    }

    @Test func allLabsInOneHistoryGradeInEveryFormat() throws {
        let sandbox = try Self.started("12-capstone-writeup")
        try sandbox.shell("bash '\(Repository.root)/Solutions/12-capstone-writeup/solve.sh'", in: Self.workspace)

        // Labs 00-11 were laid down by their reference solutions: in place, but not earned.
        let junit = try sandbox.run(["lab", "grade", "--all", "--format", "junit"], in: Self.workspace)
        #expect(junit.status == 1, "laid-down labs are not earned: \(junit.stdout)")
        try sandbox.write(junit.stdout, to: "grade.xml")
        // Parsed as a CI system would, with Python's xml.etree.
        let parsed = try python(
            """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            cases = root.findall('./testsuite/testcase')
            print(root.tag, len(root.findall('testsuite')), len(cases), len(root.findall('.//failure')))
            """, argument: sandbox.path + "/grade.xml")
        let figures = String(decoding: parsed, as: UTF8.self).split(separator: " ").map {
            String($0).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(figures.first == "testsuites")
        #expect(
            figures.count == 4 && figures[1] == "13" && (Int(figures[2]) ?? 0) > 30 && figures[3] == "12", "\(figures)")

        let json = try sandbox.run(["lab", "grade", "--all", "--format", "json"], in: Self.workspace)
        let report = JSONValueBox(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)))
        #expect(report["version"].string == "1")
        #expect(report["status"].string == "fail")
        let labs = report["labs"].array
        #expect(labs.count == 13)
        for lab in labs.dropLast() {
            #expect(
                lab["done_by"].string == "reference solution" && lab["score"].int == 0, "\(lab["lab"].string ?? "")")
        }
        #expect(labs.last?["done_by"].string == "hand")
        #expect(labs.last?["status"].string == "pass")
        #expect(report["score"].int == labs.last?["max_score"].int, "only the capstone was done by hand")
        let first = report["tests"][0]
        for key in ["name", "status", "score", "max_score", "message"] {
            #expect(!(first[key].value is NSNull), "tests[0] lacks \(key)")
        }

        let markdown = try sandbox.run(["lab", "grade", "--all", "--format", "markdown"], in: Self.workspace)
        #expect(markdown.stdout.contains("## 06-emergency-rollback · Emergency rollback against the clock — 0/60"))
        #expect(markdown.stdout.contains("Laid down by the reference solution (no points)"))
        #expect(markdown.stdout.contains("| pass | time-to-rollback | 0/20 |"))
        let list = try sandbox.ok(["lab", "list"], in: Self.workspace)
        #expect(list.contains("laid down (no points)"))

        let writeup = sandbox.read(Self.workspace + "/writeup.md")
        #expect(writeup.contains("# Postmortem: "))
        #expect(writeup.contains("-escalate: refund_over_500, legal_threat, account_takeover"))
        #expect(writeup.contains("| Replay from the registry's blobs | identical"))
        let solution = try sandbox.run(["lab", "solution", "06"], in: Self.workspace)
        #expect(solution.status == 0 && solution.stdout.contains("rollback"))
    }

    @Test func gradingTrustsEventsNotClaims() throws {
        let sandbox = try Self.started("01-what-is-a-version")
        try sandbox.write(
            #"{"current":"01-what-is-a-version","labs":{"01-what-is-a-version":{"status":"passed","score":25,"max_score":25,"checked_at":"2026-01-01T00:00:00.000Z"}}}"#,
            to: Self.workspace + "/.labrunner/progress.json")
        #expect(try Self.grade(sandbox, "01").status == 1, "an edited progress.json must change nothing")
        let early = try sandbox.run(["lab", "solution", "01"], in: Self.workspace)
        #expect(early.status == 1 && early.stderr.contains("only after the lab passes"))

        try sandbox.shell("bash '\(Repository.root)/Solutions/01-what-is-a-version/solve.sh'", in: Self.workspace)
        #expect(try Self.grade(sandbox, "01").status == 0)
        let log = Self.workspace + "/.labrunner/registry/events.jsonl"
        try sandbox.edit(log) { $0.replacingOccurrences(of: "baseline: the bundled", with: "baseline: a tampered") }
        let tampered = try Self.grade(sandbox, "01")
        #expect(tampered.status == 1)
        let integrity = tampered.json["tests"].array.first { $0["name"].string == "registry-integrity" }
        #expect(integrity?["status"].string == "fail")
        #expect(integrity?["message"].string?.contains("fails fsck") == true, "\(tampered.text)")
    }

    @Test func editingALabAfterItStartedChangesNothing() throws {
        let sandbox = try Sandbox(time: .live)
        for folder in ["Labs", "Solutions"] {
            try FileManager.default.copyItem(
                atPath: "\(Repository.root)/\(folder)", toPath: "\(sandbox.path)/checkout/\(folder)")
        }
        let labs = ["LABRUNNER_LABS": sandbox.path + "/checkout/Labs"]
        #expect(try sandbox.run(["lab", "start", "01"], environment: labs).status == 0)
        let manifest = "checkout/Labs/01-what-is-a-version/lab.json"
        // An edit that would pass the untouched start: the check that needs a prompt-only version, swapped out.
        try sandbox.edit(manifest) { text in
            let swapped = try edited(text) {
                $0.replacingOccurrences(of: "\"single_component_change\"", with: "\"no_broken_lineage\"")
            }
            return try edited(swapped) {
                $0.replacingOccurrences(of: "\"root_version\"", with: "\"no_broken_lineage\"")
            }
        }
        let graded = try sandbox.run(["lab", "grade", "01"], in: Self.workspace, environment: labs)
        #expect(graded.status == 1, "the lab is graded as it was started: \(graded.stdout)")
        #expect(graded.stdout.contains("No version is registered yet"))
    }

    /// A lab is the kit's own only when all of it is: a copy whose lab.json is identical but whose setup
    /// script differs grades as custom, and no custom lab (however many points it claims) is in the total.
    @Test func aLabWithTheKitsManifestButAnotherScriptIsCustomAndNeverInTheTotal() throws {
        let sandbox = try Sandbox(time: .live)
        for folder in ["Labs", "Solutions"] {
            try FileManager.default.copyItem(
                atPath: "\(Repository.root)/\(folder)", toPath: "\(sandbox.path)/checkout/\(folder)")
        }
        let labs = ["LABRUNNER_LABS": sandbox.path + "/checkout/Labs"]
        // The untouched copy is the kit's own lab.
        #expect(try sandbox.run(["lab", "start", "00"], environment: labs).status == 0)
        try sandbox.shell("bash '\(Repository.root)/Solutions/00-orientation/solve.sh'", in: Self.workspace)
        let kit = try sandbox.run(["lab", "grade", "00", "--format", "json"], in: Self.workspace, environment: labs)
        #expect(Self.json(kit.stdout)["labs"][0]["custom"].bool == false, "\(kit.stdout)")
        // The same lab.json beside another page (or setup, or solution) is not.
        try sandbox.edit("checkout/Labs/01-what-is-a-version/README.md") { $0 + "\nMy own way of doing it.\n" }
        #expect(try sandbox.run(["lab", "start", "01"], in: Self.workspace, environment: labs).status == 0)
        try sandbox.shell("bash '\(Repository.root)/Solutions/01-what-is-a-version/solve.sh'", in: Self.workspace)
        for extra in [labs, [:]] {
            let graded = try sandbox.run(
                ["lab", "grade", "--all", "--format", "json"], in: Self.workspace, environment: extra)
            let json = Self.json(graded.stdout)
            let custom = json["labs"].array.filter { $0["custom"].bool == true }.compactMap { $0["lab"].string }
            #expect(custom == ["custom:01-what-is-a-version"], "\(graded.stdout)")
            let kitPoints = json["labs"].array.filter { $0["custom"].bool == false }.compactMap { $0["max_score"].int }
            #expect(json["max_score"].int == kitPoints.reduce(0, +), "a custom lab is not in the total")
            let text = try sandbox.run(["lab", "grade", "--all"], in: Self.workspace, environment: extra).stdout
            #expect(text.contains("Custom labs, not in the total: 01-what-is-a-version"), "\(text)")
            #expect(text.contains("is not in the kit's total"))
            let markdown = try sandbox.run(
                ["lab", "grade", "--all", "--format", "markdown"], in: Self.workspace, environment: extra)
            #expect(markdown.stdout.contains("Custom labs, not in the total: 01-what-is-a-version"))
        }
    }

    @Test func hintsAreRecordedAndCostNothing() throws {
        let sandbox = try Self.started("00-orientation")
        #expect(try sandbox.ok(["lab", "hint"], in: Self.workspace).contains("Hint 1 of 3"))
        #expect(try sandbox.ok(["lab", "hint"], in: Self.workspace).contains("Hint 2 of 3"))
        let bad = try sandbox.run(["lab", "hint", "--level", "9"], in: Self.workspace)
        #expect(bad.status == 1 && bad.stderr.contains("no hint level 9"))
        try sandbox.shell("bash '\(Repository.root)/Solutions/00-orientation/solve.sh'", in: Self.workspace)
        let graded = try Self.grade(sandbox, "00")
        #expect(graded.json["labs"][0]["hints_used"].int == 2)
        #expect(graded.json["score"].int == 10)
        let again = try sandbox.ok(["lab", "start", "00"], in: Self.workspace)
        #expect(again.contains("Continuing: you started this lab at"))
        #expect(try Self.grade(sandbox, "00").status == 0)
    }

    @Test func labCommandsRefuseBadInputAndWriteNothing() throws {
        let sandbox = try Sandbox()
        let unknown = try sandbox.run(["lab", "start", "99"])
        #expect(unknown.status == 1 && unknown.stderr.contains("No lab '99'"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/" + Self.workspace), "nothing is written")
        let format = try sandbox.run(["lab", "grade", "--format", "xml"])
        #expect(format.status == 64 && format.stderr.contains("--format must be"))

        let labs = sandbox.path + "/checkout/Labs"
        try FileManager.default.createDirectory(atPath: sandbox.path + "/checkout", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.root + "/Labs", toPath: labs)
        try sandbox.edit("checkout/Labs/03-promotion-is-a-tag-move/lab.json") {
            $0.replacingOccurrences(of: "\"canary_promotion\"", with: "\"canary_promoted\"")
        }
        let broken = try sandbox.run(["lab", "list"], environment: ["LABRUNNER_LABS": labs])
        #expect(broken.status == 1)
        #expect(
            broken.stderr.contains("Labs/03-promotion-is-a-tag-move/lab.json: field 'checks[1].check'"),
            "\(broken.stderr)")

        let started = try Self.started("00-orientation")
        let reset = try started.run(["lab", "reset", "00"], in: Self.workspace)
        #expect(reset.status == 1 && reset.stderr.contains("add --yes"))
    }
}

/// What `lab start` leaves, made once per lab for the whole run and copied into each sandbox that starts that lab:
/// laying twelve labs down runs their reference solutions, their sleeps included. A lab with a timer is started
/// afresh every time, since its clock runs from the start.
enum LaidStarts {
    private final class Slot: Sendable {
        let folder = Mutex<TemporaryFolder?>(nil)
    }
    private static let slots = Mutex<[String: Slot]>([:])
    private static let removedAtExit: Void = { atexit { LaidStarts.slots.withLock { $0.removeAll() } } }()

    static func start(_ lab: String, in sandbox: Sandbox) throws {
        let number = String(lab.prefix(2))
        guard !timed(lab) else {
            let start = try sandbox.run(["lab", "start", number])
            #expect(start.status == 0, "lab start \(lab): \(start.stderr)")
            return
        }
        _ = removedAtExit
        let slot = slots.withLock { slots in
            if let slot = slots[lab] { return slot }
            let slot = Slot()
            slots[lab] = slot
            return slot
        }
        try slot.folder.withLock { folder in
            if folder == nil {
                let made = try TemporaryFolder("lab-start-\(number)")
                let start = try sandbox.run(["lab", "start", number], in: "")
                try #require(start.status == 0, "lab start \(lab): \(start.stderr)")
                try FileManager.default.moveItem(
                    atPath: sandbox.path + "/" + LabsTests.workspace, toPath: made.path + "/" + LabsTests.workspace)
                folder = made
            }
            try FileManager.default.copyItem(
                atPath: (folder?.path ?? "") + "/" + LabsTests.workspace,
                toPath: sandbox.path + "/" + LabsTests.workspace)
        }
    }

    private static func timed(_ lab: String) -> Bool {
        let manifest = FileManager.default.contents(atPath: "\(Repository.root)/Labs/\(lab)/lab.json") ?? Data()
        return String(decoding: manifest, as: UTF8.self).contains("\"timers\"")
    }
}
