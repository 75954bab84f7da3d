"""A tiny HTTP service that answers from DEPLOY_DIR/current and logs each request as `requests import` reads it.

    python3 serve.py DEPLOY_DIR [--port 8080]     # POST /ask with {"text": "..."}
    python3 serve.py DEPLOY_DIR --once "TEXT"     # answer one request the same way, without a server
"""
import datetime
import hashlib
import http.server
import json
import os
import sys

import support

here = os.path.dirname(os.path.abspath(__file__))


def handle(deploy, text):
    # Resolve current/ once per request, so a flip mid-request never mixes two releases.
    release = os.path.realpath(os.path.join(deploy, "current"))
    reply = support.answer(support.load(release), text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    os.makedirs(os.path.join(here, "inputs"), exist_ok=True)
    with open(os.path.join(here, "inputs", digest + ".txt"), "w") as f:
        f.write(text)
    count = sum(1 for _ in open(os.path.join(here, "service.jsonl"))) if os.path.exists(os.path.join(here, "service.jsonl")) else 0
    entry = {
        "id": f"req-{count + 1}",
        "at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": os.path.basename(release),
        "input_sha256": digest,
        "output_sha256": hashlib.sha256(reply.encode()).hexdigest(),
    }
    with open(os.path.join(here, "service.jsonl"), "a") as f:
        f.write(json.dumps(entry) + "\n")
    return reply


def main():
    deploy = sys.argv[1]
    if "--once" in sys.argv:
        sys.stdout.write(handle(deploy, sys.argv[sys.argv.index("--once") + 1]))
        return
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 8080

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reply = handle(deploy, body["text"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(reply)

    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
