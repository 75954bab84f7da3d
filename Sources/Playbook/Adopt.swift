// `adopt`: an existing project folder becomes a workspace. Its settings (`.labrunner/project.json`, which the
// user may edit) name the components by path, the training data for lineage and the commands that evaluate,
// train and replay the user's own system. Every path is checked (links resolved) to stay inside the project
// before anything is written; the `.labrunner/` folder is built under a hidden name and renamed into place.
public import Foundation
import Hashing
public import Registry

/// What an adopted project is made of: component name → path (relative to the project), and its commands.
public struct ProjectSettings: Codable, Sendable, Equatable {
    public var components: [String: String]
    public var dataset: String?
    public var evalCommand: String?
    public var trainCommand: String?
    /// The component train_command writes (default: the one named `weights`): its hash is the run's output.
    public var trainOutput: String?
    public var replayCommand: String?
    public var postDeployCommand: String?
    /// Seconds a command may run before it is stopped and its run refused.
    public var commandTimeoutSeconds: Int?

    public init(components: [String: String], dataset: String? = nil) {
        self.components = components
        self.dataset = dataset
    }

    enum CodingKeys: String, CodingKey {
        case components, dataset
        case evalCommand = "eval_command"
        case trainCommand = "train_command"
        case trainOutput = "train_output"
        case replayCommand = "replay_command"
        case postDeployCommand = "post_deploy_command"
        case commandTimeoutSeconds = "command_timeout_seconds"
    }

    public static func path(in workspace: Workspace) -> String { workspace.markerPath + "/project.json" }

    public var timeout: Double { Double(commandTimeoutSeconds ?? 600) }

    /// The component whose content a training run produces.
    public var trainedComponent: String { trainOutput ?? "weights" }

    /// The adopted project's settings, or nil for a workspace made by `init` (the toy).
    public static func load(_ workspace: Workspace) throws -> ProjectSettings? {
        let path = path(in: workspace)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlaybookError.settingsInvalid(path: path, reason: "it cannot be read")
        }
        let settings: ProjectSettings
        do {
            settings = try JSONDecoder().decode(ProjectSettings.self, from: data)
        } catch {
            throw PlaybookError.settingsInvalid(
                path: path, reason: "it is not a JSON object with \"components\": {NAME: PATH} and optional commands")
        }
        if let problem = AdoptPlay.check(settings, root: workspace.root).problem {
            throw PlaybookError.settingsInvalid(path: path, reason: problem)
        }
        return settings
    }

    /// Absolute paths of the components, by name.
    public func absolutePaths(root: String) -> [String: String] {
        components.mapValues { Workspace.absolute($0, from: root) }
    }
}

public struct AdoptRequest: Sendable {
    /// The project folder (absolute).
    public var folder: String
    /// `NAME=PATH` as typed.
    public var components: [String]
    public var dataset: String?
    public var evalCommand: String?
    public var trainCommand: String?
    public var replayCommand: String?

    public init(
        folder: String, components: [String], dataset: String?, evalCommand: String?, trainCommand: String?,
        replayCommand: String?
    ) {
        self.folder = folder
        self.components = components
        self.dataset = dataset
        self.evalCommand = evalCommand
        self.trainCommand = trainCommand
        self.replayCommand = replayCommand
    }
}

/// What adopt found and wrote.
public struct AdoptResult: Encodable, Sendable {
    public struct Found: Encodable, Sendable {
        public var name: String
        public var path: String
        public var kind: String
        public var files: Int
        public var bytes: Int
    }
    public var root: String
    public var settings: String
    public var components: [Found]
    public var dataset: Found?
    public var commands: [String: String]
    /// The line to add to `.gitignore`, when it does not ignore `.labrunner/` yet (never written by adopt).
    public var gitignoreSuggestion: String?
    /// Top-level entries of the project that no component names (so the user can tell what is left out).
    public var notNamed: [String]

    enum CodingKeys: String, CodingKey {
        case root, settings, components, dataset, commands
        case gitignoreSuggestion = "gitignore_suggestion"
        case notNamed = "not_named"
    }
}

