// Reads the components of a system folder: each file or folder in it is one component. The walk trusts
// nothing it finds: names are compared as bytes, only regular files and folders are read, links are followed
// only inside the workspace (the system folder itself included) and never round a loop, and depth, entries and
// bytes are bounded, per file too where the caller says how large a component may be.
import Foundation
public import Hashing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum ComponentScanner {
    /// Bounds that no real system folder reaches and that stop a hostile one before it costs much.
    public struct Limits: Sendable {
        public var depth = 32
        public var entries = 100_000
        public var bytes = 1 << 30
        /// The most bytes a top-level file component may hold, by its name (e.g. `prompt.md`).
        public var files: [String: Int] = [:]
        /// The most bytes each file of a folder component may hold, by the folder's name (e.g. `index`).
        public var folderFiles: [String: Int] = [:]
        /// The most bytes all files of a folder component may hold together, by the folder's name.
        public var folders: [String: Int] = [:]

        public init() {}

        public init(files: [String: Int], folderFiles: [String: Int], folders: [String: Int]) {
            self.files = files
            self.folderFiles = folderFiles
            self.folders = folders
        }
    }

    /// Files whose bytes must be UTF-8 text: a bad byte is named with its offset before anything is stored.
    static let textExtensions: Set<String> = ["md", "txt", "json", "jsonl", "csv", "yaml", "yml"]

    /// Scans `folder` (inside `workspaceRoot`). Names starting with '.' are skipped; a symlink whose target
    /// leaves the workspace, dangles or loops is refused, and so is anything that is not a file or a folder.
    public static func scan(folder: String, workspaceRoot: String, limits: Limits = Limits()) throws -> [String:
        ComponentData]
    {
        guard FileSystem.isDirectory(folder) else { throw RegistryError.noComponents(path: folder) }
        let display = (folder as NSString).lastPathComponent
        var walk = Walk(root: resolved(workspaceRoot) ?? workspaceRoot, display: display, limits: limits)
        var components: [String: ComponentData] = [:]
        guard let top = resolved(folder) else { throw RegistryError.noComponents(path: folder) }
        // The folder itself may be a link too: followed only while it stays inside the workspace, or its
        // files would become components (and ship in a bundle) from anywhere on the disk.
        guard top == walk.root || top.hasPrefix(walk.root + "/") else {
            throw RegistryError.folderEscapesWorkspace(folder: display, target: top)
        }
        walk.enter(top)
        for name in try walk.names(in: folder, shown: walk.display) {
            let path = folder + "/" + name
            let shown = walk.display + "/" + name
            switch try walk.entry(path, shown: shown, component: name, depth: 1) {
            case .folder(let target):
                var files: [String: Data] = [:]
                try walk.collect(in: target, prefix: "", shown: shown, component: name, depth: 2, into: &files)
                walk.leave(target)
                if let limit = limits.folders[name], files.values.reduce(0, { $0 + $1.count }) > limit {
                    throw walk.refuse(
                        shown, "its files hold more than \(BoundedFile.size(limit)) together, \(Walk.limitNote)")
                }
                components[name] = .folder(files)
            case .file(let target):
                components[name] = .file(try walk.read(target, shown: shown, limit: limits.files[name]))
            }
        }
        guard !components.isEmpty else { throw RegistryError.noComponents(path: folder) }
        return components
    }

    private enum Entry {
        case file(String)
        case folder(String)
    }

    private struct Walk {
        let root: String
        let display: String
        let limits: Limits
        var entries = 0
        var bytes = 0
        /// The folders open on the way down, by device and inode: a link back to one of them is a loop.
        var open: Set<[UInt64]> = []

        init(root: String, display: String, limits: Limits) {
            self.root = root
            self.display = display
            self.limits = limits
        }

        static func identity(_ path: String) -> [UInt64]? {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return [UInt64(info.st_dev), UInt64(info.st_ino)]
        }

        mutating func enter(_ folder: String) {
            if let id = Walk.identity(folder) { open.insert(id) }
        }

        mutating func leave(_ folder: String) {
            if let id = Walk.identity(folder) { open.remove(id) }
        }

        func refuse(_ shown: String, _ reason: String) -> RegistryError {
            RegistryError.componentUnusable(path: shown, reason: reason)
        }

        /// The names in `folder`, read as bytes: a name that is not UTF-8, or two names that differ only in
        /// Unicode normalization (which Swift's String equality would merge into one), are refused.
        mutating func names(in folder: String, shown: String) throws -> [String] {
            guard let handle = opendir(folder) else {
                throw RegistryError.unreadable(path: folder, reason: FileSystem.errnoText())
            }
            defer { closedir(handle) }
            var raw: [[UInt8]] = []
            while let entry = readdir(handle) {
                let bytes = withUnsafeBytes(of: entry.pointee.d_name) { buffer in
                    Array(buffer.prefix { $0 != 0 })
                }
                guard bytes.first != UInt8(ascii: ".") else { continue }
                entries += 1
                guard entries <= limits.entries else {
                    throw refuse(shown, "it holds more than \(limits.entries) files and folders")
                }
                raw.append(bytes)
            }
            var byText: [String: [UInt8]] = [:]
            var names: [String] = []
            for bytes in raw.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                guard let name = String(validating: bytes, as: UTF8.self) else {
                    let escaped = bytes.map { $0 < 0x80 ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }
                    throw refuse(
                        shown + "/" + escaped.joined(), "its name is not UTF-8 text; rename it with a UTF-8 name")
                }
                if let other = byText[name] {
                    let first = String(decoding: other, as: UTF8.self)
                    throw refuse(
                        shown,
                        "it holds two entries named '\(name)' that differ only in Unicode normalization, NFC or NFD "
                            + "('\(Walk.spelled(first))' and '\(Walk.spelled(name))'), which would collapse into one "
                            + "component; rename or remove one of them")
                }
                byText[name] = bytes
                names.append(name)
            }
            return names
        }

        /// A name with every non-ASCII scalar spelled out, so two names that look the same can be told apart.
        static func spelled(_ name: String) -> String {
            name.unicodeScalars.map { $0.isASCII ? String($0) : "\\u{\(String($0.value, radix: 16, uppercase: true))}" }
                .joined()
        }

        /// What `path` is, with any symlink resolved and checked: a file or a folder to read, or a refusal.
        mutating func entry(_ path: String, shown: String, component: String, depth: Int) throws -> Entry {
            guard depth <= limits.depth else {
                throw refuse(shown, "it is nested more than \(limits.depth) folders deep")
            }
            var info = stat()
            guard lstat(path, &info) == 0 else {
                throw RegistryError.unreadable(path: shown, reason: FileSystem.errnoText())
            }
            var target = path
            if (info.st_mode & S_IFMT) == S_IFLNK {
                // Only for the message: a link whose target cannot be read is named "?".
                let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                guard let real = realpath(path, nil) else {
                    if errno == ELOOP {
                        throw refuse(
                            shown,
                            "it is a symlink loop (it points to \(link), which leads back to it); remove the link")
                    }
                    throw refuse(
                        shown, "it is a symlink to \(link), which does not exist; remove the link or restore its target"
                    )
                }
                target = String(cString: real)
                free(real)
                guard target == root || target.hasPrefix(root + "/") else {
                    throw RegistryError.componentEscapesWorkspace(component: component, target: target)
                }
                guard stat(target, &info) == 0 else {
                    throw RegistryError.unreadable(path: shown, reason: FileSystem.errnoText())
                }
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                return .file(target)
            case S_IFDIR:
                guard let id = Walk.identity(target), !open.contains(id) else {
                    throw refuse(
                        shown, "it is a symlink loop: it leads back to a folder that contains it; remove the link")
                }
                open.insert(id)
                return .folder(target)
            case S_IFIFO: throw refuse(shown, "it is a FIFO (named pipe), not a file or folder; remove it")
            case S_IFSOCK: throw refuse(shown, "it is a socket, not a file or folder; remove it")
            case S_IFCHR, S_IFBLK: throw refuse(shown, "it is a device, not a file or folder; remove it")
            default: throw refuse(shown, "it is neither a file nor a folder; remove it")
            }
        }

        mutating func collect(
            in folder: String, prefix: String, shown: String, component: String, depth: Int,
            into files: inout [String: Data]
        ) throws {
            for name in try names(in: folder, shown: shown) {
                let path = folder + "/" + name
                let inner = shown + "/" + name
                switch try entry(path, shown: inner, component: component + "/" + prefix + name, depth: depth) {
                case .folder(let target):
                    try collect(
                        in: target, prefix: prefix + name + "/", shown: inner, component: component, depth: depth + 1,
                        into: &files)
                    leave(target)
                case .file(let target):
                    files[prefix + name] = try read(target, shown: inner, limit: limits.folderFiles[component])
                }
            }
        }

        static let limitNote = "the limit for it (see 'Input limits' in the README); make it smaller"

        /// Reads a file the walk found, within the folder's total and `limit` (this file's own bound), without
        /// blocking: a file swapped for a FIFO since it was looked at is refused, not waited on.
        mutating func read(_ path: String, shown: String, limit: Int?) throws -> Data {
            func tooLarge(_ size: Int) -> RegistryError {
                guard let limit, size > limit else {
                    return refuse(shown, "the system folder holds more than \(limits.bytes >> 20) MiB")
                }
                return refuse(
                    shown,
                    "it holds \(BoundedFile.count(size)), more than \(BoundedFile.size(limit)), \(Walk.limitNote)"
                )
            }
            var info = stat()
            if stat(path, &info) == 0 {
                if let limit, Int(info.st_size) > limit { throw tooLarge(Int(info.st_size)) }
                bytes += Int(info.st_size)
                guard bytes <= limits.bytes else { throw tooLarge(0) }
            }
            let data: Data
            do {
                data = try BoundedFile.contents(path, limit: min(limit ?? limits.bytes, limits.bytes))
            } catch .tooLarge(let size, _) {
                throw tooLarge(size)
            } catch .notRegular(let kind) {
                throw refuse(shown, "it is \(kind), not a file or folder; remove it")
            } catch .missing {
                throw RegistryError.unreadable(path: shown, reason: "no such file")
            } catch .unreadable(let reason) {
                throw RegistryError.unreadable(path: shown, reason: reason)
            }
            let ext = (shown as NSString).pathExtension.lowercased()
            if ComponentScanner.textExtensions.contains(ext) {
                let skip = data.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
                if let offset = UTF8Text.firstInvalidOffset(in: data.dropFirst(skip)) {
                    throw refuse(
                        shown, "it is not UTF-8 text: the byte at offset \(offset + skip) is invalid; save it as UTF-8")
                }
            }
            return data
        }
    }

    private static func resolved(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }
}
