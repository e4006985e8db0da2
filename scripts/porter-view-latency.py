#!/usr/bin/env python3
"""How fast a porter's view (GET /me) answers while the dispatcher re-plans (issue 19, T1).

Starts `lastmetre serve` on the bundled area with a porter's token, sends the noon batch in
five parts, and after each part asks for a plan while one client asks for porter 1's view
over and over on one kept-alive connection; prints the latencies seen during the re-plans.

    scripts/porter-view-latency.py [LASTMETRE] [ITERATIONS]

LASTMETRE is target/release/lastmetre by default, ITERATIONS the search's per re-plan
(60000 makes re-plans of about 2 s here). Python's standard library only.
"""
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target/release/lastmetre")
iterations = sys.argv[2] if len(sys.argv) > 2 else "60000"
work = Path(tempfile.mkdtemp(prefix="porter-view-"))
(work / "tokens.txt").write_text(
    "dispatcher dispatcher-token-0123456789\nporter porter-token-0123456789 niuxie porter-1\n"
)
server = subprocess.Popen(
    [binary, "serve", "--area", f"niuxie={ROOT / 'data/niuxie/area.geojson'}", "--db", str(work / "ledger.db"),
     "--tokens", str(work / "tokens.txt"), "--listen", "127.0.0.1:0", "--iterations", iterations],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
)
host = server.stdout.readline().strip().split("listening on http://")[1]
dispatcher = {"Authorization": "Bearer dispatcher-token-0123456789", "Content-Type": "application/json"}
porter = {"Authorization": "Bearer porter-token-0123456789"}


def call(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(host, timeout=300)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


orders = json.loads((ROOT / "data/niuxie/orders-noon.json").read_text())["orders"]
for order in orders:
    order.pop("placed_at", None)  # placed when the service takes them
latencies, plans = [], []
try:
    for part in range(5):
        assert call("POST", "/orders", json.dumps(orders[part * 50:(part + 1) * 50]), dispatcher) == 201
        if part == 0:
            assert call("POST", "/plan", "{}", dispatcher) == 201  # porter 1 has outings
        done = threading.Event()

        def plan():
            started = time.time()
            call("POST", "/plan", "{}", dispatcher)
            plans.append(time.time() - started)
            done.set()

        threading.Thread(target=plan).start()
        view = http.client.HTTPConnection(host, timeout=30)
        while not done.is_set():
            started = time.perf_counter()
            view.request("GET", "/me", headers=porter)
            response = view.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            assert response.status == 200
finally:
    server.kill()
latencies.sort()
at = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(f"{len(latencies)} GET /me during {len(plans)} re-plans of {sorted(plans)[len(plans) // 2]:.2f} s median: "
      f"p50 {at(0.5):.2f} ms, p99 {at(0.99):.2f} ms, max {latencies[-1] * 1000:.1f} ms")
