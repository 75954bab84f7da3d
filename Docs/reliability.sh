#!/usr/bin/env bash
# Reliability figures for the README: the registry's writes under kill -9 and injected write failures at every
# write step, a real full disk (a small tmpfs, when this user may mount one), and fsck running while several
# writers move tags and `serve` takes traffic.
#
# Usage: Docs/reliability.sh [WRITERS]   (WRITERS: concurrent writer processes, default 4; OPS=tag limits the
# fault runs to some of: register promote rollback tag)
#
# Faults are injected by LabRunner's own file layer, set through LABRUNNER_FAULT:
#   count        print every write step ("labrunner-fault-step N KIND PATH") to stderr
#   kill@K       SIGKILL the process at write step K (a power cut at exactly that point)
#   enospc@K     write step K fails with "No space left on device"
#   eacces@K+    write step K and every later one fail with "Permission denied" (the undo fails too)
# After each fault: `fsck` must report no problem, and the error message must be true. "nothing was changed"
# means the next write replays nothing; "is recorded as event #N" means the next write applies it.
set -euo pipefail
cd "$(dirname "$0")/.."
WRITERS="${1:-4}"
# The fault seam (LABRUNNER_FAULT) is compiled into debug builds only.
LR="${LR:-$PWD/.build/debug/LabRunner}"
if [[ ! -x "$LR" ]]; then swift build --product LabRunner >/dev/null; fi
WORK="$(mktemp -d)"
SERVE_PID=""
writer_pids=()
cleanup() {
    for pid in "${writer_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n "$SERVE_PID" ]]; then kill "$SERVE_PID" 2>/dev/null || true; fi
    if mountpoint -q "$WORK/tiny" 2>/dev/null; then umount "$WORK/tiny" || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# The template: #1 and #2 promoted in turn, #3 registered, so promote (#3), rollback (to #1), tag and register
# each have something to do.
mkdir -p "$WORK/template"
"$LR" init "$WORK/template/ws" >/dev/null
(
    cd "$WORK/template/ws"
    "$LR" register --root --owner ops --reason base >/dev/null
    "$LR" promote '#1' --approver a-reviewer >/dev/null
    echo "second" >system/notes.md
    "$LR" register --parent production --owner ops --reason second >/dev/null
    "$LR" promote '#2' --approver a-reviewer >/dev/null
    echo "third" >system/notes.md
    "$LR" register --parent production --owner ops --reason third >/dev/null
    echo "fourth" >system/notes.md
)

run_op() { # OP: the command under test, in the current workspace
    case "$1" in
    register) "$LR" register --parent '#3' --owner ops --reason fourth ;;
    promote) "$LR" promote '#3' --approver a-reviewer --yes ;;
    rollback) "$LR" rollback '#1' --reason "bad answers" --by ops --yes ;;
    tag) "$LR" tag staging '#3' --by ops --reason stage ;;
    esac
}

id_of() { "$LR" versions --json | json "[v['id'] for v in d if v['seq'] == $1][0]"; }
production() { "$LR" tags --json | json "d.get('production', '')"; }

applied() { # OP: 1 when its effect is visible
    case "$1" in
    register) "$LR" versions --json | json "int(len(d) == 4)" ;;
    promote) [[ "$(production)" == "$(id_of 3)" ]] && echo 1 || echo 0 ;;
    rollback) [[ "$(production)" == "$(id_of 1)" ]] && echo 1 || echo 0 ;;
    tag) "$LR" tags --json | json "int('staging' in d)" ;;
    esac
}

fsck_problems() { ("$LR" fsck --json 2>/dev/null || true) | json "len(d['problems'])" || echo 1; }
probe() { "$LR" tag probe '#1' --by probe --reason "the next writer" >/dev/null; }

fresh() { rm -rf "$WORK/case" && cp -a "$WORK/template" "$WORK/case" && cd "$WORK/case/ws"; }

