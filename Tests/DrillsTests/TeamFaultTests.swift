// A team's own fault catalogue: checked whole before a drill is laid, drawn by the seed, replayed only with the
// file its code was made from, shipped as the team described it and scored as the kit's fault with its right call.
import Drills
import Foundation
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct TeamFaultTests {
    static let catalogue = """
        {"faults": [
          {"name": "no-refund-escalation", "summary": "the prompt stops escalating refunds over 500",
           "change": {"file": "prompt.md", "replace": "refund_over_500, ", "with": ""}, "right_call": "roll-back"},
          {"name": "tone-note", "summary": "a note on tone, shipped in newsletter week",
           "change": {"file": "prompt.md", "append": "Keep a warm tone.\\n"}, "right_call": "keep"},
          {"name": "notice-and-threshold", "summary": "a required privacy notice and a threshold of 0 in one release",
           "change": {"file": "config.json", "replace": "\\"confidence_threshold\\": 0.45",
                      "with": "\\"confidence_threshold\\": 0"},
           "required": {"file": "index/privacy.md", "append": "\\nTranscripts are kept for 30 days.\\n"},
           "right_call": "fix-forward"}
        ]}
        """

    static func written(_ text: String) throws -> (TemporaryFolder, String) {
        let folder = try TemporaryFolder("faults")
        let path = folder.path + "/faults.json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (folder, path)
    }

    static func problem(_ text: String) throws -> String {
        let (folder, path) = try written(text)
        defer { _ = folder }
        do {
            _ = try TeamCatalogue(path: path, shown: "faults.json")
            return "accepted"
        } catch let error as DrillsError {
            return error.description
        }
    }

    @Test func aCatalogueIsReadWhole() throws {
        let (folder, path) = try Self.written(Self.catalogue)
        defer { _ = folder }
        let catalogue = try TeamCatalogue(path: path)
        #expect(catalogue.faults.map(\.name) == ["no-refund-escalation", "tone-note", "notice-and-threshold"])
        #expect(catalogue.faults.map(\.playsAs) == [.prompt, .noise, .fixForward])
        #expect(catalogue.faults[2].required?.component == "index")
    }

    @Test(arguments: [
        ("{\"faults\": []}", "from 1 to 50 faults"),
        ("not json", "is not valid JSON"),
        (
            #"{"faults": [{"name": "x", "summary": "s", "right_call": "keep", "owner": "me", "change": {}}]}"#,
            "unknown key 'owner'"
        ),
        (#"{"faults": [{"name": "Bad Name", "summary": "s", "right_call": "keep", "change": {}}]}"#, "\"name\""),
        (
            #"{"faults": [{"name": "prompt", "summary": "s", "right_call": "keep", "change": {}}]}"#,
            "kit's fault name 'prompt'"
        ),
        (
            #"{"faults": [{"name": "w", "summary": "s", "right_call": "roll-back", "change": {"file": "weights.json", "append": "x"}}]}"#,
            "weights need a training run"
        ),
        (
            #"{"faults": [{"name": "w", "summary": "s", "right_call": "roll-back", "change": {"file": "../etc/passwd", "append": "x"}}]}"#,
            "changes '../etc/passwd'"
        ),
        (
            #"{"faults": [{"name": "w", "summary": "s", "right_call": "roll-back", "change": {"file": "prompt.md", "replace": "no such words", "with": ""}}]}"#,
            "does not contain"
        ),
        (
            #"{"faults": [{"name": "w", "summary": "s", "right_call": "roll-back", "change": {"file": "config.json", "replace": "{", "with": "["}}]}"#,
            "not valid JSON in"
        ),
        (
            #"{"faults": [{"name": "w", "summary": "s", "right_call": "roll-back", "change": {"file": "prompt.md", "delete": true}}]}"#,
            "only an index document"
        ),
        (
            #"{"faults": [{"name": "w", "summary": "s", "right_call": "fix-forward", "change": {"file": "prompt.md", "append": "x"}}]}"#,
            "needs a \"required\" change"
        ),
        (
            #"{"faults": [{"name": "w", "summary": "s", "right_call": "undo", "change": {"file": "prompt.md", "append": "x"}}]}"#,
            "roll-back, keep, fix-forward"
        ),
        (
            #"{"faults": [{"name": "w", "summary": "s", "right_call": "keep", "change": {"file": "prompt.md", "append": "x"}}, {"name": "w", "summary": "s", "right_call": "keep", "change": {"file": "prompt.md", "append": "y"}}]}"#,
            "names 'w' twice"
        ),
    ])
    func aBadCatalogueIsRefusedNamingTheProblem(text: String, expected: String) throws {
        let problem = try Self.problem(text)
        #expect(problem.hasPrefix("The fault catalogue faults.json "), "\(problem)")
        #expect(problem.contains(expected), "\(problem)")
        #expect(problem.contains("Docs/drills.md"), "the way out: \(problem)")
    }

    @Test func randomDrawsTheTeamsFaultsAndTheCodeNeedsTheirFile() throws {
        let (folder, path) = try Self.written(Self.catalogue)
        defer { _ = folder }
        let catalogue = try TeamCatalogue(path: path)
        let drawn = try (1...12).map { try DrillPlan(fault: "random", seed: $0, window: 300, catalogue: catalogue) }
        #expect(drawn.allSatisfy { $0.team != nil }, "random picks among the team's faults")
        #expect(Set(drawn.compactMap(\.team?.name)).count > 1)
        let plan = try DrillPlan(fault: "tone-note", seed: 5, window: 300, catalogue: catalogue)
        #expect(try DrillPlan(code: plan.code, catalogue: catalogue) == plan)
        // Without the file, or with another one, the code is refused rather than replaying a different drill.
        #expect(throws: DrillsError.self) { try DrillPlan(code: plan.code) }
        let other = TeamCatalogue(faults: Array(catalogue.faults.prefix(2)))
        #expect(throws: DrillsError.self) { try DrillPlan(code: plan.code, catalogue: other) }
        // The kit's faults stay nameable beside the team's.
        #expect(try DrillPlan(fault: "config", seed: 5, window: 300, catalogue: catalogue).team == nil)
    }

    /// Each right call: the alarm fires, the shipped version carries the team's change, and the scripted
    /// response for the call the team named takes full marks under the team's fault's name.
    @Test(arguments: ["no-refund-escalation", "tone-note", "notice-and-threshold"])
    func aTeamsFaultShipsAsDescribedAndItsRightCallTakesFullMarks(name: String) throws {
        let (folder, path) = try Self.written(Self.catalogue)
        defer { _ = folder }
        let catalogue = try TeamCatalogue(path: path)
        let team = try #require(catalogue.fault(named: name))
        let drill = try SimulatedDrill(name, catalogue: catalogue)
        let incident = try #require(try drill.shipAndDetect(), "the monitor's alarm fires")
        let fault = try #require(drill.simulation.fault)
        #expect(fault.team == team && fault.badComponent == team.change.component)
        let checkout = drill.root + "/shipped"
        try drill.context.registry.checkout(try drill.context.registry.record(id: fault.badVersion), into: checkout)
        let shipped = try String(contentsOfFile: checkout + "/" + team.change.file, encoding: .utf8)
        switch name {
        case "no-refund-escalation": #expect(!shipped.contains("refund_over_500") && shipped.contains("legal_threat"))
        case "tone-note": #expect(shipped.hasSuffix("Keep a warm tone.\n"))
        default:
            #expect(shipped.contains("\"confidence_threshold\": 0,"))
            let notice = try String(contentsOfFile: checkout + "/index/privacy.md", encoding: .utf8)
            #expect(notice.contains("Transcripts are kept for 30 days."))
        }
        try OptimalResponse.respond(drill.simulation, incident: incident)
        let record = try ScoringTests.record(drill)
        #expect(record.call?.right == true, "\(String(describing: record.call))")
        #expect(record.score == 100)
        #expect(record.fault?.name == name && record.fault?.summary == team.summary)
    }
}
