#!/usr/bin/env python3
"""`crampcare import` of 100,000 episodes from CSV against the sqlite3 shell's `.import` of the
same file into a plain table, measured side by side (alternating runs, medians).

Target: CrampCare at no less than a quarter of sqlite3's rows per second. CrampCare does more:
it checks every row (codes, ranges, times with offsets), derives missing ids, keeps three
B-trees (the table, the owner+id key and the owner+time index) and commits durably.

usage: Benchmarks/journal-import-vs-sqlite3.py [--rows 100000] [--runs 5] [--cli PATH] [--with-ids]
Needs: the sqlite3 shell (apt-get install sqlite3) and a release build (swift build -c release).
"""
import argparse
import datetime
import os
import pathlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]


def write_csv(path, rows, with_ids, seed=1):
    rng = random.Random(seed)
    moment = 1_700_000_000
    with open(path, "w", newline="") as out:
        out.write("id,started_at,duration_seconds,muscles,side,severity,onset,findings,reliefs,note\r\n")
        for _ in range(rows):
            moment += rng.randint(600, 7200)
            started = datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            ident = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if with_ids else ""
            out.write(",".join([
                ident, started, str(rng.randint(10, 900)), rng.choice(["calf", "hamstrings", "quadriceps", "hamstrings;calf"]),
                rng.choice(["left", "right", "both", ""]), str(rng.randint(0, 10)), rng.choice(["sleep", "rest", "walking", ""]),
                rng.choice(["visible_knot", "visible_knot;relieved_by_stretching", ""]),
                rng.choice(["stretch:helped", "stretch:helped;massage:partly", ""]), "",
            ]) + "\r\n")


def timed(command, env=None):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cli", default=str(ROOT / ".build" / "release" / "crampcare"))
    parser.add_argument("--base", help="another build of crampcare, measured in the same alternating runs")
    parser.add_argument("--with-ids", action="store_true", help="rows carry ids (as an export does) instead of having them derived")
    args = parser.parse_args()
    if not shutil.which("sqlite3"):
        sys.exit("the sqlite3 shell is not installed: apt-get install sqlite3")
    ours, theirs, base = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        csv = pathlib.Path(folder) / "episodes.csv"
        write_csv(csv, args.rows, args.with_ids)
        for run in range(args.runs):
            journal = pathlib.Path(folder) / f"journal-{run}.sqlite"
            plain = pathlib.Path(folder) / f"plain-{run}.sqlite"
            ours.append(timed([args.cli, "import", str(csv)], env=dict(os.environ, CRAMPCARE_DATABASE=str(journal))))
            theirs.append(timed(["sqlite3", str(plain), ".mode csv", f".import {csv} episodes"]))
            if args.base:
                other = pathlib.Path(folder) / f"base-{run}.sqlite"
                base.append(timed([args.base, "import", str(csv)], env=dict(os.environ, CRAMPCARE_DATABASE=str(other))))
    ours_rate = args.rows / statistics.median(ours)
    theirs_rate = args.rows / statistics.median(theirs)
    print(f"{args.rows} rows ({'with ids' if args.with_ids else 'ids derived'}), {args.runs} alternating runs, medians")
    print(f"crampcare import:  {statistics.median(ours):.3f} s  {ours_rate:,.0f} rows/s  (runs: {', '.join(f'{t:.2f}' for t in ours)})")
    print(f"sqlite3 .import:   {statistics.median(theirs):.3f} s  {theirs_rate:,.0f} rows/s  (runs: {', '.join(f'{t:.2f}' for t in theirs)})")
    print(f"ratio crampcare/sqlite3: {ours_rate / theirs_rate:.2f} (target >= 0.25)")
    if base:
        base_rate = args.rows / statistics.median(base)
        print(f"--base import:     {statistics.median(base):.3f} s  {base_rate:,.0f} rows/s; this build {ours_rate / base_rate:.2f} of its rate")
    return 0 if ours_rate / theirs_rate >= 0.25 else 1


if __name__ == "__main__":
    sys.exit(main())