public enum AdoptPlay {
    /// What a component name may be: one safe file name (it is the name in every checkout).
    static func validName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        return !name.isEmpty && name.count <= 100 && name.allSatisfy(allowed.contains) && !name.hasPrefix(".")
            && !name.hasPrefix("-")
    }

    struct Checked {
        var found: [AdoptResult.Found] = []
        var dataset: AdoptResult.Found?
        var problem: String?
    }

    /// Checks settings against the project at `root`: names, and every path existing inside the project
    /// (links resolved) and outside `.labrunner/`. `problem` is the first refusal, as the end of a sentence.
    static func check(_ settings: ProjectSettings, root: String) -> Checked {
        var checked = Checked()
        guard let realRoot = realPath(root) else {
            checked.problem = "the project folder \(root) does not exist"
            return checked
        }
        guard !settings.components.isEmpty else {
            checked.problem = "no component is named; pass --component NAME=PATH for each file or folder to version"
            return checked
        }
        func inspect(_ name: String, _ path: String, what: String) -> AdoptResult.Found? {
            let absolute = Workspace.absolute(path, from: root)
            guard let real = realPath(absolute) else {
                checked.problem =
                    "\(what) '\(name)' names \(path), which does not exist; check the path (relative "
                    + "to the project folder)"
                return nil
            }
            guard real.hasPrefix(realRoot + "/") else {
                checked.problem =
                    "\(what) '\(name)' names \(path), which resolves to \(real), outside the project "
                    + "folder \(realRoot); copy it into the project or adopt a folder that holds it"
                return nil
            }
            let marker = realRoot + "/" + Workspace.markerFolder
            guard real != marker, !real.hasPrefix(marker + "/") else {
                checked.problem = "\(what) '\(name)' names \(path), inside the registry's own .labrunner/ folder"
                return nil
            }
            let (files, bytes, isFolder) = measure(real)
            return AdoptResult.Found(
                name: name, path: String(absolute.dropFirst(root.count + 1)), kind: isFolder ? "folder" : "file",
                files: files, bytes: bytes)
        }
        for (name, path) in settings.components.sorted(by: { $0.key < $1.key }) {
            guard validName(name) else {
                checked.problem =
                    "the component name '\(name)' is not a plain file name (letters, digits, '.', '_', "
                    + "'-', not starting with '.' or '-'); choose another name"
                return checked
            }
            guard let found = inspect(name, path, what: "the component") else { return checked }
            checked.found.append(found)
        }
        if let dataset = settings.dataset {
            guard let found = inspect("dataset", dataset, what: "the") else { return checked }
            guard found.kind == "file" else {
                checked.problem = "the dataset \(dataset) is a folder; name one file (such as data/train.csv)"
                return checked
            }
            checked.dataset = found
        }
        let commands = [
            ("eval_command", settings.evalCommand), ("train_command", settings.trainCommand),
            ("replay_command", settings.replayCommand), ("post_deploy_command", settings.postDeployCommand),
        ]
        for case (let key, let command?) in commands where command.trimmingCharacters(in: .whitespaces).isEmpty {
            checked.problem = "\(key) is empty; give the shell command, or leave it out"
            return checked
        }
        if settings.trainCommand != nil, settings.components[settings.trainedComponent] == nil {
            checked.problem =
                "train_command is set but no component is named '\(settings.trainedComponent)' (what it trains); "
                + "name the trained file or folder --component weights=PATH, or set \"train_output\": NAME in "
                + ".labrunner/project.json"
        }
        return checked
    }

    /// Makes `request.folder` a workspace. Refusals come before any write.
    public static func run(_ request: AdoptRequest, actor: String, now: @escaping @Sendable () -> Date) throws
        -> AdoptResult
    {
        let root = request.folder
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw PlaybookError.invalid("The project folder \(root) does not exist; give an existing folder to adopt.")
        }
        let workspace = Workspace(root: root)
        if FileManager.default.fileExists(atPath: workspace.markerPath) {
            throw PlaybookError.invalid(
                "\(root) is already a workspace (it has .labrunner/); edit .labrunner/project.json to change its "
                    + "components or commands instead of adopting it again.")
        }
        var components: [String: String] = [:]
        for pair in request.components {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex,
                pair.index(after: equals) != pair.endIndex
            else {
                throw PlaybookError.invalid(
                    "--component '\(pair)' is not NAME=PATH; write it as, for example, --component weights=model/weights.bin."
                )
            }
            let name = String(pair[..<equals])
            guard components[name] == nil else {
                throw PlaybookError.invalid("The component '\(name)' is named twice; give each component one path.")
            }
            components[name] = String(pair[pair.index(after: equals)...])
        }
        var settings = ProjectSettings(components: components, dataset: request.dataset)
        settings.evalCommand = request.evalCommand
        settings.trainCommand = request.trainCommand
        settings.replayCommand = request.replayCommand
        let checked = check(settings, root: root)
        if let problem = checked.problem {
            throw PlaybookError.invalid(problem.prefix(1).uppercased() + problem.dropFirst() + ".")
        }
        let staging = root + "/.labrunner-adopt-" + UUID().uuidString
        do {
            let staged = Workspace(root: staging)
            try FileManager.default.createDirectory(atPath: staged.markerPath, withIntermediateDirectories: true)
            try Registry.create(root: staged.registryPath, actor: actor, now: now)
            try People.seed(user: actor, into: Registry(root: staged.registryPath, now: now))
            let data = Data(try CanonicalJSON.prettyString(settings).utf8)
            try data.write(to: URL(fileURLWithPath: ProjectSettings.path(in: staged)), options: .atomic)
            try FileManager.default.moveItem(atPath: staged.markerPath, toPath: workspace.markerPath)
            try? FileManager.default.removeItem(atPath: staging)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        let named = Set(checked.found.map { $0.path.split(separator: "/").first.map(String.init) ?? $0.path })
            .union(checked.dataset.map { [$0.path.split(separator: "/").first.map(String.init) ?? $0.path] } ?? [])
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
        return AdoptResult(
            root: root, settings: ProjectSettings.path(in: workspace), components: checked.found,
            dataset: checked.dataset,
            commands: [
                "eval_command": settings.evalCommand, "train_command": settings.trainCommand,
                "replay_command": settings.replayCommand,
            ].compactMapValues { $0 }, gitignoreSuggestion: gitignoreSuggestion(root: root),
            notNamed: entries.filter { !named.contains($0) }.sorted())
    }

    /// `.labrunner/` when the project's `.gitignore` does not ignore it yet.
    static func gitignoreSuggestion(root: String) -> String? {
        let text = (try? String(contentsOfFile: root + "/.gitignore", encoding: .utf8)) ?? ""
        let ignored = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .contains { [".labrunner", ".labrunner/", "/.labrunner", "/.labrunner/"].contains($0) }
        return ignored ? nil : ".labrunner/"
    }

    static func realPath(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }

    /// Files and bytes under `path` (a folder's dot-entries skipped, as the registry skips them).
    static func measure(_ path: String) -> (files: Int, bytes: Int, folder: Bool) {
        var isFolder: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        guard isFolder.boolValue else {
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
            return (1, size, false)
        }
        var files = 0
        var bytes = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where !name.hasPrefix(".") {
            let inner = measure(path + "/" + name)
            files += inner.files
            bytes += inner.bytes
        }
        return (files, bytes, true)
    }
}
