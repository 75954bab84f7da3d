// One binary carries everything: LabRunner copied alone into an empty folder outside the checkout runs a lab
// from start to grade, and a lab started from a doctored LABRUNNER_LABS grades as a custom lab.
import Foundation
import LabTestSupport
import Testing

@Suite struct PortableBinaryTests {
    /// An empty home outside the checkout with only `bin/LabRunner` in it, as after copying a release binary.
    final class Install {
        let home: String
        var binary: String { home + "/bin/LabRunner" }
        var temporary: String { home + "/tmp" }

        init() throws {
            let name = "labrunner-portable-" + UUID().uuidString
            home = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            for folder in ["bin", "tmp"] {
                try FileManager.default.createDirectory(atPath: home + "/" + folder, withIntermediateDirectories: true)
            }
            try FileManager.default.copyItem(atPath: Binary.path, toPath: binary)
        }

        deinit { try? FileManager.default.removeItem(atPath: home) }

        /// Runs a shell command in `folder` (relative to the home) with nothing but an ordinary environment:
        /// LabRunner on PATH, no LABRUNNER, LABRUNNER_LABS or LABRUNNER_WORKSPACE, unless `extra` adds one.
        func shell(_ command: String, in folder: String = "", extra: [String: String] = [:]) throws -> RunResult {
            try runProcess(
                "/bin/bash", ["-c", command], in: folder.isEmpty ? home : home + "/" + folder,
                environment: [
                    "PATH": home + "/bin:/usr/bin:/bin", "HOME": home, "USER": "learner", "NO_COLOR": "1",
                    "TMPDIR": temporary,
                ].merging(extra) { $1 })
        }

        func json(_ text: String) throws -> JSONValueBox {
            JSONValueBox(try JSONSerialization.jsonObject(with: Data(text.utf8)))
        }
    }

    static let workspace = "lab-workspace"

    @Test func aCopiedBinaryRunsALabFromStartToGrade() throws {
        let install = try Install()
        #expect(try install.shell("LabRunner init").status == 0)

        let start = try install.shell("LabRunner lab start 00", in: Self.workspace)
        #expect(start.status == 0, "\(start.stderr)")
        let readme = try #require(start.stdout.split(separator: "\n").first { $0.hasPrefix("Read: ") })
        let text = FileManager.default.contents(
            atPath: install.home + "/" + Self.workspace + "/" + readme.dropFirst("Read: ".count))
        #expect(text == FileManager.default.contents(atPath: Repository.root + "/Labs/00-orientation/README.md"))

        // The tour names the next command; a learner runs it as shown.
        let tour = try install.shell("LabRunner", in: Self.workspace)
        #expect(tour.stdout.contains("Lab 00 · Orientation: 0/10 points"), "\(tour.stdout)")
        let command = try #require(tour.stdout.split(separator: "\n").first { $0.hasPrefix("Run:  ") })
        #expect(try install.shell(String(command.dropFirst("Run:  ".count)), in: Self.workspace).status == 0)
        #expect(try install.shell("LabRunner lab solution 00", in: Self.workspace).status == 1)

        let solved = try install.shell(
            "bash '\(Repository.root)/Solutions/00-orientation/solve.sh'", in: Self.workspace)
        #expect(solved.status == 0, "\(solved.stderr)")
        let graded = try install.shell("LabRunner lab grade --format json", in: Self.workspace)
        #expect(graded.status == 0, "\(graded.stdout)")
        let report = try install.json(graded.stdout)
        #expect(report["status"].string == "pass" && report["score"].int == 10)
        #expect(report["labs"][0]["lab"].string == "00-orientation")
        #expect(report["labs"][0]["custom"].bool == false)

        let solution = try install.shell("LabRunner lab solution 00", in: Self.workspace)
        #expect(solution.stdout.utf8.elementsEqual(Self.file("Solutions/00-orientation/solve.sh")))

        // Lab 02 lays lab 01 down with the reference solution built into the binary (and its lib.sh).
        let later = try install.shell("LabRunner lab start 02", in: Self.workspace)
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.stdout.contains("Laying down 01-what-is-a-version with its reference solution"))
        let laid = try install.shell("LabRunner lab grade 01 --format json", in: Self.workspace)
        #expect(laid.status == 1, "a laid-down lab is in place but not earned")
        #expect(try install.json(laid.stdout)["labs"][0]["done_by"].string == "reference solution")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: install.temporary)
        #expect(leftovers.isEmpty, "the scripts' temporary copies are removed: \(leftovers)")
    }

    @Test func aLabStartedFromADoctoredManifestGradesAsCustom() throws {
        let install = try Install()
        for folder in ["Labs", "Solutions"] {
            try FileManager.default.copyItem(
                atPath: Repository.root + "/" + folder, toPath: install.home + "/authoring/" + folder)
        }
        let manifest = install.home + "/authoring/Labs/00-orientation/lab.json"
        try edit(file: manifest) {
            $0.replacingOccurrences(of: "\"title\": \"Orientation\"", with: "\"title\": \"Orientation, my way\"")
        }
        let authoring = ["LABRUNNER_LABS": install.home + "/authoring/Labs"]

        #expect(try install.shell("LabRunner lab start 00", extra: authoring).status == 0)
        let solved = try install.shell(
            "bash ../authoring/Solutions/00-orientation/solve.sh", in: Self.workspace, extra: authoring)
        #expect(solved.status == 0, "\(solved.stderr)")

        // With or without the override, the lab is graded as it was started: custom, never the kit's lab 00.
        for extra in [authoring, [:]] {
            let json = try install.shell("LabRunner lab grade 00 --format json", in: Self.workspace, extra: extra)
            let report = try install.json(json.stdout)
            #expect(json.status == 0 && report["status"].string == "pass", "\(json.stdout)")
            #expect(report["labs"][0]["lab"].string == "custom:00-orientation")
            #expect(report["labs"][0]["title"].string == "Orientation, my way")
            #expect(report["labs"][0]["custom"].bool == true)
            #expect(report["tests"].array.allSatisfy { $0["name"].string?.hasPrefix("custom:00-orientation/") == true })

            let text = try install.shell("LabRunner lab grade 00", in: Self.workspace, extra: extra).stdout
            #expect(text.hasPrefix("Custom lab 00-orientation · Orientation, my way: 10/10"), "\(text)")
            #expect(text.contains("are not LabRunner's own 00-orientation"))
            let status = try install.shell("LabRunner lab status", in: Self.workspace, extra: extra).stdout
            #expect(status.contains("Custom lab: its manifest"), "\(status)")
            let junit = try install.shell("LabRunner lab grade 00 --format junit", in: Self.workspace, extra: extra)
            #expect(junit.stdout.contains("<testsuite name=\"custom:00-orientation\""))
            #expect(!junit.stdout.contains("\"00-orientation\""))
            let markdown = try install.shell(
                "LabRunner lab grade 00 --format markdown", in: Self.workspace, extra: extra)
            #expect(markdown.stdout.contains("## custom:00-orientation · Orientation, my way — 10/10"))
            #expect(markdown.stdout.contains("> Custom lab: its manifest"))
        }
    }

    static func file(_ relative: String) -> Data {
        FileManager.default.contents(atPath: Repository.root + "/" + relative) ?? Data()
    }
}
