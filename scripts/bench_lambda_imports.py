#!/usr/bin/env python3
"""Cold-start import time of each Lambda handler, against `import boto3` as the floor.

Each sample is a fresh interpreter (as in a cold start) that imports the handler module; the script
reports the median of several runs and the ratio to the boto3 floor, so results compare across
machines. No thresholds: this measures, it does not assert.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import sys, time
sys.path.insert(0, {folder!r})
start = time.perf_counter()
{statement}
print(time.perf_counter() - start)
"""


def sample(folder: str, statement: str) -> float:
    out = subprocess.run([sys.executable, "-c", PROBE.format(folder=folder, statement=statement)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def measure(folder: str, statement: str, runs: int) -> float:
    sample(folder, statement)  # warm the file-system cache
    return statistics.median(sample(folder, statement) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    floor = measure(str(ROOT), "import boto3", args.runs)
    results = {"boto3_floor_ms": round(floor * 1000, 1), "functions": {}}
    for folder in sorted(p for p in (ROOT / "lambda_src").iterdir() if (p / "app.py").exists()):
        seconds = measure(str(folder), "import app", args.runs)
        results["functions"][folder.name] = {"import_ms": round(seconds * 1000, 1), "ratio_to_boto3": round(seconds / floor, 2)}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"import boto3 (floor): {results['boto3_floor_ms']:.1f} ms (median of {args.runs})")
    for name, r in results["functions"].items():
        print(f"  {name:<10} {r['import_ms']:7.1f} ms   {r['ratio_to_boto3']:.2f}x the floor")


if __name__ == "__main__":
    main()
