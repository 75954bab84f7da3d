// `train` on an adopted project: train_command runs with its contract's variables and is recorded as the toy's
// training is (data hash, command, seed, output hash), register verifies the trained component against those runs,
// a failing run records nothing, and a project command sees this process's environment minus stray LABRUNNER_*.
import Foundation
import Hashing
import LabTestSupport
import Playbook
import Registry
import Testing

@Suite struct AdoptTrainTests {
    /// Writes the weights from the data and the seed, so the same inputs give the same bytes.
    static let train = "{ cat \"$LABRUNNER_DATASET\"; echo \"seed $LABRUNNER_SEED\"; } > \"$LABRUNNER_OUTPUT\""

    func adopted(train: String = AdoptTrainTests.train) throws -> OwnProject {
        let project = try OwnProject()
        try AdoptPlay.run(
            AdoptRequest(
                folder: project.root, components: OwnProject.components, dataset: "data/train.csv",
                evalCommand: "sh eval.sh", trainCommand: train, replayCommand: nil), actor: "alice",
            now: project.clock.now)
        return project
    }

    func train(_ project: OwnProject, seed: UInt64 = 7) throws -> TrainingReport {
        project.clock.advance(seconds: 1)
        return try Training.run(
            data: nil, weights: nil, seed: seed, by: "alice", in: Workspace(root: project.root),
            now: project.clock.now)
    }

    @Test func trainRunsTheCommandAndRecordsTheRunThatRegisterVerifies() throws {
        let project = try adopted()
        let report = try train(project)
        let weights = try #require(FileManager.default.contents(atPath: project.root + "/model/weights.bin"))
        #expect(String(decoding: weights, as: UTF8.self) == "text,label\nrefund please,refund\nseed 7\n")
        #expect(report.run.weightsSHA256 == SHA256.hash(weights).hex)
        #expect(report.run.dataSHA256 == SHA256.hash("text,label\nrefund please,refund\n").hex)
        #expect(report.run.hyperparameters == ["command": Self.train])
        #expect(report.run.seed == 7 && report.data == "data/train.csv" && report.weights == "model/weights.bin")
        let registered = try project.register("trained")
        let facts = try RegisterFacts.of(registered.record)
        #expect(facts.lineageTrainingEvent == report.run.event)
        #expect(!registered.lineageUnverified)
    }

    @Test func weightsNoRunProducedAreRefusedUnlessRecordedAsUnverified() throws {
        let project = try adopted()
        _ = try train(project)
        try project.write("model/weights.bin", "edited by hand\n")
        let before = project.snapshot()
        #expect(throws: PlaybookError.self) { try project.register("hand edit") }
        #expect(project.snapshot() == before, "a refused register writes nothing")
        let request = RegisterRequest(
            owner: "alice", reason: "hand edit", parent: nil, root: true, lineageUnverifiedOK: true)
        let result = try RegisterPlay.run(request, in: project.context())
        #expect(result.lineageUnverified)
    }

    @Test func aFailingTrainCommandRecordsNothing() throws {
        let project = try adopted(train: "echo half > \"$LABRUNNER_OUTPUT\"; echo 'out of memory' >&2; exit 3")
        let events = try project.context().registry.events().count
        do {
            _ = try train(project)
            Issue.record("a failing train_command must be refused")
        } catch {
            #expect("\(error)".contains("train_command exited with status 3"))
            #expect("\(error)".contains("out of memory"))
        }
        #expect(try project.context().registry.events().count == events)
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.labrunner/scratch"))
    }

    @Test func trainRefusesWhatTheToyTakesAndATrainCommandWithoutItsOutput() throws {
        let project = try adopted()
        #expect(throws: PlaybookError.self) {
            try Training.run(
                data: project.root + "/data/train.csv", weights: nil, seed: 1, by: "alice",
                in: Workspace(root: project.root), now: project.clock.now)
        }
        let other = try OwnProject()
        #expect(throws: PlaybookError.self) {
            try AdoptPlay.run(
                AdoptRequest(
                    folder: other.root, components: ["prompt=prompt.txt"], dataset: nil, evalCommand: "sh eval.sh",
                    trainCommand: "true", replayCommand: nil), actor: "alice", now: other.clock.now)
        }
        #expect(!FileManager.default.fileExists(atPath: other.root + "/.labrunner"))
    }

    /// The cheapest wrong environment is the inherited one as it is: an outer run's LABRUNNER_VERSION_DIR would
    /// reach a command whose contract does not set it.
    @Test func projectCommandsSeeTheProcessEnvironmentWithoutStrayLabRunnerVariables() throws {
        let folder = try TemporaryFolder("project-env")
        let run = try ProjectCommand.run(
            "echo \"$PATH|$LABRUNNER_VERSION_DIR|$LABRUNNER_FAULT|$LABRUNNER_SEED|$LABRUNNER\"", in: folder.path,
            environment: ["LABRUNNER_SEED": "5"], timeout: 10, scratch: folder.path,
            inherited: [
                "PATH": "/usr/bin:/bin", "LABRUNNER_VERSION_DIR": "/elsewhere", "LABRUNNER_FAULT": "drop",
                "LABRUNNER_SEED": "1", "LABRUNNER": "/bin/LabRunner",
            ])
        #expect(String(decoding: run.stdout, as: UTF8.self) == "/usr/bin:/bin|||5|/bin/LabRunner\n")
    }
}
