// `verify`: trusts nothing in a bundle. It reads the tar as hostile input, checks every member against the
// statement, then re-derives what the members claim — the event chain, every recorded eval, every lab's
// grade, the report page, the write-up's numbers and the incident records — and names each difference.
public import Archive
import Evals
import Foundation
import Hashing
public import LabKit
import Playbook
public import Registry
import Reports

/// One difference between what a bundle claims and what its evidence gives: the member and what differs.
public struct Mismatch: Codable, Sendable, Equatable {
    public var member: String
    public var problem: String

    public init(member: String, problem: String) {
        self.member = member
        self.problem = problem
    }
}

/// What verify could say about the bundle's signature.
public enum SignatureStatus: String, Codable, Sendable {
    /// Checked against the allowed-signers file given: a good signature by `signer`.
    case verified
    /// Signed, but no allowed-signers file was given, so nobody checked who signed it.
    case notChecked = "not_checked"
    /// No signature in the bundle (or one stripped from it).
    case unsigned
}

public struct VerifyReport: Codable, Sendable {
    public var ok: Bool { mismatches.isEmpty }
    public var signature: SignatureStatus = .unsigned
    /// The principal whose key signed the statement, when the signature was checked and is good.
    public var signer: String?
    public var mismatches: [Mismatch] = []
    /// What was re-derived, for people: one line a kind of check.
    public var checked: [String] = []
    /// Facts a reader should know that are not failures (an unchecked signature, another kit's version).
    public var notes: [String] = []
    public var learner: String?
    public var labs: [BundledLab] = []
    /// The examiner's challenge the bundle was checked against, as the examiner named its file.
    public var challenge: String?

    enum CodingKeys: String, CodingKey {
        case ok, mismatches, checked, notes, learner, labs, signature, signer, challenge
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(mismatches, forKey: .mismatches)
        try container.encode(checked, forKey: .checked)
        try container.encode(notes, forKey: .notes)
        try container.encodeIfPresent(learner, forKey: .learner)
        try container.encode(labs, forKey: .labs)
        try container.encode(signature, forKey: .signature)
        try container.encodeIfPresent(signer, forKey: .signer)
        try container.encodeIfPresent(challenge, forKey: .challenge)
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mismatches = try container.decode([Mismatch].self, forKey: .mismatches)
        checked = try container.decode([String].self, forKey: .checked)
        notes = try container.decode([String].self, forKey: .notes)
        learner = try container.decodeIfPresent(String.self, forKey: .learner)
        labs = try container.decode([BundledLab].self, forKey: .labs)
        signature = try container.decodeIfPresent(SignatureStatus.self, forKey: .signature) ?? .unsigned
        signer = try container.decodeIfPresent(String.self, forKey: .signer)
        challenge = try container.decodeIfPresent(String.self, forKey: .challenge)
    }

    mutating func fail(_ member: String, _ problem: String) {
        mismatches.append(Mismatch(member: member, problem: problem))
    }
}

public struct VerifyRequest: Sendable {
    public var path: String
    /// The kit's own labs: grades are re-derived against these, never against manifests in the bundle.
    public var catalog: LabCatalog
    public var kitVersion: String
    public var allowedSigners: String?
    public var identity: String?
    public var environment: [String: String]
    public var limits: ArchiveLimits
    /// The workspace verify runs in, if any: its scratch folder holds the extracted copy.
    public var scratchWorkspace: Workspace?
    /// The examiner's challenge the bundle must answer, with when it was received.
    public var challenge: ChallengeExpectation?

    public init(
        path: String, catalog: LabCatalog, kitVersion: String, allowedSigners: String?, identity: String?,
        environment: [String: String], scratchWorkspace: Workspace? = nil, challenge: ChallengeExpectation? = nil,
        limits: ArchiveLimits = ArchiveLimits(maxEntries: 50_000, maxEntryBytes: 64 << 20, maxTotalBytes: 512 << 20)
    ) {
        self.scratchWorkspace = scratchWorkspace
        self.challenge = challenge
        self.path = path
        self.catalog = catalog
        self.kitVersion = kitVersion
        self.allowedSigners = allowedSigners
        self.identity = identity
        self.environment = environment
        self.limits = limits
    }
}

