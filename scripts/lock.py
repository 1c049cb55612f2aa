#!/usr/bin/env python3
"""Pin the Python locks with uv (`uv pip compile --generate-hashes --universal`), so every install
checks each file's sha256 (pip's hash-checking mode) on any platform.

    make lock                # re-pin: add what requirements.in gained, keep every other version
    make lock UPGRADE=1      # resolve afresh to the newest versions

- requirements.lock: the project venv, from requirements.in;
- requirements-checkov.lock: checkov's own venv, from requirements-checkov.in;
- requirements-mutation.lock: requirements.lock plus mutmut, at requirements.lock's versions, from
  requirements-mutation.in (`make mutation` installs it into the project venv).

uv runs from a throw-away virtualenv at the pinned version below; it needs PyPI.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = "uv==0.13.9"
PYTHON_FLOOR = "3.11.5"  # the oldest Python that every locked package supports (checkov's soupsieve needs 3.11.5)
LOCKS = {  # lock: (its input, what else holds its versions)
    "requirements.lock": ("requirements.in", []),
    "requirements-checkov.lock": ("requirements-checkov.in", []),
    "requirements-mutation.lock": ("requirements-mutation.in", ["requirements.lock"]),
}


def compile_lock(uv: Path, source: str, output: str, constraints: list[str]) -> None:
    print(f"==> resolving {output}", flush=True)
    subprocess.run([str(uv), "pip", "compile", source, *[f"--constraint={c}" for c in constraints if (ROOT / c).exists()],
                    "--generate-hashes", "--universal", f"--python-version={PYTHON_FLOOR}", "--quiet",
                    "--custom-compile-command=make lock", f"--output-file={output}"], check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="resolve afresh instead of keeping the locked versions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
        subprocess.run([str(work / "venv/bin/python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", UV], check=True)
        for lock, (source, held_by) in LOCKS.items():
            compile_lock(work / "venv/bin/uv", source, lock, [*held_by, *([] if args.upgrade else [lock])])
    print("review `git diff requirements*.lock`, then `make setup`")


if __name__ == "__main__":
    main()
