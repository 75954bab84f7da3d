// The labs: the kit's own, compiled into LabRunner (Labs/ and Solutions/, embedded by the EmbedKitFiles
// plugin), or an author's Labs/ folder named by LABRUNNER_LABS; every manifest validated on load. The catalog
// is the one place that reads a lab's files and runs its scripts, wherever they live.
public import Foundation
import Hashing
public import Registry

public struct LabCatalog: Sendable {
    public enum Source: Sendable, Equatable {
        /// The labs and reference solutions built into this LabRunner.
        case embedded
        /// An author's Labs/ folder on disk, with the reference solutions in Solutions/ beside it.
        case folder(labs: String, solutions: String)
    }

    public let source: Source
    /// Every lab, in curriculum order.
    public let labs: [Lab]

    /// The environment variable naming an author's Labs/ folder in place of the embedded labs.
    public static let overrideVariable = "LABRUNNER_LABS"

    /// The embedded labs unless `LABRUNNER_LABS` names a Labs/ folder (relative to the current folder).
    public static func locate(environment: [String: String], currentDirectory: String) throws -> LabCatalog {
        if let explicit = environment[overrideVariable], !explicit.isEmpty {
            return try load(labsFolder: explicit.hasPrefix("/") ? explicit : currentDirectory + "/" + explicit)
        }
        return try embedded()
    }

    // MARK: The embedded kit

    /// The kit's files as built into LabRunner: kit path (Labs/…, Solutions/…) → bytes.
    static let kitFiles: [String: Data] = {
        var files: [String: Data] = [:]
        for file in EmbeddedKitFiles.files { files[file.path] = Data(base64Encoded: file.base64) }
        return files
    }()

    static let embeddedCatalog: Result<LabCatalog, LabError> = {
        let names = Set(
            kitFiles.keys.compactMap { path -> String? in
                let parts = path.split(separator: "/")
                return parts.count == 3 && parts[0] == "Labs" && parts[2] == "lab.json" ? String(parts[1]) : nil
            })
        do {
            return .success(
                try build(source: .embedded, labFolders: names, read: { kitFiles[$0] }, files: kitFiles(of:)))
        } catch let error as LabError {
            return .failure(error)
        } catch {
            return .failure(LabError.invalid("The labs built into LabRunner do not load: \(error)"))
        }
    }()

    /// The labs built into LabRunner.
    public static func embedded() throws -> LabCatalog { try embeddedCatalog.get() }

    /// The embedded files of lab `name`: its Labs/ folder and its Solutions/ folder, by kit path.
    static func kitFiles(of name: String) -> [String: Data] {
        kitFiles.filter { $0.key.hasPrefix("Labs/\(name)/") || $0.key.hasPrefix("Solutions/\(name)/") }
    }

    /// The whole-lab hash of each embedded lab, by lab id.
    static let kitLabHashes: [String: String] = {
        Dictionary(uniqueKeysWithValues: (try? embedded())?.labs.map { ($0.id, $0.contentSHA256) } ?? [])
    }()

    /// Whether a lab is the kit's own `id`: its manifest and every file of it (page, scripts, reference
    /// solution) byte for byte as built into LabRunner. A lab whose lab.json matches but whose setup or
    /// solution differs is an author's lab, however it is named.
    public static func isKitLab(_ id: String, manifestSHA256: String, contentSHA256: String) -> Bool {
        isKitManifest(lab: id, sha256: manifestSHA256) && kitLabHashes[id] == contentSHA256
    }

    /// One hash over a lab's files: a line "kit-path sha256" for each, sorted by path.
    static func contentHash(_ files: [String: Data]) -> String {
        let lines = files.map { "\($0.key) \(SHA256.hash($0.value).hex)\n" }.sorted()
        return SHA256.hash(Data(lines.joined().utf8)).hex
    }

    /// SHA-256 of each embedded lab's lab.json, by lab id: what makes a started lab the kit's own.
    static let kitManifestHashes: [String: String] = {
        var hashes: [String: String] = [:]
        for (path, data) in kitFiles {
            let parts = path.split(separator: "/")
            if parts.count == 3, parts[0] == "Labs", parts[2] == "lab.json" {
                hashes[String(parts[1])] = SHA256.hash(data).hex
            }
        }
        return hashes
    }()

    /// Whether a manifest with this hash is the kit's own lab `id`, byte for byte as built into LabRunner.
    public static func isKitManifest(lab id: String, sha256: String) -> Bool { kitManifestHashes[id] == sha256 }

    // MARK: A folder on disk

    /// The checkout's labs: `root`/Labs and `root`/Solutions.
    public static func load(root: String) throws -> LabCatalog { try load(labsFolder: root + "/Labs") }