public enum ProofVerifier {
    public static func verify(_ request: VerifyRequest) throws -> VerifyReport {
        if let signers = request.allowedSigners, !FileManager.default.isReadableFile(atPath: signers) {
            throw ProofError.allowedSignersUnreadable(signers)
        }
        let entries: [ArchiveEntry]
        do {
            entries = try Archive.read(contentsOf: request.path, limits: request.limits)
        } catch {
            throw ProofError.unreadableBundle(path: request.path, reason: error.description)
        }
        var report = VerifyReport()
        var members: [String: Data] = [:]
        for entry in entries { members[entry.path] = entry.data }
        guard let statementData = members[BundleLayout.statement] else {
            throw ProofError.unreadableBundle(path: request.path, reason: "it holds no statement.json.")
        }
        // A statement that does not read is a finding of the report, not an error of verify.
        guard let statement = try? CanonicalJSON.decoder().decode(Statement.self, from: statementData) else {
            report.fail(BundleLayout.statement, "is not a readable in-toto statement of this kit (damaged JSON).")
            return report
        }
        report.learner = statement.predicate.learner
        report.labs = statement.predicate.labs
        checkStatement(statement, statementData, members, request, &report)

        let scratch: ScratchFolder
        do {
            scratch = try ScratchFolder.make(
                "verify", workspace: request.scratchWorkspace, environment: request.environment)
        } catch {
            throw ProofError.couldNotVerify(String(describing: error))
        }
        defer { scratch.remove() }
        let workspace = Workspace(root: scratch.path + "/ws")
        let laid = workspaceEntries(entries, &report)
        do {
            try Archive.extract(laid, into: workspace.root)
            // A tar holds files, not folders: a registry with no objects yet has an empty objects/ to put back.
            try FileManager.default.createDirectory(
                atPath: workspace.registryPath + "/objects", withIntermediateDirectories: true)
        } catch ArchiveError.writeFailed(_, let reason) {
            throw ProofError.couldNotVerify("writing its scratch copy failed (\(reason))")
        } catch let error as ArchiveError {
            throw ProofError.unreadableBundle(path: request.path, reason: error.description)
        } catch {
            throw ProofError.couldNotVerify("writing its scratch copy failed (\(error.localizedDescription))")
        }
        let lost = ProofError.couldNotVerify(
            "its scratch copy in \(scratch.path) was changed or removed while it was being checked")
        let found: Bool
        do {
            found = try checkScratchCopy(workspace, statement, members, request, &report)
        } catch {
            throw scratchCopyIsIntact(laid, under: workspace.root) ? error : lost
        }
        guard !found || scratchCopyIsIntact(laid, under: workspace.root) else { throw lost }
        return report
    }

    /// The checks over the extracted copy; true when any found a difference.
    private static func checkScratchCopy(
        _ workspace: Workspace, _ statement: Statement, _ members: [String: Data],
        _ request: VerifyRequest, _ report: inout VerifyReport
    ) throws -> Bool {
        let registryRoot = workspace.registryPath
        let fsck: FsckReport
        do {
            fsck = try Registry(root: registryRoot, now: { statement.predicate.createdAt }).fsck()
        } catch {
            report.fail("registry/", "cannot be opened as a registry: \(error)")
            return true
        }
        for problem in fsck.problems { report.fail(place(ofFsckProblem: problem, members), problem) }
        report.checked.append(
            "event chain and objects: \(fsck.events) events, \(fsck.versions) versions, \(fsck.objects) objects (fsck)")
        let head = ProofBundle.head(ofLog: members[BundleLayout.registry + "events.jsonl"] ?? Data())
        if head != statement.predicate.eventLog {
            report.fail(
                BundleLayout.statement,
                "names the event-log head #\(statement.predicate.eventLog.seq) "
                    + "\(statement.predicate.eventLog.sha256.prefix(12)), but registry/events.jsonl ends at #\(head.seq) "
                    + "\(head.sha256.prefix(12)).")
        }

        let moment = statement.predicate.createdAt
        let evidence: Evidence
        do {
            evidence = try Evidence(workspace: workspace, now: { moment })
        } catch {
            report.fail("registry/", "cannot be read as evidence: \(error)")
            return true
        }
        let suites = suitesByHash(members)
        EvalCheck.run(evidence, suites: suites, &report)
        checkGrades(evidence, statement, members, request.catalog, &report)
        checkDerived(evidence, members, &report)
        checkIncidents(evidence, members, &report)
        checkApprovals(evidence, request, &report)
        if let challenge = request.challenge { checkChallenge(challenge, evidence.events, request, &report) }
        return !report.ok
    }

