// The help text of play commands, kept beside what they run so the command table stays short.
public import Terminal

extension Training {
    /// What `train --help` says.
    public static let discussion = """
        The same data and seed always give byte-identical weights; weights.json records both. The run is
        recorded in the registry (training.recorded: data hash, seed, hyperparameters, trainer version,
        output hash), which is what 'register' verifies the weights' lineage against.
        """
}

extension AdoptPlay {
    /// What `adopt --help` says.
    public static let discussion = """
        Writes .labrunner/ (settings in .labrunner/project.json) beside the project's files. Components are files
        or folders inside the project, of any size; see Docs/own-system.md for the commands' contracts. Suggests a
        .gitignore line and never writes one.
        """
}

extension DeployFolder {
    /// What `deploy --help` says.
    public static let discussion = """
        DIR/releases/<id>/ holds each deployed version's checkout (files hard-linked to the registry's read-only
        blobs where the file system allows) and DIR/current is a relative symlink to the production release,
        replaced atomically (a new link renamed over the old) by 'deploy' and by every promote and rollback after
        it. Point your service at DIR/current. An adopted project's post_deploy_command runs after each flip, with
        LABRUNNER_RELEASE_DIR, LABRUNNER_VERSION and LABRUNNER_DEPLOY_DIR set; its exit status is recorded.
        """
}

extension RequestImport {
    /// What `requests import --help` says.
    public static let discussion = """
        Each line: {"id", "at" (ISO 8601), "version" (a version id or prefix, or a deploy folder's release name),
        "input_sha256", "output_sha256"} and optionally "satisfied" (true or false). Lines naming an unknown
        version, repeating an id (in the file or in the log), or malformed are refused by line number, and then
        nothing is imported. 'LabRunner audit ID' then names the version that answered; in an adopted project
        'audit ID --replay' runs replay_command on that version's checkout and compares output hashes.
        """
}

extension RequestImportReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line("Imported \(imported) request\(imported == 1 ? "" : "s") into the attribution log:")
        for (version, count) in versions.sorted(by: { $0.key < $1.key }) {
            out.line("  \(version.prefix(12))  \(count)")
        }
        out.line("Next: LabRunner audit ID (--replay to reproduce one)")
    }
}
