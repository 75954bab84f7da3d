// Running a lab's shell scripts (setup and reference solutions) so that they never outlive LabRunner: each runs
// in a process group of its own, which is killed when the script ends and the moment LabRunner dies.
import Foundation
public import Registry

/// Runs a lab's shell scripts (setup and reference solutions) in the workspace, as a person would.
public struct ScriptRunner: Sendable {
    /// The LabRunner binary the scripts call as `$LABRUNNER`.
    public var labRunner: String
    public var environment: [String: String]

    public init(labRunner: String, environment: [String: String]) {
        self.labRunner = labRunner
        self.environment = environment
    }

    /// The guard every script runs under (`$1` is the script). Job control puts the script in a process group
    /// of its own, with everything it starts (`serve &`, `traffic`, each `$LABRUNNER` command). The guard's
    /// standard input is a pipe whose writing end only LabRunner holds and never writes: it reads end of file
    /// the moment LabRunner is gone, however it died (kill -9 included), and then kills the whole group. When
    /// the script ends the group is killed too, so nothing it left running (a server) writes afterwards.
    ///
    /// (Without job control a background command's standard input is /dev/null, hence the pipe's copy on fd 3.)
    /// Foundation's Process can run no code in the child, so a parent-death signal (prctl) cannot be set there;
    /// it would end only bash anyway, not the commands bash started. Foundation already gives the guard a
    /// process group of its own, so a Ctrl-C at the terminal reaches LabRunner, whose death ends the script.
    static let guardScript = """
        set -m
        /bin/bash "$1" </dev/null &
        script=$!
        set +m
        exec 3<&0 0</dev/null
        { while read -r -u 3 _; do :; done; kill -KILL -- "-$script" 2>/dev/null; } &
        watch=$!
        wait "$script"
        status=$?
        kill -KILL -- "-$script" 2>/dev/null
        kill -KILL "$watch" 2>/dev/null
        exit "$status"
        """

    /// Runs `script` with the workspace as its current folder; a failure names it as `name` (default: its path).
    /// Its temporary files (`mktemp`) go to a scratch folder inside the workspace, removed afterwards.
    public func run(_ script: String, in workspace: Workspace, named name: String? = nil) throws {
        let files = LabFiles(workspace: workspace)
        let hold = try files.holdScratch()
        defer { withExtendedLifetime(hold) {} }
        let temporary = try files.scratchFolder("tmp")
        // A scratch folder: one left behind is swept by the next lab command.
        defer { try? LabFiles.removeTree(temporary) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", Self.guardScript, "labrunner-script", script]
        process.currentDirectoryURL = URL(fileURLWithPath: workspace.root)
        var env = environment
        env["LABRUNNER"] = labRunner
        env["LABRUNNER_WORKSPACE"] = workspace.root
        env["NO_COLOR"] = "1"
        env["TMPDIR"] = temporary
        // The fault plan is the command's own: a step number names one write of one process, not of its scripts.
        env.removeValue(forKey: "LABRUNNER_FAULT")
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let lifeline = Pipe()
        process.standardInput = lifeline
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Closed only once the script is over: until then its end of file would mean "LabRunner is gone".
        withExtendedLifetime(lifeline) {}
        guard process.terminationStatus == 0 else {
            throw LabError.scriptFailed(
                script: name ?? script, status: process.terminationStatus, output: String(decoding: data, as: UTF8.self)
            )
        }
    }
}
