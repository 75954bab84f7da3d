// The events a lab session records beside `lab.started` (declared in Reports, which reads it too): hints shown
// and labs laid down by their reference solutions.
public import Registry

/// `lab.hint`: a hint shown to the learner; hints cost nothing but are visible in the grade.
public struct LabHintShown: EventPayload, Equatable {
    public static let kind = "lab.hint"
    public var lab: String
    public var level: Int

    public init(lab: String, level: Int) {
        self.lab = lab
        self.level = level
    }
}

/// `lab.laid_down`: a lab put in place by running its reference solution for the learner; it earns no points.
public struct LabLaidDown: EventPayload, Equatable {
    public static let kind = "lab.laid_down"
    public var lab: String
    /// The solution script that did it.
    public var solutionSHA256: String

    public init(lab: String, solutionSHA256: String) {
        self.lab = lab
        self.solutionSHA256 = solutionSHA256
    }

    enum CodingKeys: String, CodingKey {
        case lab
        case solutionSHA256 = "solution_sha256"
    }
}
