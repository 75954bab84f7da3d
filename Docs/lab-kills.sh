#!/usr/bin/env bash
# Lab starts and resets killed at every write step, at random moments, and (with strace on PATH) at every
# rename, unlink and mkdir system call of the command itself; after each kill the command runs again and the
# workspace is checked. The figures for issue 19's "a lab start that dies half-way":
#   - no script outlives LabRunner: no process with the workspace in its environment is left 5 s after the kill,
#     and no event is written after that;
#   - never a gold time without the pager's incident (an impatient learner rolls back right after the kill);
#   - never wedged: the re-run succeeds;
#   - attempts exact: one attempt per start, one more per reset that the kill let commit;
#   - system/ and data/ whole: each the old state or the new, and the new one after the re-run;
#   - fsck clean after the re-run: no problem, no warning (no staging folder or temp file left).
#
# Usage: Docs/lab-kills.sh [RANDOM_TRIALS]   (default 10 per scenario)
#   STEPS=0 skips the kill at every write step, STRACE=0 the system-call kills, SCENARIOS limits the scenarios
#   to some of: start06 start06-fresh reset03 reset06 (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
TRIALS="${1:-10}"
LR="${LR:-$PWD/.build/release/LabRunner}"
if [[ ! -x "$LR" ]]; then swift build -c release --product LabRunner >/dev/null; fi
WORK="$(mktemp -d)"
trap '[[ -n ${KEEP:-} ]] && echo "kept $WORK" || rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
export LABRUNNER_USER=learner NO_COLOR=1
unset LABRUNNER_WORKSPACE LABRUNNER_LABS

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
say() { printf '%s\n' "$*"; }
bad=0 trials=0
fail() { bad=$((bad + 1)); say "  FAIL $*"; }

# The processes a lab command's scripts started: every one has the workspace in its environment.
orphans() { # CASE
    local pid found=""
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        [[ $pid == "$$" ]] && continue
        if { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "LABRUNNER_WORKSPACE=$1"; then
            [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]] || found+=" $pid"
        fi
    done
    echo "$found"
}

# A copy of a template workspace; the request index names its log's inode, so a copy rebuilds it.
fresh() { # TEMPLATE
    rm -rf "$WORK/case"
    cp -a "$WORK/$1" "$WORK/case"
    (cd "$WORK/case" && "$LR" fsck --repair-index >/dev/null 2>&1 || true)
}

# (A failing grade exits 1; its JSON is what is read.)
attempts() { (cd "$WORK/case" && { "$LR" lab grade "$1" --format json || true; } | json "d['labs'][0]['attempts']"); }

# A gold time-to-rollback is timed from an incident the pager opened (the setup's), never from nothing.
gold_only_from_pager() { # CONTEXT
    local verdict
    verdict=$(cd "$WORK/case" && python3 - "$LR" <<'PY'
import json, subprocess, sys
lr = sys.argv[1]
grade = json.loads(subprocess.run([lr, "lab", "grade", "06", "--format", "json"], capture_output=True, text=True).stdout)
timer = [t for t in grade["labs"][0]["tests"] if t["name"] == "time-to-rollback"]
if not timer or timer[0]["score"] != 20:
    print("not-gold")
    sys.exit()
incidents = json.loads(subprocess.run([lr, "incident", "list", "--json"], capture_output=True, text=True).stdout)
timed = [i for i in incidents if ("on " + i["id"]) in timer[0]["message"]]
print("gold-pager" if timed and timed[0]["opened_by"] == "pager" and timed[0]["source"] == "manual" else "gold-WITHOUT-pager")
PY
    )
    [[ $verdict != gold-WITHOUT-pager ]] || fail "$1: a gold time without the pager's incident"
}