    /// Every production promotion's approver against the roster, and every signed approval re-checked with
    /// `ssh-keygen -Y verify` against the key the roster holds for its approver.
    static func checkApprovals(_ evidence: Evidence, _ request: VerifyRequest, _ report: inout VerifyReport) {
        do {
            let roster = try evidence.registry.roster()
            var approved = 0
            var signed = 0
            var breakGlass = 0
            var strangers: Set<String> = []
            for move in evidence.productionMoves {
                let facts = try move.facts()
                guard let approver = facts.approver else { continue }
                approved += 1
                if facts.breakGlass != nil { breakGlass += 1 }
                if !roster.isEmpty, roster.person(approver) == nil { strangers.insert(approver) }
                guard let approval = try Approvals.recorded(on: move) else { continue }
                if let problem = try Approvals.problem(
                    approval, roster: roster, environment: request.environment, workspace: request.scratchWorkspace)
                {
                    report.fail("registry/events.jsonl", "event #\(move.event)'s signed approval: \(problem).")
                } else {
                    signed += 1
                }
            }
            guard approved > 0 else { return }
            report.checked.append(
                "\(approved) approved promotions against the roster (\(roster.people.count) people): \(signed) signed "
                    + "approvals re-checked with ssh-keygen, \(approved - signed) unsigned, \(breakGlass) break-glass")
            if !strangers.isEmpty {
                report.notes.append(
                    "Approvers not on the roster now: \(strangers.sorted().joined(separator: ", ")).")
            }
        } catch {
            report.fail("registry/events.jsonl", "its approvals cannot be read: \(error)")
        }
    }

    /// Whether every file of the scratch copy still holds the bytes the bundle gave: a difference found while
    /// another process removed or changed the copy is verify's own failure, never evidence of tampering.
    private static func scratchCopyIsIntact(_ laid: [ArchiveEntry], under root: String) -> Bool {
        laid.allSatisfy { FileManager.default.contents(atPath: root + "/" + $0.path) == $0.data }
    }

    // MARK: Members against the statement

    static func checkStatement(
        _ statement: Statement, _ data: Data, _ members: [String: Data], _ request: VerifyRequest,
        _ report: inout VerifyReport
    ) {
        if statement.type != Statement.statementType {
            report.fail(BundleLayout.statement, "has _type '\(statement.type)', not \(Statement.statementType).")
        }
        if statement.predicateType != Statement.bundlePredicateType {
            report.fail(
                BundleLayout.statement,
                "has predicateType '\(statement.predicateType)', not \(Statement.bundlePredicateType).")
        }
        var listed: Set<String> = []
        for subject in statement.subject {
            guard listed.insert(subject.name).inserted else {
                report.fail(BundleLayout.statement, "lists the subject \(subject.name) twice.")
                continue
            }
            guard let member = members[subject.name] else {
                report.fail(subject.name, "is a subject of statement.json but is not in the bundle.")
                continue
            }
            let actual = SHA256.hash(member).hex
            let claimed = subject.digest["sha256"] ?? "(none)"
            if actual != claimed {
                report.fail(
                    subject.name,
                    "its SHA-256 is \(actual.prefix(12))… but statement.json lists \(claimed.prefix(12))… "
                        + "(the member or the statement was changed).")
            }
        }
        for name in members.keys.sorted()
        where name != BundleLayout.statement && name != BundleLayout.signature && !listed.contains(name) {
            report.fail(name, "is in the bundle but is not a subject of statement.json.")
        }
        report.checked.append("\(statement.subject.count) members against their SHA-256 in statement.json")
        if statement.predicate.kitVersion != request.kitVersion {
            report.notes.append(
                "The bundle was made by kit \(statement.predicate.kitVersion); this is kit \(request.kitVersion).")
        }
        let signature = members[BundleLayout.signature]
        if let signers = request.allowedSigners {
            guard let signature else {
                report.fail(BundleLayout.signature, "is missing: the bundle is not signed.")
                return
            }
            do {
                let checked = try SSHSignature.check(
                    data, signature: signature, allowedSigners: signers, identity: request.identity,
                    environment: request.environment)
                switch checked {
                case .bad(let problem): report.fail(BundleLayout.signature, problem + ".")
                case .good(let principal):
                    report.signature = .verified
                    report.signer = principal
                    report.checked.append("the signature over statement.json, by \(principal), against \(signers)")
                }
            } catch {
                report.fail(BundleLayout.signature, "could not be checked: \(error)")
            }
        } else if signature != nil {
            report.signature = .notChecked
        }
    }

