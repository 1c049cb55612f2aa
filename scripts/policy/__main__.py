"""Check tier plans against the guardrails: python -m policy [PLAN.json ...]

With no plans, checks every build/plans/<tier>.json. PLANS may be separated by spaces or commas.
Runs this project's rules (real IAM evaluation along every path) and checkov (built-in AWS checks on
the plans and the HCL, plus policies/checkov/), prints one progress line per plan and per engine and
one line per violation, and writes build/policy/report.json and report.sarif (with the file and line
of each resource block). Exit 0 when every rule holds, 1 on violations, 2 on unusable input.
"""
from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import yaml

from policy import managed
from policy import plan as plans
from policy.locations import Locator
from policy.resolve import Configuration
from policy.rules import RULES, Violation, evaluate

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
CHECKS_DIR = ROOT / "policies" / "checkov"
SKIPS_FILE = ROOT / "policies" / "checkov-skips.yaml"
PROJECT_CODE = ("modules/", "environments/")  # the project's checkov skips apply here, never to other code


class UnusableInput(Exception):
    """A plan or engine the suite cannot use: exit 2 with the reason."""


def say(message: str) -> None:
    print(f"policy: {message}", flush=True)


def load_skips() -> dict[str, list[str]]:
    """Check ID -> the resource address patterns it is skipped for (["*"]: all of this project's)."""
    skips = yaml.safe_load(SKIPS_FILE.read_text()) or {}
    normal: dict[str, list[str]] = {}
    missing = []
    for check, entry in skips.items():
        reason = entry.get("reason") if isinstance(entry, dict) else entry
        if not str(reason or "").strip():
            missing.append(check)
        normal[check] = list(entry.get("resources") or ["*"]) if isinstance(entry, dict) else ["*"]
    if missing:
        raise SystemExit(f"error: {SKIPS_FILE}: skipped checks need a written reason: {missing}")
    return normal


# checkov's speed: it reads a plan with a YAML parser (seconds per MB), so it gets only the parts it
# uses; rendering for_each of HCL modules triples the HCL scan and changes no result here (measured by
# scripts/bench_policy.py); the HCL scan depends on the .tf files alone, so its result is kept by their hash.
PLAN_PARTS = ("format_version", "terraform_version", "variables", "planned_values", "resource_changes", "configuration")
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false", "LOG_LEVEL": "ERROR",
               "CHECKOV_ENABLE_FOREACH_HANDLING": "False", "CHECKOV_ENABLE_MODULES_FOREACH_HANDLING": "False"}


def slim_plans(files: list[Path]) -> list[Path]:
    folder = Path(tempfile.mkdtemp(prefix="checkov-plans-"))
    slim = []
    for f in files:
        raw = json.loads(f.read_text())
        target = folder / f.name
        target.write_text(json.dumps({k: raw[k] for k in PLAN_PARTS if k in raw}))
        slim.append(target)
    return slim


def hcl_fingerprint() -> str:
    digest = hashlib.sha256(CHECKOV.resolve().read_bytes() if CHECKOV.exists() else b"")
    digest.update(json.dumps(CHECKOV_ENV, sort_keys=True).encode())
    for path in sorted([*(p for d in ("modules", "environments") for p in (ROOT / d).rglob("*.tf") if ".terraform" not in p.parts), *CHECKS_DIR.rglob("*.*")]):
        digest.update(f"{path.relative_to(ROOT)}\0".encode() + path.read_bytes())
    return digest.hexdigest()[:20]


def start_checkov(args: list[str], cached: Path | None = None) -> tuple[subprocess.Popen | None, Path, float]:
    if cached is not None and cached.is_file():
        return None, cached.parent, time.monotonic()
    out = Path(tempfile.mkdtemp(prefix="checkov-"))
    command = [
        str(CHECKOV), *args, "--external-checks-dir", str(CHECKS_DIR),
        "--skip-download", "--quiet", "--compact", "--output", "json", "--output-file-path", str(out), "--soft-fail",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, **CHECKOV_ENV}), out, time.monotonic()


def project_file(check: dict) -> str:
    """The .tf file of a checkov result, relative to the repository ('' when it is not in it)."""
    for path in (check.get("file_abs_path") or "", check.get("file_path") or ""):
        if path.endswith(".tf") and path.startswith(str(ROOT)):
            return str(Path(path).relative_to(ROOT))
        if path.endswith(".tf") and (ROOT / path.lstrip("/")).is_file():
            return path.lstrip("/")
    return ""


