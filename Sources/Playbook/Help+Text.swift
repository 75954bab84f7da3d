// The help text of play commands, kept beside what they run so the command table stays short.

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