    /// Registry and lab files laid out as a workspace; members a bundle never holds are named and left out.
    static func workspaceEntries(_ entries: [ArchiveEntry], _ report: inout VerifyReport) -> [ArchiveEntry] {
        var result: [ArchiveEntry] = []
        let marker = Workspace.markerFolder + "/"
        for entry in entries {
            let path = entry.path
            if path.hasPrefix(BundleLayout.registry) {
                result.append(
                    ArchiveEntry(
                        path: marker + "registry/" + path.dropFirst(BundleLayout.registry.count), data: entry.data))
            } else if path.hasPrefix(BundleLayout.files) {
                let relative = String(path.dropFirst(BundleLayout.files.count))
                if relative == BundleLayout.writeup
                    || (relative.hasPrefix(marker) && relative != marker + "settings.json")
                {
                    report.fail(path, "is not a file a bundle may carry (it would stand in for other evidence).")
                    continue
                }
                result.append(ArchiveEntry(path: relative, data: entry.data))
            } else if path == BundleLayout.writeup {
                result.append(entry)
            } else if ![BundleLayout.statement, BundleLayout.signature, BundleLayout.report, BundleLayout.grades]
                .contains(path)
            {
                report.fail(path, "is not a kind of member a bundle holds.")
            }
        }
        return result
    }

    /// fsck names the file first ("events.jsonl line 3 …", "versions/ab….json …"): that file is the member.
    static func place(ofFsckProblem problem: String, _ members: [String: Data]) -> String {
        let first = problem.split(separator: " ").first.map(String.init) ?? ""
        let trimmed = first.trimmingCharacters(in: CharacterSet(charactersIn: ".,:;'\""))
        let candidate = BundleLayout.registry + trimmed
        if members[candidate] != nil { return candidate }
        if let hash = problem.split(whereSeparator: { !$0.isHexDigit }).first(where: { $0.count == 64 }) {
            let object = BundleLayout.registry + "objects/sha256/\(hash.prefix(2))/\(hash.dropFirst(2))"
            if members[object] != nil { return object }
            if let version = members.keys.first(where: { $0.hasPrefix(BundleLayout.registry + "versions/" + hash) }) {
                return version
            }
        }
        return "registry/"
    }

    static func suitesByHash(_ members: [String: Data]) -> [String: Data] {
        var result: [String: Data] = [:]
        for (path, data) in members where path.hasPrefix(BundleLayout.files + "evals/") {
            result[SHA256.hash(data).hex] = data
        }
        return result
    }

    // MARK: Grades, report, write-up, incidents

    static func checkGrades(
        _ evidence: Evidence, _ statement: Statement, _ members: [String: Data], _ catalog: LabCatalog,
        _ report: inout VerifyReport
    ) {
        let started = catalog.labs.filter { evidence.start(of: $0.id) != nil }
        for lab in started {
            if let start = evidence.started(lab.id), start.payload.manifestSHA256 != lab.manifestSHA256 {
                let hash = start.payload.manifestSHA256
                report.fail(
                    "registry/events.jsonl line \(start.event.seq)",
                    "lab \(lab.id) was started from a manifest (\(hash.prefix(12))) that is not this kit's "
                        + "(\(lab.manifestSHA256.prefix(12))), so this kit cannot vouch for its grade.")
            }
        }
        let grades = started.map { Grader.grade($0, evidence: evidence) }
        do {
            let expected = try GradeReport(grades: grades).json()
            compare(expected: expected, member: BundleLayout.grades, members, &report)
        } catch {
            report.fail(BundleLayout.grades, "could not be re-derived: \(error)")
        }
        let regraded = Dictionary(uniqueKeysWithValues: grades.map { ($0.lab, $0) })
        for lab in statement.predicate.labs {
            guard let grade = regraded[lab.id] else {
                report.fail(BundleLayout.statement, "names lab \(lab.id), which the registry never started.")
                continue
            }
            if let started = evidence.started(lab.id)?.payload.manifestSHA256, started != lab.manifestSHA256 {
                report.fail(
                    BundleLayout.statement,
                    "says lab \(lab.id) ran manifest \(lab.manifestSHA256.prefix(12)), but the registry recorded "
                        + "\(started.prefix(12)) at its start.")
            }
            if grade.score != lab.score || grade.status != lab.status || grade.doneBy != lab.doneBy {
                report.fail(
                    BundleLayout.statement,
                    "says lab \(lab.id) scored \(lab.score)/\(lab.maxScore) (\(lab.status), \(lab.doneBy)); re-graded "
                        + "by this kit it scores \(grade.score)/\(grade.maxScore) (\(grade.status), \(grade.doneBy)).")
            }
        }
        if Set(statement.predicate.labs.map(\.id)) != Set(regraded.keys) {
            let missing = Set(regraded.keys).subtracting(statement.predicate.labs.map(\.id)).sorted()
            if !missing.isEmpty {
                report.fail(
                    BundleLayout.statement, "leaves out started lab(s) \(missing.joined(separator: ", ")).")
            }
        }
        report.checked.append("\(grades.count) lab grades, re-graded against this kit's own catalog")
    }

