// Register warns, without refusing, when system/ differs from the parent in more than one component.
import Foundation
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct RegisterWarningTests {
    @Test func aVersionChangingTwoComponentsIsRegisteredWithAWarningNamingThem() throws {
        let lab = try LabWorkspace("playbook")
        let base = try lab.register("baseline")
        try lab.edit("system/prompt.md") { $0 + "\nA note.\n" }
        let one = try RegisterPlay.run(
            RegisterRequest(owner: "alice", reason: "a note", parent: base.id, root: false), in: lab.context())
        #expect(!one.warnings.contains { $0.contains("components") }, "one component changed: \(one.warnings)")

        try lab.edit("system/prompt.md") { $0 + "Another note.\n" }
        try lab.edit("system/config.json") {
            $0.replacingOccurrences(of: "\"retrieval_top_k\": 2", with: "\"retrieval_top_k\": 3")
        }
        let two = try RegisterPlay.run(
            RegisterRequest(owner: "alice", reason: "another note", parent: one.record.id, root: false),
            in: lab.context())
        #expect(!two.existing)
        let warning = two.warnings.first { $0.contains("components") }
        #expect(
            warning?.contains("differs from its parent #\(one.record.seq) in 2 components (config.json, prompt.md)")
                == true, "\(two.warnings)")
    }
}
