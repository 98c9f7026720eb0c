#!/usr/bin/env python3
"""`crampcare assess --ndjson` against `jq -c .` copying the same file, side by side.

Target: CrampCare at no less than half of jq's requests per second. Needs jq (apt-get install jq)
and a release build (swift build -c release at the repository root).

usage: Benchmarks/ndjson-vs-jq.py [--lines 200000] [--runs 5] [--cli PATH] [--base OTHER/crampcare]
(--base: an earlier build measured in the same run, for "kept or better")
"""
import argparse
import json
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def requests(count, seed=1):
    """Varied valid requests: the vignettes, shuffled and perturbed."""
    cases = json.loads((ROOT.parent / "shared" / "vignettes" / "public.json").read_text())
    cases += json.loads((ROOT / "Tests" / "vignettes" / "own.json").read_text())
    rng = random.Random(seed)
    base = [c["request"] for c in cases]
    for _ in range(count):
        request = json.loads(json.dumps(rng.choice(base)))
        request["age"] = rng.randint(16, 95)
        request["episode"]["durationMinutes"] = rng.choice([0.5, 1, 2, 3, 5, 8, 12, 30, 120, 1440])
        yield json.dumps(request, separators=(",", ":"))


def best_of(runs, commands, path):
    """Each command's best time, the commands taking turns run after run."""
    times = [[] for _ in commands]
    for _ in range(runs):
        for index, command in enumerate(commands):
            with open(path, "rb") as source:
                start = time.perf_counter()
                subprocess.run(command, stdin=source, stdout=subprocess.DEVNULL, check=True)
                times[index].append(time.perf_counter() - start)
    return [min(t) for t in times]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cli", default=str(ROOT / ".build" / "release" / "crampcare"))
    parser.add_argument("--base", help="another build of crampcare, measured in the same run")
    args = parser.parse_args()
    if not shutil.which("jq"):
        sys.exit("jq is not installed: apt-get install jq")
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "requests.ndjson"
        path.write_text("\n".join(requests(args.lines)) + "\n")
        size = path.stat().st_size
        commands = [[args.cli, "assess", "--ndjson"], ["jq", "-c", "."]] + ([[args.base, "assess", "--ndjson"]] if args.base else [])
        crampcare, jq, *rest = best_of(args.runs, commands, path)
        base = rest[0] if rest else None
    ours, theirs = args.lines / crampcare, args.lines / jq
    print(f"input: {args.lines} requests, {size / 1e6:.1f} MB; best of {args.runs} runs each")
    print(f"crampcare assess --ndjson: {crampcare:.3f} s, {ours:,.0f} requests/s")
    print(f"jq -c .:                   {jq:.3f} s, {theirs:,.0f} lines/s")
    print(f"ratio crampcare/jq: {ours / theirs:.2f} (target >= 0.50)")
    if base:
        print(f"--base: {base:.3f} s, {args.lines / base:,.0f} requests/s; this build {ours / (args.lines / base):.2f} of its rate")
    return 0 if ours / theirs >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
