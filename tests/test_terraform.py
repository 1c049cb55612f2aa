"""Static checks of every module and environment: fmt, validate, `terraform test` (mock_provider).

`terraform test` validates the configuration before its first run (an invalid reference fails
it), so every module and environment, each with tests, is validated by them and `terraform validate`
would only repeat it. Each Terraform process loads the AWS provider schema (about 2 s of CPU), so none
runs twice.
"""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import ROOT, terraform, terraform_init

MODULE_DIRS = sorted(p.parent for p in (ROOT / "modules").rglob("versions.tf") if ".terraform" not in p.parts)
ENV_DIRS = sorted(p.parent for p in (ROOT / "environments").glob("*/versions.tf"))
TESTED_DIRS = sorted(d for d in MODULE_DIRS + ENV_DIRS if list(d.glob("tests/*.tftest.hcl")))


def ids(dirs: list[Path]) -> list[str]:
    return [str(d.relative_to(ROOT)) for d in dirs]


def params(dirs: list[Path]) -> list:
    """Environment directories are also planned by the inventory tests: one xdist worker per directory."""
    return [pytest.param(d, id=str(d.relative_to(ROOT)), marks=pytest.mark.xdist_group(d.name) if d in ENV_DIRS else ()) for d in dirs]


def test_terraform_is_formatted() -> None:
    result = terraform(["fmt", "-check", "-recursive", "-list=true", "modules", "environments"], ROOT, check=False)
    assert result.returncode == 0, f"run `make fmt`; unformatted files:\n{result.stdout}"


def test_every_module_and_environment_has_native_tests() -> None:
    """Which also validates each of them: `terraform test` validates the configuration before a run."""
    untested = [str(d.relative_to(ROOT)) for d in MODULE_DIRS + ENV_DIRS if d not in TESTED_DIRS]
    assert not untested, f"add tests/validation.tftest.hcl to: {untested}"


@dataclass(frozen=True)
class Validation:
    variable: str
    file: str
    line: int
    message: str


def validations(directory: Path) -> dict[tuple[str, int], Validation]:
    """Every `validation` block of the directory's variables, by (file, line of `validation {`)."""
    found = {}
    for tf in sorted(directory.glob("*.tf")):
        lines = tf.read_text().splitlines()
        variable = None
        for number, text in enumerate(lines, 1):
            if match := re.match(r'variable "(\w+)"', text):
                variable = match.group(1)
            elif text.startswith("}"):
                variable = None
            elif variable and re.match(r"\s*validation\s*\{", text):
                message = next(re.search(r'error_message\s*=\s*"((?:[^"\\]|\\.)*)"', t) for t in lines[number:] if "error_message" in t)
                found[(tf.name, number)] = Validation(variable, tf.name, number, json.loads(f'"{message.group(1)}"'))
    return found


RUN = re.compile(r'(?ms)^run "([^"]+)" \{\n.*?^\}\n')
EXPECT = re.compile(r"(?m)^\s*expect_failures\s*=\s*\[([^\]]*)\]\s*\n")


def split_negative_runs(directory: Path, checks: dict[tuple[str, int], Validation]) -> tuple[Path, dict[str, set[str]], dict[str, tuple[str, list[str]]], set[str]]:
    """.terraform/mlops-tests/: the test files as written, plus each `expect_failures` run that Terraform
    alone cannot judge in a file of its own without it, so the failure shows with its diagnostics (after an
    error, `terraform test` skips the rest of a file). Terraform passes `expect_failures = [var.X]` when any
    validation of X fails: where X has one validation, that is the proof; where it has several, or the run
    names a resource, the run goes alone, and only alone. Returns the folder, the runs left in each file as
    written, each alone run's (run, expected failures) by file, and the variables proven by Terraform alone."""
    per_variable = Counter(v.variable for v in checks.values())
    folder = directory / ".terraform" / "mlops-tests"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    written, alone, proven = {}, {}, set()
    for test_file in sorted(directory.glob("tests/*.tftest.hcl")):
        text = test_file.read_text()
        header, kept = RUN.sub("", text), text
        for run in RUN.finditer(text):
            if not (expected := EXPECT.search(run.group(0))):
                continue
            items = [e.strip() for e in expected.group(1).split(",") if e.strip()]
            if all(e.startswith("var.") and per_variable[e[4:]] == 1 for e in items):
                proven |= {e[4:] for e in items}
                continue
            name = f"expected-failure.{test_file.stem.removesuffix('.tftest')}.{run.group(1)}.tftest.hcl"
            (folder / name).write_text(header + EXPECT.sub("", run.group(0)))
            alone[f"{folder.relative_to(directory)}/{name}"] = (run.group(1), items)
            kept = kept.replace(run.group(0), "")  # judged alone, by its diagnostics: running it as written too proves nothing more
        if runs := [run.group(1) for run in RUN.finditer(kept)]:
            (folder / test_file.name).write_text(kept)
            written[f"{folder.relative_to(directory)}/{test_file.name}"] = set(runs)
    return folder, written, alone, proven


