// What the interviewer's guide says about each published code, beside the taxonomy: the consequence a strong answer
// names, the follow-up question that separates understanding from pattern-matching, and the red flag in a weak
// answer. One entry a code, for every scenario; the guide fills in where the flaw sits from the key's placements.

struct GuideNote: Sendable {
    /// What goes wrong because of the flaw: what a strong explanation says.
    var consequence: String
    /// A follow-up question that needs understanding, not the code's name.
    var followUp: String
    /// What a weak answer says instead.
    var redFlag: String
}

enum GuideNotes {
    static let flaws: [String: GuideNote] = [
        "PROMPT-EDITED-IN-PLACE": GuideNote(
            consequence: "what serves is not any registered version, so a rollback or replay restores something else",
            followUp:
                "If production misbehaved tonight, which prompt would a rollback put back, and why is that wrong?",
            redFlag: "Calls it harmless because the edit is small, or proposes re-hashing without re-registering."),
        "PROMPT-STORE-LABEL": GuideNote(
            consequence: "the prompt that answers users changes with no registry event, so no version id explains it",
            followUp: "How would you find out which prompt answered a request from last Tuesday?",
            redFlag: "Treats the store's own history.log as a substitute for a registry event."),
        "COPY-PROMOTION": GuideNote(
            consequence:
                "the server runs files the production tag does not name: no gate, no event, no rollback target",
            followUp: "What does 'LabRunner rollback' go back from here, and what does the server actually change?",
            redFlag: "Says copying is fine because the files are byte-identical to some registered version."),
        "LOGS-WITHOUT-VERSION": GuideNote(
            consequence: "no request can be tied to the version that answered it, so audit and replay are impossible",
            followUp: "A customer complains about one answer: walk me through finding the version behind it.",
            redFlag: "Suggests matching log times to tag moves by hand as good enough."),
        "SUITE-CHANGED": GuideNote(
            consequence: "the two pass rates were measured on different suites, so the comparison says nothing",
            followUp: "How would you make the two numbers comparable, and what would you refuse to publish?",
            redFlag: "Compares the percentages anyway, or blames the model for the difference."),
        "GC-DELETED-SERVED": GuideNote(
            consequence: "requests that version answered can no longer be replayed or audited",
            followUp: "What retention rule would have kept these blobs, and how would you check it before a cleanup?",
            redFlag: "Treats it as disk housekeeping; does not connect the deleted blob to served requests."),
        "MUTABLE-LATEST": GuideNote(
            consequence: "every build reaches users without a gate or an approver, because the served tag moves itself",
            followUp: "Which recorded event would a careful team need before users see a build?",
            redFlag: "Proposes pinning latest-build less often instead of serving the production tag."),
        "NOISE-REGRESSION": GuideNote(
            consequence: "a good version was rolled back on a sampled run too small to tell it from its parent",
            followUp: "What evidence would you want before calling a regression at temperature above zero?",
            redFlag: "Accepts the 40% figure as a real drop, or argues only about the threshold."),
        "NO-LINEAGE": GuideNote(
            consequence: "nobody can say what the version was built from, so its behaviour cannot be traced or rebuilt",
            followUp: "What would you need to reproduce this version from scratch?",
            redFlag: "Notices the root version but calls it a fresh start rather than a gap in the chain."),
        "UNRECORDED-TRAINING": GuideNote(
            consequence: "the weights cannot be rebuilt or checked against a recorded run",
            followUp: "Same data hash, different weights: what else must be recorded, and why does it matter?",
            redFlag: "Takes the data hash as enough to reproduce the weights."),
        "NO-ROLLBACK-REHEARSAL": GuideNote(
            consequence: "the first real rollback will be the team's first practice in months, under pressure",
            followUp: "How would you rehearse safely on production without harming users?",
            redFlag: "Argues that a team that never rolls back needs no rehearsal."),
        "APPROVER-IS-AUTHOR": GuideNote(
            consequence: "a high-stakes change reached users with nobody but its author looking at it",
            followUp: "The author is the only expert on this change: how would you still get a real second look?",
            redFlag: "Accepts it because the gate passed, as if a gate replaced a reviewer."),
        "CONFIG-WITHOUT-EVAL": GuideNote(
            consequence: "a behaviour-changing config reached production with no gate run and no approver",
            followUp: "Why is a one-number config change a behaviour change, and what should gate it?",
            redFlag: "Calls config safe to ship without evals because no prompt or weights changed."),
        "FORCED-AS-KNOWN-GOOD": GuideNote(
            consequence: "the team went back to a version that never passed its gate, so the 'safe' state is unproven",
            followUp: "Which version should a rollback choose here, and by what rule?",
            redFlag: "Sees the hand move but not that its target was force-promoted."),
        "DETECTION-BEFORE-DEPLOY": GuideNote(
            consequence: "the incident timeline is impossible, so its blame and its time-to-detect figures are wrong",
            followUp: "If the symptom really started before the deploy, what would you investigate instead?",
            redFlag: "Reads the incident's bad_version as settled without checking the times."),
        "INPUTS-RETAINED": GuideNote(
            consequence: "user inputs are kept past the promised retention period",
            followUp: "What may be kept after retention, and what must go?",
            redFlag: "Proposes deleting the whole log, losing the attribution that audit needs."),
        "INCIDENT-LEFT-OPEN": GuideNote(
            consequence: "nobody owns the follow-up, so the cause is never written down or fixed",
            followUp: "What belongs in the resolution before this incident is closed?",
            redFlag: "Closes it in the answer without saying what was learned."),
        "SUITE-UNPINNED": GuideNote(
            consequence: "gates judged by a file anyone can edit, so a pass means nothing stable",
            followUp: "How would you tell whether the suite a gate ran was the one the team agreed on?",
            redFlag: "Thinks a suite in version control is the same as a pinned one."),
    ]

    /// Herring code → what reporting it as a flaw shows about the candidate.
    static let herrings: [String: String] = [
        "HERRING-COSMETIC-PROMPT":
            "reads 'new id, no behaviour change' as waste, when one id per content is exactly what makes a version "
            + "reproducible",
        "HERRING-EXPIRED-EXPERIMENT":
            "sees 'gc deleted a version' and stops, without checking that the version never served a request",
        "HERRING-STORE-LAGGING":
            "judges a label by file order instead of hashing what it serves against production's prompt",
    ]

    static let fallback = GuideNote(
        consequence: "the practice the play protects no longer holds",
        followUp: "What recorded evidence would show this is fixed?",
        redFlag: "Names the code without evidence that points at it.")
}
