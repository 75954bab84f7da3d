// A deploy step you control: `deploy --to DIR` keeps DIR/releases/<id>/ (each deployed version's checkout, its
// files hard links to the store's read-only blobs where the file system allows) and DIR/current, a relative
// symlink flipped atomically — a new link made under a temporary name and renamed over the old — on every
// production move (promote, rollback). A service reading DIR/current/… never sees a missing or half-made
// release. An adopted project's post_deploy_command runs after each flip and its result is recorded.
public import Foundation
import Hashing
public import Registry
public import Terminal

/// `deploy.flipped`: DIR/current now points at the release of `version`.
public struct DeployFlipped: EventPayload, Equatable {
    public static let kind = "deploy.flipped"
    public var folder: String
    public var version: String
    /// The release folder's name under releases/.
    public var release: String
    /// Exit status of post_deploy_command, when the project has one.
    public var postDeployStatus: Int?
    public var postDeployOutputSHA256: String?

    enum CodingKeys: String, CodingKey {
        case folder, version, release
        case postDeployStatus = "post_deploy_status"
        case postDeployOutputSHA256 = "post_deploy_output_sha256"
    }
}

/// What a deploy did.
public struct DeployReport: Encodable, Sendable {
    public var flipped: DeployFlipped
    public var event: Int
    /// The post-deploy command's failure, as a sentence (the flip stands).
    public var warning: String?
}

/// Where `current` points, and whether that is production.
public struct DeployStatus: Encodable, Sendable {
    public var folder: String
    public var current: String?
    public var currentVersion: String?
    public var production: String?
    public var matches: Bool
    public var releases: [String]

    enum CodingKeys: String, CodingKey {
        case folder, current, production, matches, releases
        case currentVersion = "current_version"
    }
}

public enum DeployFolder {
    /// The folder the last deploy flipped, from the event log (nil: this workspace has none).
    public static func configured(in context: PlayContext) throws -> String? {
        try context.registry.events().payloads(DeployFlipped.self).last?.payload.folder
    }

    /// `deploy --to DIR`: makes DIR a deploy folder (new, empty, or one already) and points it at production.
    public static func deploy(to folder: String, by actor: String, in context: PlayContext) throws -> DeployReport {
        guard let production = context.registry.tag("production") else {
            throw PlaybookError.invalid(
                "Nothing is in production yet, so there is nothing to deploy; promote a version first.")
        }
        let entries = FileManager.default.fileExists(atPath: folder) ? try contents(folder) : []
        let known: Set<String> = ["releases", "current"]
        if let stray = entries.first(where: { !known.contains($0) && !$0.hasPrefix(".current-") }) {
            throw PlaybookError.invalid(
                "\(folder) is not empty and not a deploy folder (it holds '\(stray)'); give a new or empty folder.")
        }
        return try flip(folder, to: try context.registry.record(id: production), by: actor, in: context)
    }

    /// After a production move: the configured deploy folder follows production (nil when there is none).
    public static func followProduction(by actor: String, in context: PlayContext) throws -> DeployReport? {
        guard let folder = try configured(in: context), let production = context.registry.tag("production") else {
            return nil
        }
        do {
            return try flip(folder, to: try context.registry.record(id: production), by: actor, in: context)
        } catch {
            throw RegistryError.failedAfter("Production moved to \(production.prefix(12))", error)
        }
    }

    /// Puts `record`'s release in place (if it is not there yet), flips `current` to it and records the flip.
    static func flip(_ folder: String, to record: VersionRecord, by actor: String, in context: PlayContext) throws
        -> DeployReport
    {
        let releases = folder + "/releases"
        try FileManager.default.createDirectory(atPath: releases, withIntermediateDirectories: true)
        let name = record.shortID
        let release = releases + "/" + name
        if !FileManager.default.fileExists(atPath: release) {
            try context.registry.linkCheckout(record, into: release)
        }
        let temp = folder + "/.current-" + UUID().uuidString
        guard symlink("releases/" + name, temp) == 0 else {
            throw RegistryError.writeFailed(path: temp, reason: String(cString: strerror(errno)))
        }
        guard rename(temp, folder + "/current") == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw RegistryError.writeFailed(path: folder + "/current", reason: reason)
        }
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        var flipped = DeployFlipped(folder: folder, version: record.id, release: name)
        var warning: String?
        if let project = try context.project(), let command = project.postDeployCommand {
            let scratch = try ScratchFolder.make("deploy", workspace: context.workspace, environment: [:])
            defer {
                scratch.remove()
                rmdir(ScratchFolder.root(of: context.workspace))
            }
            let run = try ProjectCommand.run(
                command, in: context.workspace.root,
                environment: [
                    "LABRUNNER_RELEASE_DIR": folder + "/current", "LABRUNNER_VERSION": record.id,
                    "LABRUNNER_DEPLOY_DIR": folder,
                ], timeout: project.timeout, scratch: scratch.path)
            if case .exited(let status) = run.ending {
                flipped.postDeployStatus = Int(status)
            } else {
                flipped.postDeployStatus = -1
            }
            flipped.postDeployOutputSHA256 = SHA256.hash(run.stdout).hex
            warning = ProjectCommand.failure(run, key: "post_deploy_command").map {
                $0.replacingOccurrences(of: "nothing was recorded", with: "the flip stands and its result is recorded")
                    + "."
            }
        }
        let event = try context.registry.write { writer in try writer.append(flipped, actor: actor) }
        return DeployReport(flipped: flipped, event: event.seq, warning: warning)
    }

    /// `deploy status`: which release `current` points at and whether it is production.
    public static func status(in context: PlayContext) throws -> DeployStatus {
        guard let folder = try configured(in: context) else {
            throw PlaybookError.invalid(
                "This workspace has no deploy folder yet; run 'LabRunner deploy --to DIR' to make one.")
        }
        let link = try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/current")
        let name = link.map { ($0 as NSString).lastPathComponent }
        let version = try name.flatMap { try? context.registry.resolve($0).id }
        let production = context.registry.tag("production")
        let releases = (try? contents(folder + "/releases")) ?? []
        return DeployStatus(
            folder: folder, current: link, currentVersion: version, production: production,
            matches: version != nil && version == production, releases: releases)
    }

    static func contents(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }
}

extension DeployReport: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line(
            "Deployed \(flipped.version.prefix(12)): \(flipped.folder)/current → releases/\(flipped.release) "
                + "(event #\(event))")
        if let status = flipped.postDeployStatus { out.line("post_deploy_command exited with status \(status)") }
        if let warning { out.line("warning: \(warning)") }
    }
}

extension DeployStatus: TextRendering {
    public func render(_ out: inout TextOutput) {
        out.line("Deploy folder \(folder)")
        out.line("  current → \(current ?? "(no link)")")
        out.line("  production: \(production.map { String($0.prefix(12)) } ?? "none")")
        out.line(
            matches
                ? "  current is production"
                : "  current does NOT match production; run 'LabRunner deploy --to \(folder)' to flip it")
        out.line("  releases: \(releases.isEmpty ? "none" : releases.joined(separator: ", "))")
    }
}
