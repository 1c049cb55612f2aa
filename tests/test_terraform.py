"""Static checks of every module and environment: fmt, validate, `terraform test` (mock_provider).

`terraform test` validates the configuration before its first run, so a module with tests is
validated by them; `terraform validate` runs on the environments, which compose every module.
Each Terraform process loads the AWS provider schema (about 2 s of CPU), so none runs twice.
"""
from __future__ import annotations

import re
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


def test_every_module_has_native_tests() -> None:
    untested = [str(d.relative_to(ROOT)) for d in MODULE_DIRS if d not in TESTED_DIRS]
    assert not untested, f"add tests/validation.tftest.hcl to: {untested}"


@pytest.mark.parametrize("directory", params(ENV_DIRS))
def test_validate(directory: Path) -> None:
    terraform_init(directory)
    result = terraform(["validate", "-json", "-no-color"], directory, check=False)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("directory", params(TESTED_DIRS))
def test_native_terraform_tests(directory: Path) -> None:
    terraform_init(directory)
    result = terraform(["test", "-no-color"], directory, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def validations(directory: Path) -> dict[str, int]:
    """Number of validation blocks per variable."""
    counts: dict[str, int] = {}
    for tf in directory.glob("*.tf"):
        if tf.is_symlink():  # a file shared with another root (large's shared_variables.tf) is tested where it lives
            continue
        for block in re.split(r'(?m)^variable "', tf.read_text())[1:]:
            name = block.split('"', 1)[0]
            counts[name] = block.count("validation {")
    return {name: n for name, n in counts.items() if n}


def negative_runs(directory: Path) -> dict[str, int]:
    """Number of `expect_failures = [var.X]` runs per variable."""
    counts: dict[str, int] = {}
    for test_file in directory.glob("tests/*.tftest.hcl"):
        for name in re.findall(r"expect_failures\s*=\s*\[var\.(\w+)\]", test_file.read_text()):
            counts[name] = counts.get(name, 0) + 1
    return counts


@pytest.mark.parametrize("directory", MODULE_DIRS + ENV_DIRS, ids=ids(MODULE_DIRS + ENV_DIRS))
def test_every_validation_has_a_negative_test(directory: Path) -> None:
    runs = negative_runs(directory)
    missing = {name: n - runs.get(name, 0) for name, n in validations(directory).items() if runs.get(name, 0) < n}
    assert not missing, f"variables with fewer failing runs than validation blocks (add runs to tests/*.tftest.hcl): {missing}"


def test_reusable_modules_have_no_provider_or_backend_blocks() -> None:
    offenders = [
        str(tf.relative_to(ROOT))
        for d in MODULE_DIRS
        for tf in d.glob("*.tf")
        if re.search(r'(?m)^\s*(provider\s+"|backend\s+")', tf.read_text())
    ]
    assert not offenders, f"providers and backends belong in environments/: {offenders}"