def checkov_violations(process: subprocess.Popen | None, out: Path, label: str, skips: dict[str, list[str]], started: float, keep: Path | None, locators: dict[str, Locator]) -> tuple[list[Violation], dict[tuple[str, str], tuple[str, int]]]:
    report = keep if process is None and keep is not None else out / "results_json.json"
    if process is not None:
        _, stderr = process.communicate()
        if process.returncode != 0 or not report.exists():
            raise UnusableInput(f"checkov ({label}) failed: {stderr[-2000:]}")
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            keep.write_text(report.read_text())
    else:
        label, started = label + ", unchanged since the last scan", time.monotonic()
    data = json.loads(report.read_text())
    found, where, skipped = [], {}, 0
    for result in data if isinstance(data, list) else [data]:
        for check in result.get("results", {}).get("failed_checks", []):
            path = check.get("file_abs_path") or check.get("file_path", "")
            plan = Path(path).stem if path.endswith(".json") else None
            spot = locators[plan].locate(check.get("resource", "")) if plan in locators else None
            source = spot[0] if spot else project_file(check)
            patterns = skips.get(check["check_id"], [])
            if source.startswith(PROJECT_CODE) and any(fnmatch.fnmatchcase(check.get("resource", ""), p) for p in patterns):
                skipped += 1
                continue
            plan = plan or f"hcl:{source or path}"
            violation = Violation(check["check_id"], check["check_name"], plan, check.get("resource", "?"),
                                  f"checkov {result.get('check_type', '')} check failed", check.get("guideline") or "see the checkov documentation for this check")
            found.append(violation)
            if spot or source:
                where[(violation.plan, violation.address)] = spot or (source, (check.get("file_line_range") or [1])[0])
    say(f"checkov {label}: {len(found)} failed, {skipped} skipped in this project's modules ({time.monotonic() - started:.1f}s)")
    return found, where


def root_of(plan_path: Path, explicit: str | None) -> Path | None:
    """The root module a plan was made from: --root, build/plans/<tier>.json's environment, or the plan's folder."""
    if explicit:
        return Path(explicit).resolve()
    tier = ROOT / "environments" / plan_path.stem
    if plan_path.resolve().parent == (ROOT / "build" / "plans").resolve() and tier.is_dir():
        return tier
    return plan_path.resolve().parent if any(plan_path.resolve().parent.glob("*.tf")) else None


def stale(plan_path: Path, root: Path | None) -> str | None:
    if root is None:
        return None
    sources = [*root.glob("*.tf"), *(p for p in (ROOT / "modules").rglob("*.tf") if ".terraform" not in p.parts)]
    newest = max(sources, key=lambda p: p.stat().st_mtime, default=None)
    if newest and newest.stat().st_mtime > plan_path.stat().st_mtime:
        return f"{plan_path} is older than {newest.relative_to(ROOT) if newest.is_relative_to(ROOT) else newest}: re-plan it (make plan-{plan_path.stem})"
    return None


def sarif(violations: list[Violation], where: dict[tuple[str, str], tuple[str, int]], plan_files: dict[str, Path]) -> dict:
    rules = {r.id: r for r in RULES}
    ids = sorted({v.rule for v in violations} | set(rules))

    def location(v: Violation) -> dict:
        path, line = where.get((v.plan, v.address)) or (str(plan_files[v.plan].resolve().relative_to(ROOT)) if v.plan in plan_files and plan_files[v.plan].resolve().is_relative_to(ROOT) else str(plan_files.get(v.plan, v.plan)), 1)
        return {
            "physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": line}},
            "logicalLocations": [{"fullyQualifiedName": f"{v.plan}:{v.address}", "kind": "resource"}],
        }
    return {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {"name": "mlops-policy", "informationUri": "https://github.com/", "rules": [
                {"id": i, "shortDescription": {"text": rules[i].title if i in rules else i},
                 "help": {"text": rules[i].remedy if i in rules else ""}} for i in ids]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": ROOT.as_uri() + "/"}},
            "results": [{
                "ruleId": v.rule, "level": "error",
                "message": {"text": f"{v.message}. Fix: {v.remedy}"},
                "locations": [location(v)],
            } for v in violations],
        }],
    }


