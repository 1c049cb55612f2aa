"""Check tier plans against the guardrails: python -m policy [PLAN.json ...]

With no plans, checks every build/plans/<tier>.json. Runs this project's rules (real IAM
evaluation) and checkov (built-in AWS checks on the plans and the HCL, plus policies/checkov/),
prints one line per violation and writes build/policy/report.json and report.sarif.
Exit 0 when every rule holds, 1 otherwise, 2 on bad input.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import yaml

from policy import plan as plans
from policy.rules import RULES, Violation, evaluate

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
CHECKS_DIR = ROOT / "policies" / "checkov"
SKIPS_FILE = ROOT / "policies" / "checkov-skips.yaml"


def load_skips() -> dict[str, str]:
    skips = yaml.safe_load(SKIPS_FILE.read_text()) or {}
    missing = [check for check, reason in skips.items() if not str(reason or "").strip()]
    if missing:
        raise SystemExit(f"error: {SKIPS_FILE}: skipped checks need a written reason: {missing}")
    return skips


def start_checkov(args: list[str], skips: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    out = Path(tempfile.mkdtemp(prefix="checkov-"))
    command = [
        str(CHECKOV), *args, "--external-checks-dir", str(CHECKS_DIR), "--skip-check", ",".join(sorted(skips)),
        "--skip-download", "--quiet", "--compact", "--output", "json", "--output-file-path", str(out), "--soft-fail",
    ]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false", "LOG_LEVEL": "ERROR"}
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env), out


def checkov_violations(process: subprocess.Popen, out: Path, label: str) -> list[Violation]:
    _, stderr = process.communicate()
    report = out / "results_json.json"
    if process.returncode != 0 or not report.exists():
        raise SystemExit(f"error: checkov ({label}) failed: {stderr[-2000:]}")
    data = json.loads(report.read_text())
    found = []
    for result in data if isinstance(data, list) else [data]:
        for check in result.get("results", {}).get("failed_checks", []):
            path = check.get("file_abs_path") or check.get("file_path", "")
            where = Path(path).stem if path.endswith(".json") else f"hcl:{Path(path).relative_to(ROOT) if path.startswith(str(ROOT)) else path}"
            found.append(Violation(check["check_id"], check["check_name"], where, check.get("resource", "?"),
                                   f"checkov {result.get('check_type', '')} check failed", check.get("guideline") or "see the checkov documentation for this check"))
    return found


def sarif(violations: list[Violation]) -> dict:
    rules = {r.id: r for r in RULES}
    ids = sorted({v.rule for v in violations} | set(rules))
    return {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {"name": "mlops-policy", "rules": [
                {"id": i, "shortDescription": {"text": rules[i].title if i in rules else i},
                 "help": {"text": rules[i].remedy if i in rules else ""}} for i in ids]}},
            "results": [{
                "ruleId": v.rule, "level": "error",
                "message": {"text": f"{v.message}. Fix: {v.remedy}"},
                "locations": [{"logicalLocations": [{"fullyQualifiedName": f"{v.plan}:{v.address}"}]}],
            } for v in violations],
        }],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plans", nargs="*", help="plan JSON files (default: build/plans/*.json)")
    parser.add_argument("--no-checkov", action="store_true", help="only this project's rules")
    parser.add_argument("--no-hcl", action="store_true", help="skip the checkov scan of modules/ and environments/")
    parser.add_argument("--report-dir", default=str(ROOT / "build" / "policy"))
    args = parser.parse_args(argv)
    started = time.monotonic()
    files = [Path(p) for p in args.plans] or sorted((ROOT / "build" / "plans").glob("*.json"))
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
        plan_args = [a for f in files for a in ("-f", str(f))] + ["--framework", "terraform_plan", "--repo-root-for-plan-enrichment", str(ROOT)]
        running.append(("plans", *start_checkov(plan_args, skips)))
        if not args.no_hcl:
            running.append(("hcl", *start_checkov(["-d", str(ROOT / "modules"), "-d", str(ROOT / "environments"), "--framework", "terraform"], skips)))
    violations: list[Violation] = []
    for f in files:
        try:
            violations += evaluate(plans.load(f))
        except (ValueError, KeyError, json.JSONDecodeError) as error:
            print(f"error: {f} is not a Terraform plan in JSON form ({error})", file=sys.stderr)
            return 2
    for label, process, out in running:
        violations += checkov_violations(process, out, label)
    violations = sorted(set(violations), key=lambda v: (v.plan, v.rule, v.address, v.message))
    for v in violations:
        print(f"{v.rule}  {v.title}  [{v.plan}] {v.address}: {v.message}. Fix: {v.remedy}")
    report = Path(args.report_dir)
    report.mkdir(parents=True, exist_ok=True)
    (report / "report.json").write_text(json.dumps({"plans": [str(f) for f in files], "violations": [asdict(v) for v in violations]}, indent=2))
    (report / "report.sarif").write_text(json.dumps(sarif(violations), indent=2))
    status = f"{len(violations)} violation(s)" if violations else "all rules hold"
    print(f"policy: {status} in {len(files)} plan(s), {len(RULES)} project rules + checkov, {time.monotonic() - started:.1f}s; reports in {report}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
