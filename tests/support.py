"""Helpers shared by the tests: Terraform runs with the project's CLI config, Lambda loading."""
from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import tier  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
os.environ["TF_CLI_CONFIG_FILE"] = str(BUILD / "terraformrc")
os.environ["CHECKPOINT_DISABLE"] = "1"
os.environ["TF_IN_AUTOMATION"] = "1"
os.environ.setdefault("GOGC", "400")  # as scripts/tier.py: Terraform collects less often, ~15% faster plans and tests

if not (BUILD / "terraformrc").exists():
    subprocess.run([sys.executable, str(ROOT / "scripts" / "tfsetup.py")], check=True)
subprocess.run([sys.executable, str(ROOT / "scripts" / "package_lambdas.py")], check=True, capture_output=True)


terraform_init_lock = tier.init_lock  # the one lock every `terraform init` of the project takes


def terraform(args: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["terraform", *args], cwd=cwd, text=True, capture_output=True, env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        pytest.fail(f"terraform {' '.join(args)} failed in {cwd.relative_to(ROOT)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def terraform_init(directory: Path) -> None:
    with terraform_init_lock():
        terraform(["init", "-backend=false", "-input=false", "-no-color"], directory)


def load_lambda(name: str, module_name: str = "app") -> ModuleType:
    """Import lambda_src/<name>/<module_name>.py fresh, with its folder first on sys.path (as in the Lambda runtime)."""
    folder = ROOT / "lambda_src" / name
    for sibling in [p.stem for p in folder.glob("*.py") if p.stem != module_name]:
        sys.modules.pop(sibling, None)
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(f"lambda_{name}_{module_name}", folder / f"{module_name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(folder))


def free_port() -> int:
    """A loopback port nothing listens on (for emulators a test starts beside `make up`'s)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


MALFORMED = ("string detail", "missing detail", "detail of the wrong type", "event is a string", "event is a list")


def malformed(base: dict[str, Any], kind: str) -> Any:
    """The same event made unreadable in one of the MALFORMED ways."""
    return {
        "string detail": {**base, "detail": json.dumps(base.get("detail"))},
        "missing detail": {k: v for k, v in base.items() if k != "detail"},
        "detail of the wrong type": {**base, "detail": [base.get("detail")]},
        "event is a string": json.dumps(base),
        "event is a list": [base],
    }[kind]