    public static func load(labsFolder folder: String) throws -> LabCatalog {
        let manager = FileManager.default
        // Whatever the folder's own error, the way out is the variable that named it.
        guard let names = try? manager.contentsOfDirectory(atPath: folder) else {
            throw LabError.invalid(
                "\(overrideVariable) names \(folder), which is not a readable folder; point it at a Labs/ folder, or unset it to use the labs built into LabRunner."
            )
        }
        let solutions = ((folder as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Solutions")
        let source = Source.folder(labs: folder, solutions: solutions)
        return try build(
            source: source, labFolders: Set(names),
            read: { path in location(of: path, in: source).flatMap { manager.contents(atPath: $0) } },
            files: { name in
                folderFiles(folder + "/" + name, as: "Labs/" + name).merging(
                    folderFiles(solutions + "/" + name, as: "Solutions/" + name)
                ) { first, _ in first }
            })
    }

    /// Every regular file below `folder`, hidden names skipped (as the kit's embedder skips them), by the
    /// kit path `label/relative`.
    static func folderFiles(_ folder: String, as label: String) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walk = FileManager.default.enumerator(atPath: folder) else { return files }
        while let relative = walk.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var isFolder: ObjCBool = false
            let path = folder + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                let data = FileManager.default.contents(atPath: path)
            else { continue }
            files[label + "/" + relative] = data
        }
        return files
    }

    /// Decodes and validates every `Labs/NAME/lab.json` that `read` finds, in curriculum (name) order.
    static func build(
        source: Source, labFolders names: Set<String>, read: (String) -> Data?, files: (String) -> [String: Data]
    ) throws -> LabCatalog {
        let labFolders = names.filter { read("Labs/\($0)/lab.json") != nil }.sorted()
        let known = Set(labFolders)
        let decoder = JSONDecoder()
        var labs: [Lab] = []
        // Errors name the file as the author sees it: Labs/NN-slug/lab.json, or under LABRUNNER_LABS's folder.
        let shownFolder: String
        switch source {
        case .embedded: shownFolder = "Labs"
        case .folder(let labsFolder, _): shownFolder = (labsFolder as NSString).lastPathComponent
        }
        for name in labFolders {
            let file = "\(shownFolder)/\(name)/lab.json"
            guard let data = read("Labs/\(name)/lab.json") else {
                throw LabError.badManifest(file: file, field: "(file)", problem: "cannot be read")
            }
            let manifest: LabManifest
            do {
                manifest = try decoder.decode(LabManifest.self, from: data)
            } catch let error as DecodingError {
                throw LabError.badManifest(file: file, field: fieldPath(error), problem: problem(error))
            }
            try ManifestValidation.validate(manifest, file: file, folderName: name, knownLabs: known)
            guard read("Labs/\(name)/README.md") != nil else {
                throw LabError.badManifest(file: file, field: "(folder)", problem: "has no README.md beside it")
            }
            let folder: String
            switch source {
            case .embedded: folder = "Labs/\(name)"
            case .folder(let labsFolder, _): folder = "\(labsFolder)/\(name)"
            }
            labs.append(
                Lab(
                    manifest: manifest, folder: folder, manifestSHA256: SHA256.hash(data).hex,
                    contentSHA256: contentHash(files(name))))
        }
        return LabCatalog(source: source, labs: labs)
    }

    /// Where a kit path (Labs/…, Solutions/…) is on disk for a folder catalog.
    static func location(of path: String, in source: Source) -> String? {
        guard case .folder(let labs, let solutions) = source, !path.split(separator: "/").contains("..") else {
            return nil
        }
        if path.hasPrefix("Labs/") { return labs + "/" + path.dropFirst("Labs/".count) }
        if path.hasPrefix("Solutions/") { return solutions + "/" + path.dropFirst("Solutions/".count) }
        return nil
    }

    // MARK: A lab's files and scripts

    /// A file of the kit by its kit path (Labs/06-emergency-rollback/setup.sh), wherever the catalog lives.
    public func file(_ path: String) -> Data? {
        switch source {
        case .embedded: return Self.kitFiles[path]
        case .folder: return Self.location(of: path, in: source).flatMap { FileManager.default.contents(atPath: $0) }
        }
    }

    /// Says where the labs come from, for people.
    public var origin: String {
        switch source {
        case .embedded: return "the labs built into LabRunner"
        case .folder(let labs, _): return "\(Self.overrideVariable)=\(labs)"
        }
    }

    /// The manifest's bytes as loaded (their SHA-256 is `lab.manifestSHA256`).
    public func manifestData(of lab: Lab) throws -> Data {
        guard let data = file("Labs/\(lab.id)/lab.json"), SHA256.hash(data).hex == lab.manifestSHA256 else {
            throw LabError.invalid("\(lab.folder)/lab.json changed while LabRunner was running; run the command again.")
        }
        return data
    }

