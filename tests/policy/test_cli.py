"""`make policy`: exit codes, one line per violation, JSON and SARIF reports, checkov in its own
venv with this project's custom checks, and skips that carry reasons."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml

from fixtures import small_raw, tier_raw
from support import ROOT

pytestmark = pytest.mark.xdist_group("small")
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def run_policy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policy", *args], cwd=ROOT, env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"}, text=True, capture_output=True)


@pytest.mark.parametrize("tier", [pytest.param(t, marks=pytest.mark.xdist_group(t)) for t in ("small", "medium", "large")])
def test_tier_plans_pass_every_rule(tmp_path, tier):
    # One worker per tier directory: a plan (re)initialises it, which must not race its terraform test.
    plan = tmp_path / f"{tier}.json"
    plan.write_text(json.dumps(tier_raw(tier)))
    result = run_policy(str(plan), "--report-dir", str(tmp_path / "report"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all rules hold" in result.stdout
    assert json.loads((tmp_path / "report" / "report.json").read_text())["violations"] == []


def test_a_violation_fails_with_one_line_and_reports(tmp_path):
    raw = small_raw()
    planned = next(r for m in raw["planned_values"]["root_module"]["child_modules"] for r in m.get("resources", []) if r["address"] == "module.dev.aws_sagemaker_domain.this")
    planned["values"]["app_network_access_type"] = "PublicInternetOnly"  # the view checkov reads; the engine reads both
    plan = tmp_path / "broken.json"
    plan.write_text(json.dumps(raw))
    result = run_policy(str(plan), "--report-dir", str(tmp_path / "report"))
    assert result.returncode == 1
    lines = [l for l in result.stdout.splitlines() if l.startswith(("MLOPS-", "CKV"))]
    assert any(re.match(r"MLOPS-001  Studio domain is VPC-only .*\[broken\] module\.dev\.aws_sagemaker_domain\.this: .*Fix: ", l) for l in lines), lines
    assert any(l.startswith("CKV_MLOPS_1 ") for l in lines), "the custom checkov check runs too"
    sarif = json.loads((tmp_path / "report" / "report.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"MLOPS-001", "CKV_MLOPS_1"}


def test_bad_input_exits_2(tmp_path):
    assert run_policy(str(tmp_path / "missing.json")).returncode == 2
    (tmp_path / "garbage.json").write_text("{}")
    result = run_policy(str(tmp_path / "garbage.json"), "--no-checkov")
    assert result.returncode == 2 and "not a Terraform plan" in result.stderr


@pytest.mark.parametrize(("fixture", "expected"), [("pass", set()), ("fail", {"CKV_MLOPS_1", "CKV2_MLOPS_1"})])
def test_custom_checkov_checks(fixture, expected):
    result = subprocess.run(
        [str(CHECKOV), "-f", str(ROOT / "tests" / "policy" / "checkov" / f"{fixture}.json"), "--framework", "terraform_plan",
         "--external-checks-dir", str(ROOT / "policies" / "checkov"), "--check", "CKV_MLOPS_1,CKV2_MLOPS_1", "--skip-download", "-o", "json", "--quiet", "--compact"],
        text=True, capture_output=True, env={"PATH": "/usr/bin:/bin", "BC_SKIP_MAPPING": "TRUE"},
    )
    data = json.loads(result.stdout) if result.stdout.strip().startswith(("{", "[")) else {}
    failed = {c["check_id"] for r in (data if isinstance(data, list) else [data]) for c in r.get("results", {}).get("failed_checks", [])}
    assert failed == expected, result.stdout[-2000:] + result.stderr[-2000:]


def test_every_skip_has_a_reason_and_empty_reasons_are_refused(tmp_path, monkeypatch):
    skips = yaml.safe_load((ROOT / "policies" / "checkov-skips.yaml").read_text())
    assert skips and all(isinstance(reason, str) and len(reason.split()) >= 5 for reason in skips.values()), skips
    import policy.__main__ as cli
    bad = tmp_path / "skips.yaml"
    bad.write_text("CKV_AWS_1: ''\n")
    monkeypatch.setattr(cli, "SKIPS_FILE", bad)
    with pytest.raises(SystemExit, match="need a written reason"):
        cli.load_skips()


def test_no_inline_checkov_skips():
    inline = [str(p.relative_to(ROOT)) for d in ("modules", "environments") for p in (ROOT / d).rglob("*.tf") if "checkov:skip" in p.read_text()]
    assert not inline, f"put skips with reasons in policies/checkov-skips.yaml, not inline: {inline}"
