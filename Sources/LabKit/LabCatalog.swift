// Finding and loading the labs: Labs/ beside the Rollback Lab checkout, every manifest validated on load.
import Foundation
import Hashing

public struct LabCatalog: Sendable {
    public let labsFolder: String
    /// The reference solutions: Solutions/ beside Labs/.
    public let solutionsFolder: String
    /// Every lab, in curriculum order.
    public let labs: [Lab]

    public func solutionScript(for lab: Lab) -> String { "\(solutionsFolder)/\(lab.id)/solve.sh" }

    /// Loads `LABRUNNER_LABS` if set, else the nearest Labs/ above the current folder, else above the executable.
    public static func locate(environment: [String: String], currentDirectory: String, executablePath: String?)
        throws -> LabCatalog
    {
        if let explicit = environment["LABRUNNER_LABS"], !explicit.isEmpty {
            return try load(labsFolder: explicit.hasPrefix("/") ? explicit : currentDirectory + "/" + explicit)
        }
        var starts = [currentDirectory]
        if let executablePath { starts.append((executablePath as NSString).deletingLastPathComponent) }
        for start in starts {
            var folder = (start as NSString).standardizingPath
            for _ in 0..<8 {
                if isLabsFolder(folder + "/Labs") { return try load(labsFolder: folder + "/Labs") }
                let parent = (folder as NSString).deletingLastPathComponent
                if parent == folder { break }
                folder = parent
            }
        }
        throw LabError.labsNotFound(searched: [currentDirectory, executablePath ?? "the executable's folder"])
    }

    static func isLabsFolder(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/00-orientation/lab.json")
    }

    /// The checkout's labs: `root`/Labs and `root`/Solutions.
    public static func load(root: String) throws -> LabCatalog { try load(labsFolder: root + "/Labs") }

    public static func load(labsFolder folder: String) throws -> LabCatalog {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw LabError.labsNotFound(searched: [folder])
        }
        let labFolders = names.filter { FileManager.default.fileExists(atPath: "\(folder)/\($0)/lab.json") }.sorted()
        let known = Set(labFolders)
        let decoder = JSONDecoder()
        var labs: [Lab] = []
        for name in labFolders {
            let file = "\((folder as NSString).lastPathComponent)/\(name)/lab.json"
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)/lab.json") else {
                throw LabError.badManifest(file: file, field: "(file)", problem: "cannot be read")
            }
            let manifest: LabManifest
            do {
                manifest = try decoder.decode(LabManifest.self, from: data)
            } catch let error as DecodingError {
                throw LabError.badManifest(file: file, field: fieldPath(error), problem: problem(error))
            }
            try ManifestValidation.validate(manifest, file: file, folderName: name, knownLabs: known)
            guard FileManager.default.fileExists(atPath: "\(folder)/\(name)/README.md") else {
                throw LabError.badManifest(file: file, field: "(folder)", problem: "has no README.md beside it")
            }
            labs.append(Lab(manifest: manifest, folder: "\(folder)/\(name)", manifestSHA256: SHA256.hash(data).hex))
        }
        let solutions = ((folder as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Solutions")
        return LabCatalog(labsFolder: folder, solutionsFolder: solutions, labs: labs)
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