folders_whole() { # CONTEXT OLD_ROOT NEW_ROOT: system/ and data/ each equal to one of the two
    local entry
    for entry in system data; do
        if ! diff -rq "$WORK/case/$entry" "$2/$entry" >/dev/null 2>&1 && ! diff -rq "$WORK/case/$entry" "$3/$entry" >/dev/null 2>&1; then
            fail "$1: $entry/ is torn or gone"
        fi
    done
}

clean() { # CONTEXT
    local report
    report=$(cd "$WORK/case" && "$LR" fsck --json 2>/dev/null || true)
    [[ "$(json "len(d['problems']) + len(d['warnings'])" <<<"$report")" == 0 ]] ||
        fail "$1: fsck after the re-run: $(json "d['problems'] + d['warnings']" <<<"$report")"
}

# After a kill: nothing of the command runs or writes any more.
settled() { # CONTEXT
    local left="" i events
    for i in $(seq 1 50); do
        left=$(orphans "$WORK/case")
        [[ -z $left ]] && break
        sleep 0.1
    done
    [[ -z $left ]] || fail "$1: still running after the kill:$left"
    events=$(cd "$WORK/case" && "$LR" log --json | json "len(d)")
    sleep 1
    [[ "$(cd "$WORK/case" && "$LR" log --json | json "len(d)")" == "$events" ]] || fail "$1: events written after the kill"
}

# One kill of COMMAND (run by KILLER, which kills it) in a fresh copy of TEMPLATE, then the checks.
trial() { # SCENARIO CONTEXT KILLER...
    local scenario=$1 context=$2 committed before
    shift 2
    trials=$((trials + 1))
    case $scenario in
    start06) fresh t05 ;; start06-fresh) fresh t00 ;; reset03) fresh t03 ;; reset06) fresh t06 ;;
    esac
    before=0
    [[ $scenario == reset* ]] && before=$(attempts "${scenario#reset}")
    status=0
    # (The braces keep bash's own "Killed" notice out of the report.)
    { (cd "$WORK/case" && "$@" >/dev/null 2>&1) || status=$?; } 2>/dev/null
    settled "$context"
    case $scenario in
    start06 | start06-fresh)
        (cd "$WORK/case" && "$LR" rollback --reason "at once" --yes >/dev/null 2>&1) || true
        gold_only_from_pager "$context, before the re-run"
        (cd "$WORK/case" && "$LR" lab start 06 >/dev/null 2>"$WORK/err") || fail "$context: the re-run failed: $(cat "$WORK/err")"
        [[ "$(attempts 06)" == 1 ]] || fail "$context: $(attempts 06) attempts of lab 06"
        if [[ $scenario == start06-fresh ]]; then
            local failing
            failing=$(cd "$WORK/case" && { "$LR" lab grade --all --format json || true; } | json "[l['lab'] for l in d['labs'][:6] if l['done_by'] != 'reference solution' or l['attempts'] != 1 or not all(t['status'] == 'pass' or t['name'] == 'done-by-hand' for t in l['tests'])]")
            [[ $failing == "[]" ]] || fail "$context: earlier labs not laid down once by the reference solution: $failing"
        else
            folders_whole "$context" "$WORK/t05" "$WORK/t05"
        fi
        (cd "$WORK/case" && "$LR" rollback --reason "after the page" --yes >/dev/null 2>&1) || true
        gold_only_from_pager "$context, after the re-run"
        ;;
    reset03 | reset06)
        local lab=${scenario#reset} saved
        saved=$(ls -d "$WORK/case/.labrunner/labs/$lab"-*/start)
        folders_whole "$context" "$WORK/t$lab" "$saved"
        committed=0
        [[ -d "$WORK/case/.labrunner/restore" ]] && committed=1
        local after expected
        after=$(attempts "$lab")
        (cd "$WORK/case" && "$LR" lab reset "$lab" --yes >/dev/null 2>"$WORK/err") || fail "$context: the re-run failed: $(cat "$WORK/err")"
        expected=$((committed == 1 ? before + 1 : after + 1))
        [[ "$(attempts "$lab")" == "$expected" ]] || fail "$context: $(attempts "$lab") attempts, expected $expected"
        folders_whole "$context" "$saved" "$saved"
        ;;
    esac
    clean "$context"
}

