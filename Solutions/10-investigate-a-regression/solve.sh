#!/usr/bin/env bash
# Lab 10: two complaints. Each is investigated from its onset (complaint A only up to when it was reported); the
# investigation whose verdict is a regression names the version and the components to undo, and what to do
# depends on where that version is: production itself (roll back), or under a later, harmless change (undo only
# its components on top of production, keeping the later change).
source "$(dirname "$0")/../lib.sh"
onset_a=$(grep '^onset-a:' complaints.txt | cut -d' ' -f2)
reported_a=$(grep '^reported-a:' complaints.txt | cut -d' ' -f2)
onset_b=$(grep '^onset-b:' complaints.txt | cut -d' ' -f2)
found=$(mktemp)
trap 'rm -f "$found"' EXIT
# The suspect the comparison measured worse: its version, its predecessor and the components it changed.
worse() {
    awk '
    /^  "suspects"/ { inside = 1 }
    inside && /^    {/ { worse = 0; changed = ""; listing = 0 }
    inside && /"changed_components"/ { listing = 1; next }
    listing && /\]/ { listing = 0 }
    listing { gsub(/[ ",]/, ""); changed = changed " " $0 }
    inside && /^        "verdict" : "worse"/ { worse = 1 }
    inside && worse && /^      "predecessor"/ { split($0, p, "\""); predecessor = p[4] }
    inside && worse && /^      "version"/ { split($0, v, "\""); print v[4], predecessor, changed; exit }
    ' "$1"
}
suspect=""
for window in "--onset $onset_a --reported-at $reported_a" "--onset $onset_b"; do
    # shellcheck disable=SC2086 # the window is two or four words
    "$L" investigate $window --json > "$found"
    grep '^  "verdict"' "$found"
    if grep -q '^  "verdict" : "regression"' "$found"; then suspect=$(worse "$found"); fi
done
[ -n "$suspect" ] || { echo "no investigation named a regression: nothing to undo" >&2; exit 1; }
read -r bad good components <<<"$suspect"
production=$(cat .labrunner/registry/tags/production)
rm -rf system
if [ "$bad" = "$production" ]; then
    "$L" rollback --reason "the investigation names ${bad:0:12}'s $components as the regression; the other change is noise"
else
    # A harmless change was promoted on top of the regression: put back only the components the evidence names.
    "$L" checkout production system
    before=$(mktemp -d)
    rm -rf "$before"
    "$L" checkout "$good" "$before"
    for component in $components; do
        rm -rf "system/$component"
        cp -R "$before/$component" "system/$component"
    done
    rm -rf "$before"
    "$L" register --parent production --owner "$ME" --reason "put back the $components that ${bad:0:12} broke; keep the later change"
    "$L" promote "$(latest)" --approver a-reviewer
fi
rm -rf system
"$L" checkout production system
