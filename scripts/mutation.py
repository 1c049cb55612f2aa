#!/usr/bin/env python3
"""make mutation: mutmut over the Lambdas, the policy engine and the emulator extensions, each group
of files with only its own fast tests. Not part of `make test`.

    python scripts/mutation.py                     # every group but policy-engine, a fixed sample of mutants per file
    python scripts/mutation.py --group policy-engine  # the rest of the policy engine (~17 minutes)
    python scripts/mutation.py --group deploy      # one group (repeatable)
    python scripts/mutation.py --sample 0          # every mutant (hours on 2 cores)
    python scripts/mutation.py --report-only       # the scores and survivors of the last run again

Prints the share of mutants caught per file and the survivors; writes build/mutation/report.json.
mutmut (pinned in requirements-mutation.lock) mutates and runs the tests. This script adds what it
lacks: a working copy and configuration per group (mutmut reads one setup.cfg per directory), a
deterministic sample (it has none), and the per-file totals.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
MUTMUT = [sys.executable, "-m", "mutmut"]

# The policy tests: first the fixtures that each reach one finding (they catch most mutants in seconds), then whole plans.
POLICY_TESTS = ["tests/policy/test_rule_findings.py", "tests/policy/test_rules.py", "tests/policy/test_iam_semantics.py"]
# group: (folders to mutate, the tests that exercise them, settings that narrow what is mutated).
# Paths are as the tests import them: scripts/ is on their path, so policy/ is scripts/policy/.
GROUPS = {
    "deploy": (["lambda_src/deploy/"], ["tests/lambdas/test_deploy.py"], {}),
    "release": (["lambda_src/release/"], ["tests/lambdas/test_release.py"], {}),
    "retrain_trigger": (["lambda_src/retrain_trigger/"], ["tests/lambdas/test_retrain_trigger.py"], {}),
    "inference": (["lambda_src/inference/"], ["tests/lambdas/test_inference.py"], {}),
    "rules": (["policy/"], POLICY_TESTS, {"only_mutate": ["policy/rules/*"]}),
    "policy-engine": (["policy/"], POLICY_TESTS, {"do_not_mutate": ["policy/rules/*"]}),
    "extensions": (["emulator/"], ["tests/emulator/test_extensions.py"], {"only_mutate": ["emulator/extensions.py", "emulator/codestar_connections.py"]}),
}
# Not in a plain run: the rest of the policy engine takes ~17 minutes at 5 mutants per file (its survivors
# run ~70 s of tests each), more than the whole gate's budget; `--group policy-engine` measures it.
OPT_IN = {"policy-engine"}
# Statements mutmut leaves alone, each with its reason.
NOT_MUTATED = {
    r"^\s*(log|LOG\.\w+|logger\.\w+|say|print)\(": "log lines and progress output: text for people, not behaviour",
    r"^\s*registered = Rule\(": "a policy rule's registration: it runs when the package is imported, before mutmut starts a mutant, so a mutant there never runs (test_rules.py checks a violation carries its rule's title and remedy)",
}
# Survivors no test can catch, because the mutant means the same to AWS; listed, never counted as caught.
IAM_NAME = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9*]+")  # an action (sts:AssumeRole) or a condition key (aws:PrincipalArn)
IAM_ENGINE_CALL = re.compile(r"\b(authorized|rcp_denies|allowed)\(")  # policy/iam.py: names compared case-insensitively, as AWS does
EQUIVALENT = "changes only the case of an IAM action or condition key handed straight to the IAM engine, which compares them case-insensitively, as AWS does"
# Mutants per file (the longest matching prefix; 30 otherwise, about +-8 points): more where tests are fast,
# fewer where each mutant's tests take long (the policy tests: ~40 s for a survivor; the rules, which the
# gate judges, keep 15), so a plain run stays under 15 minutes on 2 cores.
SAMPLES = {"scripts/emulator/": 60, "scripts/policy/": 5, "scripts/policy/rules/": 15}
DEFAULT_SAMPLE = 30
# The gate (issue #17): the least share of mutants caught per file, by path prefix; a file below it fails the run.
GATE = {"lambda_src/": 85.0, "scripts/policy/rules/": 85.0, "scripts/emulator/": 75.0}
COPIED = ["lambda_src", "scripts", "tests"]  # small: mutmut copies them into mutants/ with the mutated files
SHARED = ["modules", "environments", "policies", "build", "README.md"]  # linked from mutants/: the plans and what they are made of (GBs with .terraform)
PACKAGES = ["policy", "emulator"]  # scripts/<package>, linked at the top so mutmut names its modules as the tests import them


# A pytest plugin for the mutants' runs: mutmut hands pytest a mutant's tests in no particular order;
# in the group's file order, fastest first within a file (by the durations mutmut recorded), a caught
# mutant stops (-x) after seconds, not minutes.
FASTEST_FIRST = '''import json
from pathlib import Path

FILES = {files!r}


def pytest_collection_modifyitems(items):
    try:
        durations = json.loads(Path("mutmut-stats.json").read_text())["duration_by_test"]
    except (OSError, ValueError, KeyError):
        durations = {{}}
    rank = {{name: i for i, name in enumerate(FILES)}}
    items.sort(key=lambda item: (rank.get(item.nodeid.split("::")[0], len(FILES)), durations.get(item.nodeid, 0.0)))
'''


def setup_cfg(sources: list[str], tests: list[str], narrowed: dict[str, list[str]]) -> str:
    lines = ["[mutmut]", "source_paths ="] + [f"    {s}" for s in sources]  # whole packages: mutmut copies only these into mutants/
    for key, patterns in narrowed.items():
        lines += [f"{key} ="] + [f"    {p}" for p in patterns]
    lines += ["pytest_add_cli_args =", "    -n0", "    -p", "    no:cacheprovider", "    -p", "    fastest_first", "    -x"]
    lines += ["pytest_add_cli_args_test_selection ="] + [f"    {t}" for t in tests]
    lines += ["also_copy ="] + [f"    {p}/" for p in COPIED] + ["    pytest.ini", "    fastest_first.py"]
    lines += ["do_not_mutate_patterns ="] + [f"    {p}" for p in NOT_MUTATED]
    return "\n".join(lines) + "\n"


def link(path: Path, target: Path) -> None:
    if not path.is_symlink():
        path.symlink_to(target)


def mirror(source: Path, target: Path, leave_out: tuple[str, ...] = ()) -> None:
    """target/ links every entry of source/ but .terraform folders (mutmut copies what links point to: GBs)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name == ".terraform" or entry.name in leave_out:
            continue
        if entry.is_dir() and not entry.is_symlink() and next(entry.rglob(".terraform"), None):
            mirror(entry, target / entry.name)
        else:
            link(target / entry.name, entry)


