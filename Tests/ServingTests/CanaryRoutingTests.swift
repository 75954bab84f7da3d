// A live canary: while the `canary` tag points elsewhere than production, the requests whose id falls in the
// slice are answered by it and attributed to it; with no canary tag (or one stopped onto production's version)
// every request is production's.
import Foundation
import Playbook
import Registry
import Serving
import Testing

@Suite(.serialized) struct CanaryRoutingTests {
    @Test func aLiveCanaryAnswersItsSliceByRequestIdAndNoCanaryMeansProduction() throws {
        let lab = try ServedLab()
        let registry = lab.context.registry
        let path = lab.root + "/system/prompt.md"
        try (try String(contentsOfFile: path, encoding: .utf8) + "\nA note.\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let candidate = try RegisterPlay.run(
            RegisterRequest(owner: "a", reason: "note", parent: "#1", root: false), in: lab.context
        ).record.id
        let production = try #require(registry.tag("production"))
        let connection = try RawConnection(port: lab.server.port)
        func served(_ round: String) throws -> [(id: String, version: String)] {
            try (0..<40).map { n in
                connection.write(RawConnection.ask("where is my order", id: "req-\(round)-\(n)"))
                let response = try #require(connection.readResponse())
                return (response.headers["x-request-id"] ?? "", response.headers["x-model-version"] ?? "")
            }
        }
        #expect(try served("none").allSatisfy { $0.version == production }, "no canary tag: all production")
        try registry.moveTag(CanarySlice.tag, to: candidate, by: "ops", reason: "canary the note")
        let split = try served("live")
        for entry in split {
            #expect(entry.version == (CanarySlice.takes(requestID: entry.id) ? candidate : production), "\(entry.id)")
        }
        let slice = split.filter { $0.version == candidate }.count
        #expect((4...16).contains(slice), "about \(CanarySlice.percent)% of 40: \(slice)")
        let log = AttributionLog(registryRoot: registry.root)
        for entry in split { #expect(try log.lookup(entry.id)?.version == entry.version) }
        // Health and /v1/version name production, not the canary.
        connection.write("GET /v1/version HTTP/1.1\r\nHost: x\r\n\r\n")
        let version = try #require(connection.readResponse())
        #expect(version.body.contains(production))
        try registry.moveTag(CanarySlice.tag, to: production, by: "ops", reason: "stop the canary")
        #expect(try served("stopped").allSatisfy { $0.version == production }, "a stopped canary: all production")
    }
}
