#!/usr/bin/env python3
"""Load under attack, in one run: wrk at 64 connections on POST /api/v1/assessments, first alone
and then while a second client sends the worst-case requests of the hardening issue (one a
second, in turn); /health is polled every 100 ms throughout. Targets: the load's p99 rises less
than 2x, and /health's p99 under attack stays within 2x of its own unattacked p99.

usage: Benchmarks/attack-load.py [--seconds 15]
Needs: wrk (apt-get install wrk), taskset, a release build: swift build -c release --product crampcare
"""
import argparse
import json
import os
import pathlib
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
REQUEST = {"age": 70, "sex": "female", "episode": {"muscles": ["calf"], "side": "left", "durationMinutes": 2, "onset": "sleep", "severity": 6}, "episodesLast30Days": 3, "findings": ["visible_knot", "relieved_by_stretching"], "negatives": ["calf_swelling", "chest_pain"], "context": ["low_fluid_intake"], "conditions": ["diabetes"], "medications": ["statin"]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def attacks(port):
    """The worst-case bodies: each a whole raw request."""
    host = f"127.0.0.1:{port}".encode()

    def post(path, body, kind=b"application/json"):
        return (b"POST " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: " + kind + b"\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    keys = b"{" + b",".join(b'"k%d":0' % i for i in range(90_000)) + b"}"
    deep = b"[" * 100_000 + b"]" * 100_000
    amp = b'{"note":"' + b"&" * 1_000_000 + b'"}'
    form = b"&".join([b"context=hot_weather"] * 50_000)
    filters = b"GET /journal?" + b"&".join([b"muscle=calf"] * 1500) + b" HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
    combining = b"GET /learn/search?q=%22%CC%81" * 1 + b" HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
    return [post(b"/api/v1/assessments", keys[: (1 << 20) - 10]), post(b"/api/v1/assessments", deep[: (1 << 20) - 10]),
            post(b"/api/v1/episodes", amp[: (1 << 20) - 10]), post(b"/day", form, b"application/x-www-form-urlencoded"), filters, combining,
            post(b"/api/v1/session", b'{"email":"x@example.org","password":"' + b"p" * 100 + b'"}')]


class Attacker(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop, self.sent, self.statuses = port, threading.Event(), 0, []
        self.requests = attacks(port)

    def run(self):
        while not self.stop.is_set():
            data = self.requests[self.sent % len(self.requests)]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
                    s.sendall(data)
                    answer = s.recv(64)
                    self.statuses.append(int(answer.split()[1]) if answer.startswith(b"HTTP/1.1") else 0)
            except OSError:
                self.statuses.append(0)
            self.sent += 1
            self.stop.wait(1.0)


class HealthPoller(threading.Thread):
    def __init__(self, base):
        super().__init__(daemon=True)
        self.base, self.stop, self.times = base, threading.Event(), []

    def run(self):
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                urllib.request.urlopen(self.base + "/health", timeout=5).read()
                self.times.append((time.perf_counter() - started) * 1000)
            except OSError:
                self.times.append(5000.0)
            self.stop.wait(0.1)


def p99(values):
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else float("nan")


def wrk(url, script, seconds):
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", "-c64", f"-d{seconds}s", "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    value, unit = float(match.group(1)), match.group(2)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} error responses: the load request is not a valid one")
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p99": value / 1000 if unit == "us" else value * 1000 if unit == "s" else value}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    for tool in ["wrk", "taskset"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (apt-get install wrk util-linux)")
    if not CLI.exists():
        sys.exit(f"{CLI} is missing: swift build -c release --product crampcare")
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        server = subprocess.Popen(["taskset", "-c", "0", str(CLI), "serve", "--port", str(port), "--database", f"{folder}/j.sqlite"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, LOG_LEVEL="error"))
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        script = pathlib.Path(folder) / "post.lua"
        script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[' + json.dumps(REQUEST) + "]]\n")
        try:
            results = {}
            for phase in ["alone", "attacked"]:
                poller = HealthPoller(base)
                attacker = Attacker(port) if phase == "attacked" else None
                poller.start()
                if attacker:
                    attacker.start()
                results[phase] = wrk(base + "/api/v1/assessments", str(script), args.seconds)
                poller.stop.set()
                poller.join()
                results[phase]["health_p99"] = p99(poller.times)
                if attacker:
                    attacker.stop.set()
                    attacker.join()
                    results[phase]["attacks"] = attacker.sent
                    results[phase]["attack_statuses"] = sorted(set(attacker.statuses))
            rss = [line for line in open(f"/proc/{server.pid}/status") if line.startswith("VmHWM:")][0].split()[1]
        finally:
            server.terminate()
            server.wait()
    alone, attacked = results["alone"], results["attacked"]
    load_ratio = attacked["p99"] / alone["p99"]
    health_ratio = attacked["health_p99"] / alone["health_p99"]
    print(f"alone:    {alone['rps']:.0f} req/s, p99 {alone['p99']:.2f} ms; /health p99 {alone['health_p99']:.2f} ms")
    print(f"attacked: {attacked['rps']:.0f} req/s, p99 {attacked['p99']:.2f} ms; /health p99 {attacked['health_p99']:.2f} ms; "
          f"{attacked['attacks']} attacks answered {attacked['attack_statuses']}")
    print(f"p99 ratio {load_ratio:.2f} (target < 2), /health p99 ratio {health_ratio:.2f} (target < 2); peak RSS {int(rss) // 1024} MiB")
    sys.exit(0 if load_ratio < 2 and health_ratio < 2 and 0 not in attacked["attack_statuses"] else 1)


if __name__ == "__main__":
    main()
