#!/usr/bin/env python3
"""Wall time of `make policy` over every tier plan in build/plans (several runs, median), split into
this project's rules and the whole run with checkov. Measures; asserts nothing."""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(args: list[str]) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "policy", *args], cwd=ROOT, env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"}, capture_output=True, check=False)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    plans = sorted(str(p) for p in (ROOT / "build" / "plans").glob("*.json"))
    if not plans:
        raise SystemExit("run `make plans` first")
    rules = statistics.median(timed([*plans, "--no-checkov"]) for _ in range(args.runs))
    full = statistics.median(timed(plans) for _ in range(args.runs))
    print(f"plans: {', '.join(Path(p).stem for p in plans)}")
    print(f"project rules only: {rules:.1f} s   with checkov (plans + HCL): {full:.1f} s   (median of {args.runs}; goal <= 10 s)")


if __name__ == "__main__":
    main()
