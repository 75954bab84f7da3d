// The playbook's one error type: each case is the sentence a person reads, with the way out.

public enum PlaybookError: Error, CustomStringConvertible, Equatable, Sendable {
    case suiteNotFound(name: String, path: String)
    case settingsInvalid(path: String, reason: String)
    /// `component` and `data` name the trained file and its training data (the toy's, or an adopted project's).
    case lineageBroken(
        weights: String, dataset: String, component: String = "weights.json", data: String = "data/train.csv")
    case lineageUnverified(weights: String, component: String = "weights.json")
    case safetyCasesRemoved(removed: String)
    case canaryAborted(String)
    case canaryInconclusive(finding: String, planned: Int)
    case noEvalOnSuite(version: String, suite: String)
    case differentSuites(candidate: String, production: String)
    case gateFailed(String)
    case needsForceReason
    case needsConfirmation(command: String)
    case declined
    case noProduction
    case alreadyProduction(version: String)
    case unknownIncident(String)
    case incidentClosed(String)
    /// An incident event is recorded, but a file it implies failed to land; the next write to the registry lands it.
    case incidentRecorded(id: String, event: Int, kind: String, path: String, reason: String)
    case unknownRequest(String)
    case badDuration(String)
    case badTime(String)
    case unknownExperiment(String)
    case experimentExists(String)
    case ambiguousExperiment([String])
    case noTrafficCases(path: String)
    case invalid(String)
    /// A signed approval that does not check out, or cannot be made: the reason, without its full stop.
    case approvalRefused(String)
    /// A signed approval is needed and none was given.
    case approvalNeeded(approver: String, why: String)
    /// Break-glass without `--force`: what would be overridden.
    case breakGlassNeeded(String)

    public var description: String {
        switch self {
        case .suiteNotFound(let name, let path):
            return "No eval suite named '\(name)' (looked for \(path)); suites live in the workspace's evals/ folder."
        case .settingsInvalid(let path, let reason):
            return "The workspace settings \(path) are invalid: \(reason); fix or delete the file to use the defaults."
        case .lineageBroken(let weights, let dataset, let component, let data):
            return "Broken lineage: \(component) was trained on data \(weights.prefix(12)) but \(data) is "
                + "\(dataset.prefix(12)); retrain with 'LabRunner train', or pass --lineage-broken-ok to record the break."
        case .lineageUnverified(let weights, let component):
            return "Lineage unverified: \(component) (\(weights.prefix(12))) is the output of no training run the "
                + "registry recorded; retrain with 'LabRunner train', or pass --lineage-unverified-ok to record it as unverified."
        case .safetyCasesRemoved(let removed):
            return "This pin removes cases from safety categories (\(removed)); a second person must approve it: "
                + "pass --approver NAME (not the person pinning)."
        case .canaryAborted(let finding):
            return "The canary stopped the promotion: \(finding); production did not move (the canary's requests stay "
                + "in the attribution log), fix the candidate and try again."
        case .canaryInconclusive(let finding, let planned):
            return
                "The canary was inconclusive: \(finding); production did not move (the canary's requests stay in the "
                + "attribution log). It needs more requests: run it again with --canary-requests auto (its plan "
                + "needs \(planned)); --force does not pass an inconclusive canary, nor does break-glass: it has not "
                + "shown the candidate safe."
        case .noEvalOnSuite(let version, let suite):
            return "Version \(version) has no eval on suite '\(suite)'; run 'LabRunner eval run --version \(version) "
                + "--suite \(suite)' first."
        case .differentSuites(let candidate, let production):
            return
                "The candidate was evaluated on suite \(candidate.prefix(12)) and production on \(production.prefix(12)); "
                + "evaluate both on the same suite with 'LabRunner eval run --version REF' before promoting."
        case .gateFailed(let reason):
            return
                "The promotion gate refused: \(reason); fix the candidate, or override with --force --reason TEXT (recorded)."
        case .needsForceReason:
            return "--force needs --reason TEXT: an override is recorded with why it was made."
        case .needsConfirmation(let command):
            return "'\(command)' asks for confirmation and standard input is not a terminal; add --yes to proceed."
        case .declined:
            return "Cancelled at the prompt; nothing was changed."
        case .noProduction:
            return "Nothing is in production yet; promote a version first with 'LabRunner promote REF --approver NAME'."
        case .alreadyProduction(let version):
            return "Version \(version) is already in production; nothing was changed."
        case .unknownIncident(let id):
            return "No incident '\(id)'; list incidents with 'LabRunner incident list'."
        case .incidentClosed(let id):
            return "Incident \(id) is already closed; open a new one with 'LabRunner incident open --symptom TEXT'."
        case .incidentRecorded(let id, let event, let kind, let path, let reason):
            return
                "Incident \(id) is recorded as event #\(event) (\(kind)), but the step after it failed: could not write "
                + "\(path): \(reason); the next write to the registry completes it (see 'LabRunner fsck')."
        case .unknownRequest(let id):
            return
                "No request '\(id)' in the attribution log; list recent requests with 'LabRunner requests --limit 20'."
        case .badDuration(let text):
            return "'\(text)' is not a duration; use a number with a unit, such as 90m, 12h or 7d."
        case .badTime(let text):
            return "'\(text)' is not a time; use UTC ISO 8601 such as 2026-11-22T14:05:00Z, or 'now', or '-15m'."
        case .unknownExperiment(let name):
            return "No active experiment '\(name)'; list them with 'LabRunner experiment list'."
        case .experimentExists(let name):
            return "An experiment named '\(name)' is already active; choose another name or end it first."
        case .ambiguousExperiment(let names):
            return
                "Several experiments are active (\(names.joined(separator: ", "))); say which with --experiment NAME."
        case .noTrafficCases(let path):
            return "No traffic cases in \(path); restore it from a fresh 'LabRunner init'."
        case .invalid(let sentence):
            return sentence
        case .approvalRefused(let reason):
            return "Approval refused: \(reason); nothing was changed."
        case .approvalNeeded(let approver, let why):
            return "\(why), so the approval must be signed: ask \(approver) to run 'LabRunner approve REF --as "
                + "\(approver) --key THEIR_KEY --out approval.json' and pass --approval approval.json."
        case .breakGlassNeeded(let what):
            return "Promoting this version is break-glass (\(what)): it needs --force --reason TEXT and a second "
                + "person as --approver (not the owner, not you); it is recorded as promotion.break_glass."
        }
    }
}