def check_plan(path: Path, root: Path | None) -> tuple[list[Violation], Locator]:
    started = time.monotonic()
    try:
        plan = plans.load(path)
    except (ValueError, KeyError, json.JSONDecodeError) as error:
        raise UnusableInput(f"{path} is not a Terraform plan in JSON form ({error})")
    found = evaluate(plan)
    locator = Locator(Configuration(plan.raw), root, ROOT)
    principals = sum(1 for r in plan.resources if r.type in ("aws_iam_role", "aws_iam_user"))
    say(f"{path.name}: {len(RULES)} rules on {len(plan.resources)} resources in {len(set(plan.account_roles.values())) or 1} account(s), {principals} principals: {len(found)} violation(s) ({time.monotonic() - started:.1f}s)")
    for note in plan.notes:
        say(f"{path.name}: note: {note}")
    return found, locator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plans", nargs="*", help="plan JSON files, separated by spaces or commas (default: build/plans/*.json)")
    parser.add_argument("--root", help="the root module the plans were made from (for file and line locations; default: found)")
    parser.add_argument("--no-checkov", action="store_true", help="only this project's rules")
    parser.add_argument("--no-hcl", action="store_true", help="skip the checkov scan of modules/ and environments/")
    parser.add_argument("--report-dir", default=str(ROOT / "build" / "policy"))
    args = parser.parse_args(argv)
    started = time.monotonic()
    files = [Path(p) for arg in args.plans for p in arg.replace(",", " ").split()] or sorted((ROOT / "build" / "plans").glob("*.json"))
    if not files:
        print("error: no plans to check; run `make plan-<tier>` first", file=sys.stderr)
        return 2
    for f in files:
        if not f.is_file():
            print(f"error: {f} does not exist", file=sys.stderr)
            return 2
    skips = load_skips()
    running = []
    if not args.no_checkov:
        keep = ROOT / "build" / "policy" / f"checkov-hcl-{hcl_fingerprint()}.json"
        if not args.no_hcl:
            running.append(("hcl (modules)", *start_checkov(["-d", str(ROOT / "modules"), "--framework", "terraform"], keep), keep))
        # one checkov per free core: a plan scan is mostly parsing, which does not share a process well
        free = max(1, (os.cpu_count() or 1) - sum(1 for r in running if r[1] is not None))
        slim = sorted(slim_plans(files), key=lambda f: -f.stat().st_size)
        for group in [slim[i::free] for i in range(min(free, len(slim)))]:
            running.append((f"plans ({', '.join(f.stem for f in group)})", *start_checkov([a for f in group for a in ("-f", str(f))] + ["--framework", "terraform_plan"]), None))
    say(managed.snapshot_label())
    violations: list[Violation] = []
    where: dict[tuple[str, str], tuple[str, int]] = {}
    locators: dict[str, Locator] = {}
    try:
        for f in files:
            root = root_of(f, args.root)
            if (outdated := stale(f, root)) is not None:  # a plan of older code proves nothing about this code
                raise UnusableInput(outdated)
            found, locators[f.stem] = check_plan(f, root)
            violations += found
            where.update({(v.plan, v.address): spot for v in found if (spot := locators[f.stem].locate(v.address))})
        for label, process, out, began, keep in running:
            found, spots = checkov_violations(process, out, label, skips, began, keep, locators)
            violations += found
            where.update(spots)
    except UnusableInput as error:
        for _, process, *_ in running:
            process.kill() if process else None
        print(f"error: {error}", file=sys.stderr)
        return 2
    violations = sorted(set(violations), key=lambda v: (v.plan, v.rule, v.address, v.message))
    for v in violations:
        print(f"{v.rule}  {v.title}  [{v.plan}] {v.address}: {v.message}. Fix: {v.remedy}")
    report = Path(args.report_dir)
    report.mkdir(parents=True, exist_ok=True)
    (report / "report.json").write_text(json.dumps({"plans": [str(f) for f in files], "violations": [asdict(v) for v in violations]}, indent=2))
    (report / "report.sarif").write_text(json.dumps(sarif(violations, where, {f.stem: f for f in files}), indent=2))
    status = f"{len(violations)} violation(s)" if violations else "all rules hold"
    say(f"{status} in {len(files)} plan(s), {len(RULES)} project rules + {'no checkov' if args.no_checkov else 'checkov'}, {time.monotonic() - started:.1f}s; reports in {report}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
