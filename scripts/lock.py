#!/usr/bin/env python3
"""Re-pin requirements.lock and requirements-checkov.lock in throw-away virtualenvs.

The project venv and checkov's venv are resolved separately: checkov pins an old boto3 that must
not hold the project's back.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {
    "requirements.lock": (["-r", str(ROOT / "requirements.in")], "# Pinned by `make lock` from requirements.in (pip freeze of a clean venv). Do not edit by hand."),
    "requirements-checkov.lock": (["checkov"], "# checkov lives in its own virtualenv (.venv-checkov): it pins an old boto3. Pinned by `make lock`."),
}
# Added to the project venv by `make mutation` only: the pins it needs beyond requirements.lock.
MUTATION = ("requirements-mutation.lock", "mutmut==3.8.1",
            "# mutmut and what it needs beyond requirements.lock; `make mutation` installs it. Pinned by `make lock`.")


def freeze(install_args: list[str]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "venv", tmp], check=True)
        pip = [f"{tmp}/bin/python", "-m", "pip", "--disable-pip-version-check", "--quiet"]
        subprocess.run([*pip, "install", *install_args], check=True)
        return subprocess.run([*pip, "freeze"], check=True, capture_output=True, text=True).stdout


def main() -> None:
    for name, (args, header) in LOCKS.items():
        print(f"==> resolving {name}", flush=True)
        (ROOT / name).write_text(f"{header}\n{freeze(args)}")
    name, requirement, header = MUTATION
    print(f"==> resolving {name}", flush=True)
    base = set(freeze(["-r", str(ROOT / "requirements.lock")]).splitlines())
    extra = [line for line in freeze(["-r", str(ROOT / "requirements.lock"), requirement]).splitlines() if line not in base]
    (ROOT / name).write_text(header + "\n" + "\n".join(extra) + "\n")
    print("review `git diff requirements*.lock`, then `make setup`")


if __name__ == "__main__":
    main()