def trips(diagnostic: dict, expected: str, checks: dict[tuple[str, int], Validation]) -> Validation | bool:
    """Whether an error diagnostic is the failure `expected` names: a validation of that variable with its
    message (returned), or a pre/postcondition of that resource."""
    summary, detail = diagnostic.get("summary", ""), diagnostic.get("detail", "")
    if expected.startswith("var."):
        where = re.search(r"This was checked by the validation rule at (\S+?):(\d+),", detail)
        validation = where and checks.get((Path(where.group(1)).name, int(where.group(2))))
        ok = summary == "Invalid value for variable" and validation and validation.variable == expected[4:] and detail.startswith(validation.message)
        return validation if ok else False
    kind, name = expected.split(".", 1)
    return summary in ("Resource precondition failed", "Resource postcondition failed") and diagnostic.get("snippet", {}).get("context") == f'resource "{kind}" "{name}"'


@pytest.mark.parametrize("directory", params(TESTED_DIRS))
def test_native_terraform_tests(directory: Path) -> None:
    """The test files pass as written, each `expect_failures` run fails with the validation or condition it
    names (and no other), and every validation block of the directory is tripped by one of them.
    One `terraform test` per directory: each process loads the provider schema, and each test file
    starts the providers again (seconds in a tier), so only the runs Terraform cannot judge go alone."""
    terraform_init(directory)
    checks = validations(directory)
    folder, written, alone, proven = split_negative_runs(directory, checks)
    result = terraform(["test", "-json", "-no-color", f"-test-directory={folder.relative_to(directory)}"], directory, check=False)
    status: dict[tuple[str, str], str] = {}
    errors: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for line in result.stdout.splitlines():
        event = json.loads(line)
        key = (event.get("@testfile"), event.get("@testrun"))
        if event.get("type") == "test_run" and event["test_run"].get("status"):
            status[key] = event["test_run"]["status"]
        elif event.get("type") == "diagnostic" and event["diagnostic"]["severity"] == "error":
            errors[key].append(event["diagnostic"])
    failed = [f"{file} run {run!r}: {status.get((file, run), 'not run')}: {[d['summary'] + ': ' + d.get('detail', '') for d in errors[(file, run)]]}"
              for file, runs in written.items() for run in sorted(runs) if status.get((file, run)) != "pass"]
    assert not failed, "\n".join(failed) + "\n" + result.stderr[-2000:]
    tripped = {key for key, v in checks.items() if v.variable in proven}  # their runs passed as written above
    wrong = []
    for file, (run, expected) in alone.items():
        diagnostics = errors[(file, run)]
        matched = [[trips(d, e, checks) for d in diagnostics] for e in expected]
        if status.get((file, run)) != "error" or not all(any(m) for m in matched) or len(diagnostics) != sum(1 for d in diagnostics if any(trips(d, e, checks) for e in expected)):
            wrong.append(f"run {run!r} expects {expected}, got {status.get((file, run), 'not run')}: {[d['summary'] + ': ' + d.get('detail', '') for d in diagnostics]}")
        tripped |= {(v.file, v.line) for ms in matched for v in ms if isinstance(v, Validation)}
    assert not wrong, "runs whose expect_failures do not fail as they say:\n" + "\n".join(wrong)
    own = {key: v for key, v in checks.items() if not (directory / key[0]).is_symlink()}  # a file shared with another root is tested where it lives
    untested = [f"{v.file}:{v.line} var.{v.variable} ({v.message!r})" for key, v in sorted(own.items()) if key not in tripped]
    assert not untested, "validations no `expect_failures` run trips (add one to tests/*.tftest.hcl):\n" + "\n".join(untested)


def test_reusable_modules_have_no_provider_or_backend_blocks() -> None:
    offenders = [
        str(tf.relative_to(ROOT))
        for d in MODULE_DIRS
        for tf in d.glob("*.tf")
        if re.search(r'(?m)^\s*(provider\s+"|backend\s+")', tf.read_text())
    ]
    assert not offenders, f"providers and backends belong in environments/: {offenders}"