def prepare(group: str) -> Path:
    """build/mutation/<group>: links to the project and the group's setup.cfg, so runs never touch the checkout.
    Its pytest.ini puts the folder first on the path, so the tests import the mutated copy of a package."""
    sources, tests, narrowed = GROUPS[group]
    work = WORK / group
    (work / "mutants").mkdir(parents=True, exist_ok=True)
    mutated = tuple(p for p in PACKAGES if any(s.startswith(f"{p}/") for s in sources))
    for name in COPIED:  # scripts/ without the mutated packages: tests/support.py puts scripts/ first on the path
        mirror(ROOT / name, work / name, mutated if name == "scripts" else ())
    for name in mutated:
        link(work / name, ROOT / "scripts" / name)
    for name in SHARED:  # in mutants/ for the tests; beside it for the packages, which find the project two levels up
        link(work / "mutants" / name, ROOT / name)
        link(work / name, ROOT / name)
    ini = (ROOT / "pytest.ini").read_text()
    (work / "pytest.ini").write_text(re.sub(r"(?m)^pythonpath = ", "pythonpath = . ", ini))
    (work / "fastest_first.py").write_text(FASTEST_FIRST.format(files=tests))
    (work / "setup.cfg").write_text(setup_cfg(sources, tests, narrowed))
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


def file_of(mutant: str) -> str:
    """lambda_src.deploy.app.x_handler__mutmut_3 -> lambda_src/deploy/app.py; policy.iam.x_... -> scripts/policy/iam.py"""
    module = mutant.split(".x_")[0].split(".x\u01c1")[0]
    path = module.replace(".", "/")
    if (ROOT / "scripts" / f"{path}/__init__.py").exists():
        path += "/__init__"
    return ("scripts/" if path.split("/")[0] in PACKAGES else "") + path + ".py"


def by_prefix(table: dict[str, Any], path: str, default: Any = None) -> Any:
    """The value of the longest prefix of `path` in `table`."""
    return max(((len(prefix), value) for prefix, value in table.items() if path.startswith(prefix)), default=(0, default))[1]


def below_gate(report: dict[str, dict]) -> list[str]:
    """Gated files whose score is under their threshold, or that no mutant judged (nothing proven)."""
    failing = []
    for path, row in report.items():
        least = by_prefix(GATE, path)
        if least is not None and (row["score"] is None or row["score"] < least):
            failing.append(f"{path}: {'nothing judged' if row['score'] is None else str(row['score']) + '%'}, the gate is {least:g}%")
    return failing


def change_of(work: Path, mutant: str) -> tuple[str, str]:
    """(removed, added) lines of a mutant, from `mutmut show`."""
    lines = subprocess.run([*MUTMUT, "show", mutant], cwd=work, text=True, capture_output=True).stdout.splitlines()
    removed = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
    return "\n".join(removed), "\n".join(added)


