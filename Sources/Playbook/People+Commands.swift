// The `people` and `approve` commands as data, built here beside the plays they call (the executable adds them
// to its table with the workspace and --json options it shares with every command).
public import Foundation
import Hashing
public import Registry
public import Terminal

public enum PeopleCommands {
    public typealias Context = @Sendable (Invocation, Console) throws -> PlayContext

    static let name = Argument<String>(
        "name", help: "The person's name (compared without case, spacing or Unicode form).")
    static let key = Option<String?>(
        "key", "pub-file", help: "Their SSH public key (.pub): their approvals are signed.")
    static let role = Option<[Roster.Role]?>(
        "role", "roles", help: "Comma-separated: reviewer, owner, operator, learner.", parse: People.roles)
    static let by = Option<String>(
        "by", "name", help: "Who makes the change: someone on the roster (default: $USER).",
        defaultFrom: Console.userName(in:))
    static let version = Argument<String>("ref", help: "The version to approve: #N, an id prefix or a tag.")
    static let signer = Option<String>(
        "as", "name", help: "The approver: on the roster with a key (required).",
        missing: "Missing --as NAME: say who approves.")
    static let privateKey = Option<String>(
        "key", "private-key", help: "Their SSH private key (required).",
        missing: "Missing --key PRIVATE_KEY: the approval is signed with the approver's key.")
    static let out = Option<String?>("out", "file", help: "Write the approval here (default: standard output).")
    /// promote's options: a signed approval, and who runs the promotion.
    public static let approval = Option<String?>(
        "approval", "file", help: "A signed approval from 'LabRunner approve' (required with --high-stakes).")
    public static let runBy = Option<String>(
        "by", "name", help: "Who runs the promotion: not the approver (default: $USER).",
        defaultFrom: Console.userName(in:))

    /// `people add|remove|list` and `approve`.
    public static func all(context: @escaping Context, io: [any OptionDeclaration], json: Flag) -> [CommandSpec] {
        @Sendable func emit<T: Encodable & TextRendering>(_ value: T, _ invocation: Invocation, _ console: Console)
            throws -> Int32
        { try CommandOutput.emit(value, json: invocation[json], on: console) }
        return [
            CommandSpec(
                name: "people", abstract: "The people the registry knows: who may act and approve.",
                discussion: """
                    Once the roster has people, every actor and approver must be on it, and a second person is a
                    different identity from the owner and the actor (names compare trimmed, case-folded and in
                    Unicode compatibility form). Each change is an event and needs --by someone already on it.
                    """,
                subcommands: [
                    CommandSpec(
                        name: "add", abstract: "Add a person (or replace their key and roles).",
                        arguments: [name], options: [key, role, by] + io
                    ) { invocation, console in
                        let context = try context(invocation, console)
                        let person = try People.add(
                            try invocation[name],
                            keyFile: try invocation[key].map { Workspace.absolute($0, from: console.currentDirectory) },
                            roles: try invocation[role] ?? [], by: try invocation[by], in: context.registry)
                        return try emit(person, invocation, console)
                    },
                    CommandSpec(
                        name: "remove", abstract: "Remove a person; their past events keep their name.",
                        arguments: [name], options: [by] + io
                    ) { invocation, console in
                        let context = try context(invocation, console)
                        try context.registry.removePerson(try invocation[name], by: try invocation[by])
                        return try emit(try context.registry.roster(), invocation, console)
                    },
                    CommandSpec(name: "list", abstract: "List the roster.", options: io) { invocation, console in
                        try emit(try context(invocation, console).registry.roster(), invocation, console)
                    },
                ]),
            CommandSpec(
                name: "approve", abstract: "Sign your approval of a promotion with your SSH key.",
                discussion: """
                    Signs the request (the version, production as it is now, you, the time) with 'ssh-keygen -Y
                    sign' under the namespace labrunner-approval. 'LabRunner promote REF --approval FILE' checks it
                    against your key on the roster: it is good for that version over that production only.
                    """,
                arguments: [version], options: [signer, privateKey, out] + io
            ) { invocation, console in
                let context = try context(invocation, console)
                let approval = try Approvals.sign(
                    ref: try invocation[version], as: try invocation[signer],
                    keyPath: Workspace.absolute(try invocation[privateKey], from: console.currentDirectory),
                    environment: console.environment, in: context)
                let text = try CanonicalJSON.prettyString(approval) + "\n"
                guard let file = try invocation[out] else {
                    console.writeOut(text)
                    return 0
                }
                try StagedOutput.write(Data(text.utf8), to: Workspace.absolute(file, from: console.currentDirectory))
                return try emit(approval, invocation, console)
            },
        ]
    }
}
