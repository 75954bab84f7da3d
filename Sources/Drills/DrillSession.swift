// What a running drill changes in the generic commands run in its workspace, in one place: an incident someone
// opens is the drill's, reading a diff is part of the diagnosis lap, and views leave out what the fault was.
// Generic commands consult it with one call each; outside a drill every answer is "nothing changes".
public import Foundation
public import Playbook
public import Registry

public struct DrillSession: Sendable {
    public let state: DrillState
    /// The drill's own workspace.
    public let workspace: Workspace
    /// The team's workspace the drill runs in.
    public let room: Workspace

    public init(state: DrillState, workspace: Workspace, room: Workspace) {
        self.state = state
        self.workspace = workspace
        self.room = room
    }

    /// The running drill whose own workspace this is; nil outside a drill and once it has ended.
    public static func current(in workspace: Workspace) -> DrillSession? {
        DrillState.running(in: workspace).map {
            DrillSession(state: $0, workspace: workspace, room: DrillState.room(of: workspace))
        }
    }

    /// The drill an incident opened in `workspace` belongs to: during a drill it is the drill's, as the monitor's
    /// would be; none otherwise.
    public static func incidentDrillID(in workspace: Workspace) -> String? {
        current(in: workspace)?.state.id
    }

    /// `events` as participants may see them: while a drill runs, without the event saying what the fault was.
    public static func visible(_ events: [Event], in workspace: Workspace) -> [Event] {
        guard let session = current(in: workspace) else { return events }
        return events.filter { !session.hides($0) }
    }

    /// Whether views leave `event` out while the drill runs.
    public func hides(_ event: Event) -> Bool { DrillEvent.hidden.contains(event.kind) }

    /// Records that someone read `diff`: the diagnosis lap is read from these looks (diff writes nothing else).
    @discardableResult
    public func recordLook(at diff: VersionDiff, by actor: String, now: @escaping @Sendable () -> Date) throws -> Event
    {
        try DrillLog.looked(
            drill: state.id, from: diff.from, to: diff.to, components: diff.changedComponents, by: actor,
            in: try context(now: now))
    }

    /// The plays' context in the drill's own workspace.
    public func context(now: @escaping @Sendable () -> Date) throws -> PlayContext {
        try PlayContext(workspace: workspace, now: now)
    }

    // MARK: The drill the drill commands act on

    /// The team's workspace and the drill commands run from `workspace` act on: the one whose workspace this is,
    /// else the room's running drill (nil when none runs).
    public static func locate(from workspace: Workspace) -> (room: Workspace, state: DrillState?) {
        if let state = DrillState.load(in: workspace) { return (DrillState.room(of: workspace), state) }
        return (workspace, DrillRoom(workspace).active())
    }

    /// The running drill commands from `workspace` act on, or the refusal saying why there is none.
    public static func running(from workspace: Workspace) throws -> DrillSession {
        let (room, state) = locate(from: workspace)
        guard let state, DrillRoom(room).active()?.id == state.id else {
            if let state { throw DrillsError.drillOver(id: state.id) }
            throw DrillsError.noDrill
        }
        return DrillSession(state: state, workspace: Workspace(root: state.workspace), room: room)
    }

    /// `drill code`: while a drill runs, its code only for the game master's token (it reproduces the fault);
    /// afterwards the latest finished drill's, opened from its log with the token when it ended still sealed.
    public static func code(from workspace: Workspace, token: String?) throws -> String {
        let (room, state) = locate(from: workspace)
        let seal = try token.map { try DrillSeal(token: $0) }
        if let state, DrillRoom(room).active()?.id == state.id {
            guard let seal else { throw DrillsError.codeHidden(id: state.id) }
            let events = try Registry(root: Workspace(root: state.workspace).registryPath).events()
            return try seal.plan(events: events, drill: state.id).code
        }
        let record = try state.map { try DrillRoom(room).record($0.id) } ?? DrillRoom(room).records().last
        guard let record else { throw DrillsError.noDrill }
        guard record.code == DrillSeal.sealedCode, let seal else { return record.code }
        let drillWorkspace = DrillDebrief.drillWorkspace(record, room: room)
        return try seal.plan(events: try Registry(root: drillWorkspace.registryPath).events(), drill: record.id).code
    }

    /// What `LabRunner` with no arguments says about drills here: in a drill's own workspace, which drill it is
    /// and where to look; in a team's, the drill cadence. Nothing when settings or drill records cannot be read
    /// (the commands that need them say why).
    public static func statusLine(in workspace: Workspace, now: Date) -> String? {
        if let drill = DrillState.load(in: workspace) {
            if DrillState.running(in: workspace) != nil, !drill.isRunning {
                return "This is drill \(drill.id)'s workspace; its process is gone (interrupted): LabRunner drill end."
            }
            return DrillState.running(in: workspace) != nil
                ? "This is drill \(drill.id)'s workspace and it is running: LabRunner drill status."
                : "This is drill \(drill.id)'s workspace; it has ended: LabRunner drill report \(drill.id)."
        }
        guard let settings = try? PlaybookSettings.load(workspace),
            let cadence = try? DrillRoom(workspace).cadence(now: now, cadenceDays: settings.drillCadenceDays)
        else { return nil }
        return cadence.sentence
    }
}

extension DrillRoom {
    /// The finished drill `id` names, else the latest finished one: a drill still running has no debrief yet.
    public func finished(_ id: String?) throws -> DrillRecord {
        if let id {
            if let active = active(), active.id == id { throw DrillsError.debriefWhileRunning(id: id) }
            return try record(id)
        }
        guard let latest = try records().last else {
            if let active = active() { throw DrillsError.debriefWhileRunning(id: active.id) }
            throw DrillsError.noDrillsYet
        }
        return latest
    }
}

extension DrillSession {
    /// Computes the live view every second (`sleep`), handing each to `draw` (with whether it is the first), until
    /// the drill ends.
    public func watch(
        now: @escaping @Sendable () -> Date, sleep: (Duration) -> Void,
        draw: (_ view: DrillLiveView, _ first: Bool) -> Void
    ) throws {
        let context = try context(now: now)
        let feed = DrillSignalFeed()
        var first = true
        while true {
            let view = try DrillLiveView.compute(state: state, in: context, feed: feed)
            draw(view, first)
            first = false
            if view.endedAt != nil || DrillRoom(Workspace(root: state.room)).active()?.id != state.id { return }
            sleep(.seconds(1))
        }
    }
}
