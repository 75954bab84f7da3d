#!/usr/bin/env bash
# 'LabRunner serve' under abuse, on loopback only, against a release build: malformed framing, oversized
# bodies and texts, 500 slow connections, connections over the cap, and 200 concurrent 1 MB posts. For each:
# how many were answered (and with what), whether good requests still got through, and the server's peak
# resident memory (VmHWM). Every loop is bounded; the script stops the server it started.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product LabRunner >/dev/null
LR="$PWD/.build/release/LabRunner"
WORK="$(mktemp -d)"
PORT="${PORT:-18778}"
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
"$LR" init "$WORK/ws" >/dev/null
cd "$WORK/ws"
"$LR" register --root --owner bench --reason baseline >/dev/null
"$LR" promote '#1' --approver bench >/dev/null
"$LR" serve --port "$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q "Serving" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
python3 - "$PORT" "$SERVER" <<'PY'
import socket, sys, threading, time

PORT, PID = int(sys.argv[1]), int(sys.argv[2])

def rss_peak_kib():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0

def rss_now_kib():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

def status_of(sock, timeout=10.0):
    """Reads one response head and returns its status (None when the server closed or sent nothing)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        return None
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None

def connect():
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock

def one(raw, timeout=10.0):
    with connect() as sock:
        start = time.monotonic()
        try:
            sock.sendall(raw)
        except OSError:
            pass  # refused mid-body (413): the answer is still there to read
        status = status_of(sock, timeout)
        return status, time.monotonic() - start

GOOD = b'POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\n\r\n{"text": "where is my order", "seed": 1}  '

def good_ok():
    try:
        return one(GOOD)[0] == 200
    except OSError:
        return False

rows = []

def row(case, sent, answered, statuses, good, note=""):
    rows.append((case, sent, answered, statuses, good, f"{rss_peak_kib() / 1024:.0f} MiB", note))

# 1. Malformed framing: each must be answered 400 at once.
malformed = {
    "two Content-Length": b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
    "signed Content-Length": b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n{}",
    "non-digit Content-Length": b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 0x2\r\n\r\n{}",
    "space before colon": b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n\r\n{}",
    "bare LF": b"GET /healthz HTTP/1.1\nHost: x\n\n",
    "garbage": b"\x00\xff GARBAGE\r\n\r\n",
}
for name, raw in malformed.items():
    status, seconds = one(raw)
    row(f"malformed: {name}", 1, int(status is not None), str(status), good_ok(), f"answered in {seconds * 1000:.0f} ms")

# 2. Oversized: a 1 MB body (refused from its Content-Length) and a 20,000-character text in a 20 KB body.
big = b"x" * (1 << 20)
status, _ = one(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(big) + big)
row("oversized: 1 MB body", 1, int(status is not None), str(status), good_ok())
text = ("where is my order " * 1200)[:20000]
body = ('{"text": "%s"}' % text).encode()
status, _ = one(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
row("oversized: 20,000-char text", 1, int(status is not None), str(status), good_ok())

# 3. 200 concurrent 1 MB posts (the issue's 3.3 GB case).
results = []
lock = threading.Lock()
def post_big():
    try:
        status, _ = one(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(big) + big, timeout=30)
    except OSError:
        status = None
    with lock:
        results.append(status)
threads = [threading.Thread(target=post_big) for _ in range(200)]
for t in threads: t.start()
for t in threads: t.join()
summary = ", ".join(f"{s}×{results.count(s)}" for s in sorted(set(results), key=str))
row("200 concurrent 1 MB posts", 200, sum(s is not None for s in results), summary, good_ok())

# 4. 500 slow connections: each sends half a request head and stalls (slowloris). Up to the cap (256) are
#    held until the 5 s request timeout (408); the rest get 503 at once. A good request during the attack is
#    refused 503 too while the cap is full — the cap trades availability for bounded memory.
slow = []
for _ in range(500):
    try:
        sock = connect()
        sock.sendall(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Le")
        slow.append(sock)
    except OSError:
        pass
time.sleep(0.5)
during = one(GOOD)[0]
statuses = [None] * len(slow)
def drain(i, sock):
    statuses[i] = status_of(sock, timeout=15)
    sock.close()
threads = [threading.Thread(target=drain, args=(i, s)) for i, s in enumerate(slow)]
for t in threads: t.start()
for t in threads: t.join()
summary = ", ".join(f"{s}×{statuses.count(s)}" for s in sorted(set(statuses), key=str))
row("500 slow connections", 500, sum(s is not None for s in statuses), summary, good_ok(),
    f"good request during the attack: {during}")

# 5. Over the cap: 300 keep-alive connections that each finished one request, then one more request. At the
#    cap, a connection idle past a short grace gives way to the new one (it is closed), so all can be answered.
held = []
for _ in range(300):
    try:
        sock = connect()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        held.append((sock, status_of(sock)))
    except OSError:
        pass
over = one(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")[0]
statuses = [s for _, s in held]
summary = ", ".join(f"{s}×{statuses.count(s)}" for s in sorted(set(statuses), key=str))
for sock, _ in held: sock.close()
time.sleep(0.5)
row("300 keep-alive connections (cap 256)", 300, sum(s is not None for s in statuses), summary, good_ok(),
    f"one more while held: {over}")

print("| case | sent | answered | statuses | good request after | server peak RSS | note |")
print("|---|---|---|---|---|---|---|")
for case, sent, answered, statuses, good, peak, note in rows:
    print(f"| {case} | {sent} | {answered} | {statuses} | {'200' if good else 'FAILED'} | {peak} | {note} |")
print(f"\nserver RSS at the end: {rss_now_kib() / 1024:.0f} MiB")
PY
