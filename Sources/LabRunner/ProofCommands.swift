// `bundle` and `verify`: a portfolio's evidence in one file, and the check anyone can run on it.
import Foundation
import LabKit
import Proof
import Registry
import Terminal

enum ProofCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] { [bundleSpec(env), verifySpec(env)] }

    static func bundleSpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "bundle",
            abstract: "Write one file with your evidence, write-up, report and grades, for anyone to verify.",
            discussion: """
                The file is a tar archive: registry/ (events, versions, tags, objects, requests, incidents),
                files/ (the workspace files the labs' checks read), writeup.md, report/index.html, grades.json
                and statement.json, an in-toto Statement v1 listing every member with its SHA-256. With --sign
                the statement is signed with your SSH key (ssh-keygen -Y sign, as git signs commits).
                """,
            options: [
                .value("out", "file", help: "The bundle file to write.", required: true),
                .flag("sign", help: "Sign statement.json with your SSH key."),
                .value("key", "file", help: "The SSH private key to sign with (default: ~/.ssh/id_ed25519)."),
                .value("learner", "name", help: "Whose work this is (default: your user name)."),
                Common.workspace, Common.json,
            ]
        ) { invocation, console in
            let out = Workspace.absolute(invocation.value("out") ?? "", from: console.currentDirectory)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), isFolder.boolValue {
                throw UsageError("--out \(invocation.value("out") ?? out) is a folder; give a file to write.")
            }
            let key: String? =
                invocation.flag("sign")
                ? invocation.value("key").map { Workspace.absolute($0, from: console.currentDirectory) }
                    ?? (console.environment["HOME"] ?? "~") + "/.ssh/id_ed25519" : nil
            if invocation.value("key") != nil, !invocation.flag("sign") {
                throw UsageError("--key names the key to sign with; add --sign to sign the bundle.")
            }
            let request = BundleRequest(
                workspace: try Common.workspace(invocation, console), catalog: try LabCommands.catalog(console),
                kitVersion: LabRunnerApp.version,
                learner: invocation.value("learner") ?? Common.currentUser(console), signingKey: key,
                environment: console.environment)
            let result = try ProofBundle.make(request, now: env.now)
            try Common.write(result.data, to: out)
            if invocation.flag("json") {
                struct Output: Encodable {
                    var path: String
                    var bytes: Int
                    var signed: Bool
                    var statement: Statement
                }
                try Common.printJSON(
                    Output(path: out, bytes: result.data.count, signed: result.signed, statement: result.statement),
                    console)
            } else {
                let labs = result.statement.predicate.labs
                console.out(
                    "Wrote \(invocation.value("out") ?? out): \(result.statement.subject.count) members, "
                        + "\(labs.count) lab(s), events up to #\(result.statement.predicate.eventLog.seq)"
                        + (result.signed ? ", signed." : "."))
                console.out("Anyone can check it with: LabRunner verify \(invocation.value("out") ?? out)")
            }
            return 0
        }
    }

    static func verifySpec(_ env: AppEnvironment) -> CommandSpec {
        CommandSpec(
            name: "verify",
            abstract: "Check a bundle, trusting nothing in it; exit 0 if everything recomputes, 1 on any mismatch.",
            discussion: """
                Re-derives everything from the evidence: the event chain and objects, every recorded eval (re-run
                from the stored blobs), every lab's grade (against this kit's own labs), the report page, the
                write-up's generated numbers and the incident records. Each mismatch is printed as
                'member: what differs'. The bundle is read as hostile input: links, paths outside the folder and
                oversized members are refused before anything is written.
                """,
            arguments: [.required("file", help: "The bundle written by 'LabRunner bundle'.")],
            options: [
                .value(
                    "allowed-signers", "file",
                    help:
                        "Check the signature against this ssh allowed-signers file (as git's gpg.ssh.allowedSignersFile)."
                ),
                .value("identity", "name", help: "The signer to expect (default: the file's first principal)."),
                Common.json,
            ]
        ) { invocation, console in
            if invocation.value("identity") != nil, invocation.value("allowed-signers") == nil {
                throw UsageError("--identity needs --allowed-signers FILE to check the signature against.")
            }
            let given = invocation.argument("file") ?? ""
            let request = VerifyRequest(
                path: Workspace.absolute(given, from: console.currentDirectory),
                catalog: try LabCatalog.embedded(), kitVersion: LabRunnerApp.version,
                allowedSigners: invocation.value("allowed-signers").map {
                    Workspace.absolute($0, from: console.currentDirectory)
                },
                identity: invocation.value("identity"), environment: console.environment)
            let report = try ProofVerifier.verify(request)
            if invocation.flag("json") {
                try Common.printJSON(report, console)
                return report.ok ? 0 : 1
            }
            for mismatch in report.mismatches { console.out("\(mismatch.member): \(mismatch.problem)") }
            for note in report.notes { console.out("Note: \(note)") }
            if report.ok {
                console.out(console.styled("Verified \(given)", .green) + " (\(report.learner ?? "unknown learner")):")
                for line in report.checked { console.out("  ✓ \(line)") }
                return 0
            }
            console.out(
                console.styled("\(given) fails verification", .red)
                    + ": \(report.mismatches.count) mismatch(es) above.")
            return 1
        }
    }
}
