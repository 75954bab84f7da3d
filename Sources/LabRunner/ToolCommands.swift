// `LabRunner hash FILE…` (SHA-256 of files, printed like sha256sum) and `LabRunner bench …` (rerunnable
// benchmarks whose figures the README quotes; the Bench module runs them).
import Bench
import Hashing
import Terminal

enum ToolCommands {
    static func all(_ env: AppEnvironment) -> [CommandSpec] {
        [
            CommandSpec(
                name: "hash", abstract: "Print the SHA-256 of files, in sha256sum's format.",
                discussion:
                    "Files are streamed, never held in memory. LABRUNNER_PORTABLE_SHA=1 forces the portable code path.",
                arguments: [files]
            ) { invocation, console in
                for path in try invocation[files] {
                    // Relative to the console's folder, not the process's, and named as given when unreadable.
                    let located = path.hasPrefix("/") ? path : console.currentDirectory + "/" + path
                    do {
                        console.out("\(try SHA256.hash(fileAt: located).hex)  \(path)")
                    } catch HashingError.unreadable(_, let reason) {
                        throw HashingError.unreadable(path: path, reason: reason)
                    }
                }
                return 0
            },
            CommandSpec(
                name: "bench", abstract: "Run the kit's benchmarks and print their figures.",
                discussion: "Build with 'swift build -c release' first: debug builds are several times slower.",
                subcommands: [
                    CommandSpec(
                        name: "registry",
                        abstract: "Time hashing, register, tag moves, listing and ref resolution in one process.",
                        options: [BenchOptions.registryVersions, BenchOptions.registryKeep, Common.json]
                    ) { invocation, console in
                        let figures = try RegistryBenchmark.run(
                            versions: try invocation[BenchOptions.registryVersions],
                            keep: try invocation[BenchOptions.registryKeep].map { Common.path($0, console) },
                            environment(env, console))
                        return try Common.emit(figures, invocation, console)
                    },
                    CommandSpec(
                        name: "model",
                        abstract:
                            "Time in-process answers, an eval of core with 30 repeats, and training; optionally calibrate compare.",
                        options: [BenchOptions.calibration, Common.json]
                    ) { invocation, console in
                        try Common.emit(
                            try ModelBenchmark.run(
                                calibration: try invocation[BenchOptions.calibration], environment(env, console)),
                            invocation, console)
                    },
                    CommandSpec(
                        name: "playbook",
                        abstract:
                            "Time rollback, in-process traffic, gc over many versions and audit lookups in a big request log.",
                        options: [
                            BenchOptions.playbookVersions, BenchOptions.playbookRequests, BenchOptions.playbookKeep,
                            Common.json,
                        ]
                    ) { invocation, console in
                        let versions = try invocation[BenchOptions.playbookVersions]
                        let requests = try invocation[BenchOptions.playbookRequests]
                        guard versions >= 10, requests >= 1000 else {
                            throw UsageError("Use at least 10 versions and 1000 requests.")
                        }
                        let figures = try PlaybookBenchmark.run(
                            versions: versions, requests: requests,
                            keep: try invocation[BenchOptions.playbookKeep].map { Common.path($0, console) },
                            environment(env, console))
                        return try Common.emit(figures, invocation, console)
                    },
                ]
            ),
        ] + AdoptCommands.all(env)
    }

    static let files = Argument<[String]>(repeating: "file", help: "Files to hash.")

    static func environment(_ env: AppEnvironment, _ console: Console) -> BenchEnvironment {
        BenchEnvironment(now: env.now, clock: env.clock) { label, total in
            ProgressBar(total: total, label: label, console: console)
        }
    }
}
