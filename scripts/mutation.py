#!/usr/bin/env python3
"""make mutation: mutmut over the Lambdas, the policy engine and the emulator extensions, each group
of files with only its own fast tests. Not part of `make test`.

    python scripts/mutation.py                     # every group, a fixed sample of mutants per file
    python scripts/mutation.py --group deploy      # one group (repeatable)
    python scripts/mutation.py --sample 0          # every mutant (hours on 2 cores)

Prints the share of mutants caught per file and the survivors; writes build/mutation/report.json.
mutmut (pinned in requirements-mutation.lock) mutates and runs the tests. This script adds what it
lacks: a working copy and configuration per group (mutmut reads one setup.cfg per directory), a
deterministic sample (it has none), and the per-file totals.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
MUTMUT = [sys.executable, "-m", "mutmut"]

# group: (files or folders to mutate, the tests that exercise them)
GROUPS = {
    "deploy": (["lambda_src/deploy/"], ["tests/lambdas/test_deploy.py"]),
    "release": (["lambda_src/release/"], ["tests/lambdas/test_release.py"]),
    "retrain_trigger": (["lambda_src/retrain_trigger/"], ["tests/lambdas/test_retrain_trigger.py"]),
    "inference": (["lambda_src/inference/"], ["tests/lambdas/test_inference.py"]),
    "policy": (["scripts/policy/"], ["tests/policy/test_rules.py", "tests/policy/test_community.py"]),
    "extensions": (["scripts/emulator/extensions.py"], ["tests/emulator/test_extensions.py"]),
}
# Statements mutmut leaves alone, each with its reason: a mutant there changes only what a person reads.
NOT_MUTATED = {
    r"^\s*(log|LOG\.\w+|logger\.\w+|say|print)\(": "log lines and progress output: text for people, not behaviour",
}
LINKED = ["lambda_src", "scripts", "tests", "pytest.ini", "policies", "modules", "environments"]


def setup_cfg(sources: list[str], tests: list[str]) -> str:
    lines = ["[mutmut]", "source_paths ="] + [f"    {s}" for s in sources]
    lines += ["pytest_add_cli_args =", "    -n0", "    -p", "    no:cacheprovider", "    -x"]
    lines += ["pytest_add_cli_args_test_selection ="] + [f"    {t}" for t in tests]
    lines += ["also_copy ="] + [f"    {p}/" if (ROOT / p).is_dir() else f"    {p}" for p in LINKED]
    lines += ["do_not_mutate_patterns ="] + [f"    {p}" for p in NOT_MUTATED]
    return "\n".join(lines) + "\n"


def prepare(group: str) -> Path:
    """build/mutation/<group>: links to the project and the group's setup.cfg, so runs never touch the checkout."""
    sources, tests = GROUPS[group]
    work = WORK / group
    work.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = work / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    (work / "setup.cfg").write_text(setup_cfg(sources, tests))
    return work


def results(work: Path) -> dict[str, str]:
    """mutant name -> status, from `mutmut results --all true`."""
    shown = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=work, text=True, capture_output=True, check=True)
    found = {}
    for line in shown.stdout.splitlines():
        match = re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def file_of(mutant: str, sources: list[str]) -> str:
    """lambda_src.deploy.app.x_handler__mutmut_3 -> lambda_src/deploy/app.py"""
    module = mutant.split(".x_")[0].split(".x\u01c1")[0]
    return module.replace(".", "/") + ".py"


def run_group(group: str, sample: int, seed: int) -> dict[str, dict]:
    work = prepare(group)
    sources, _ = GROUPS[group]
    started = time.monotonic()
    print(f"==> {group}: generating mutants and mapping tests", flush=True)
    subprocess.run([*MUTMUT, "run", "--max-children", "2", "no-such-mutant"], cwd=work, capture_output=True)
    everything = results(work)
    by_file: dict[str, list[str]] = defaultdict(list)
    for name in sorted(everything):
        by_file[file_of(name, sources)].append(name)
    chosen = [n for names in by_file.values() for n in (random.Random(seed).sample(names, sample) if 0 < sample < len(names) else names)]
    print(f"==> {group}: running {len(chosen)} of {len(everything)} mutants", flush=True)
    for start in range(0, len(chosen), 200):  # keep the command line short
        subprocess.run([*MUTMUT, "run", "--max-children", "2", *chosen[start:start + 200]], cwd=work, capture_output=True)
    statuses = results(work)
    report = {}
    for path, names in sorted(by_file.items()):
        ran = {n: statuses.get(n, "not checked") for n in names if n in chosen}
        caught = sum(1 for s in ran.values() if s in ("killed", "timeout"))
        judged = sum(1 for s in ran.values() if s in ("killed", "timeout", "survived", "no tests"))
        report[path] = {"mutants": len(names), "judged": judged, "caught": caught,
                        "score": round(100 * caught / judged, 1) if judged else None,
                        "survivors": sorted(n for n, s in ran.items() if s in ("survived", "no tests"))}
    print(f"==> {group}: done in {time.monotonic() - started:.0f}s", flush=True)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", action="append", choices=sorted(GROUPS), help="only these groups (default: all)")
    parser.add_argument("--sample", type=int, default=int(os.environ.get("MUTATION_SAMPLE", "30")), help="mutants per file (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report: dict[str, dict] = {}
    for group in args.group or list(GROUPS):
        report.update(run_group(group, args.sample, args.seed))
    print("\nmutants caught per file (killed or timed out, of those judged):")
    for path, row in report.items():
        score = "n/a" if row["score"] is None else f"{row['score']:5.1f}%"
        print(f"  {score}  {row['caught']:4}/{row['judged']:<4} {path}  ({row['mutants']} mutants in all)")
    survivors = [(path, name) for path, row in report.items() for name in row["survivors"]]
    if survivors:
        print(f"\nsurvivors ({len(survivors)}; `cd build/mutation/<group> && mutmut show <name>` shows the change):")
        for path, name in survivors:
            print(f"  {name}")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "report.json").write_text(json.dumps({"sample": args.sample, "seed": args.seed, "excluded": NOT_MUTATED, "files": report}, indent=2))
    print(f"\nreport: {(WORK / 'report.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