    /// The reference solution's text.
    public func solution(of lab: Lab) throws -> Data {
        guard let text = file("Solutions/\(lab.id)/solve.sh") else {
            throw LabError.invalid("The reference solution Solutions/\(lab.id)/solve.sh is missing from \(origin).")
        }
        return text
    }

    /// The text the learner reads, as a file they can open: a folder catalog's own README.md, or the embedded
    /// one written into the workspace (.labrunner/labs/NN-slug/README.md, beside the lab's saved start).
    public func readme(for lab: Lab, in workspace: Workspace) throws -> String {
        if case .folder = source, let path = Self.location(of: "Labs/\(lab.id)/README.md", in: source) { return path }
        guard let text = file("Labs/\(lab.id)/README.md") else {
            throw LabError.invalid("Lab \(lab.id) has no README.md in \(origin).")
        }
        let path = "\(workspace.markerPath)/labs/\(lab.id)/README.md"
        if FileManager.default.contents(atPath: path) != text {
            try LabFiles(workspace: workspace).writeAtomically(text, to: path)
        }
        return path
    }

    /// Whether the lab has a setup.sh to run when it starts.
    public func hasSetup(_ lab: Lab) -> Bool { file("Labs/\(lab.id)/setup.sh") != nil }

    /// Runs the lab's setup.sh, if it has one, in the workspace.
    public func runSetup(of lab: Lab, runner: ScriptRunner, in workspace: Workspace) throws {
        let script = "Labs/\(lab.id)/setup.sh"
        guard hasSetup(lab) else { return }
        try run(script, alongside: "Labs/\(lab.id)/", runner: runner, in: workspace)
    }

    /// Runs the lab's reference solution in the workspace, as a person would.
    public func runSolution(of lab: Lab, runner: ScriptRunner, in workspace: Workspace) throws {
        try run("Solutions/\(lab.id)/solve.sh", alongside: "Solutions/", runner: runner, in: workspace)
    }

    /// Runs a kit script. A folder catalog's scripts run where they are; embedded ones are first written,
    /// with the kit files under `alongside` they may source (Solutions/lib.sh), into a private scratch folder
    /// inside the workspace's `.labrunner/` (where no other process cleans them away), removed afterwards.
    /// Either way `$LABRUNNER` is the running binary.
    func run(_ script: String, alongside prefix: String, runner: ScriptRunner, in workspace: Workspace) throws {
        if case .folder = source {
            guard let path = Self.location(of: script, in: source), FileManager.default.fileExists(atPath: path)
            else { throw LabError.invalid("\(script) is missing from \(origin).") }
            return try runner.run(path, in: workspace, named: path)
        }
        let manager = FileManager.default
        let files = LabFiles(workspace: workspace)
        let hold = try files.holdScratch()
        defer { withExtendedLifetime(hold) {} }
        let folder = try files.scratchFolder("kit")
        // A scratch copy of the kit's scripts: one left behind is swept by the next lab command.
        defer { try? manager.removeItem(atPath: folder) }
        for (path, data) in Self.kitFiles where path.hasPrefix(prefix) {
            let target = folder + "/" + path
            try manager.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: target))
        }
        guard manager.fileExists(atPath: folder + "/" + script) else {
            throw LabError.invalid("\(script) is missing from \(origin).")
        }
        try runner.run(folder + "/" + script, in: workspace, named: script + " (built into LabRunner)")
    }

    /// `06`, `6` or `06-emergency-rollback`.
    public func lab(_ name: String) throws -> Lab {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if let exact = labs.first(where: { $0.id == trimmed }) { return exact }
        let number = Int(trimmed).map { String(format: "%02d", $0) } ?? trimmed
        let matches = labs.filter { $0.manifest.number == number || $0.id.hasPrefix(trimmed + "-") }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw LabError.ambiguousLab(name, matches: matches.map(\.id)) }
        throw LabError.unknownLab(name, known: labs.map(\.manifest.number))
    }

    /// The labs before `lab` in curriculum order.
    public func labs(before lab: Lab) -> [Lab] { Array(labs.prefix { $0.id != lab.id }) }

    public func next(after lab: Lab) -> Lab? {
        guard let index = labs.firstIndex(where: { $0.id == lab.id }), index + 1 < labs.count else { return nil }
        return labs[index + 1]
    }

    static func fieldPath(_ error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        @unknown default: path = []
        }
        guard !path.isEmpty else { return "(file)" }
        return path.map { key in key.intValue.map { "[\($0)]" } ?? "." + key.stringValue }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: ".")).replacingOccurrences(of: ".[", with: "[")
    }

    static func problem(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound: return "is missing"
        case .typeMismatch(let type, _): return "has the wrong type (expected \(type))"
        case .valueNotFound(let type, _): return "is null (expected \(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "is not valid JSON" : "is invalid: \(context.debugDescription)"
        @unknown default: return "is invalid"
        }
    }
}
