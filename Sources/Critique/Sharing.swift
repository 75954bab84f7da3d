// Moving a candidate folder as one file: `export` writes the project's tar with a manifest of every member's SHA-256;
// `import` treats the bundle as hostile (the Archive reader refuses links, traversal, absolute paths and oversize
// members; here every member must match the manifest exactly) and writes nothing unless all of it checks out.
import Foundation
import Archive
import Hashing

public enum Sharing {
    public static let manifestName = "critique-bundle.json"
    static let limits = ArchiveLimits(maxEntries: 5_000, maxEntryBytes: 64 << 20, maxTotalBytes: 256 << 20)

    struct Manifest: Codable, Equatable {
        var format: String
        var files: [String: String]
    }

    public static func export(folder: String, to file: String) throws -> Int {
        _ = try ScenarioFolder.commitment(in: folder)
        do {
            let entries = try Archive.entries(inFolder: folder) { $0 == manifestName }
            let manifest = Manifest(
                format: "rollback-lab-critique/1",
                files: Dictionary(uniqueKeysWithValues: entries.map { ($0.path, SHA256.hash($0.data).hex) }))
            let data = try Archive.write(
                [ArchiveEntry(path: manifestName, data: try CanonicalJSON.encode(manifest))] + entries)
            try data.write(to: URL(fileURLWithPath: file), options: .atomic)
            return entries.count
        } catch let error as ArchiveError {
            throw CritiqueError.writeFailed(path: file, reason: error.description)
        } catch let error as CritiqueError {
            throw error
        } catch {
            throw CritiqueError.writeFailed(path: file, reason: "the file system refused")
        }
    }

    /// `critique export` / `critique import`: the line each command prints.
    public static func exported(_ folder: String, to file: String) throws -> String {
        "Exported \(try export(folder: folder, to: file)) files to \(file)"
    }

    public static func imported(_ file: String, into folder: String) throws -> String {
        "Imported \(try importBundle(file, into: folder)) files into \(folder)"
    }

    /// Reads and checks the whole bundle first; only a bundle that passes every check is extracted.
    public static func importBundle(_ file: String, into folder: String) throws -> Int {
        let entries: [ArchiveEntry]
        do {
            entries = try Archive.read(contentsOf: file, limits: limits)
        } catch {
            throw CritiqueError.bundleRefused(error.description)
        }
        // Any reason it does not read, the bundle is refused with the same sentence.
        guard let manifestEntry = entries.first(where: { $0.path == manifestName }),
            JSONReader.duplicateKey(in: manifestEntry.data) == nil,
            let manifest = try? CanonicalJSON.decoder().decode(Manifest.self, from: manifestEntry.data)
        else { throw CritiqueError.bundleRefused("it has no readable \(manifestName)") }
        let members = entries.filter { $0.path != manifestName }
        guard Set(members.map(\.path)).count == members.count else {
            throw CritiqueError.bundleRefused("a member appears twice")
        }
        // On a case-insensitive disk two such members would land on one file.
        var seen: [String: String] = [:]
        for member in members {
            if let other = seen.updateValue(member.path, forKey: member.path.lowercased()) {
                throw CritiqueError.bundleRefused("\(other) and \(member.path) differ only by case")
            }
        }
        for member in members {
            guard let expected = manifest.files[member.path] else {
                throw CritiqueError.bundleRefused("\(member.path) is not in the manifest")
            }
            guard SHA256.hash(member.data).hex == expected else {
                throw CritiqueError.bundleRefused("\(member.path) does not match its SHA-256 in the manifest")
            }
        }
        guard manifest.files.count == members.count else {
            throw CritiqueError.bundleRefused("the manifest lists files the bundle does not hold")
        }
        guard manifest.files["\(ScenarioFolder.marker)/commitment"] != nil else {
            throw CritiqueError.bundleRefused("it is not a critique scenario (no commitment)")
        }
        do {
            try Archive.extract(members, into: folder)
        } catch {
            throw CritiqueError.bundleRefused(error.description)
        }
        return members.count
    }
}
