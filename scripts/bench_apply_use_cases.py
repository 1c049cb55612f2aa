#!/usr/bin/env python3
"""How applying grows with the work: apply a tier on the embedded emulator with 1 and 3 use cases.

For each size, the tier's demo.tfvars plus a `use_cases` of `model` and uc1..uc<n-1> (the tier's
defaults each, every data scientist in the default team): apply from nothing (timed), count the
resources in the state, destroy (timed). Needs the emulator (`make up`) and no other state of the
tier on it. The emulator is in-process and CPU-bound on this machine: the times compare the sizes
with each other; they do not predict AWS, where most of an apply is waiting for resources.

    python scripts/bench_apply_use_cases.py medium --sizes 1 3
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import tier  # noqa: E402
from bench_use_cases import use_cases  # noqa: E402


def resources(state: Path) -> int:
    return sum(len(r["instances"]) for r in json.loads(state.read_text())["resources"] if r["mode"] == "managed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tier", choices=["small", "medium", "large"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()
    if tier.state_file(args.tier).exists() and resources(tier.state_file(args.tier)):
        raise SystemExit(f"error: {args.tier} is applied on this emulator; destroy it first (make destroy-{args.tier})")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            extra = Path(tmp) / f"use-cases-{n}.tfvars"
            extra.write_text(use_cases(n))
            began = time.perf_counter()
            if tier.change("apply", args.tier, "emulator", [str(extra)]) != 0:
                raise SystemExit(f"error: apply of {args.tier} with {n} use case(s) failed")
            applied, count = time.perf_counter() - began, resources(tier.state_file(args.tier))
            began = time.perf_counter()
            if tier.change("destroy", args.tier, "emulator", [str(extra)]) != 0:
                raise SystemExit(f"error: destroy of {args.tier} with {n} use case(s) failed")
            rows.append((n, count, applied, time.perf_counter() - began))
    print(f"\n{args.tier} on the embedded emulator, from nothing (times compare sizes; AWS differs):")
    print("| use cases | resources | apply (s) | apply ratio | destroy (s) |")
    print("|---|---|---|---|---|")
    for n, count, applied, destroyed in rows:
        print(f"| {n} | {count} | {applied:.0f} | {applied / rows[0][2]:.2f} | {destroyed:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
