#!/usr/bin/env bash
# Times LabRunner commands as processes (start to exit), the figures the README quotes.
# Usage: Docs/bench-cli.sh [REQUESTS]   (REQUESTS: attribution-log size for the audit timing, default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product LabRunner >/dev/null
LR="$PWD/.build/release/LabRunner"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
REQUESTS="${1:-1000000}"

# Median and p99 wall time of a command run N times, in milliseconds.
time_cmd() {
    local label="$1" runs="$2"; shift 2
    python3 - "$label" "$runs" "$@" <<'PY'
import subprocess, sys, time
label, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
samples = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    samples.append((time.perf_counter() - start) * 1000)
samples.sort()
print(f"{label:<48} median {samples[len(samples)//2]:7.2f} ms   p99 {samples[min(len(samples)-1, int(len(samples)*0.99))]:7.2f} ms   ({runs} runs)")
PY
}

"$LR" init "$WORK/ws" >/dev/null
cd "$WORK/ws"
"$LR" register --root --owner bench --reason baseline >/dev/null
"$LR" promote '#1' --approver bench >/dev/null
time_cmd "LabRunner --help" 50 "$LR" --help
time_cmd "LabRunner ask (temperature 0)" 50 "$LR" ask "where is my order LL-48213"
time_cmd "LabRunner tag (with fsync)" 50 "$LR" tag staging '#1' --by bench --reason bench
python3 - "$LR" <<'PY'
import subprocess, sys, time
lr = sys.argv[1]
samples = []
for n in range(30):
    with open("system/notes.md", "w") as f: f.write(f"bench {n}\n")
    start = time.perf_counter()
    subprocess.run([lr, "register", "--parent", "#1", "--owner", "bench", "--reason", f"bench {n}"], stdout=subprocess.DEVNULL, check=True)
    samples.append((time.perf_counter() - start) * 1000)
samples.sort()
print(f"{'LabRunner register (bundled system + gate eval)':<48} median {samples[15]:7.2f} ms   p99 {samples[-1]:7.2f} ms   (30 runs)")
PY
rm -f system/notes.md

"$LR" bench registry --versions 10000 --keep "$WORK/big" >/dev/null
cd "$WORK/big"
time_cmd "LabRunner versions (10,000 versions)" 20 "$LR" versions
time_cmd "LabRunner show production (10,000 versions)" 20 "$LR" show production
time_cmd "LabRunner show '#5000' (10,000 versions)" 20 "$LR" show '#5000'

cd "$WORK"
"$LR" bench playbook --versions 100 --requests "$REQUESTS" --keep "$WORK/requests" > "$WORK/playbook.txt"
ID=$(grep -o "bench-[0-9]*" "$WORK/playbook.txt" | tail -1)
cd "$WORK/requests"
time_cmd "LabRunner audit (log of $REQUESTS requests)" 30 "$LR" audit "$ID"
