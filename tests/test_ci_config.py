"""The fast checks, the pre-commit hooks and the CI workflow run the same commands: `make check` is
its four parts, pre-commit runs each part, and the workflow runs `make check`, the plans, the policy
suite (uploading its SARIF) and the README's two commands."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def check_parts() -> list[str]:
    match = re.search(r"^check: (.*?) ##", (ROOT / "Makefile").read_text(), flags=re.M)
    assert match, "the Makefile has no check target"
    return match[1].split()


def test_pre_commit_runs_each_part_of_make_check():
    hooks = [h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"] for h in repo["hooks"]]
    assert [h["entry"] for h in hooks] == [f"make {part}" for part in check_parts()]
    assert all(h["language"] == "system" and h["pass_filenames"] is False for h in hooks)


def workflow_commands() -> dict[str, list[str]]:
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]
    return {name: [s["run"] for s in job["steps"] if "run" in s] for name, job in jobs.items()}


def test_the_workflow_runs_the_checks_the_plans_the_policy_suite_and_the_readme_commands():
    commands = workflow_commands()
    assert commands["check"] == ["make check"]
    assert commands["policy"] == ["make plans", "make policy"]
    readme = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)[1]
    assert commands["test"] == [line.split("#")[0].strip() for line in readme.splitlines() if line.strip()]
    assert commands["test"] == [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("make ")]


def test_the_workflow_uploads_the_policy_sarif_with_the_permission_it_needs():
    job = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["policy"]
    upload = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "build/policy/report.sarif" and upload["if"] == "always()"
    assert job["permissions"]["security-events"] == "write"
