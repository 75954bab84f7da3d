// `challenge issue` as data, built beside the challenge it writes (the executable adds it to its table with the
// --json flag it shares with every command).
public import Foundation
import Hashing
import LabKit
import Registry
public import Terminal

public enum ChallengeCommands {
    static let to = Option<String?>("to", "name", help: "The learner the challenge is for.", required: true)
    static let labs = Option<String>(
        "labs", "range", help: "The labs asked for: 00-12, 03 or 02,05.", default: "00-12")
    static let key = Option<String?>("sign", "key", help: "Sign the challenge with this SSH private key.")
    static let out = Option<String?>("out", "file", help: "The challenge file to write.", required: true)

    /// `challenge issue`.
    public static func spec(now: @escaping @Sendable () -> Date, json: Flag) -> CommandSpec {
        CommandSpec(
            name: "challenge",
            abstract: "Challenges an examiner issues: a learner's workspace answers one, and verify checks it.",
            subcommands: [
                CommandSpec(
                    name: "issue",
                    abstract: "Write a signed challenge: a fresh nonce, the labs, the learner and the issue time.",
                    discussion: """
                        The learner starts with 'LabRunner init --challenge FILE'; every lab there is laid from a
                        seed the nonce derives. 'LabRunner verify BUNDLE --challenge FILE --allowed-signers FILE'
                        then checks that the bundle answers it, within the examiner's clock.
                        """,
                    options: [to, labs, key, out, json]
                ) { invocation, console in
                    let given = try invocation[out] ?? ""
                    let path = try ProofBundle.outputFile(
                        Workspace.absolute(given, from: console.currentDirectory), named: given)
                    let issued = try ExaminerChallenge.issue(
                        to: invocation[to] ?? "", labs: invocation[labs], catalog: LabCatalog.embedded(),
                        keyPath: invocation[key].map { Workspace.absolute($0, from: console.currentDirectory) },
                        environment: console.environment, now: now())
                    try StagedOutput.write(try issued.data(), to: path)
                    if try invocation[json] {
                        console.writeOut(try CanonicalJSON.prettyString(issued))
                    } else {
                        console.show { issued.render(&$0, named: given) }
                    }
                    return 0
                }
            ])
    }
}
