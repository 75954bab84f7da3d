#!/usr/bin/env bash
# The crash harness: each writing command is killed (SIGKILL), and separately failed with ENOSPC, at every
# mutating system call it makes, using strace's fault injection (which reaches every write, Foundation's
# included, not only the ones LabRunner's own fault seam counts). After each trial it checks:
#   - fsck finds no problem, and after the next write neither problem nor warning;
#   - every acknowledged write is there: a command that exited 0 (or printed its success line) took effect;
#   - what was printed was true: "nothing was changed" means the log did not grow and nothing took effect,
#     "recorded as event #N (kind)" means event #N is of that kind;
#   - fsck and verify agree: a workspace fsck calls clean bundles and verifies;
#   - for lab start and reset: no script outlives the killed LabRunner, the next run is not wedged, the timed
#     lab never grades without the pager's incident, attempts are exact, system/ and data/ are whole.
#
# Usage: Docs/crash-harness.sh [OPS...]      OPS (default all): train incident rollback register promote tag
#                                            lab-start lab-reset
#   EVERY=N   try only every Nth injection point (the short pass .ci/run runs uses EVERY=7 on a few OPS)
#   VERIFY=0  skip the bundle + verify agreement check (it costs about a second a trial)
#   LR=PATH   the LabRunner binary (default: .build/debug/LabRunner, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
LR="${LR:-$PWD/.build/debug/LabRunner}"
if [[ ! -x "$LR" ]]; then swift build --product LabRunner >/dev/null; fi
LR="$(cd "$(dirname "$LR")" && pwd)/$(basename "$LR")"
command -v strace >/dev/null || { echo "crash-harness: strace is not installed (apt-get install strace)." >&2; exit 2; }
if ! strace -qq -o /dev/null true 2>/dev/null; then
    echo "crash-harness: strace cannot trace processes here (ptrace is not permitted); nothing was checked." >&2
    exit 2
fi
EVERY="${EVERY:-1}"
VERIFY="${VERIFY:-1}"
OPS=("${@:-train incident rollback register promote tag lab-start lab-reset}")
read -r -a OPS <<<"${OPS[*]}"
# The work folder lives beside the checkout's build products, not in the shared temp folder.
WORK="$PWD/.build/crash-harness"
rm -rf "$WORK" && mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
export LABRUNNER="$LR" USER=ops NO_COLOR=1
unset LABRUNNER_WORKSPACE LABRUNNER_FAULT

# Mutating system calls. openat counts only when it creates or opens for writing (picked from the trace).
MUTATING=write,pwrite64,writev,rename,renameat,renameat2,unlink,unlinkat,rmdir,mkdir,mkdirat,fsync,fdatasync
MUTATING+=,ftruncate,link,linkat,symlink,symlinkat,fchmod,fchmodat

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
events() { "$LR" log --json 2>/dev/null | json "len(d)"; }
kinds_from() { "$LR" log --json 2>/dev/null | json "' '.join(e['kind'] for e in d if e['seq'] > $1)"; }
production() { "$LR" tags --json | json "d.get('production', '')"; }
fsck_count() { ("$LR" fsck --json 2>/dev/null || true) | json "len(d['$1'])" 2>/dev/null || echo 1; }
attempts() { "$LR" lab list --json | json "[l['attempts'] for l in d if l['id'].startswith('$1')][0]"; }
tree_hash() { (cd "$1" && find . -type f ! -path './.labrunner/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }

# ---------------------------------------------------------------- templates (built once, copied per trial)
build_templates() {
    local t="$WORK/templates"
    mkdir -p "$t"
    "$LR" init "$t/base" >/dev/null
    (
        cd "$t/base"
        "$LR" register --root --owner ops --reason base >/dev/null
        "$LR" promote '#1' --approver a-reviewer --yes >/dev/null
        echo "A second line of notes." >>system/prompt.md
        "$LR" register --parent production --owner ops --reason second >/dev/null
        "$LR" promote '#2' --approver a-reviewer --yes >/dev/null
        echo "A third line of notes." >>system/prompt.md
        "$LR" register --parent production --owner ops --reason third >/dev/null
        echo "A fourth line of notes." >>system/prompt.md
        # train has something to change: one more labelled example.
        echo "where is my parcel,order_status" >>data/train.csv
    )
    if [[ " ${OPS[*]} " == *" lab-"* ]]; then
        "$LR" init "$t/lab" >/dev/null
        (cd "$t/lab" && "$LR" lab start 05 >/dev/null && bash "$ROOT/Solutions/05-"*/solve.sh >/dev/null)
        if [[ ! -d "$t/lab/.labrunner" ]]; then echo "crash-harness: the lab template failed" >&2; exit 1; fi
        cp -a "$t/lab" "$t/reset"
        (cd "$t/reset" && "$LR" lab start 03 >/dev/null && echo "my own edit" >>system/prompt.md)
    fi
}

template_of() { case "$1" in lab-start) echo lab ;; lab-reset) echo reset ;; *) echo base ;; esac; }

