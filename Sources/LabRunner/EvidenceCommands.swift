// The learner's evidence as commands: `writeup` (the postmortem, filled from the registry), `report` (the
// static HTML page with inline SVG charts), `bundle` (a portfolio in one file) and `verify` (the check anyone can
// run on it).
import Foundation
import LabKit
import Playbook
import Proof
import Registry
import Reports
import Terminal

enum EvidenceCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            ChallengeCommands.spec(now: env.now, json: Common.json),
            CommandSpec(
                name: "writeup",
                abstract: "Write the Markdown postmortem of your incident, every number read from the registry.",
                discussion: """
                    Sections marked 'your words' are yours to write. Writing again to the same --out file keeps
                    what you wrote in them and refreshes everything else.
                    """,
                options: [file, incident, Common.workspace]
            ) { invocation, console in
                // The grader's evidence: it holds the registry context and says how each lab was done.
                let evidence = try Evidence(workspace: try Common.workspace(invocation, console), now: env.now)
                let text = try Writeup.render(
                    context: evidence.context, incidentID: try invocation[incident],
                    provenance: evidence.writeupProvenance())
                guard let given = try invocation[file] else {
                    console.writeOut(text + "\n")
                    return 0
                }
                try Writeup.save(text, to: Common.path(given, console))
                console.out("Wrote \(given). Fill in the sections marked 'your words', then run 'LabRunner lab check'.")
                return 0
            },
            CommandSpec(
                name: "report",
                abstract: "Write the report page: one static HTML file with charts, every number citing its event.",
                discussion: """
                    Writes DIR/index.html (default: report/ in the workspace). The page has no scripts, fonts or
                    links, works offline and prints; the same registry always gives the same bytes.
                    """,
                options: [folder] + Common.io
            ) { invocation, console in
                let context = try Common.context(invocation, console, env)
                let target =
                    try invocation[folder].map { Common.path($0, console) } ?? context.workspace.root + "/report"
                let written = try ReportPage.write(context: context, folder: target)
                return try Common.emit(written, invocation, console) { $0.line(written.path) }
            },
            CommandSpec(
                name: "bundle",
                abstract: "Write one file with your evidence, write-up, report and grades, for anyone to verify.",
                discussion: """
                    The file is a tar archive: registry/ (events, versions, tags, objects, requests, incidents),
                    files/ (the workspace files the labs' checks read), writeup.md, report/index.html, grades.json
                    and statement.json, an in-toto Statement v1 listing every member with its SHA-256. With --sign
                    the statement is signed with your SSH key (ssh-keygen -Y sign, as git signs commits).
                    """,
                options: [bundleFile, sign, signingKey, learner] + Common.io
            ) { invocation, console in
                let given = try invocation[bundleFile]
                let out = try ProofBundle.outputFile(Common.path(given ?? "", console), named: given)
                let key = try ProofBundle.signingKey(
                    named: invocation[signingKey].map { Common.path($0, console) }, sign: invocation[sign],
                    home: console.environment["HOME"])
                let request = BundleRequest(
                    workspace: try Common.workspace(invocation, console), catalog: try LabCommands.catalog(console),
                    kitVersion: LabRunnerApp.version, learner: try invocation[learner], signingKey: key,
                    environment: console.environment)
                let result = try ProofBundle.make(request, now: env.now)
                try Common.write(result.data, to: out)
                return try Common.emit(result.json(path: out), invocation, console) {
                    result.render(&$0, named: given ?? out)
                }
            },
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
                arguments: [bundle],
                options: [
                    allowedSigners, identity, ChallengeExpectation.file, ChallengeExpectation.receivedAt, Common.json,
                ]
            ) { invocation, console in
                let signers = try invocation[allowedSigners]
                if try invocation[identity] != nil, signers == nil {
                    throw UsageError("--identity needs --allowed-signers FILE to check the signature against.")
                }
                let given = try invocation[bundle]
                let expected = try ChallengeExpectation.load(
                    invocation, from: console.currentDirectory, allowedSigners: signers, now: env.now())
                // verify needs no workspace: outside one, its scratch copy goes to the user's cache folder.
                let report = try ProofVerifier.verify(
                    VerifyRequest(
                        path: Common.path(given, console), catalog: try LabCatalog.embedded(),
                        kitVersion: LabRunnerApp.version, allowedSigners: signers.map { Common.path($0, console) },
                        identity: try invocation[identity], environment: console.environment,
                        scratchWorkspace: try? Common.workspace(invocation, console), challenge: expected))
                try Common.emit(report, invocation, console) { report.render(&$0, bundle: given) }
                return report.ok ? 0 : 1
            },
        ]
    }

    static let file = Option<String?>("out", "file", help: "Write to this file instead of standard output.")
    static let incident = Option<String?>(
        "incident", "id", help: "The incident (default: the first one rolled back after a forced promotion).")

    static let folder = Option<String?>(
        "out", "dir", help: "The folder to write index.html into (default: report/ in the workspace).")

    static let bundleFile = Option<String?>("out", "file", help: "The bundle file to write.", required: true)
    static let sign = Flag("sign", help: "Sign statement.json with your SSH key.")
    static let signingKey = Option<String?>(
        "key", "file", help: "The SSH private key to sign with (default: ~/.ssh/id_ed25519).")
    static let learner = Option<String>(
        "learner", "name", help: "Whose work this is (default: your user name).", defaultFrom: Console.userName(in:))

    static let bundle = Argument<String>("file", help: "The bundle written by 'LabRunner bundle'.")
    static let allowedSigners = Option<String?>(
        "allowed-signers", "file",
        help: "Check the signature against this ssh allowed-signers file (as git's gpg.ssh.allowedSignersFile).")
    static let identity = Option<String?>(
        "identity", "name", help: "The signer to expect (default: the file's first principal).")
}
