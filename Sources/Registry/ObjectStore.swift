// The content-addressed blob store: objects/sha256/ab/cdef…, written once and read-only afterwards.
public import Foundation
import Hashing

public struct ObjectStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func path(of hash: String) -> String {
        let index = hash.index(hash.startIndex, offsetBy: 2)
        return "\(root)/\(hash[..<index])/\(hash[index...])"
    }

    public func contains(_ hash: String) -> Bool { FileSystem.exists(path(of: hash)) }

    /// Stores `data` under its SHA-256 and returns the hash; storing existing content writes nothing.
    @discardableResult
    public func put(_ data: Data) throws -> String {
        let hash = SHA256.hash(data).hex
        try store(data, as: hash)
        return hash
    }

    func store(_ data: Data, as hash: String) throws {
        let target = path(of: hash)
        guard !FileSystem.exists(target) else { return }
        try FileSystem.makeFolder((target as NSString).deletingLastPathComponent)
        try FileSystem.writeAtomically(data, to: target, mode: 0o444, tempFolder: root)
    }

    /// Reads a blob and checks its content still matches its name.
    public func get(_ hash: String) throws -> Data {
        let target = path(of: hash)
        let data = try FileSystem.read(target)
        guard SHA256.hash(data).hex == hash else {
            throw RegistryError.corruptFile(path: target, reason: "its content no longer matches its SHA-256 name")
        }
        return data
    }

    /// Every object hash in the store, sorted.
    public func allHashes() -> [String] {
        FileSystem.list(root).flatMap { prefix in
            FileSystem.list("\(root)/\(prefix)").filter { !$0.hasPrefix(".") }.map { prefix + $0 }
        }
    }

    /// Bytes of a blob, for reports; a blob that is not there counts 0.
    public func size(of hash: String) -> Int {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path(of: hash))
        return (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Deletes a blob (garbage collection only); a blob that is already gone is not an error.
    public func remove(_ hash: String) throws {
        let target = path(of: hash)
        guard FileSystem.exists(target) else { return }
        try FileSystem.remove(target)
    }
}
