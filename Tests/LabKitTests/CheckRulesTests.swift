// The rules inside checks that close cheap passes: what counts as one change, and what counts as a citation.
import Foundation
import Testing

@testable import LabKit

@Suite struct CheckRulesTests {
    @Test func aChangedLineCountsOnceAndALeftoverEditCountsAgain() {
        let production = Data("# Prompt\nescalate: refund_over_500, legal_threat\ntone: friendly\nmax_words: 60\n".utf8)
        let formal = Data("# Prompt\nescalate: refund_over_500, legal_threat\ntone: formal\nmax_words: 60\n".utf8)
        let formalAndLeftover = Data("# Prompt\nescalate: legal_threat\ntone: formal\nmax_words: 60\n".utf8)
        #expect(CheckLibrary.changedLines(from: production, to: formal) == ["tone: formal"])
        #expect(
            CheckLibrary.changedLines(from: production, to: formalAndLeftover) == [
                "escalate: legal_threat", "tone: formal",
            ])
        // A removed line is a change too, even with nothing added.
        let shorter = Data("# Prompt\ntone: friendly\nmax_words: 60\n".utf8)
        #expect(CheckLibrary.changedLines(from: production, to: shorter) == ["escalate: refund_over_500, legal_threat"])
    }

    @Test func aSectionCitesOnlyFactsTheRegistryHolds() {
        let facts = WriteupFacts(
            versionSeqs: [1, 2, 3, 4], versionIDs: ["0123456789abcdef0123"], components: ["prompt.md"],
            incidentID: "inc-0001", numbers: ["89.7", "37.2", "300"], phrases: ["1m 5s"], exampleVersion: "#4",
            exampleComponent: "prompt.md")
        for cited in [
            "The bad version #4 went out.", "Its id 0123456789ab is in the log.", "The change to system/prompt.md.",
            "INC-0001 was closed.", "It scored 89.7% on core.", "Production was back in 37.2s.", "It took 1m 5s.",
            "300 customers met it.",
        ] {
            #expect(facts.cited(in: cited), "\(cited)")
        }
        for filler in [
            "Things happened and then it was fine.", "Refunds over 500 went unanswered.", "Version #9 is not real.",
            "An id deadbeefdead is not ours.", "The prompt changed.",
        ] {
            #expect(!facts.cited(in: filler), "\(filler)")
        }
    }
}
