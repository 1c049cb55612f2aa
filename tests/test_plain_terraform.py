"""The plain-Terraform route the README documents works without the Makefile or the project's CLI
config: a copy of the repository's tracked files, `terraform init` in an environment folder
(`-plugin-dir` at the provider mirror where the machine has one: the documented offline variant),
then `terraform plan -var-file=demo.tfvars -var offline_plan=true` with no credentials in the
environment. Before the Lambda zips exist, the plan fails naming the fix; after
`python3 scripts/package_lambdas.py` it plans. Small runs the whole route; medium and large
initialise and validate this way, and their offline plans are made without credentials by
`make plan-*` before the suite runs."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from tfsetup import find_mirror  # noqa: E402


def clone(target: Path) -> Path:
    """The tracked files only: no build/, no .terraform/, no virtualenv."""
    files = subprocess.run(["git", "ls-files", "-z", "modules", "environments", "lambda_src", "scripts"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, files):
        source, copy = ROOT / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        elif source.exists():  # deleted in the work tree but not yet in the index
            shutil.copy2(source, copy)
    return target


def plain_env(home: Path) -> dict[str, str]:
    """A shell with no project settings: no CLI config, no AWS credentials, profile or endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
    return {**env, "HOME": str(home), "AWS_EC2_METADATA_DISABLED": "true", "CHECKPOINT_DISABLE": "1"}


def terraform(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    flags = ["-no-color"] if args[0] == "validate" else ["-input=false", "-no-color"]
    return subprocess.run(["terraform", *args, *flags], cwd=cwd, env=plain_env(cwd),
                          capture_output=True, text=True, timeout=600)


def init(folder: Path) -> None:
    mirror = find_mirror()
    done = terraform(["init", f"-plugin-dir={mirror}"] if mirror else ["init"], folder)
    assert done.returncode == 0, done.stderr


def package(repo: Path) -> None:
    subprocess.run([sys.executable, "scripts/package_lambdas.py"], cwd=repo, check=True, capture_output=True)


PLAN = ["plan", "-var-file=demo.tfvars", "-var=offline_plan=true", "-lock=false"]


def test_a_plan_before_the_lambda_zips_exist_names_the_fix_then_plans(tmp_path: Path):
    small = clone(tmp_path) / "environments" / "small"
    init(small)
    missing = terraform(PLAN, small)
    assert missing.returncode == 1, missing.stdout[-2000:]
    assert "../../build/lambda/deploy.zip is missing: run `make package`" in missing.stderr, missing.stderr
    assert "credential" not in missing.stderr  # offline_plan needs no credentials
    package(tmp_path)
    plan = terraform(PLAN, small)
    assert plan.returncode == 0, plan.stderr[-3000:]
    assert "to add, 0 to change, 0 to destroy." in plan.stdout


@pytest.mark.parametrize("tier", ["medium", "large"])
def test_plain_terraform_initialises_and_validates_each_multi_account_environment(tmp_path: Path, tier: str):
    """Their plans are the suite's: `make plan-*` (scripts/tier.py) plans every tier with no AWS
    credentials in the environment either, so the providers' placeholders are proven there."""
    folder = clone(tmp_path) / "environments" / tier
    init(folder)
    valid = terraform(["validate"], folder)
    assert valid.returncode == 0, valid.stderr[-3000:]
