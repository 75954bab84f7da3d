// `bundle`: one tar file with the registry evidence, the files the labs' checks read, the write-up, the report
// page and the grades, described by an in-toto statement (optionally signed) that verify checks against.
import Archive
public import Foundation
import Hashing
public import LabKit
import Playbook
public import Registry
import Reports
import Terminal

/// Where each kind of evidence sits inside a bundle.
public enum BundleLayout {
    public static let statement = "statement.json"
    public static let signature = "statement.json.sig"
    public static let registry = "registry/"
    /// The incident records, inside the registry.
    static let incidents = "incidents/"
    /// Workspace files a lab check reads (answers, saved results), at their workspace paths.
    public static let files = "files/"
    public static let writeup = "writeup.md"
    public static let report = "report/index.html"
    public static let grades = "grades.json"
    /// Registry files that are not evidence: the writers' lock and half-written temp files.
    static func skipInRegistry(_ relative: String) -> Bool {
        let name = (relative as NSString).lastPathComponent
        return relative == "lock" || name.hasPrefix(".tmp-")
    }
}

public struct BundleRequest: Sendable {
    public var workspace: Workspace
    public var catalog: LabCatalog
    public var kitVersion: String
    public var learner: String
    /// The SSH private key to sign the statement with, if signing.
    public var signingKey: String?
    public var environment: [String: String]

    public init(
        workspace: Workspace, catalog: LabCatalog, kitVersion: String, learner: String, signingKey: String?,
        environment: [String: String]
    ) {
        self.workspace = workspace
        self.catalog = catalog
        self.kitVersion = kitVersion
        self.learner = learner
        self.signingKey = signingKey
        self.environment = environment
    }
}

public struct BundleResult: Sendable {
    public var data: Data
    public var statement: Statement
    public var signed: Bool
}

public enum ProofBundle {
    /// The bundle's bytes; nothing is written. The same registry, files and moment give the same bytes.
    public static func make(_ request: BundleRequest, now: @Sendable () -> Date) throws -> BundleResult {
        if let key = request.signingKey, !FileManager.default.fileExists(atPath: key) {
            throw ProofError.keyNotFound(key)
        }
        // Stored times have millisecond precision; the moment verify re-derives at must be the one recorded.
        let current = now()
        let moment = Timestamp.date(from: Timestamp.string(from: current)) ?? current
        let evidence = try Evidence(workspace: request.workspace, now: { moment })
        if let problem = evidence.fsck.problems.first { throw ProofError.registryDamaged(problem) }

        var members: [ArchiveEntry] = []
        members += try Archive.entries(inFolder: request.workspace.registryPath, skipping: BundleLayout.skipInRegistry)
            .filter { !$0.path.hasPrefix(BundleLayout.incidents) }
            .map { ArchiveEntry(path: BundleLayout.registry + $0.path, data: $0.data) }
        // Incident records are derived from the events: carried as the events give them (what verify re-derives),
        // never as a file an interrupted write has not yet brought up to date.
        members += try IncidentRecords.records(evidence.incidents).sorted { $0.key < $1.key }
            .map { ArchiveEntry(path: BundleLayout.registry + $0.key, data: $0.value) }
        let started = request.catalog.labs.filter { evidence.start(of: $0.id) != nil }
        // A workspace without an evals folder has no suite files to carry.
        let suites = ((try? FileManager.default.contentsOfDirectory(atPath: request.workspace.evalsPath)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }.map { "evals/" + $0 }
        let settings =
            Workspace.markerFolder + "/"
            + (PlaybookSettings.path(in: request.workspace) as NSString)
            .lastPathComponent
        // The traffic answer key: the write-up counts the escalations the bad version missed against it.
        for path in Set(checkedFiles(of: started) + suites + [settings, Traffic.casesFile]).sorted() {
            if let data = evidence.file(path) {
                members.append(ArchiveEntry(path: BundleLayout.files + path, data: data))
            }
        }
        if let writeup = evidence.file(BundleLayout.writeup) {
            members.append(ArchiveEntry(path: BundleLayout.writeup, data: writeup))
        }
        members.append(
            ArchiveEntry(path: BundleLayout.report, data: Data(try ReportPage.render(context: evidence.context).utf8)))
        let grades = started.map { Grader.grade($0, evidence: evidence) }
        members.append(
            ArchiveEntry(path: BundleLayout.grades, data: Data(try GradeReport(grades: grades).json().utf8)))

        let head = try logHead(registryRoot: request.workspace.registryPath)
        let labs = zip(started, grades).map { lab, grade in
            BundledLab(
                id: lab.id, manifestSHA256: evidence.started(lab.id)?.payload.manifestSHA256 ?? lab.manifestSHA256,
                score: grade.score, maxScore: grade.maxScore, status: grade.status, doneBy: grade.doneBy)
        }
        let statement = Statement(
            subject: members.map { Subject(name: $0.path, sha256: SHA256.hash($0.data).hex) }.sorted {
                $0.name < $1.name
            },
            predicate: BundlePredicate(
                kitVersion: request.kitVersion, learner: request.learner, createdAt: moment, labs: labs,
                eventLog: head))
        let statementData = Data(try CanonicalJSON.prettyString(statement).utf8)
        var leading: [ArchiveEntry] = [ArchiveEntry(path: BundleLayout.statement, data: statementData)]
        if let key = request.signingKey {
            let signature = try SSHSignature.sign(statementData, keyPath: key, environment: request.environment)
            leading.append(ArchiveEntry(path: BundleLayout.signature, data: signature))
        }
        let data = try Archive.write(leading + members)
        return BundleResult(data: data, statement: statement, signed: request.signingKey != nil)
    }

    /// The workspace files the labs' checks read (their `file` parameters), the write-up aside.
    static func checkedFiles(of labs: [Lab]) -> [String] {
        var paths: Set<String> = []
        for lab in labs {
            for check in lab.manifest.checks {
                if let file = check.params?["file"], file != BundleLayout.writeup, !file.contains("..") {
                    paths.insert(file)
                }
            }
        }
        return paths.sorted()
    }

    /// The last line of events.jsonl: its seq and the SHA-256 the next event would chain to.
    static func logHead(registryRoot: String) throws -> EventLogHead {
        let path = registryRoot + "/events.jsonl"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProofError.registryDamaged("events.jsonl is missing")
        }
        return head(ofLog: data)
    }

    static func head(ofLog data: Data) -> EventLogHead {
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        guard let last = lines.last else { return EventLogHead(seq: 0, sha256: "") }
        return EventLogHead(seq: lines.count, sha256: SHA256.hash(Data(last)).hex)
    }
}

extension ProofBundle {
    /// The file `--out` names, refused when it is a folder (`given` is the name as the user typed it).
    public static func outputFile(_ path: String, named given: String?) throws -> String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw UsageError("--out \(given ?? path) is a folder; give a file to write.")
        }
        return path
    }

    /// The key `bundle` signs with: `--key`'s, or ~/.ssh/id_ed25519, with `--sign`; a key without `--sign` is refused.
    public static func signingKey(named: String?, sign: Bool, home: String?) throws -> String? {
        if named != nil, !sign {
            throw UsageError("--key names the key to sign with; add --sign to sign the bundle.")
        }
        return sign ? named ?? (home ?? "~") + "/.ssh/id_ed25519" : nil
    }
}
