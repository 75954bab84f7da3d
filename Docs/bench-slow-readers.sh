#!/usr/bin/env bash
# 'LabRunner serve' against slow readers, on loopback only, with a release build: 256 connections (the
# connection cap) that each pipeline 400 requests for /metrics and never read an answer. Meanwhile a probe opens
# a new connection for GET /healthz every 50 ms and a client asks POST /v1/ask every 200 ms; the script reports
# their statuses and latencies (p50, p99, max). Phase 1 holds the 256 sockets for 20 s, phase 2 replaces every
# slow reader the server closes with a new one for 15 s. Every loop is bounded; the script stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product LabRunner >/dev/null
LR="$PWD/.build/release/LabRunner"
WORK="$(mktemp -d)"
PORT="${PORT:-18779}"
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
import select, socket, sys, threading, time

PORT, PID = int(sys.argv[1]), int(sys.argv[2])
READERS, PIPELINED = 256, 400

def rss_peak_mib():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0

def request(raw, timeout=5.0):
    """One request on a new connection: (status or None, seconds)."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=timeout) as sock:
            sock.sendall(raw)
            data = b""
            while b"\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        parts = data.split(b" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    except OSError:
        status = None
    return status, time.monotonic() - start

def slow_reader():
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", PORT))
    sock.setblocking(False)
    try:
        sock.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * PIPELINED)
    except OSError:
        pass
    return sock

def closed_by_server(sock):
    """True when the server has closed the connection, seen without reading what it queued (POLLRDHUP)."""
    poller = select.poll()
    poller.register(sock, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
    return any(events & (select.POLLRDHUP | select.POLLHUP | select.POLLERR) for _, events in poller.poll(0))

HEALTH = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
ASK = b'POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\n\r\n{"text": "where is my order", "seed": 1}  '

def sample(raw, every, started, until, results):
    while time.monotonic() < until:
        at = time.monotonic() - started
        results.append(request(raw) + (at,))
        time.sleep(every)

def summary(name, results):
    statuses = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    ms = sorted(seconds * 1000 for _, seconds, _ in results)
    refused = [at for status, _, at in results if status != 200]
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))] if ms else float("nan")
    counted = ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items(), key=lambda kv: str(kv[0])))
    when = f"{min(refused):.1f}–{max(refused):.1f} s" if refused else "none"
    return (f"| {name} | {len(results)} | {counted} | {when} | {pick(0.5):.1f} | {pick(0.99):.1f} | "
            f"{ms[-1] if ms else 0:.1f} |")

def phase(name, seconds, replace):
    started = time.monotonic()
    readers = [slow_reader() for _ in range(READERS)]
    health, asks = [], []
    until = started + seconds
    threads = [threading.Thread(target=sample, args=(HEALTH, 0.05, started, until, health)),
               threading.Thread(target=sample, args=(ASK, 0.2, started, until, asks))]
    for t in threads: t.start()
    replaced = 0
    while replace and time.monotonic() < until:
        time.sleep(0.25)
        for i, sock in enumerate(readers):
            if closed_by_server(sock):
                sock.close()
                readers[i] = slow_reader()
                replaced += 1
    for t in threads: t.join()
    closed = sum(closed_by_server(sock) for sock in readers)
    for sock in readers: sock.close()
    print(f"\n{name}")
    print("| probe | requests | statuses | not 200 between | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    print(summary("GET /healthz, new connection every 50 ms", health))
    print(summary("POST /v1/ask, new connection every 200 ms", asks))
    extra = f"; slow readers replaced after the server closed them: {replaced}" if replace else ""
    print(f"slow readers the server had closed at the end: {closed} of {READERS}{extra}")

phase(f"Phase 1: {READERS} slow readers held for 20 s", 20, replace=False)
time.sleep(1)
phase(f"Phase 2: {READERS} slow readers, each replaced once the server closes it, for 15 s", 15, replace=True)
print(f"\nserver peak RSS: {rss_peak_mib():.0f} MiB")
PY