# The command under test, as an argument list in ARGS (strace runs LabRunner itself, not a shell).
set_args() {
    case "$1" in
    train) ARGS=(train) ;;
    incident) ARGS=(incident open --symptom "refunds over 500 are not escalated" --by ops) ;;
    rollback) ARGS=(rollback '#1' --reason "bad answers" --detected-at now --by ops --yes) ;;
    register) ARGS=(register --parent '#3' --owner ops --reason fourth) ;;
    promote) ARGS=(promote '#3' --approver a-reviewer --yes) ;;
    tag) ARGS=(tag staging '#3' --by ops --reason stage) ;;
    lab-start) ARGS=(lab start 06) ;;
    lab-reset) ARGS=(lab reset 03 --yes) ;;
    esac
}

# 1 when the op's effect is visible in the workspace (after the next write has replayed any recorded event).
applied() {
    case "$1" in
    train) [[ "$(sha256sum system/weights.json | cut -c1-64)" != "$WEIGHTS_BEFORE" ]] && echo 1 || echo 0 ;;
    incident) "$LR" incident list --json | json "int(len(d) > $INCIDENTS_BEFORE)" ;;
    rollback) [[ "$(production)" == "$ID1" ]] && echo 1 || echo 0 ;;
    register) "$LR" versions --json | json "int(len(d) == 4)" ;;
    promote) [[ "$(production)" == "$ID3" ]] && echo 1 || echo 0 ;;
    tag) "$LR" tags --json | json "int('staging' in d)" ;;
    *) echo "?" ;;
    esac
}

# The next write: any command that writes, so that a recorded event is replayed and side files are rebuilt.
probe() { "$LR" tag probe '#1' --by probe --reason "the next writer" >/dev/null 2>&1 || true; }

