"""`make policy`: exit codes, progress lines, one line per violation, JSON and SARIF reports with file
and line locations, checkov in its own venv with this project's custom checks, and skips that carry
reasons and apply only to this project's own modules."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import jsonschema
import pytest
import yaml

from fixtures import planned, small_raw, tier_raw
from plans import COMMUNITY, community_plan
from support import ROOT

pytestmark = pytest.mark.xdist_group("small")
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())


def assert_valid_sarif(report: dict) -> None:
    """SARIF 2.1.0 as GitHub code scanning reads it (tests/fixtures/sarif: the OASIS schema, vendored)."""
    errors = sorted(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(report), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]


def run_policy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policy", *args], cwd=ROOT, env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"}, text=True, capture_output=True)


@pytest.mark.parametrize("tier", [pytest.param(t, marks=pytest.mark.xdist_group(t)) for t in ("small", "medium", "large")])
def test_tier_plans_pass_every_rule(tmp_path, tier):
    # One worker per tier directory: a plan (re)initialises it, which must not race its terraform test.
    # The project's rules only: checkov on the same plans runs once, in the `make policy` test below.
    plan = tmp_path / f"{tier}.json"
    plan.write_text(json.dumps(tier_raw(tier)))
    result = run_policy(str(plan), "--root", str(ROOT / "environments" / tier), "--no-checkov", "--report-dir", str(tmp_path / "report"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all rules hold" in result.stdout
    assert json.loads((tmp_path / "report" / "report.json").read_text())["violations"] == []
    assert_valid_sarif(json.loads((tmp_path / "report" / "report.sarif").read_text()))


def test_a_violation_fails_with_one_line_a_located_sarif_result_and_progress_lines(tmp_path):
    raw = small_raw()
    planned(raw, "module.tier.module.dev.aws_sagemaker_domain.this")["app_network_access_type"] = "PublicInternetOnly"  # the view checkov reads; the engine reads both
    plan = tmp_path / "broken.json"
    plan.write_text(json.dumps(raw))
    result = run_policy(f"{plan},{plan}", "--root", str(ROOT / "environments" / "small"), "--no-hcl", "--report-dir", str(tmp_path / "report"))
    assert result.returncode == 1
    lines = [l for l in result.stdout.splitlines() if l.startswith(("MLOPS-", "CKV"))]
    assert any(re.match(r"MLOPS-001  Studio domain is VPC-only .*\[broken\] module\.tier\.module\.dev\.aws_sagemaker_domain\.this: .*Fix: ", l) for l in lines), lines
    assert any(l.startswith("CKV_MLOPS_1 ") for l in lines), "the custom checkov check runs too"
    progress = [l for l in result.stdout.splitlines() if l.startswith("policy: ")]
    assert [l for l in progress if l.startswith("policy: broken.json: ")] and [l for l in progress if l.startswith("policy: checkov plans")]
    assert any("AWS managed policies: moto" in l for l in progress), "the managed-policy snapshot and its date are printed"
    sarif = json.loads((tmp_path / "report" / "report.sarif").read_text())
    assert_valid_sarif(sarif)
    results = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    assert {"MLOPS-001", "CKV_MLOPS_1"} <= set(results)
    studio = (ROOT / "modules" / "dev" / "studio.tf").read_text().splitlines()
    line = next(i for i, text in enumerate(studio, 1) if text.startswith('resource "aws_sagemaker_domain" "this"'))
    for rule in ("MLOPS-001", "CKV_MLOPS_1"):
        location = results[rule]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "modules/dev/studio.tf" and location["region"]["startLine"] == line, location


def test_the_sarif_schema_rejects_what_code_scanning_rejects():
    """The check can fail: the schema is draft-04 and catches a result without its message or a bad level."""
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    result = {"ruleId": "MLOPS-001", "level": "error", "message": {"text": "x"},
              "locations": [{"physicalLocation": {"artifactLocation": {"uri": "modules/dev/studio.tf"}, "region": {"startLine": 1}}}]}
    report = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "mlops-policy"}}, "results": [result]}]}
    assert_valid_sarif(report)
    for broken in ({k: v for k, v in result.items() if k != "message"}, {**result, "level": "fatal"},
                   {**result, "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}):
        with pytest.raises(AssertionError):
            assert_valid_sarif({**report, "runs": [{**report["runs"][0], "results": [broken]}]})


def test_bad_input_exits_2(tmp_path):
    assert run_policy(str(tmp_path / "missing.json")).returncode == 2
    (tmp_path / "garbage.json").write_text("{}")
    result = run_policy(str(tmp_path / "garbage.json"), "--no-checkov")
    assert result.returncode == 2 and "not a Terraform plan" in result.stderr


def test_a_plan_older_than_its_configuration_is_refused(tmp_path):
    plan = tmp_path / "small.json"
    plan.write_text(json.dumps(small_raw()))
    os.utime(plan, (0, 0))
    result = run_policy(str(plan), "--root", str(ROOT / "environments" / "small"), "--no-checkov", "--report-dir", str(tmp_path / "report"))
    assert result.returncode == 2 and "is older than" in result.stderr and "make plan-small" in result.stderr, result.stderr
    os.utime(plan)  # fresh again: checked
    assert run_policy(str(plan), "--root", str(ROOT / "environments" / "small"), "--no-checkov", "--report-dir", str(tmp_path / "report")).returncode == 0


@pytest.mark.xdist_group("community")
def test_the_projects_skips_never_hide_findings_in_other_code(tmp_path):
    plan = tmp_path / "community.json"
    plan.write_text(json.dumps(community_plan()))
    result = run_policy(str(plan), "--root", str(COMMUNITY), "--no-hcl", "--report-dir", str(tmp_path / "report"))
    assert result.returncode == 1
    skipped_here = set(yaml.safe_load((ROOT / "policies" / "checkov-skips.yaml").read_text()))
    reported = {(v["rule"], v["address"]) for v in json.loads((tmp_path / "report" / "report.json").read_text())["violations"]}
    assert ("CKV_AWS_18", "aws_s3_bucket.data") in reported and "CKV_AWS_18" in skipped_here, "skipped in this project's modules, reported in other code"
    assert ("MLOPS-003", "aws_iam_role.notebook") in reported


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
    reasons = [entry["reason"] if isinstance(entry, dict) else entry for entry in skips.values()]
    assert skips and all(isinstance(reason, str) and len(reason.split()) >= 5 for reason in reasons), skips
    import policy.__main__ as cli
    bad = tmp_path / "skips.yaml"
    bad.write_text("CKV_AWS_1: {resources: ['*']}\n")
    monkeypatch.setattr(cli, "SKIPS_FILE", bad)
    with pytest.raises(SystemExit, match="need a written reason"):
        cli.load_skips()


def test_every_exception_to_evaluation_has_a_reason():
    from policy.rules.platform import exceptions
    listed = exceptions()
    assert listed and all(e["address"] and len(e["because"].split()) >= 10 for e in listed)


def test_no_inline_checkov_skips():
    inline = [str(p.relative_to(ROOT)) for d in ("modules", "environments") for p in (ROOT / d).rglob("*.tf") if "checkov:skip" in p.read_text()]
    assert not inline, f"put skips with reasons in policies/checkov-skips.yaml, not inline: {inline}"


def test_make_policy_on_the_tier_plans_with_the_hcl_scan_passes(tmp_path):
    # build/plans/<tier>.json as `make test` plans them; their roots and the HCL of modules/ are found.
    result = run_policy("--report-dir", str(tmp_path / "report"))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    scanned = {name for names in re.findall(r"checkov plans \(([^)]*)\)", result.stdout) for name in names.split(", ")}
    assert "checkov hcl (modules)" in result.stdout and scanned == {"small", "medium", "large"}, result.stdout
    assert "all rules hold in 3 plan(s)" in result.stdout
    assert_valid_sarif(json.loads((tmp_path / "report" / "report.sarif").read_text()))
