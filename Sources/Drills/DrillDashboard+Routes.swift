// The drill dashboard's HTTP routes, which `serve` puts in front of the model service so the service knows
// nothing of drills. The drill is looked up on each request: its state file comes and goes with the drill.
import Foundation
import Hashing
public import Playbook
public import Serving

extension DrillDashboard {
    /// The dashboard's routes for a service on `context`'s workspace, with the live window kept between page loads
    /// so each reads only the newest requests.
    public static func routes(context: PlayContext) -> @Sendable (HTTPRequest) -> HTTPResponse? {
        let feed = DrillSignalFeed()
        return { route($0, context: context, feed: feed) }
    }

    /// The response for `/drill`, `/drill/` and `/drill.json`; nil for any other path.
    public static func route(_ request: HTTPRequest, context: PlayContext, feed: DrillSignalFeed) -> HTTPResponse? {
        let path = request.path
        guard path == "/drill" || path == "/drill/" || path == "/drill.json" else { return nil }
        guard request.method == "GET" else {
            return .error(405, "\(request.method) is not allowed on \(path); use GET.")
        }
        guard let state = DrillState.load(in: context.workspace) else {
            return HTTPResponse(
                status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")],
                body: Data(
                    ("The drill dashboard exists only while a drill runs: start one with 'LabRunner drill start' in "
                        + "the team's workspace and open the address it prints.\n").utf8))
        }
        do {
            let view = try DrillLiveView.compute(state: state, in: context, feed: feed)
            if path == "/drill.json" {
                return .json(200, Data((try CanonicalJSON.prettyString(view) + "\n").utf8)).adding(
                    "Cache-Control", "no-store")
            }
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                body: Data(render(view).utf8))
        } catch {
            return .error(500, "The drill dashboard could not be built: \(error).")
        }
    }
}