# Processes still running inside the trial's folder (a script or server that outlived a killed LabRunner).
orphans() {
    local found=0 pid
    for pid in /proc/[0-9]*; do
        [[ ${pid#/proc/} == "$$" || ${pid#/proc/} == "$BASHPID" ]] && continue # this harness's own shells
        [[ "$(readlink "$pid/cwd" 2>/dev/null)" == "$WORK/case"* ]] && found=$((found + 1))
    done
    echo "$found"
}

fresh() {
    local template="$WORK/templates/$(template_of "$1")"
    rm -rf "$WORK/case" && cp -a "$template" "$WORK/case" && cd "$WORK/case"
}

# Injection points of OP: "SYSCALL N" for every mutating call the command makes (its own process; scripts it
# runs are not faulted, they are killed with it).
points_of() {
    fresh "$1"
    set_args "$1"
    strace -qq -e trace="$MUTATING,openat" -o "$WORK/trace" -- "$LR" "${ARGS[@]}" >/dev/null 2>&1 || true
    python3 - "$WORK/trace" "$MUTATING" <<'PY'
import re, sys
mutating = set(sys.argv[2].split(","))
counts = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\w+)\(", line)
    if not m:
        continue
    name = m.group(1)
    counts[name] = counts.get(name, 0) + 1
    if name in mutating or (name == "openat" and re.search(r"O_CREAT|O_WRONLY|O_RDWR|O_TRUNC", line)):
        print(name, counts[name])
PY
}

trials=0 bad=0 kills=0 failures=0 verified=0
declare -A points_per_op
report() { bad=$((bad + 1)); echo "  $1"; }

check_truth() { # OP STATUS OUT ERR: the message against what the workspace shows
    local op=$1 status=$2 out=$3 err=$4 now
    now=$(applied "$op")
    if [[ $status == 0 ]]; then
        [[ $now == 1 ]] || report "$op exited 0 but its effect is not there"
        return
    fi
    if [[ $status == 137 ]]; then
        return # killed: it acknowledged nothing, so either outcome is true
    fi
    if [[ "$err" =~ recorded\ as\ event\ \#([0-9]+)\ \(([a-z._]+)\) ]]; then
        local seq=${BASH_REMATCH[1]} kind=${BASH_REMATCH[2]} got
        got=$("$LR" log --json | json "''.join(e['kind'] for e in d if e['seq'] == $seq)")
        [[ "$got" == "$kind" ]] || report "$op said event #$seq ($kind) is recorded; the log has '$got'"
    elif [[ "$err" == *"but the step after it failed"* ]]; then
        # An earlier step stands and says so; what it names must be there.
        if [[ "$err" == "Error: Production was rolled back"* || "$err" == "Error: Version #"*" was registered"* ]]; then
            [[ $now == 1 ]] || report "$op said its first step stands, but its effect is not there: $err"
        fi
    elif [[ "$err" == *"nothing was changed"* || "$err" == *"changed nothing"* || "$err" == *"Nothing was changed"* ]]; then
        local grown
        grown=$(kinds_from "$EVENTS_BEFORE" | tr ' ' '\n' | grep -vc '^tag.moved$' || true)
        [[ $now == 0 ]] || report "$op said nothing was changed, but its effect is there: $err"
        [[ $grown == 0 ]] || report "$op said nothing was changed, but the log grew: $(kinds_from "$EVENTS_BEFORE")"
    else
        report "$op: the message says neither what was recorded nor that nothing changed: $err"
    fi
    [[ "$err" != *"Error Domain="* && "$err" != *"NSError"* ]] || report "$op printed a raw error: $err"
}

check_lab() { # OP: the lab workspace after a killed or failed start/reset
    local op=$1 left
    sleep 0.3
    left=$(orphans)
    [[ $left == 0 ]] || report "$op: $left process(es) outlived LabRunner"
    if [[ $op == lab-start ]]; then
        local again
        again=$("$LR" lab start 06 2>&1) || report "$op: the next 'lab start 06' failed (wedged): $again"
        "$LR" incident list --json | json "int(len(d) >= 1)" | grep -q 1 ||
            report "$op: lab 06 is under way with no pager incident"
        [[ "$(attempts 06)" == 1 ]] || report "$op: lab 06 counts $(attempts 06) attempts, not 1"
    else
        local state again
        state=$(tree_hash .)
        [[ $state == "$RESET_OLD" || $state == "$RESET_NEW" ]] ||
            report "$op: system/ and data/ are neither as before the reset nor as the lab starts"
        again=$("$LR" lab reset 03 --yes 2>&1) || report "$op: the next 'lab reset 03' failed (wedged): $again"
        [[ "$(tree_hash .)" == "$RESET_NEW" ]] || report "$op: the re-run reset did not restore the starting files"
        # The killed reset either never counted or was completed by the re-run; only a reset that had
        # finished before the kill makes the re-run a third attempt.
        case "$(attempts 03)" in 2 | 3) ;; *) report "$op: lab 03 counts $(attempts 03) attempts after one reset and one re-run" ;; esac
    fi
    sleep 0.3
    left=$(orphans)
    [[ $left == 0 ]] || report "$op: $left process(es) left running after the re-run"
    pkill -KILL -f "$WORK/case" 2>/dev/null || true
}

check_agreement() { # fsck clean after the next write, and then bundle + verify agree
    local problems warnings
    problems=$(fsck_count problems)
    warnings=$(fsck_count warnings)
    [[ $problems == 0 && $warnings == 0 ]] || report "after the next write fsck has $problems problem(s), $warnings warning(s): $("$LR" fsck 2>&1 | head -3 | tr '\n' ' ')"
    if [[ $VERIFY == 1 && $problems == 0 ]]; then
        if "$LR" bundle --out "$WORK/b.tar" >/dev/null 2>"$WORK/bundle.err"; then
            (cd "$WORK" && "$LR" verify b.tar >/dev/null 2>&1) || report "fsck is clean but verify fails: $(cd "$WORK" && "$LR" verify b.tar 2>&1 | head -2 | tr '\n' ' ')"
            verified=$((verified + 1))
        else
            report "fsck is clean but bundle fails: $(cat "$WORK/bundle.err")"
        fi
        rm -f "$WORK/b.tar"
    fi
}

build_templates
ID1=$(cd "$WORK/templates/base" && "$LR" versions --json | json "[v['id'] for v in d if v['seq'] == 1][0]")
ID3=$(cd "$WORK/templates/base" && "$LR" versions --json | json "[v['id'] for v in d if v['seq'] == 3][0]")
if [[ " ${OPS[*]} " == *" lab-reset "* ]]; then
    RESET_OLD=$(tree_hash "$WORK/templates/reset")
    fresh lab-reset && "$LR" lab reset 03 --yes >/dev/null && RESET_NEW=$(tree_hash .)
fi

started=$(date +%s)
for op in "${OPS[@]}"; do
    mapfile -t points < <(points_of "$op")
    points_per_op[$op]=${#points[@]}
    echo "$op: ${#points[@]} mutating system calls"
    n=0
    for point in "${points[@]}"; do
        n=$((n + 1))
        ((n % EVERY == 0 || n == 1)) || continue
        read -r call when <<<"$point"
        for fault in kill enospc; do
            [[ $fault == enospc && $call =~ ^(unlink|unlinkat|rmdir)$ ]] && continue
            fresh "$op"
            EVENTS_BEFORE=$(events)
            INCIDENTS_BEFORE=$("$LR" incident list --json | json "len(d)")
            WEIGHTS_BEFORE=$(sha256sum system/weights.json | cut -c1-64)
            if [[ $fault == kill ]]; then inject="signal=KILL"; else inject="error=ENOSPC"; fi
            status=0
            set_args "$op"
            # strace re-raises the tracee's SIGKILL on itself; the subshell keeps bash's "Killed" line quiet.
            (strace -qq -o /dev/null -e trace="$call" -e inject="$call:$inject:when=$when" \
                -- "$LR" "${ARGS[@]}" >"$WORK/out" 2>"$WORK/err" || exit $?) 2>/dev/null || status=$?
            trials=$((trials + 1))
            if [[ $fault == kill ]]; then kills=$((kills + 1)); else failures=$((failures + 1)); fi
            before_bad=$bad
            if [[ $op == lab-* ]]; then
                check_lab "$op"
            else
                [[ "$(fsck_count problems)" == 0 ]] || report "right after the fault fsck has problems: $("$LR" fsck 2>&1 | head -2 | tr '\n' ' ')"
                probe
                check_truth "$op" "$status" "$(cat "$WORK/out")" "$(grep -v '^labrunner-fault' "$WORK/err" || true)"
            fi
            check_agreement
            ((bad == before_bad)) || echo "    (that was $op, $fault at $call #$when, exit $status)"
            cd "$WORK"
        done
    done
done
echo
echo "Mutating system calls per command: $(for op in "${OPS[@]}"; do printf '%s %s, ' "$op" "${points_per_op[$op]}"; done | sed 's/, $//')"
echo "Trials: $trials ($kills kills, $failures ENOSPC failures, every ${EVERY} point(s)), $verified bundle+verify checks, $(( $(date +%s) - started )) s"
echo "Untrue messages, lost writes, fsck/verify disagreements, wedged labs or orphans: $bad"
((bad == 0))