kills=0 kill_bad=0 faults=0 untrue=0 undone=0 recorded=0 partial=0 survived=0
declare -A steps_of
for op in ${OPS:-register promote rollback tag}; do
    fresh
    steps=$(LABRUNNER_FAULT=count run_op "$op" 2>&1 >/dev/null | grep -c '^labrunner-fault-step' || true)
    steps_of[$op]=$steps
    for k in $(seq 1 "$steps"); do
        # kill -9 at step K: fsck finds no problem, and the next write leaves no warning behind.
        fresh
        LABRUNNER_FAULT="kill@$k" run_op "$op" >/dev/null 2>&1 || true
        kills=$((kills + 1))
        if [[ "$(fsck_problems)" != 0 ]]; then kill_bad=$((kill_bad + 1)); echo "kill $op@$k: fsck problem"; fi
        probe
        if [[ "$("$LR" fsck --json | json "len(d['problems']) + len(d['warnings'])")" != 0 ]]; then
            kill_bad=$((kill_bad + 1)); echo "kill $op@$k: the next write left problems or warnings"
        fi
        for fault in "enospc@$k" "eacces@$k+"; do
            fresh
            before_events=$("$LR" log --json | json "len(d)")
            raw=$(LABRUNNER_FAULT="$fault" run_op "$op" 2>&1 >/dev/null) && status=0 || status=$?
            message=$(grep -v '^labrunner-fault-step' <<<"$raw" || true)
            faults=$((faults + 1))
            probe
            now_applied=$(applied "$op")
            after_events=$("$LR" log --json | json "len(d)")
            verdict=ok
            # What the message promises about the command's own effect (production moved, tag set, version
            # registered): "done" when it says that step stands, "not" when it says nothing (more) changed.
            case "$message" in
            "Error: Production was rolled back"* | "Error: Version #"*" was registered"*) promised=done ;;
            *) promised=not ;;
            esac
            if [[ $status == 0 ]]; then
                survived=$((survived + 1))
                promised=done
            elif [[ "$message" =~ recorded\ as\ event\ \#([0-9]+)\ \(([a-z._]+)\) ]]; then
                recorded=$((recorded + 1))
                seq=${BASH_REMATCH[1]} kind=${BASH_REMATCH[2]}
                got=$("$LR" log --json | json "''.join(e['kind'] for e in d if e['seq'] == $seq)")
                [[ "$got" == "$kind" ]] || verdict="said event #$seq ($kind) is recorded, the log has '$got'"
                if [[ $kind == tag.moved || $kind == version.registered ]]; then promised=done; fi
            elif [[ "$message" == *"but the step after it failed"* ]]; then
                partial=$((partial + 1))
            elif [[ "$message" == *"nothing was changed"* ]]; then
                undone=$((undone + 1))
                [[ $after_events == $((before_events + 1)) ]] ||
                    verdict="said nothing was changed, but the log grew by $((after_events - before_events - 1))"
            else
                verdict="message says neither: $message"
            fi
            if [[ $promised == done && $now_applied != 1 ]]; then verdict="said done, not applied: $message"; fi
            if [[ $promised == not && $now_applied != 0 ]]; then verdict="said not done, applied: $message"; fi
            if [[ "$(fsck_problems)" != 0 ]]; then verdict="fsck problem after: $message"; fi
            if [[ $verdict != ok ]]; then untrue=$((untrue + 1)); echo "$fault $op: $verdict"; fi
        done
    done
done
cd "$WORK"
echo "Write steps per command: register ${steps_of[register]:-}, promote ${steps_of[promote]:-}, rollback ${steps_of[rollback]:-}, tag ${steps_of[tag]:-}"
echo "kill -9 at every write step: $kills kills, $kill_bad with an fsck problem or a leftover after the next write"
echo "Injected write failures (ENOSPC once, EACCES from then on): $faults, $untrue untrue messages"
echo "  undone and said so: $undone; said recorded and applied by the next write: $recorded;"
echo "  earlier step recorded, failed step changed nothing: $partial; fault on a step that cannot change the outcome: $survived"

# A real full disk: a 16 MB tmpfs, filled, then every write command refused with a true message.
if [[ $(id -u) == 0 ]] && mkdir -p "$WORK/tiny" && mount -t tmpfs -o size=16m tmpfs "$WORK/tiny" 2>/dev/null; then
    cp -a "$WORK/template/ws" "$WORK/tiny/ws"
    cd "$WORK/tiny/ws"
    before=$("$LR" log --json | json "len(d)")
    dd if=/dev/zero of="$WORK/tiny/filler" bs=4k 2>/dev/null || true
    full_ok=0 full_total=0
    for op in tag promote rollback register; do
        full_total=$((full_total + 1))
        message=$(run_op "$op" 2>&1 >/dev/null) && status=0 || status=$?
        if [[ $status != 0 && "$message" == *"No space left on device"* && ("$message" == *"nothing was changed"* || "$message" == *"changed nothing"*) ]]; then
            full_ok=$((full_ok + 1))
        else
            echo "full disk, $op: status $status: $message"
        fi
    done
    rm -f "$WORK/tiny/filler"
    probe
    after=$("$LR" log --json | json "len(d)")
    echo "Real full disk (16 MB tmpfs): $full_ok of $full_total write commands refused with a true message; " \
        "events before $before, after the next write $after; fsck problems: $(fsck_problems)"
    cd "$WORK"
    umount "$WORK/tiny"
else
    echo "Real full disk: skipped (mounting a tmpfs needs root)"
fi

# Concurrency: WRITERS processes moving tags and registering, serve under traffic, fsck in a loop.
cp -a "$WORK/template/ws" "$WORK/live"
cd "$WORK/live"
"$LR" serve --port 0 >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 50); do grep -qo 'http://[0-9.:]*' "$WORK/serve.log" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1)
"$LR" traffic --target "$URL" --duration 30 --rate 100 >/dev/null 2>&1 &
TRAFFIC_PID=$!
for w in $(seq 1 "$WRITERS"); do
    (
        for n in $(seq 1 40); do
            "$LR" tag production "#$((n % 3 + 1))" --by "w$w" --reason "move $n" >/dev/null || echo "writer $w failed" >&2
            if ((n % 10 == 0)); then "$LR" tag "w$w-staging" '#3' --by "w$w" --reason "stage $n" >/dev/null; fi
        done
    ) &
    writer_pids+=($!)
done
writers_started=$(date +%s)
runs=0 problems=0
running() { for pid in "${writer_pids[@]}"; do kill -0 "$pid" 2>/dev/null && return 0; done; return 1; }
while running; do
    # The attribution log's own index check belongs to serving, not to this registry check.
    report=$("$LR" fsck --json 2>/dev/null || true)
    found=$(json "len([p for p in d['problems'] if 'index.bin' not in p])" <<<"$report" || echo 1)
    runs=$((runs + 1)) problems=$((problems + found))
    if [[ $found != 0 ]]; then json "'\\n'.join(d['problems'])" <<<"$report" | sort -u >>"$WORK/false-problems"; fi
done
kill "$TRAFFIC_PID" 2>/dev/null || true
served=$(curl -s "$URL/metrics" | awk '/^labrunner_requests_total/ {s += $2} END {print s + 0}' || echo "?")
echo "Concurrency: $WRITERS writers x 40 tag moves in $(($(date +%s) - writers_started)) s, serve answering" \
    "$served requests meanwhile; $runs fsck runs, $problems false problems; final fsck problems: $(fsck_problems)"
if [[ -s "$WORK/false-problems" ]]; then sort -u "$WORK/false-problems"; fi
