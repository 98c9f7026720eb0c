#!/usr/bin/env python3
"""Hosted mode under load: two CrampCare instances on one PostgreSQL database against two bare
Hummingbird + PostgresNIO instances doing the same insert, side by side in one run, with wrk.

- POST /api/v1/episodes with an API token (every request a new episode: its start time counts up)
  against the bare route POST /episodes: Codable decoding and one bound INSERT … ON CONFLICT of the
  same columns into the same schema. Two wrk processes at once, one per instance, half the
  connections each; req/s summed, p99 the worse of the two. Target: at least 0.7 of the bare
  rate, and a p99 at most 1/0.7 of the bare p99.
- Then the kill: the same load again, with writers that record every episode acknowledged with
  201; one instance is killed with SIGKILL mid-load; every acknowledged episode must be read back
  from the other instance.
The machine has two cores: PostgreSQL, the instances and wrk share them alike for both sides.

usage: bash -c 'source scripts/throwaway-postgres && python3 Benchmarks/hosted-load.py [--seconds 10] [--rounds 2] [--connections 64]'
Needs: wrk, psql, release builds of both servers:
  swift build -c release --product crampcare
  (cd Benchmarks && swift build -c release --product BareServer)
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = ROOT / ".build" / "release" / "crampcare"
BARE = ROOT / "Benchmarks" / ".build" / "release" / "BareServer"


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
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"no answer from {url}")


def call(base, method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def database(admin, prefix):
    name = prefix + uuid.uuid4().hex[:12]
    subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return admin.replace("/postgres?", f"/{name}?")


def lua(folder, name, path, token, start):
    """A wrk script posting a new episode each request: the start time counts up from `start`."""
    script = folder / f"{name}.lua"
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"\n' if token else ""
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n' + auth +
        f"local n = {start}\n"
        "request = function()\n  n = n + 1\n"
        '  local body = string.format(\'{"startedAt":"%s","durationSeconds":90,"muscles":["calf"],"side":"left",'
        '"severity":5,"onset":"sleep","findings":["visible_knot"],"note":"load"}\', os.date("!%Y-%m-%dT%H:%M:%SZ", n))\n'
        f'  return wrk.format(nil, "{path}", nil, body)\nend\n')
    return script


def wrk(url, script, seconds, connections):
    result = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                            capture_output=True, text=True, check=True)
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    match = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    value, unit = float(match.group(1)), match.group(2)
    p99 = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99": p99, "errors": int(errors.group(1)) if errors else 0}


def both(urls, scripts, seconds, connections):
    """wrk on both instances at once; summed rate, the worse p99."""
    results = [None, None]

    def run(index):
        results[index] = wrk(urls[index], scripts[index], seconds, connections // 2)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if any(r["errors"] for r in results):
        sys.exit(f"error responses under load: {results}")
    return {"rps": sum(r["rps"] for r in results), "p99": max(r["p99"] for r in results)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    admin = os.environ.get("CRAMPCARE_TEST_POSTGRES_URL")
    if not admin:
        sys.exit("no PostgreSQL: run under `source scripts/throwaway-postgres`")
    for tool in ["wrk", "psql"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install {'wrk' if tool == 'wrk' else 'postgresql-client'}")
    for binary in [CLI, BARE]:
        if not binary.exists():
            sys.exit(f"{binary} is missing; see the usage at the top of this script")
    ours_db, bare_db = database(admin, "ours"), database(admin, "bare")
    # The bare side's schema is CrampCare's own: any command that opens the journal migrates it.
    subprocess.run([str(CLI), "history", "--database", bare_db], check=True, capture_output=True)
    env = dict(os.environ, LOG_LEVEL="error")
    processes = []
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        try:
            ours = []
            for _ in range(2):
                port = free_port()
                process = subprocess.Popen([str(CLI), "serve", "--hosted", "--port", str(port), "--database", ours_db],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                processes.append(process)
                ours.append((f"http://127.0.0.1:{port}", process))
                wait_for(ours[-1][0] + "/health", process)
            bare = []
            (folder / "empty").write_text("{}")
            for _ in range(2):
                port = free_port()
                process = subprocess.Popen([str(BARE), str(port), str(folder / "empty"), str(folder / "empty"), "--postgres",
                                            bare_db.split("?")[0], "bench"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                processes.append(process)
                bare.append((f"http://127.0.0.1:{port}", process))
                wait_for(bare[-1][0] + "/page", process)
            status, _, headers = call(ours[0][0], "POST", "/api/v1/account", {"email": "load@example.org", "password": "a long load password"})
            assert status == 201, status
            cookie = {"Cookie": headers["Set-Cookie"].split(";")[0]}
            status, token, _ = call(ours[0][0], "POST", "/api/v1/account/tokens", {"label": "load", "scope": "full"}, cookie)
            assert status == 201, token
            bearer = token["token"]

            results = {"bare": [], "ours": []}
            offset = 0
            for round_ in range(args.rounds):
                for side, instances, path, token_ in [("bare", bare, "/episodes", None), ("ours", ours, "/api/v1/episodes", bearer)]:
                    scripts = []
                    for index in range(2):
                        offset += 100_000_000
                        scripts.append(lua(folder, f"{side}{round_}{index}", path, token_, 1_500_000_000 + offset))
                    results[side].append(both([i[0] + path for i in instances], scripts, args.seconds, args.connections))

            # The kill: load on both instances, tracked writers, one instance SIGKILLed mid-load.
            acknowledged, lock, stop = [], threading.Lock(), threading.Event()
            auth = {"Authorization": f"Bearer {bearer}"}

            def writer(base, tag):
                index = 0
                while not stop.is_set():
                    index += 1
                    # Each writer its own start times: the same time and muscle would be the same episode.
                    moment = 200_000_000 + "abcd".index(tag) * 10_000_000 + index
                    body = {"startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment)),
                            "durationSeconds": 60, "muscles": ["hamstrings"], "note": f"{tag}-{index}"}
                    try:
                        status, episode, _ = call(base, "POST", "/api/v1/episodes", body, auth)
                    except OSError:
                        continue
                    if status == 201:
                        with lock:
                            acknowledged.append(episode["id"])

            offset += 100_000_000
            kill_scripts = [lua(folder, f"kill{i}", "/api/v1/episodes", bearer, 1_500_000_000 + offset + i * 50_000_000) for i in range(2)]
            load = [subprocess.Popen(["wrk", "-t1", f"-c{args.connections // 2}", f"-d{args.seconds}s", "-s", str(kill_scripts[i]),
                                      ours[i][0] + "/api/v1/episodes"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for i in range(2)]
            threads = [threading.Thread(target=writer, args=(base, tag)) for (base, _), tag in [(ours[0], "a"), (ours[1], "b")]]
            threads += [threading.Thread(target=writer, args=(base, tag)) for (base, _), tag in [(ours[0], "c"), (ours[1], "d")]]
            for thread in threads:
                thread.start()
            time.sleep(args.seconds / 2)
            ours[0][1].send_signal(signal.SIGKILL)
            ours[0][1].wait()
            time.sleep(1)
            stop.set()
            for thread in threads:
                thread.join()
            for process in load:
                process.wait()
            survivor = ours[1][0]
            seen, after = set(), None
            while True:
                status, page, _ = call(survivor, "GET", "/api/v1/episodes?limit=500&muscle=hamstrings" + (f"&after={after}" if after else ""),
                                       headers=auth)
                seen |= {episode["id"] for episode in page["episodes"]}
                after = page["next"]
                if not after:
                    break
            missing = set(acknowledged) - seen
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
                    process.wait()

    def median(side, key):
        return statistics.median(r[key] for r in results[side])

    print(f"{args.connections} connections over two instances, {args.seconds} s per run, {args.rounds} alternating rounds, medians")
    for side in ["bare", "ours"]:
        print(f"  {side:5} {median(side, 'rps'):9.0f} req/s   p99 {median(side, 'p99'):7.2f} ms")
    ratio = median("ours", "rps") / median("bare", "rps")
    p99 = median("ours", "p99") / median("bare", "p99")
    print(f"episodes: {ratio:.2f} of the bare rate (target >= 0.7), p99 {p99:.2f} times the bare p99 (target <= {1 / 0.7:.2f})")
    print(f"SIGKILL mid-load: {len(acknowledged)} tracked writes acknowledged, {len(missing)} missing (target 0)")
    return 0 if ratio >= 0.7 and p99 <= 1 / 0.7 and not missing and len(acknowledged) > 50 else 1


if __name__ == "__main__":
    sys.exit(main())
