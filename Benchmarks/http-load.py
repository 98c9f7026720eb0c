#!/usr/bin/env python3
"""HTTP load: CrampCare's server against a bare Hummingbird 2 server, side by side in one run,
with wrk. The server under test is pinned to one core and wrk to the other.

- POST /api/v1/assessments against a bare route that decodes the same request (Codable) and
  answers a fixed body as long as the real answer. Targets: at least half the bare route's
  requests per second, and a p99 latency at most 1.5 times the bare route's, at 64 connections.
- Listing a 10,000-episode journal page by page (GET /api/v1/episodes?limit=50&after=…, every
  page in turn) against a bare route answering a fixed page-sized body. Target: at least 40% of
  the bare route's requests per second.
Also reports the server's peak resident memory under load.

usage: Benchmarks/http-load.py [--seconds 10] [--rounds 2] [--connections 64]
Needs: wrk (apt-get install wrk), taskset (util-linux), release builds of both servers:
  swift build -c release --product crampcare
  (cd Benchmarks && swift build -c release --product BareServer)
"""
import argparse
import json
import os
import pathlib
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = ROOT / ".build" / "release" / "crampcare"
BARE = ROOT / "Benchmarks" / ".build" / "release" / "BareServer"

REQUEST = {
    "schemaVersion": 1, "age": 67, "sex": "female",
    "episode": {"durationMinutes": 4, "muscles": ["calf"], "side": "left", "onset": "sleep", "severity": 7},
    "episodesLast30Days": 9,
    "findings": ["sudden_onset", "visible_knot", "relieved_by_stretching", "sleep_disturbed"],
    "context": ["low_fluid_intake", "prolonged_sitting", "feet_pointed_in_bed"],
    "conditions": ["diabetes"], "medications": ["diuretic"],
    "negatives": ["calf_swelling", "chest_pain", "weakness"],
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited early: {url}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"no answer from {url}")


def wrk(url, script, seconds, connections):
    result = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
                            capture_output=True, text=True, check=True)
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def ms(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} error responses\n{out}")
    return {"rps": rps, "p50": ms("50"), "p99": ms("99")}


class PeakMemory:
    """Samples a process's resident memory while load runs."""
    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            try:
                for line in open(f"/proc/{self.pid}/status"):
                    if line.startswith("VmRSS:"):
                        self.peak = max(self.peak, int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    for tool in ["wrk", "taskset"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (apt-get install wrk util-linux)")
    for binary in [CLI, BARE]:
        if not binary.exists():
            sys.exit(f"{binary} is missing; see the usage at the top of this script")

    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        journal = folder / "journal.sqlite"
        # 10,000 episodes, imported from CSV.
        rng = random.Random(3)
        rows = ["id,started_at,duration_seconds,muscles,side,severity,onset,findings,reliefs,note"]
        moment = 1_700_000_000
        for _ in range(10_000):
            moment += rng.randint(3600, 30000)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
            rows.append(f",{stamp},{rng.randint(10, 900)},{rng.choice(['calf', 'hamstrings', 'quadriceps'])},{rng.choice(['left', 'right'])},"
                        f"{rng.randint(0, 10)},{rng.choice(['sleep', 'rest', 'walking'])},visible_knot,stretch:helped,")
        (folder / "episodes.csv").write_text("\r\n".join(rows) + "\r\n")
        subprocess.run([str(CLI), "import", str(folder / "episodes.csv"), "--database", str(journal)], check=True, capture_output=True)

        ours_port, bare_port = free_port(), free_port()
        ours = subprocess.Popen(["taskset", "-c", "0", str(CLI), "serve", "--port", str(ours_port), "--database", str(journal)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, LOG_LEVEL="error"))
        base = f"http://127.0.0.1:{ours_port}"
        wait_for(base + "/health", ours)
        request_body = json.dumps(REQUEST).encode()
        answer = urllib.request.urlopen(urllib.request.Request(base + "/api/v1/assessments", data=request_body, method="POST",
                                                               headers={"Content-Type": "application/json"})).read()
        # Every page of the journal, in order, for wrk to walk.
        paths, after = [], None
        while True:
            path = "/api/v1/episodes?limit=50" + (f"&after={after}" if after else "")
            paths.append(path)
            page = json.loads(urllib.request.urlopen(base + path).read())
            after = page["next"]
            if not after:
                break
        first_page = urllib.request.urlopen(base + paths[0]).read()
        (folder / "answer.json").write_bytes(answer)
        (folder / "page.json").write_bytes(first_page)
        bare = subprocess.Popen(["taskset", "-c", "0", str(BARE), str(bare_port), str(folder / "answer.json"), str(folder / "page.json")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bare_base = f"http://127.0.0.1:{bare_port}"
        wait_for(bare_base + "/page", bare)

        post = folder / "post.lua"
        post.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[' + request_body.decode() + ']]\n')
        walk = folder / "walk.lua"
        walk.write_text("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\nlocal i = 0\n"
                        "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
        fixed = folder / "fixed.lua"
        fixed.write_text("")

        memory = PeakMemory(ours.pid)
        results = {key: [] for key in ["bare assess", "ours assess", "bare page", "ours pages"]}
        try:
            for _ in range(args.rounds):
                results["bare assess"].append(wrk(bare_base + "/assess", str(post), args.seconds, args.connections))
                results["ours assess"].append(wrk(base + "/api/v1/assessments", str(post), args.seconds, args.connections))
                results["bare page"].append(wrk(bare_base + "/page", str(fixed), args.seconds, args.connections))
                results["ours pages"].append(wrk(base + "/api/v1/episodes", str(walk), args.seconds, args.connections))
        finally:
            memory.stop.set()
            ours.terminate()
            bare.terminate()
            ours.wait()
            bare.wait()

    def summary(key):
        runs = results[key]
        return {"rps": statistics.median(r["rps"] for r in runs), "p50": statistics.median(r["p50"] for r in runs),
                "p99": statistics.median(r["p99"] for r in runs)}

    figures = {key: summary(key) for key in results}
    print(f"{args.connections} connections, {args.seconds} s per run, {args.rounds} alternating rounds, medians; "
          f"server on core 0, wrk on core 1")
    for key, value in figures.items():
        print(f"  {key:12} {value['rps']:9.0f} req/s   p50 {value['p50']:7.2f} ms   p99 {value['p99']:7.2f} ms")
    print(f"  answer {len(answer)} bytes; page {len(first_page)} bytes; {len(paths)} pages of 50")
    ratio_assess = figures["ours assess"]["rps"] / figures["bare assess"]["rps"]
    ratio_p99 = figures["ours assess"]["p99"] / figures["bare assess"]["p99"]
    ratio_pages = figures["ours pages"]["rps"] / figures["bare page"]["rps"]
    print(f"assessments: {ratio_assess:.2f} of the bare route's rate (target >= 0.5), p99 {ratio_p99:.2f} times (target <= 1.5)")
    print(f"journal pages: {ratio_pages:.2f} of the bare route's rate (target >= 0.4)")
    print(f"server peak resident memory under load: {memory.peak / 1024:.1f} MiB")
    return 0 if ratio_assess >= 0.5 and ratio_p99 <= 1.5 and ratio_pages >= 0.4 else 1


if __name__ == "__main__":
    sys.exit(main())