def equivalent(before: str, after: str) -> bool:
    """The mutant changes only the case of IAM actions or condition keys in a call of the IAM engine."""
    old, new = (re.findall(r"[\"']([^\"']*)[\"']", text) for text in (before, after))
    changed = [o for o, n in zip(old, new) if o != n]
    return (bool(changed) and len(old) == len(new) and before.lower() == after.lower() and all(IAM_NAME.fullmatch(o) for o in changed)
            and bool(IAM_ENGINE_CALL.search(after)))


def run_group(group: str, sample: int | None, seed: int, run: bool = True) -> dict[str, dict]:
    """sample: mutants per file (0: all; None: SAMPLES)."""
    if not run and not (WORK / group / "mutants" / "mutmut-stats.json").is_file():
        print(f"==> {group}: no finished run to report (run it without --report-only)", flush=True)
        return {}
    if run:  # from scratch: mutmut keeps its test mapping and verdicts when only the tests changed
        shutil.rmtree(WORK / group / "mutants", ignore_errors=True)
    work = prepare(group)
    started = time.monotonic()
    if run:
        print(f"==> {group}: generating mutants and mapping tests", flush=True)
        subprocess.run([*MUTMUT, "run", "--max-children", "2", "no-such-mutant"], cwd=work, capture_output=True)
    everything = results(work)
    by_file: dict[str, list[str]] = defaultdict(list)
    for name in sorted(everything):
        by_file[file_of(name)].append(name)
    sizes = {path: by_prefix(SAMPLES, path, DEFAULT_SAMPLE) if sample is None else sample for path in by_file}
    chosen = [n for path, names in by_file.items() for n in (random.Random(seed).sample(names, sizes[path]) if 0 < sizes[path] < len(names) else names)]
    print(f"==> {group}: {'running' if run else 'results of'} {len(chosen)} of {len(everything)} mutants", flush=True)
    for start in range(0, len(chosen) if run else 0, 200):  # keep the command line short
        subprocess.run([*MUTMUT, "run", "--max-children", "2", *chosen[start:start + 200]], cwd=work, capture_output=True)
    statuses = results(work)
    report = {}
    for path, names in sorted(by_file.items()):
        ran = {n: statuses.get(n, "not checked") for n in names if n in chosen}
        same = sorted(n for n, s in ran.items() if s == "survived" and equivalent(*change_of(work, n)))
        ran = {n: "equivalent" if n in same else s for n, s in ran.items()}
        caught = sum(1 for s in ran.values() if s in ("killed", "timeout"))
        judged = sum(1 for s in ran.values() if s in ("killed", "timeout", "survived", "no tests"))
        report[path] = {"mutants": len(names), "judged": judged, "caught": caught,
                        "score": round(100 * caught / judged, 1) if judged else None,
                        "survivors": sorted(n for n, s in ran.items() if s in ("survived", "no tests")), "equivalent": same}
    print(f"==> {group}: done in {time.monotonic() - started:.0f}s", flush=True)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", action="append", choices=sorted(GROUPS), help=f"only these groups (default: all but {', '.join(sorted(OPT_IN))})")
    parser.add_argument("--sample", type=int, default=int(os.environ.get("MUTATION_SAMPLE", "-1")), help="mutants per file, for every group (0: all; default: SAMPLES, 30 for the Lambdas)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report-only", action="store_true", help="summarise the last run's results without running mutants")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    lock = open(WORK / ".lock", "w")
    try:  # two runs would share build/mutation/<group>/mutants and mutmut's state
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("error: another `make mutation` is running (build/mutation/.lock); wait for it or stop it", file=sys.stderr)
        return 2
    report: dict[str, dict] = {}
    for group in args.group or [g for g in GROUPS if g not in OPT_IN]:
        report.update(run_group(group, args.sample if args.sample >= 0 else None, args.seed, run=not args.report_only))
    print("\nmutants caught per file (killed or timed out, of those judged):")
    for path, row in report.items():
        score = "n/a" if row["score"] is None else f"{row['score']:5.1f}%"
        print(f"  {score}  {row['caught']:4}/{row['judged']:<4} {path}  ({row['mutants']} mutants in all)")
    survivors = [(path, name) for path, row in report.items() for name in row["survivors"]]
    if survivors:
        print(f"\nsurvivors ({len(survivors)}; `cd build/mutation/<group> && mutmut show <name>` shows the change):")
        for path, name in survivors:
            print(f"  {name}")
    same = [name for row in report.values() for name in row.get("equivalent", [])]
    if same:
        print(f"\nequivalent, not judged ({len(same)}; the mutant {EQUIVALENT}):")
        for name in same:
            print(f"  {name}")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "report.json").write_text(json.dumps({"sample": args.sample if args.sample >= 0 else {"default": DEFAULT_SAMPLE, **SAMPLES}, "seed": args.seed, "excluded": NOT_MUTATED, "equivalent": EQUIVALENT, "files": report}, indent=2))
    print(f"\nreport: {(WORK / 'report.json').relative_to(ROOT)}")
    failing = below_gate(report)
    if failing:
        print("\nbelow the gate:\n" + "\n".join(f"  {line}" for line in failing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
