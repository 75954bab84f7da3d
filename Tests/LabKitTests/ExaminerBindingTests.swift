// The binding of a workspace to an examiner's challenge: seeds derive from the nonce, the salt and the lab, and
// only a `challenge.bound` before the first lab event binds (one appended after the work was done does not).
import Foundation
import Registry
import Testing

@testable import LabKit

@Suite struct ExaminerBindingTests {
    static let bound = ChallengeBound(
        nonce: String(repeating: "ab", count: 32), salt: String(repeating: "cd", count: 16),
        labs: "00-orientation", learner: "ana", issuedAt: Date(timeIntervalSince1970: 1_800_000_000),
        challengeSHA256: String(repeating: "0", count: 64))

    func event(_ seq: Int, _ kind: String, _ data: [String: String] = [:]) -> Event {
        Event(
            seq: seq, at: Date(timeIntervalSince1970: 1_800_000_000 + Double(seq)), kind: kind, actor: "ana",
            data: data, prev: String(repeating: "0", count: 64))
    }

    @Test func seedsDeriveFromTheNonceTheSaltAndTheLab() {
        let seed = Self.bound.seed(for: "00-orientation")
        #expect(seed == Self.bound.seed(for: "00-orientation"), "the same challenge derives the same seed")
        #expect(seed > 0)
        #expect(seed != Self.bound.seed(for: "01-what-is-a-version"), "each lab has a seed of its own")
        var other = Self.bound
        other.nonce = String(repeating: "ef", count: 32)
        #expect(seed != other.seed(for: "00-orientation"), "another challenge's nonce derives another seed")
        other = Self.bound
        other.salt = String(repeating: "01", count: 16)
        #expect(seed != other.seed(for: "00-orientation"), "so does another salt")
    }

    @Test func onlyABindingBeforeTheFirstLabEventBinds() throws {
        let fields = try EventFields.encode(Self.bound)
        let setup = [event(1, "registry.created"), event(2, "person.added")]
        let bound = setup + [event(3, ChallengeBound.kind, fields), event(4, "lab.started", ["lab": "00-orientation"])]
        #expect(bound.challengeBinding()?.payload == Self.bound)
        #expect(bound.challengeBinding()?.event.seq == 3)
        // The cheapest wrong answer: bind a finished workspace afterwards.
        let late = setup + [event(3, "lab.started", ["lab": "00-orientation"]), event(4, ChallengeBound.kind, fields)]
        #expect(late.challengeBinding() == nil)
        #expect(setup.challengeBinding() == nil, "a workspace made without a challenge is not bound")
    }
}
