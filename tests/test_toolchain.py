"""The set-up scripts: deterministic Lambda zips, the Terraform CLI config and version gate."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import package_lambdas
import tfsetup
from support import ROOT


def test_same_sources_give_byte_identical_zips(tmp_path):
    sources = tmp_path / "src" / "fn"
    sources.mkdir(parents=True)
    (sources / "app.py").write_text("def handler(event, context):\n    return event\n")
    (sources / "helper.py").write_text("X = 1\n")
    package_lambdas.main(["--sources", str(tmp_path / "src"), "--output", str(tmp_path / "a")])
    # Touch the files (new mtimes, other permissions) and add build litter that must be skipped.
    time.sleep(1.1)
    for path in sources.iterdir():
        path.touch()
        path.chmod(0o600)
    (sources / "__pycache__").mkdir()
    (sources / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"litter")
    package_lambdas.main(["--sources", str(tmp_path / "src"), "--output", str(tmp_path / "b")])
    assert (tmp_path / "a" / "fn.zip").read_bytes() == (tmp_path / "b" / "fn.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "b" / "fn.zip") as archive:
        assert archive.namelist() == ["app.py", "helper.py"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_changed_source_changes_the_zip(tmp_path):
    sources = tmp_path / "src" / "fn"
    sources.mkdir(parents=True)
    (sources / "app.py").write_text("A = 1\n")
    package_lambdas.main(["--sources", str(tmp_path / "src"), "--output", str(tmp_path / "out")])
    before = (tmp_path / "out" / "fn.zip").read_bytes()
    (sources / "app.py").write_text("A = 2\n")
    package_lambdas.main(["--sources", str(tmp_path / "src"), "--output", str(tmp_path / "out")])
    assert (tmp_path / "out" / "fn.zip").read_bytes() != before


def test_project_lambdas_are_packaged():
    for function in ("deploy", "inference"):
        with zipfile.ZipFile(ROOT / "build" / "lambda" / f"{function}.zip") as archive:
            assert "app.py" in archive.namelist()


def test_cli_config_uses_a_local_mirror_when_present(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / tfsetup.PROVIDER / "5.100.0").mkdir(parents=True)
    monkeypatch.setenv("TF_PROVIDER_MIRROR", str(mirror))
    found = tfsetup.find_mirror()
    assert found == mirror
    config = tfsetup.render_config(found)
    assert f'path    = "{mirror}"' in config and 'exclude = ["registry.terraform.io/hashicorp/aws"]' in config
    assert "plugin_cache_dir" not in config, "directories link to the read-only mirror; a shared cache could be rewritten under a running provider"


def test_cli_config_falls_back_to_the_registry(monkeypatch):
    monkeypatch.setattr(tfsetup, "MIRROR_CANDIDATES", ())
    monkeypatch.delenv("TF_PROVIDER_MIRROR", raising=False)
    assert tfsetup.find_mirror() is None
    config = tfsetup.render_config(None)
    assert "direct {}" in config and "filesystem_mirror" not in config
    assert "plugin_cache_dir" in config, "downloads are shared"


def fake_terraform(tmp_path: Path, version: str | None) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if version:
        script = bin_dir / "terraform"
        script.write_text(f"#!/bin/sh\necho '{{\"terraform_version\": \"{version}\"}}'\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "tfsetup.py"), "--check"], env=env, text=True, capture_output=True)


def test_setup_fails_early_without_terraform(tmp_path):
    result = run_check(fake_terraform(tmp_path, None))
    assert result.returncode == 1 and "terraform is not on PATH" in result.stderr


def test_setup_fails_early_on_old_terraform(tmp_path):
    result = run_check(fake_terraform(tmp_path, "1.5.7"))
    assert result.returncode == 1 and "1.5.7 is too old" in result.stderr and ">= 1.7.0" in result.stderr


def test_setup_accepts_a_recent_terraform(tmp_path):
    assert run_check(fake_terraform(tmp_path, "1.11.4")).returncode == 0


def test_tier_init_runs_only_when_its_inputs_changed(tmp_path, monkeypatch):
    import tier

    calls = []
    monkeypatch.setattr(tier, "run", lambda args, cwd, env, quiet=False: calls.append(args[1]))
    monkeypatch.setattr(tier, "BUILD", tmp_path / "build")
    tier_dir = tmp_path / "env"
    (tier_dir / ".terraform").mkdir(parents=True)
    (tier_dir / ".terraform.lock.hcl").write_text("# lock\n")
    (tier_dir / "main.tf").write_text("locals {}\n")
    tier.init(tier_dir, {})
    tier.init(tier_dir, {})
    assert calls == ["init"], "a second init with nothing changed is skipped"
    (tier_dir / "main.tf").write_text('module "new" {\n  source = "./x"\n}\n')
    tier.init(tier_dir, {})
    assert calls == ["init", "init"], "a changed .tf file (say, a new module call) initialises again"


def test_mutation_counts_only_case_changes_handed_to_the_iam_engine_as_equivalent():
    import mutation

    call = 'if rcp_denies(outsider, "sts:AssumeRole", resource, {"aws:PrincipalIsAWSService": "true"}, rcps):'
    assert mutation.equivalent(call, call.replace("sts:AssumeRole", "STS:ASSUMEROLE"))
    assert mutation.equivalent(call, call.replace("aws:PrincipalIsAWSService", "aws:principalisawsservice"))
    assert not mutation.equivalent(call, call.replace('"true"', '"TRUE"')), "a condition value is not a name"
    assert not mutation.equivalent(call, call.replace("sts:AssumeRole", "XXsts:AssumeRoleXX"))
    lowered_set = 'if not keys & {"aws:principalorgid", "aws:principalarn"}:'  # Python compares these: case matters
    assert not mutation.equivalent(lowered_set, lowered_set.replace("aws:principalarn", "AWS:PRINCIPALARN"))
    assert mutation.file_of("policy.rules.x_evaluate__mutmut_1") == "scripts/policy/rules/__init__.py"
    assert mutation.file_of("lambda_src.deploy.app.x_handler__mutmut_3") == "lambda_src/deploy/app.py"


def test_mutation_gate_fails_a_gated_file_below_its_share_or_never_judged():
    import mutation

    def row(score):
        return {"score": score}
    report = {"lambda_src/deploy/app.py": row(84.9), "scripts/policy/rules/serving.py": row(None), "scripts/emulator/extensions.py": row(75.0), "scripts/policy/iam.py": row(0.0)}
    assert mutation.below_gate(report) == ["lambda_src/deploy/app.py: 84.9%, the gate is 85%", "scripts/policy/rules/serving.py: nothing judged, the gate is 85%"]
    assert mutation.by_prefix(mutation.SAMPLES, "scripts/policy/rules/serving.py", 30) == 15 and mutation.by_prefix(mutation.SAMPLES, "lambda_src/inference/app.py", 30) == 30


LOCKS = {"requirements.lock": "requirements.in", "requirements-checkov.lock": "requirements-checkov.in",
         "requirements-mutation.lock": "requirements-mutation.in"}


def locked(lock: str) -> dict[str, list[str]]:
    """Each pinned package of a uv lock with its sha256 hashes."""
    pins: dict[str, list[str]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text()):
        if match := re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", entry):
            pins[match[1].lower().replace("_", "-")] = re.findall(r"--hash=sha256:([0-9a-f]{64})", entry)
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_carries_its_hashes(lock):
    """pip installs a lock in hash-checking mode only if every entry has a hash (make lock: uv)."""
    pins = locked(lock)
    assert len(pins) > 10 and not [name for name, hashes in pins.items() if not hashes]
    direct = [re.split(r"[\s=<>\[;#]", line, maxsplit=1)[0].lower().replace("_", "-")
              for line in (ROOT / LOCKS[lock]).read_text().splitlines() if line and not line.startswith(("#", "-r"))]
    assert set(direct) <= set(pins), set(direct) - set(pins)


def test_the_mutation_lock_keeps_the_project_locks_versions():
    project, mutation = locked("requirements.lock"), locked("requirements-mutation.lock")
    assert {name: mutation.get(name) for name in project} == project
