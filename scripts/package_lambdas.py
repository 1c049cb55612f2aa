#!/usr/bin/env python3
"""Zip every function under lambda_src/ into build/lambda/<function>.zip, deterministically.

Files are added in sorted order with a fixed timestamp and fixed permissions, so the same
sources always give byte-identical archives and Terraform never sees a spurious change.
A zip is only rewritten when its bytes change.
"""
from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "lambda_src"
OUTPUT = ROOT / "build" / "lambda"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
EXCLUDED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}


def source_files(function_dir: Path) -> list[Path]:
    files = [
        path
        for path in function_dir.rglob("*")
        if path.is_file()
        and not EXCLUDED_DIRS.intersection(path.relative_to(function_dir).parts)
        and path.suffix not in EXCLUDED_SUFFIXES
    ]
    return sorted(files, key=lambda p: p.relative_to(function_dir).as_posix())


def build_zip(function_dir: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in source_files(function_dir):
            info = zipfile.ZipInfo(path.relative_to(function_dir).as_posix(), date_time=FIXED_DATE)
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever the build machine is
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def functions(sources: Path) -> list[Path]:
    return sorted(p for p in sources.iterdir() if p.is_dir() and (p / "app.py").is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=SOURCES)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    for function_dir in functions(args.sources):
        target = args.output / f"{function_dir.name}.zip"
        data = build_zip(function_dir)
        changed = not target.exists() or target.read_bytes() != data
        if changed:
            target.write_bytes(data)
        print(f"{'packaged ' if changed else 'unchanged'} {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
