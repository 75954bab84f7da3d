// The copy built into LabRunner: the embedded labs, solutions and toy defaults are byte for byte the files in
// Labs/, Solutions/ and Sources/ToyModel/Defaults, and a lab whose manifest is not the kit's grades as custom.
import Foundation
import Hashing
import Testing

@testable import LabKit
@testable import ToyModel

@Suite struct EmbeddedCatalogTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Every file under `folder` (hidden names skipped, as the build tool skips them), relative path → bytes.
    static func onDisk(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: folder))
        while let relative = enumerator.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isFolder)
            if !isFolder.boolValue { files[relative] = FileManager.default.contents(atPath: folder + "/" + relative) }
        }
        return files
    }

    static func drift(embedded: [String: Data], disk: [String: Data], label: String) -> [String] {
        let missing = Set(disk.keys).subtracting(embedded.keys).sorted().map { "\(label)/\($0) is not embedded" }
        let extra = Set(embedded.keys).subtracting(disk.keys).sorted().map { "\(label)/\($0) is embedded but gone" }
        let changed = disk.keys.filter { embedded[$0] != nil && embedded[$0] != disk[$0] }.sorted().map {
            "\(label)/\($0) differs from its embedded copy"
        }
        return missing + extra + changed
    }

    @Test func theEmbeddedLabsAndSolutionsAreTheFilesOnDisk() throws {
        for folder in ["Labs", "Solutions"] {
            var embedded: [String: Data] = [:]
            for (path, data) in LabCatalog.kitFiles where path.hasPrefix(folder + "/") {
                embedded[String(path.dropFirst(folder.count + 1))] = data
            }
            let disk = try Self.onDisk(Self.repository + "/" + folder)
            #expect(!disk.isEmpty)
            let drift = Self.drift(embedded: embedded, disk: disk, label: folder)
            #expect(drift.isEmpty, "rebuild LabRunner: \(drift.joined(separator: "; "))")
        }
        #expect(LabCatalog.kitFiles.keys.allSatisfy { $0.hasPrefix("Labs/") || $0.hasPrefix("Solutions/") })
    }

    @Test func theEmbeddedToyDefaultsAreTheFilesOnDisk() throws {
        let disk = try Self.onDisk(Self.repository + "/Sources/ToyModel/Defaults")
        #expect(disk["system/prompt.md"] != nil)
        let drift = Self.drift(embedded: DefaultSystem.embedded, disk: disk, label: "Defaults")
        #expect(drift.isEmpty, "rebuild LabRunner: \(drift.joined(separator: "; "))")
    }

    @Test func theEmbeddedCatalogIsTheCheckoutsAndTheDefault() throws {
        let embedded = try LabCatalog.embedded()
        let checkout = try LabCatalog.load(root: Self.repository)
        #expect(embedded.source == .embedded)
        #expect(embedded.labs.map(\.id) == checkout.labs.map(\.id))
        #expect(embedded.labs.map(\.manifestSHA256) == checkout.labs.map(\.manifestSHA256))
        #expect(embedded.labs.map(\.manifest) == checkout.labs.map(\.manifest))
        #expect(embedded.labs.map(\.contentSHA256) == checkout.labs.map(\.contentSHA256))
        for lab in checkout.labs {
            #expect(LabCatalog.isKitManifest(lab: lab.id, sha256: lab.manifestSHA256), "\(lab.id)")
            #expect(
                LabCatalog.isKitLab(lab.id, manifestSHA256: lab.manifestSHA256, contentSHA256: lab.contentSHA256))
            #expect(try embedded.solution(of: lab) == checkout.solution(of: lab), "\(lab.id)")
        }
        let first = try #require(checkout.labs.first)
        // The kit's lab.json beside another reference solution is not the kit's lab.
        var files = LabCatalog.kitFiles(of: first.id)
        files["Solutions/\(first.id)/solve.sh"]?.append(Data("\n# mine\n".utf8))
        #expect(
            !LabCatalog.isKitLab(
                first.id, manifestSHA256: first.manifestSHA256, contentSHA256: LabCatalog.contentHash(files)))
        #expect(!LabCatalog.isKitManifest(lab: first.id, sha256: SHA256.hash(Data("{}".utf8)).hex))
        #expect(!LabCatalog.isKitManifest(lab: "99-not-a-kit-lab", sha256: first.manifestSHA256))

        let located = try LabCatalog.locate(environment: [:], currentDirectory: "/")
        #expect(located.source == .embedded)
        let authored = try LabCatalog.locate(
            environment: ["LABRUNNER_LABS": "Labs"], currentDirectory: Self.repository)
        #expect(authored.source == .folder(labs: Self.repository + "/Labs", solutions: Self.repository + "/Solutions"))
        let error = try #require(throws: LabError.self) {
            try LabCatalog.locate(environment: ["LABRUNNER_LABS": "/nonexistent/Labs"], currentDirectory: "/")
        }
        #expect(error.description.contains("LABRUNNER_LABS names /nonexistent/Labs"))
    }

    @Test func aCustomLabSaysSoInEveryFormat() {
        let tests = [
            TestResult(name: "baseline-measured", status: .pass, score: 10, maxScore: 10, message: "measured")
        ]
        let custom = LabGrade(
            lab: "00-orientation", title: "Orientation", score: 10, maxScore: 10, tests: tests, hintsUsed: 0,
            attempts: 1, laidDown: false,
            manifestSHA256: String(repeating: "ab", count: 32), custom: true)
        let report = GradeReport(grades: [custom])
        #expect(report.text { text, _ in text }.hasPrefix("Custom lab 00-orientation · Orientation: 10/10"))
        #expect(report.text { text, _ in text }.contains("are not LabRunner's own 00-orientation"))
        #expect(report.markdown().contains("## custom:00-orientation · Orientation — 10/10"))
        #expect(report.markdown().contains("> Custom lab: its manifest (sha256 abababababab)"))
        #expect(report.junit().contains("<testsuite name=\"custom:00-orientation\""))
        #expect(report.junit().contains("<property name=\"custom_lab\" value=\"true\"/>"))
        #expect(report.junit().contains("classname=\"custom:00-orientation\" name=\"baseline-measured\""))
        let json = (try? report.json()) ?? ""
        #expect(json.contains("\"lab\" : \"custom:00-orientation\""))
        #expect(json.contains("\"custom\" : true"))
        #expect(json.contains("\"name\" : \"custom:00-orientation/baseline-measured\""))
        #expect(!json.contains("\"lab\" : \"00-orientation\""))

        var kit = custom
        kit.custom = false
        let plain = GradeReport(grades: [kit])
        #expect(plain.text { text, _ in text }.hasPrefix("Lab 00-orientation · Orientation"))
        #expect(!plain.junit().contains("custom") && !plain.markdown().contains("custom"))
        #expect(((try? plain.json()) ?? "").contains("\"custom\" : false"))

        // A custom 1000-point lab beside the kit's lab lifts no total, in any format.
        var big = custom
        big.lab = "99-easy-points"
        (big.score, big.maxScore) = (1000, 1000)
        let mixed = GradeReport(grades: [kit, big])
        #expect((mixed.score, mixed.maxScore) == (kit.score, kit.maxScore))
        let text = mixed.text { text, _ in text }
        #expect(text.contains("Total: \(kit.score)/\(kit.maxScore); 1 of 1 labs pass."), "\(text)")
        #expect(text.contains("Custom labs, not in the total: 99-easy-points 1000/1000."))
        #expect(mixed.markdown().contains("— \(kit.score) of \(kit.maxScore) points."))
        #expect(((try? mixed.json()) ?? "").contains("\"max_score\" : \(kit.maxScore),"))
    }
}
