#!/usr/bin/env bash
# Two figures for drills, release build:
#  (a) drill start to live traffic: from launching 'LabRunner drill start' to the first live request in the
#      drill's attribution log (median and max of 5 runs);
#  (b) dashboard update latency: from a production tag move (done) to GET /drill returning a page showing the new
#      production version — the server's render time, p50 and max — and the worst case a viewer of the
#      self-refreshing page sees (render + the page's 2 s refresh period).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product LabRunner >/dev/null
export LR="$(realpath .build/release/LabRunner)"
WORK="$(mktemp -d)"
export WORK
trap 'rm -rf "$WORK"' EXIT
python3 - <<'PY'
import json, os, statistics, subprocess, time, urllib.request
from datetime import datetime

LR, WORK = os.environ["LR"], os.environ["WORK"]

def run(args, cwd, user="bench"):
    env = dict(os.environ, LABRUNNER_USER=user, NO_COLOR="1")
    return subprocess.run([LR] + args, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout

def stamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

def start(room):
    """Launches a drill whose fault ships late (window 10 min); returns the process and the launch time."""
    env = dict(os.environ, LABRUNNER_USER="bench", NO_COLOR="1")
    launched = time.time()
    process = subprocess.Popen([LR, "drill", "start", "--seed", "7", "--window", "10m"], cwd=room, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, launched

def end(room, process):
    run(["drill", "end"], cwd=room)
    process.wait(timeout=60)

# (a) launch → first live request
figures = []
for n in range(5):
    room = f"{WORK}/room{n}"
    run(["init", room], cwd=WORK)
    process, launched = start(room)
    log = f"{room}/drills/D-0001/.labrunner/registry/requests/log.jsonl"
    first = None
    deadline = time.time() + 60
    while first is None and time.time() < deadline:
        try:
            with open(log, "rb") as handle:
                for line in handle:
                    record = json.loads(line)
                    if stamp(record["at"]) >= launched:
                        first = time.time()
                        break
        except (FileNotFoundError, ValueError):
            pass
        time.sleep(0.01)
    end(room, process)
    if first is None:
        raise SystemExit("no live traffic within 60 s")
    figures.append(first - launched)
print("(a) drill start → first live request (5 runs): median %.2f s, min %.2f s, max %.2f s"
      % (statistics.median(figures), min(figures), max(figures)))

# (b) a production move → the dashboard showing it
room = f"{WORK}/roomb"
run(["init", room], cwd=WORK)
process, _ = start(room)
drill = f"{room}/drills/D-0001"
url = None
while url is None:
    try:
        url = json.load(open(f"{room}/.labrunner/drills/active.json")).get("url")
    except (FileNotFoundError, ValueError):
        time.sleep(0.05)
time.sleep(65)  # a full signal window of live traffic, so the page renders at its steady-state size

def get(path):
    began = time.perf_counter()
    with urllib.request.urlopen(url + path) as response:
        body = response.read().decode()
    return body, time.perf_counter() - began

first_render = get("/drill")[1]  # the service's first look reads the whole window
renders = [get("/drill")[1] for _ in range(50)]
once = []
for _ in range(5):
    began = time.perf_counter()
    run(["drill", "status", "--json"], cwd=drill)
    once.append(time.perf_counter() - began)
tags = f"{drill}/.labrunner/registry/tags/production"
versions = sorted(name[:-5] for name in os.listdir(f"{drill}/.labrunner/registry/versions") if name.endswith(".json"))
current = open(tags).read().strip()
other = next(v for v in versions if v != current)
latencies = []
for flip in range(10):
    target = other if flip % 2 == 0 else current
    run(["tag", "production", target, "--by", "bench", "--reason", f"bench flip {flip}"], cwd=drill)
    moved = time.perf_counter()
    while True:
        body, _ = get("/drill")
        if target[:12] in body.split("Incident clock")[0]:
            break
    latencies.append(time.perf_counter() - moved)
end(room, process)
print("(b) GET /drill render time (50 requests, 20 req/s of live traffic, 60 s window): p50 %.1f ms, max %.1f ms"
      % (statistics.median(renders) * 1000, max(renders) * 1000))
print("    first GET /drill after the service started (reads the whole window): %.1f ms" % (first_render * 1000))
print("    'drill status --json' (a new process reading the whole window, 5 runs): median %.0f ms"
      % (statistics.median(once) * 1000))
print("    production move → served page shows it (10 moves): p50 %.1f ms, max %.1f ms"
      % (statistics.median(latencies) * 1000, max(latencies) * 1000))
print("    worst case a viewer sees (max move → page + the page's 2 s refresh): %.2f s" % (max(latencies) + 2))
time.sleep(0.5)
left = subprocess.run(["pgrep", "-af", LR], capture_output=True, text=True).stdout
if left:
    raise SystemExit("LabRunner processes are left after the drills ended:\n" + left)
PY
