#!/usr/bin/env python3
"""Benchmark `make plan-<tier>` against its floor, in the same run (issue: plan-large <= 1.5x).

The floor is a configuration with as many aws provider aliases as the tier, one resource each:
what starting that many provider processes costs. Everything is initialised first (warm); then, in
turn, --runs times: the floor's `terraform plan`, the tier's bare `terraform plan`, and the whole
`make plan-<tier>` (plan to a file, `terraform show -json`, the summary). It prints the medians, the
ratios and the peak memory (the largest resident set of any child process, from getrusage).
`make plan-<tier>` runs Terraform with GOGC=400 (scripts/tier.py); the floor is measured both with
Go's default and with that setting, so the ratio can be read either way.

    python scripts/bench_plan.py large --runs 5
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from tier import var_files  # noqa: E402

OFFLINE_ENV = {"AWS_ACCESS_KEY_ID": "offline-plan", "AWS_SECRET_ACCESS_KEY": "offline-plan", "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": ""}

ALIASES = {"small": 4, "medium": 4, "large": 8}


def floor_config(aliases: int) -> str:
    blocks = []
    for i in range(aliases):
        blocks.append(f'''provider "aws" {{
  alias                       = "a{i}"
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}}

resource "aws_sns_topic" "t{i}" {{
  provider = aws.a{i}
  name     = "floor-{i}"
}}
''')
    return 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "5.100.0" }\n  }\n}\n\n' + "\n".join(blocks)


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tier", choices=sorted(ALIASES))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**{k: v for k, v in os.environ.items() if k != "GOGC"}, **OFFLINE_ENV, "TF_CLI_CONFIG_FILE": str(ROOT / "build" / "terraformrc"), "CHECKPOINT_DISABLE": "1"}
    tier_dir = ROOT / "environments" / args.tier
    plan_tier = ["terraform", "plan", "-input=false", "-lock=false", "-refresh=false", "-var=offline_plan=true", *var_files(tier_dir, [])]
    with tempfile.TemporaryDirectory() as tmp:
        floor = Path(tmp)
        (floor / "main.tf").write_text(floor_config(ALIASES[args.tier]))
        for d in (floor, tier_dir):
            subprocess.run(["terraform", "init", "-input=false"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL)
        make = ["make", "--no-print-directory", f"plan-{args.tier}"]
        subprocess.run(make, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # warm: setup, package, init
        floors, tuned, tiers, makes = [], [], [], []
        floor_plan = ["terraform", "plan", "-input=false", "-lock=false", "-refresh=false"]
        for i in range(args.runs):
            floors.append(timed(floor_plan, floor, env))
            tuned.append(timed(floor_plan, floor, {**env, "GOGC": "400"}))
            tiers.append(timed(plan_tier, tier_dir, env))
            makes.append(timed(make, ROOT, env))
            print(f"run {i + 1}/{args.runs}: floor {floors[-1]:.2f} s (GOGC=400: {tuned[-1]:.2f} s), terraform plan {tiers[-1]:.2f} s, make plan-{args.tier} {makes[-1]:.2f} s", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {
        "tier": args.tier, "aliases": ALIASES[args.tier], "runs": args.runs,
        "floor_median_s": round(statistics.median(floors), 2), "plan_median_s": round(statistics.median(tiers), 2),
        "make_median_s": round(statistics.median(makes), 2), "plan_ratio": round(statistics.median(tiers) / statistics.median(floors), 2),
        "make_ratio": round(statistics.median(makes) / statistics.median(floors), 2),
        "floor_gogc400_median_s": round(statistics.median(tuned), 2), "make_ratio_to_gogc400_floor": round(statistics.median(makes) / statistics.median(tuned), 2),
        "peak_rss_mb": round(peak_mb),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