    static func checkDerived(_ evidence: Evidence, _ members: [String: Data], _ report: inout VerifyReport) {
        do {
            compare(
                expected: try ReportPage.render(context: evidence.context), member: BundleLayout.report, members,
                &report)
            report.checked.append("the report page, regenerated from the registry")
        } catch {
            report.fail(BundleLayout.report, "could not be regenerated: \(error)")
        }
        guard let data = members[BundleLayout.writeup] else { return }
        let text = String(decoding: data, as: UTF8.self)
        do {
            let fresh = try Writeup.render(
                context: evidence.context, incidentID: Writeup.incidentID(in: text),
                provenance: evidence.writeupProvenance())
            let given = Writeup.generatedParts(of: text)
            let expected = Writeup.generatedParts(of: fresh)
            if given != expected {
                report.fail(
                    BundleLayout.writeup,
                    "a generated part differs from what the registry backs: "
                        + firstDifference(expected: expected, actual: given))
            }
            report.checked.append("every generated number of the write-up, against the registry")
        } catch {
            report.fail(BundleLayout.writeup, "could not be re-derived: \(error)")
        }
    }

    static func checkIncidents(_ evidence: Evidence, _ members: [String: Data], _ report: inout VerifyReport) {
        let prefix = BundleLayout.registry + "incidents/"
        var expected: Set<String> = []
        for incident in evidence.incidents {
            let member = prefix + incident.id + ".json"
            expected.insert(member)
            let text: String
            do {
                text = try CanonicalJSON.prettyString(incident)
            } catch {
                report.fail(member, "could not be re-derived: \(error)")
                continue
            }
            guard members[member] != nil else {
                report.fail(member, "is missing, but the events record incident \(incident.id).")
                continue
            }
            compare(expected: text, member: member, members, &report)
        }
        for member in members.keys.sorted() where member.hasPrefix(prefix) && !expected.contains(member) {
            report.fail(member, "is an incident record with no incident events behind it.")
        }
        report.checked.append("\(evidence.incidents.count) incident records, against their events")
    }

    static func compare(expected: String, member: String, _ members: [String: Data], _ report: inout VerifyReport) {
        guard let data = members[member] else {
            report.fail(member, "is missing from the bundle.")
            return
        }
        let actual = String(decoding: data, as: UTF8.self)
        if actual != expected {
            report.fail(
                member, "differs from what the evidence gives: " + firstDifference(expected: expected, actual: actual))
        }
    }

    /// "line 12: the evidence gives «…», the bundle has «…»": the first line that differs, near the difference.
    static func firstDifference(expected: String, actual: String) -> String {
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let have = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(want.count, have.count) {
            let wanted = index < want.count ? String(want[index]) : nil
            let had = index < have.count ? String(have[index]) : nil
            guard wanted != had else { continue }
            guard let wanted else { return "line \(index + 1) is extra: «\(excerpt(had ?? "", from: 0))»." }
            guard let had else { return "line \(index + 1) is missing: «\(excerpt(wanted, from: 0))»." }
            let common = zip(wanted, had).prefix { $0 == $1 }.count
            return "line \(index + 1): the evidence gives «\(excerpt(wanted, from: common))», the bundle has "
                + "«\(excerpt(had, from: common))»."
        }
        return "the bytes differ (line endings)."
    }

    static func excerpt(_ line: String, from offset: Int) -> String {
        let start = max(0, offset - 20)
        let characters = Array(line)
        let end = min(characters.count, start + 70)
        guard start < end else { return "" }
        return (start > 0 ? "…" : "") + String(characters[start..<end]) + (end < characters.count ? "…" : "")
    }
}
