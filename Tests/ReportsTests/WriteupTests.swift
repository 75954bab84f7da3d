// The write-up's learner sections: kept apart from generated text, counted, and carried over on regeneration.
import Foundation
import Testing

@testable import Reports

@Suite struct WriteupTests {
    static func document(rootCause: String) -> String {
        """
        # Postmortem: escalations stopped
        <!-- incident: INC-0001 -->
        | Detected | 2026-01-01T00:00:00.000Z |

        ## Root cause

        <!-- your words: Root cause -->
        \(rootCause)
        <!-- end of your words -->

        ## What went well

        <!-- your words: What went well -->
        _\(Writeup.prompts["What went well"] ?? "")_
        <!-- end of your words -->
        """
    }

    @Test func learnerWordsAreSeparateFromGeneratedText() {
        let written = Self.document(
            rootCause: "The escalation directive lost two intents, so legal threats went unanswered.")
        let sections = Writeup.learnerSections(of: written)
        #expect(Writeup.wordCount(sections["Root cause"] ?? "") == 11)
        #expect(Writeup.wordCount(sections["What went well"] ?? "") == 0, "the prompt placeholder is not the learner's")
        #expect(Writeup.generatedParts(of: written) == Writeup.generatedParts(of: Self.document(rootCause: "other")))
        #expect(Writeup.incidentID(in: written) == "INC-0001")
        let edited = written.replacingOccurrences(of: "2026-01-01", with: "2025-01-01")
        #expect(Writeup.generatedParts(of: edited) != Writeup.generatedParts(of: written), "edited numbers are caught")
    }

    @Test func regeneratingKeepsWhatTheLearnerWrote() {
        let previous = Self.document(rootCause: "A shorter escalation list.")
        let fresh = Self.document(rootCause: "_" + (Writeup.prompts["Root cause"] ?? "") + "_")
            .replacingOccurrences(of: "2026-01-01", with: "2026-02-02")
        let merged = Writeup.keepingLearnerSections(of: previous, in: fresh)
        #expect(merged.contains("A shorter escalation list."))
        #expect(merged.contains("2026-02-02"))
        #expect(!merged.contains(Writeup.prompts["Root cause"] ?? "-"))
        #expect(merged.contains("_\(Writeup.prompts["What went well"] ?? "")_"))
    }
}
