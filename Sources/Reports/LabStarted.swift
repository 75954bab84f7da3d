// The `lab.started` event: written by LabKit when a lab starts or is reset, read by the report page for its
// rehearsals. Declared here, the lowest module both see, so there is one declaration of its kind and fields.
public import Registry

/// `lab.started`: one attempt at a lab began, graded against the manifest stored under `manifestSHA256`.
public struct LabStarted: EventPayload, Equatable {
    public static let kind = "lab.started"
    public var lab: String
    /// The blob holding the lab's manifest as it was started.
    public var manifestSHA256: String
    /// 1 for the first start, then one more for each reset.
    public var attempt: Int

    public init(lab: String, manifestSHA256: String, attempt: Int) {
        self.lab = lab
        self.manifestSHA256 = manifestSHA256
        self.attempt = attempt
    }

    enum CodingKeys: String, CodingKey {
        case lab, attempt
        case manifestSHA256 = "manifest_sha256"
    }
}
