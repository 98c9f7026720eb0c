#!/usr/bin/env python3
"""HTTP load: CrampCare's server against a bare Hummingbird 2 server, side by side in one run,
with wrk. The server under test is pinned to one core and wrk to the other.

- POST /api/v1/assessments against a bare route that decodes the same request (Codable) and
  answers a fixed body as long as the real answer. Targets: at least half the bare route's
  requests per second, and a p99 latency at most 1.5 times the bare route's, at 64 connections.
- Listing a 10,000-episode journal page by page (GET /api/v1/episodes?limit=50&after=…, every
  page in turn) against a bare route that runs the same SQL on the same journal through SQLite's
  C API and writes the same JSON bytes with a plain writer (checked equal before the load).
  Target: at least 0.8 of its requests per second. A bare route answering a fixed page-sized body
  is measured too, as the ceiling.
- With --base, a second build of crampcare (an earlier commit) on the same journal, measured in
  the same rounds, for "kept or better".
Also reports the server's peak resident memory under load.

usage: Benchmarks/http-load.py [--seconds 10] [--rounds 2] [--connections 64] [--base OTHER/crampcare]
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


def cpu_seconds(pid):
    """A process's user and system CPU time so far (steal time from a busy host is not in it)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, script, seconds, connections, pid=None):
    """wrk's rate and latencies; with the server's pid, also its CPU microseconds per request."""
    before = cpu_seconds(pid) if pid else None
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
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    cpu = (cpu_seconds(pid) - before) * 1e6 / max(requests, 1) if pid else 0
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "cpu": cpu}


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
    parser.add_argument("--base", help="another build of crampcare to measure in the same rounds")
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
        bare = subprocess.Popen(["taskset", "-c", "0", str(BARE), str(bare_port), str(folder / "answer.json"), str(folder / "page.json"),
                                 "--sqlite", str(journal), "local"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bare_base = f"http://127.0.0.1:{bare_port}"
        wait_for(bare_base + "/page", bare)
        # The bare SQL route must write exactly what the real route writes, page after page.
        for path in paths[:3] + paths[-2:]:
            bare_path = "/episodes" + path[len("/api/v1/episodes"):]
            if urllib.request.urlopen(bare_base + bare_path).read() != urllib.request.urlopen(base + path).read():
                sys.exit(f"the bare route's page differs from the real one: {path}")
        other = None
        if args.base:
            other_port = free_port()
            other = subprocess.Popen(["taskset", "-c", "0", args.base, "serve", "--port", str(other_port), "--database", str(journal)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, LOG_LEVEL="error"))
            other_base = f"http://127.0.0.1:{other_port}"
            wait_for(other_base + "/health", other)

        post = folder / "post.lua"
        post.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[' + request_body.decode() + ']]\n')
        walk = folder / "walk.lua"
        walk.write_text("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\nlocal i = 0\n"
                        "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
        bare_walk = folder / "bare-walk.lua"
        bare_walk.write_text(walk.read_text().replace("/api/v1/episodes", "/episodes"))
        fixed = folder / "fixed.lua"
        fixed.write_text("")

        memory = PeakMemory(ours.pid)
        keys = ["bare assess", "ours assess"] + (["base assess"] if other else []) + ["bare page", "bare sql pages", "ours pages"]
        results = {key: [] for key in keys + (["base pages"] if other else [])}
        try:
            for _ in range(args.rounds):
                run = lambda url, script, process: wrk(url, str(script), args.seconds, args.connections, process.pid)
                results["bare assess"].append(run(bare_base + "/assess", post, bare))
                results["ours assess"].append(run(base + "/api/v1/assessments", post, ours))
                if other:
                    results["base assess"].append(run(other_base + "/api/v1/assessments", post, other))
                results["bare page"].append(run(bare_base + "/page", fixed, bare))
                results["bare sql pages"].append(run(bare_base + "/episodes", bare_walk, bare))
                results["ours pages"].append(run(base + "/api/v1/episodes", walk, ours))
                if other:
                    results["base pages"].append(run(other_base + "/api/v1/episodes", walk, other))
        finally:
            memory.stop.set()
            for process in [ours, bare] + ([other] if other else []):
                process.terminate()
                process.wait()

    def summary(key):
        runs = results[key]
        return {"rps": statistics.median(r["rps"] for r in runs), "p50": statistics.median(r["p50"] for r in runs),
                "p99": statistics.median(r["p99"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs)}

    figures = {key: summary(key) for key in results}
    print(f"{args.connections} connections, {args.seconds} s per run, {args.rounds} alternating rounds, medians; "
          f"server on core 0, wrk on core 1")
    for key, value in figures.items():
        print(f"  {key:14} {value['rps']:9.0f} req/s   p50 {value['p50']:7.2f} ms   p99 {value['p99']:7.2f} ms   "
              f"server CPU {value['cpu']:6.1f} µs/request")
    print(f"  answer {len(answer)} bytes; page {len(first_page)} bytes; {len(paths)} pages of 50")
    ratio_assess = figures["ours assess"]["rps"] / figures["bare assess"]["rps"]
    ratio_p99 = figures["ours assess"]["p99"] / figures["bare assess"]["p99"]
    ratio_pages = figures["ours pages"]["rps"] / figures["bare sql pages"]["rps"]
    print(f"assessments: {ratio_assess:.2f} of the bare route's rate (target >= 0.5), p99 {ratio_p99:.2f} times (target <= 1.5)")
    print(f"journal pages: {ratio_pages:.2f} of the bare SQL route's rate (target >= 0.8); "
          f"{figures['ours pages']['rps'] / figures['bare page']['rps']:.2f} of the fixed body's")
    if other:
        print(f"against --base: assessments {figures['ours assess']['rps'] / figures['base assess']['rps']:.2f}, "
              f"pages {figures['ours pages']['rps'] / figures['base pages']['rps']:.2f} of its rate; CPU per request "
              f"{figures['ours assess']['cpu'] / figures['base assess']['cpu']:.2f} and {figures['ours pages']['cpu'] / figures['base pages']['cpu']:.2f} of its")
    print(f"server peak resident memory under load: {memory.peak / 1024:.1f} MiB")
    return 0 if ratio_assess >= 0.5 and ratio_p99 <= 1.5 and ratio_pages >= 0.8 else 1


if __name__ == "__main__":
    sys.exit(main())
