"""Helpers shared by the tests: Terraform runs with the project's CLI config, Lambda loading."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
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


def _yield_cpu() -> None:
    os.nice(10)


def terraform(args: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Terraform at a lower CPU priority: these checks (native tests, fmt, graph) have slack, while the
    emulator chain beside them is make test's critical path (measured with make test's wall time)."""
    result = subprocess.run(["terraform", *args], cwd=cwd, text=True, capture_output=True, env={**os.environ, **(env or {})}, preexec_fn=_yield_cpu)
    if check and result.returncode != 0:
        pytest.fail(f"terraform {' '.join(args)} failed in {cwd.relative_to(ROOT)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def terraform_init(directory: Path) -> None:
    """An environment is initialised as scripts/tier.py does it, skipped while nothing it reads changed:
    an emulator run in the same folder must never find its modules being re-installed."""
    if directory.parent == ROOT / "environments":
        tier.init(directory, tier.terraform_env({}))
        return
    with terraform_init_lock():
        terraform(["init", "-backend=false", "-input=false", "-no-color"], directory)


class _LambdaFolder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports a Lambda folder's files as the runtime does (`import app`, `import spec`: top-level names)
    while naming the modules lambda_src.<name>.<file>, the names their paths give them, so tools that
    key on module names (mutmut) see one module per file."""

    def __init__(self, folder: Path):
        self.folder, self.package = folder, f"lambda_src.{folder.name}"

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        file = self.folder / f"{fullname}.py"
        if "." in fullname or not file.is_file():
            return None
        return importlib.util.spec_from_file_location(f"{self.package}.{fullname}", file, loader=self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        sys.modules[module.__name__.rsplit(".", 1)[1]] = module  # what the runtime's sibling imports find
        exec(compile(Path(module.__file__).read_text(), module.__file__, "exec"), module.__dict__)


def load_lambda(name: str, module_name: str = "app") -> ModuleType:
    """Import lambda_src/<name>/<module_name>.py fresh, its sibling imports resolved from its folder (as in the Lambda runtime)."""
    folder = ROOT / "lambda_src" / name
    for stem in [p.stem for p in folder.glob("*.py")]:
        sys.modules.pop(stem, None)
        sys.modules.pop(f"lambda_src.{name}.{stem}", None)
    finder = _LambdaFolder(folder)
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module(module_name)
    finally:
        sys.meta_path.remove(finder)


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
