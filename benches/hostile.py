#!/usr/bin/env python3
"""Replays the hostile requests of issue 20 against a running `planarkiv serve --demo` binary and
measures what a person notices meanwhile: the latency of `/health` and of a simple search, and
the server's resident memory during a large upload.

    benches/hostile.py --binary target/release/planarkiv [--upload-mb 100]

It starts the server itself on a free loopback port with a fresh data directory, waits for the
demo documents to be indexed, then for each attack runs it in background threads while it
samples the simple search (20 requests, median and worst). Figures go to stdout as a
Markdown table; BENCHMARKS.md keeps the runs.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import http.client

SEARCH = json.dumps({"query": '{ search(query: "hospitering", first: 3) { totalCount } }'})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"content-type": "application/json"}
    h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def timed(fn):
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def sample_search(port, n=20):
    lat = []
    for _ in range(n):
        lat.append(timed(lambda: request(port, "POST", "/graphql", SEARCH)))
        time.sleep(0.05)
    return statistics.median(lat), max(lat)


def sample_health(port, n=20):
    lat = []
    for _ in range(n):
        lat.append(timed(lambda: request(port, "GET", "/health")))
        time.sleep(0.05)
    return statistics.median(lat), max(lat)


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fragment_bomb(levels=30):
    q = "query { ...F0 }\n"
    for i in range(levels):
        q += f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n"
    q += f"fragment F{levels} on Query {{ __typename }}\n"
    return json.dumps({"query": q})


def aliased_searches():
    q = "{" + " ".join(
        f's{i}: search(query: "samhandling", first: 100) {{ edges {{ node {{ page snippets(max: 10) {{ text }} }} }} }}'
        for i in range(199)
    ) + "}"
    return json.dumps({"query": q})


def big_batch():
    return json.dumps([{"query": '{ search(query: "hospitering") { totalCount } }'}] * 20000)


def forged_cursor():
    return "/graphql?query=%7Bsearch(query:%22samhandling%22,after:%22MTAwMDAwMDAwMDAwMDA%22)%7BtotalCount%7D%7D"


def loop(stop, fn, results):
    while not stop.is_set():
        t = time.perf_counter()
        try:
            status = fn()
        except Exception as e:  # the point is to see them all
            status = type(e).__name__
        results.append((status, (time.perf_counter() - t) * 1000))


def under(port, name, attack, threads=2):
    stop = threading.Event()
    results = []
    ts = [threading.Thread(target=loop, args=(stop, attack, results)) for _ in range(threads)]
    for t in ts:
        t.start()
    time.sleep(0.3)
    med, worst = sample_search(port)
    hmed, hworst = sample_health(port, 10)
    stop.set()
    for t in ts:
        t.join()
    statuses = sorted({str(s) for s, _ in results})
    slowest = max((ms for _, ms in results), default=0)
    print(f"| {name} | {len(results)} | {', '.join(statuses)} | {slowest:.0f} | {med:.1f} / {worst:.1f} | {hmed:.1f} / {hworst:.1f} |")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--upload-mb", type=int, default=100)
    args = ap.parse_args()
    port = free_port()
    data = tempfile.mkdtemp(prefix="planarkiv-hostile-")
    env = dict(os.environ, RUST_LOG="warn")
    server = subprocess.Popen(
        [args.binary, "serve", "--demo", "--data-dir", data, "--listen", f"127.0.0.1:{port}",
         "--max-upload-mb", str(args.upload_mb + 1)],
        env=env, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                _, body = request(port, "POST", "/graphql", json.dumps({"query": "{ documents { edges { node { status } } } }"}))
                nodes = json.loads(body)["data"]["documents"]["edges"]
                if nodes and all(n["node"]["status"] == "INDEXED" for n in nodes):
                    break
            except (OSError, KeyError, TypeError, ValueError):
                pass
            time.sleep(0.2)
        med, worst = sample_search(port)
        print(f"binary: {args.binary}")
        print(f"baseline simple search: median {med:.1f} ms, worst {worst:.1f} ms\n")
        print("| attack (2 threads in a loop) | requests | answers | slowest answer ms | simple search ms (median / worst) | /health ms (median / worst) |")
        print("|---|---|---|---|---|---|")
        bomb, aliased, batch = fragment_bomb(), aliased_searches(), big_batch()
        under(port, "fragment bomb, 30 levels (1 KB)", lambda: request(port, "POST", "/graphql", bomb)[0])
        under(port, "forged cursor over GET", lambda: request(port, "GET", forged_cursor())[0])
        under(port, "199 aliased search(first: 100) with snippets", lambda: request(port, "POST", "/graphql", aliased)[0])
        under(port, "batch of 20,000 searches", lambda: request(port, "POST", "/graphql", batch)[0])
        big_json = json.dumps({"query": "{ __typename }", "variables": {"x": "a" * (90 * 1024 * 1024)}})
        under(port, "90 MB JSON query", lambda: request(port, "POST", "/graphql", big_json)[0], threads=1)

        # 800 half-sent requests held open while the search is sampled.
        socks = []
        for _ in range(800):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
            socks.append(s)
        med, worst = sample_search(port)
        t0 = time.perf_counter()
        closed = 0
        for s in socks:
            s.settimeout(60)
            try:
                if s.recv(1) == b"":
                    closed += 1
            except OSError:
                closed += 1
            s.close()
        print(f"| 800 half-sent requests | 800 | {closed} closed by the server after {time.perf_counter() - t0:.1f} s more | - | {med:.1f} / {worst:.1f} | - |")

        # A large upload: the server's peak memory before and after.
        pdf = os.path.join(data, "big.pdf")
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples", "vedlegg-til-sak-24.25.pdf"), "rb") as f:
            head = f.read()
        with open(pdf, "wb") as f:
            f.write(head)
            f.write(b"%" * (args.upload_mb * 1024 * 1024 - len(head)))
        before_rss = vm_rss_kib(server.pid)
        peak = [before_rss]
        done = threading.Event()

        def watch():
            while not done.is_set():
                peak[0] = max(peak[0], vm_rss_kib(server.pid))
                time.sleep(0.02)

        w = threading.Thread(target=watch)
        w.start()
        t = time.perf_counter()
        out = subprocess.run(
            ["curl", "-s", f"http://127.0.0.1:{port}/graphql", "-H", "apollo-require-preflight: true",
             "-F", 'operations={"query":"mutation($f: Upload!) { uploadDocument(file: $f) { id } }","variables":{"f":null}}',
             "-F", 'map={"0":["variables.f"]}', "-F", f"0=@{pdf}"],
            capture_output=True, text=True,
        )
        took = time.perf_counter() - t
        done.set()
        w.join()
        print(f"\nupload of {args.upload_mb} MiB: {took:.1f} s; server RSS {before_rss / 1024:.0f} MiB before, "
              f"{peak[0] / 1024:.0f} MiB at most during it (+{(peak[0] - before_rss) / 1024:.0f} MiB); "
              f"answer {out.stdout[:100]}")
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
