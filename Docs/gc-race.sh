#!/usr/bin/env bash
# gc against a canary, as issue 19 ran it: an expired experiment version promoted with a canary in the
# background (`promote V --canary 50 --yes &`) and `gc --yes` a moment later, TRIALS
# times with delays spread over DELAY_MAX seconds, each in a fresh copy of one prepared workspace.
#
# Usage: Docs/gc-race.sh [TRIALS] [DELAY_MAX]   (defaults 50 and 0.5; LR=path picks the binary)
#
# A trial loses data when V's blobs are collected although V answered canary requests or was promoted. For
# every trial the script also checks `ask --version production`, `audit --replay` of one of V's answers
# and fsck. It counts the trials in which gc ran while the canary was under way (its plan keeps V because a
# canary was started on it, before any answer of V was in the attribution log): the window the race hit.
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS="${1:-50}"
DELAY_MAX="${2:-0.5}"
LR="${LR:-$PWD/.build/release/LabRunner}"
if [[ ! -x "$LR" ]]; then swift build -c release --product LabRunner >/dev/null; fi
export NO_COLOR=1
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

"$LR" init "$WORK/template" >/dev/null
(
    cd "$WORK/template"
    "$LR" register --root --owner alice --reason base >/dev/null
    "$LR" promote '#1' --approver bob >/dev/null
    "$LR" experiment start exp --from production --ttl 1s >/dev/null
    echo "An experiment's line." >>system/prompt.md
    "$LR" register --experiment exp --parent production --owner alice --reason exp >/dev/null
    "$LR" experiment end exp >/dev/null
)
sleep 1.2
V="$("$LR" --workspace "$WORK/template" versions --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')"

lost=0 promoted=0 refused=0 mid=0 broken=0
for trial in $(seq 1 "$TRIALS"); do
    rm -rf "$WORK/t"
    cp -a "$WORK/template" "$WORK/t"
    cd "$WORK/t"
    delay="$(awk -v i="$trial" -v n="$TRIALS" -v m="$DELAY_MAX" 'BEGIN { printf "%.3f", 0.005 + (i * 37 % n) / n * m }')"
    "$LR" promote '#2' --canary 50 --yes --approver bob >"$WORK/promote.out" 2>&1 &
    pid=$!
    sleep "$delay"
    "$LR" gc --yes --json >"$WORK/gc.json"
    status=0
    wait "$pid" || status=$?
    collected="$("$LR" log --kind gc.collected --json | python3 -c "import json,sys; print(any('$V' in e['data']['versions'] for e in json.load(sys.stdin)))")"
    answers="$("$LR" requests --version "$V" --limit 1000 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
    if python3 -c "import json,sys; k=[v for v in json.load(open('$WORK/gc.json'))['kept'] if v['version']=='$V']; sys.exit(0 if k and any(r.startswith('a canary was started') for r in k[0]['reasons']) and not any(r.startswith('answered') for r in k[0]['reasons']) else 1)"; then
        mid=$((mid + 1))
    fi
    if [[ "$collected" == True && ("$answers" != 0 || "$status" == 0) ]]; then
        lost=$((lost + 1))
        echo "trial $trial (gc after ${delay}s): V's blobs collected, V answered $answers requests, promote exit $status"
    fi
    if [[ "$status" == 0 ]]; then promoted=$((promoted + 1)); else refused=$((refused + 1)); fi
    request="$("$LR" requests --version production --limit 1 --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["id"] if r else "")')"
    if ! "$LR" ask --version production "where is my order" >/dev/null 2>&1 ||
        { [[ -n "$request" ]] && ! "$LR" audit "$request" --replay | grep -q "Replay: identical"; } ||
        ! "$LR" fsck >/dev/null 2>&1; then
        broken=$((broken + 1))
        echo "trial $trial (gc after ${delay}s): ask, audit --replay or fsck failed afterwards"
    fi
    cd "$WORK"
done
echo "gc/canary race: $lost of $TRIALS trials lost V's blobs; $broken left ask, audit --replay or fsck failing"
echo "  ($promoted promoted, $refused refused; gc ran mid-canary in $mid)"
[[ "$lost" == 0 && "$broken" == 0 ]]
