#!/usr/bin/env python3
"""Wall time of `make policy` over every tier plan in build/plans (several runs, median): this
project's rules alone, the whole run with checkov when the HCL of modules/ changed since the last
scan (cold) and when it did not (warm). Measures; asserts nothing."""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HCL_CACHE = ROOT / "build" / "policy"


def timed(args: list[str], cold: bool = False) -> float:
    if cold:
        for cached in HCL_CACHE.glob("checkov-hcl-*.json"):
            cached.unlink()
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
    cold = statistics.median(timed(plans, cold=True) for _ in range(args.runs))
    warm = statistics.median(timed(plans) for _ in range(args.runs))
    print(f"policy on {', '.join(Path(p).stem for p in plans)} (median of {args.runs}; goal <= 10 s):")
    print(f"  project rules only {rules:.1f} s   with checkov, modules/ changed {cold:.1f} s   with checkov, modules/ unchanged {warm:.1f} s")


if __name__ == "__main__":
    main()
