#!/usr/bin/env python3
"""How planning grows with the work: plan a tier with 1, 5 and 20 use cases, in the same run.

For each size, the tier's demo.tfvars plus a `use_cases` of `model` and uc1..uc<n-1> (the tier's
defaults each); the first plan of each size is shown as JSON to count its resources, then --runs
bare `terraform plan`s (offline, warm) are timed. Prints the resource counts, the resources each
use case adds, the median plan times and their ratios to the 1-use-case plan (target: 20 use cases
within 2x).

    python scripts/bench_use_cases.py large --runs 3
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_plan import OFFLINE_ENV  # noqa: E402
from tier import var_files  # noqa: E402

SIZES = (1, 5, 20)


def use_cases(n: int) -> str:
    names = ["model", *(f"uc{i}" for i in range(1, n))]
    # every data scientist in the default team: the demo's other teams own use cases these sizes replace
    return "use_cases = {\n" + "".join(f"  {name} = {{}}\n" for name in names) + "}\n" + 'data_scientists = { alice = { email = "alice@example.com" } }\n'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tier", choices=["small", "medium", "large"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, **OFFLINE_ENV, "TF_CLI_CONFIG_FILE": str(ROOT / "build" / "terraformrc"), "CHECKPOINT_DISABLE": "1", "GOGC": "400"}
    tier_dir = ROOT / "environments" / args.tier
    subprocess.run(["terraform", "init", "-input=false"], cwd=tier_dir, env=env, check=True, stdout=subprocess.DEVNULL)
    counts, times = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            extra = Path(tmp) / f"use-cases-{n}.tfvars"
            extra.write_text(use_cases(n))
            plan = ["terraform", "plan", "-input=false", "-lock=false", "-refresh=false", "-var=offline_plan=true", *var_files(tier_dir, [str(tier_dir / "demo.tfvars"), str(extra)])]
            binary = Path(tmp) / f"{n}.tfplan"
            subprocess.run([*plan, f"-out={binary}"], cwd=tier_dir, env=env, check=True, stdout=subprocess.DEVNULL)
            shown = json.loads(subprocess.run(["terraform", "show", "-json", str(binary)], cwd=tier_dir, env=env, check=True, capture_output=True, text=True).stdout)
            counts[n] = sum(1 for c in shown["resource_changes"] if c["change"]["actions"] != ["no-op"])
            runs = []
            for i in range(args.runs):
                started = time.perf_counter()
                subprocess.run(plan, cwd=tier_dir, env=env, check=True, stdout=subprocess.DEVNULL)
                runs.append(time.perf_counter() - started)
                print(f"==> {args.tier}, {n} use case(s), run {i + 1}/{args.runs}: {runs[-1]:.1f}s", flush=True)
            times[n] = statistics.median(runs)
    base = times[SIZES[0]]
    print(f"\n{args.tier}: terraform plan (offline, warm, median of {args.runs}) by number of use cases")
    print(f"{'use cases':>10} {'resources':>10} {'plan (s)':>9} {'ratio':>6}")
    for n in SIZES:
        print(f"{n:>10} {counts[n]:>10} {times[n]:>9.1f} {times[n] / base:>6.2f}")
    per_use_case = (counts[SIZES[-1]] - counts[SIZES[0]]) / (SIZES[-1] - SIZES[0])
    print(f"each use case adds {per_use_case:.0f} resources; the platform without use cases is {counts[SIZES[0]] - per_use_case:.0f}")
    ratio = times[SIZES[-1]] / base
    print(f"{SIZES[-1]} use cases plan in {ratio:.2f}x the time of one (target: within 2x): {'met' if ratio <= 2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
