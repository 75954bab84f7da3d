// `lab show`: a lab's page (title, goal, points, its text) read without starting the lab, so a timed lab's page
// is read before its clock starts.
import Foundation
public import Terminal

public struct LabPage: Encodable, Sendable {
    public var id: String
    public var title: String
    public var goal: String
    public var points: Int
    /// The phases timed, with their gold and pass limits in seconds.
    public var timed: [LabTimer]
    /// Whether challenge mode lays a variant of the lab's story from its seed.
    public var seeded: Bool
    /// The lab's README, as the learner reads it.
    public var page: String

    /// The page of the lab `name` names (its number or id).
    public init(catalog: LabCatalog, lab name: String) throws {
        let lab = try catalog.lab(name)
        guard let text = catalog.file("Labs/\(lab.id)/README.md") else {
            throw LabError.invalid("Lab \(lab.id) has no README.md in \(catalog.origin).")
        }
        id = lab.id
        title = lab.manifest.title
        goal = lab.manifest.goal
        points = lab.manifest.points
        timed = lab.manifest.allTimers
        seeded = lab.isSeeded
        page = String(decoding: text, as: UTF8.self)
    }
}

extension LabPage: TextRendering {
    public func render(_ out: inout TextOutput) {
        let number = String(id.prefix(2))
        out.line(out.styled("Lab \(number) · \(title)", .bold) + " — \(points) points")
        out.line("Goal: \(goal)")
        if let timer = timed.first {
            out.line(
                "Timed: the clock starts when the lab starts (gold under \(Int(timer.goldSeconds)) s, a pass under \(Int(timer.passSeconds)) s). Read this page first."
            )
        }
        if seeded {
            out.line("Challenge mode lays a variant of this lab from its seed: 'lab start \(number) --challenge'.")
        }
        out.line("Not started: this page is for reading; 'LabRunner lab start \(number)' begins the lab.")
        out.line("")
        out.write(page.hasSuffix("\n") ? page : page + "\n")
    }
}
