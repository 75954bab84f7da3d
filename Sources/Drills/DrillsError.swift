// The drills module's one error type: each case is the sentence a person reads, with the way out.
import Foundation

public enum DrillsError: Error, CustomStringConvertible, Equatable, Sendable {
    case inputsUnreadable(path: String)
    case inputsNotJSON(path: String)
    case inputsDuplicateKey(path: String, key: String)
    case inputsUnknownKey(path: String, key: String)
    case inputsNotNumber(path: String, key: String)
    case inputOutOfRange(key: String, value: String, source: String, rule: String)
    case unknownFault(String, known: [String])
    case badWindow(Double, least: Double)
    case badCode(String)
    case codeFromOtherKit(String, fingerprint: String)
    case drillRunning(id: String, pid: Int32)
    case insideDrill(id: String)
    case noDrill
    case noSuchDrill(String)
    case drillOver(id: String)
    case debriefWhileRunning(id: String)
    case noDrillsYet
    case codeHidden(id: String)
    case recordUnreadable(path: String)
    case buildFailed(String)
    case childFailed(name: String, log: String)
    case unknownEnding(String)
    case badToken
    case recordEdited(path: String, seq: Int)
    case recordForged(path: String)
    case wrongToken(id: String)
    case sealBroken(id: String)
    case commanderHeld(holder: String)
    case noCommander
    case notCommander(actor: String, holder: String)
    case handoffToSelf(String)
    case notScribe(String)
    case badNote(limit: Int)
    case injectNeedsToken
    case unknownInject(String)
    case teamCatalogue(path: String, problem: String)

    public var description: String {
        switch self {
        case .inputsUnreadable(let path):
            return "Cannot read the inputs file \(path); check the path, or give the inputs as flags instead."
        case .inputsNotJSON(let path):
            return "The inputs file \(path) is not one JSON object of numbers; write it as "
                + "{\"loaded_rate\": 100, ...} (see 'LabRunner roi --help' for the keys)."
        case .inputsDuplicateKey(let path, let key):
            return "The inputs file \(path) gives '\(key)' twice; keep one, since which would win is not obvious."
        case .inputsUnknownKey(let path, let key):
            return "The inputs file \(path) has an unknown key '\(key)'; the keys are "
                + PaybackInputs.keys.map(\.key).joined(separator: ", ") + "."
        case .inputsNotNumber(let path, let key):
            return "'\(key)' in the inputs file \(path) must be a number; write it without quotes or units."
        case .inputOutOfRange(let key, let value, let source, let rule):
            return "\(key) = \(value) (from \(source)) is out of range: it \(rule)."
        case .unknownFault(let name, let known):
            return "There is no fault kind '\(name)'; choose one of \(known.joined(separator: ", "))."
        case .badWindow(let seconds, let least):
            return "--window \(Int(seconds))s is out of range: give at least \(Int(least))s (the service needs a "
                + "baseline of live traffic first) and at most 24h, such as --window 5m."
        case .badCode(let code):
            return "'\(code)' is not a drill code; a code looks like random-7-300-3fa91c2e ('LabRunner drill code' "
                + "prints one)."
        case .codeFromOtherKit(let code, let fingerprint):
            return "The code \(code) was made by a different kit or fault catalogue (this one's is \(fingerprint)), "
                + "so the same seed would not give the same drill; pass the --faults FILE it was made with, use the "
                + "kit that made it, or start with --seed."
        case .teamCatalogue(let path, let problem):
            return "The fault catalogue \(path) \(problem); nothing was laid (the format is in Docs/drills.md, "
                + "'A team's own faults')."
        case .drillRunning(let id, let pid):
            return "Drill \(id) is still running (process \(pid)); end it with 'LabRunner drill end' before "
                + "starting another."
        case .insideDrill(let id):
            return "This is drill \(id)'s own workspace; start drills from the team's workspace it sits in "
                + "(cd ../..), so their history stays together."
        case .noDrill:
            return "No drill is running here; start one with 'LabRunner drill start', or see past ones with "
                + "'LabRunner drill history'."
        case .noSuchDrill(let id):
            return "There is no drill \(id) in this workspace; 'LabRunner drill history' lists them."
        case .drillOver(let id):
            return "Drill \(id) has ended; its debrief is 'LabRunner drill report \(id)'."
        case .debriefWhileRunning(let id):
            return "Drill \(id) is still running, so it has no debrief yet; end it with 'LabRunner drill end' "
                + "(or watch it with 'LabRunner drill status')."
        case .codeHidden(let id):
            return "Drill \(id) is running and its code reproduces the fault; the game master runs "
                + "'LabRunner drill code --gm TOKEN' (the token 'drill start --gm' printed), everyone else after "
                + "'drill end'."
        case .recordEdited(let path, let seq):
            return "The drill record \(path) was edited: it does not match what event #\(seq) of the room's log "
                + "recorded; restore it from that event (or delete it: the event holds the record)."
        case .recordForged(let path):
            return "The drill record \(path) is not committed to by any drill.recorded event in the room's log (it "
                + "was written by hand, or by a kit that did not record drills in the log); move it aside."
        case .badToken:
            return "A game master's token is 32 hex digits, as 'LabRunner drill start --gm' printed it; copy it whole."
        case .wrongToken(let id):
            return "That is not drill \(id)'s game-master token; use the one its 'drill start --gm' printed."
        case .sealBroken(let id):
            return "Drill \(id)'s sealed fault does not match its commitment: its event log was altered; "
                + "run 'LabRunner fsck' in its workspace and restore the log from a backup."
        case .noDrillsYet:
            return "No drill has been recorded in this workspace yet; run one with 'LabRunner drill start'."
        case .recordUnreadable(let path):
            return "The drill record \(path) is not readable as a drill record; restore it from a backup, or "
                + "move it aside to list the others."
        case .childFailed(let name, let log):
            return "The drill's \(name) process did not start; its log \(log) says why. Nothing is running; fix "
                + "that and start the drill again."
        case .unknownEnding(let word):
            return "'\(word)' is not a way a drill ends; it ends as one of "
                + DrillEnding.allCases.map(\.rawValue).joined(separator: ", ") + "."
        case .commanderHeld(let holder):
            return "\(holder) is the incident commander: there is one at a time; \(holder) passes the role with "
                + "'LabRunner drill handoff NAME'."
        case .noCommander:
            return "Nobody is the incident commander yet, so there is no role to hand off; take it with "
                + "'LabRunner drill join commander'."
        case .notCommander(let actor, let holder):
            return "\(actor) is not the incident commander (\(holder) is): only the commander hands the role off; "
                + "run it as \(holder) (--as \(holder))."
        case .handoffToSelf(let name):
            return "\(name) already is the incident commander; name the person taking over: 'drill handoff NAME'."
        case .notScribe(let name):
            return "\(name) is not a scribe in this drill: notes are the scribe's; take the role with "
                + "'LabRunner drill join scribe' first."
        case .badNote(let limit):
            return "A note is one line of 1 to \(limit) characters, such as "
                + "'drill note \"rolled back, waiting for recovery\"'."
        case .injectNeedsToken:
            return "Injects are the game master's: pass --gm TOKEN, the token 'drill start --gm' printed."
        case .unknownInject(let word):
            return "There is no inject '\(word)'; choose "
                + InjectKind.allCases.map(\.rawValue).joined(separator: ", ") + "."
        case .buildFailed(let reason):
            return "The drill could not be laid down: \(reason). Nothing was started; report this as a bug."
        }
    }
}