command_of() { # SCENARIO
    case $1 in
    start06 | start06-fresh) echo "lab start 06" ;; reset03) echo "lab reset 03 --yes" ;; reset06) echo "lab reset 06 --yes" ;;
    esac
}

# Templates: a fresh workspace; lab 05 done by hand; lab 03 solved and edited; lab 06 solved.
solve() { (cd "$WORK/$1" && LABRUNNER="$LR" bash "$REPO/Solutions/$2/solve.sh" >/dev/null 2>&1); }
started() { (mkdir -p "$WORK/b$1" && cd "$WORK/b$1" && "$LR" lab start "$1" >/dev/null && mv lab-workspace "../t$1"); }
"$LR" init "$WORK/t00" >/dev/null
started 05 && solve t05 05-manufacture-an-incident
started 03 && solve t03 03-promotion-is-a-tag-move
echo "a learner,edit" >>"$WORK/t03/data/train.csv"
echo "A learner's line." >>"$WORK/t03/system/prompt.md"
cp -a "$WORK/t05" "$WORK/t06"
(cd "$WORK/t06" && { "$LR" fsck --repair-index >/dev/null 2>&1 || true; } && "$LR" lab start 06 >/dev/null)
solve t06 06-emergency-rollback

for scenario in ${SCENARIOS:-start06 start06-fresh reset03 reset06}; do
    read -r -a cmd <<<"$(command_of "$scenario")"
    say "$scenario: ${cmd[*]}"
    if [[ ${STEPS:-1} != 0 && $scenario != start06-fresh ]]; then
        fresh "$(case $scenario in start06) echo t05 ;; reset03) echo t03 ;; reset06) echo t06 ;; esac)"
        steps=$(cd "$WORK/case" && LABRUNNER_FAULT=count "$LR" "${cmd[@]}" 2>&1 >/dev/null | grep -c '^labrunner-fault-step' || true)
        say "  kill at each of $steps write steps"
        for k in $(seq 1 "$steps"); do
            trial "$scenario" "$scenario kill@$k" env LABRUNNER_FAULT="kill@$k" "$LR" "${cmd[@]}"
        done
    fi
    say "  $TRIALS kills at random moments"
    for t in $(seq 1 "$TRIALS"); do
        # Up to the whole command's length: laying down five labs first takes far longer than a reset.
        limit=$([[ $scenario == start06-fresh ]] && echo 12000 || echo 1500)
        delay=$((RANDOM % limit))
        trial "$scenario" "$scenario SIGKILL after ${delay} ms" \
            bash -c '"$@" & pid=$!; sleep "$0"; kill -KILL "$pid" 2>/dev/null; wait "$pid"' "$(awk "BEGIN {print $delay / 1000}")" "$LR" "${cmd[@]}"
    done
    if [[ ${STRACE:-1} != 0 && $scenario != start06-fresh ]] && command -v strace >/dev/null; then
        for call in rename renameat2 unlink unlinkat mkdir rmdir; do
            n=0
            while :; do
                n=$((n + 1))
                trial "$scenario" "$scenario $call #$n killed" \
                    strace -o /dev/null -e "trace=$call" -e "inject=$call:signal=KILL:when=$n" "$LR" "${cmd[@]}"
                # Until the command no longer reaches call number n and runs to its end unkilled.
                [[ $status == 137 ]] || break
            done
            say "  strace: killed at each of $((n - 1)) $call calls"
        done
    elif [[ ${STRACE:-1} != 0 && $scenario != start06-fresh ]]; then
        say "  strace: skipped (not on PATH)"
    fi
done
say "Lab kills: $trials trials, $bad failures"
[[ $bad == 0 ]]
