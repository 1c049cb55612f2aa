"""Where a plan's resource is written: the .tf file and line of its block, for SARIF and readers.

A plan names resources by address (module.tier.module.dev.aws_iam_role.data_scientist); its
configuration section gives each module call's source. Local sources are followed from the root
module's directory to the module's directory, where the block is found by its type and name.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from policy.resolve import Configuration, config_address, scope_of


@lru_cache(maxsize=256)
def _blocks(directory: str) -> dict[str, tuple[str, int]]:
    """`type.name` (and `data.type.name`) -> (file, line) for every block of a module directory."""
    found: dict[str, tuple[str, int]] = {}
    for tf in sorted(Path(directory).glob("*.tf")):
        for number, line in enumerate(tf.read_text().splitlines(), start=1):
            match = re.match(r'^(resource|data)\s+"([^"]+)"\s+"([^"]+)"', line)
            if match:
                key = f"{'data.' if match.group(1) == 'data' else ''}{match.group(2)}.{match.group(3)}"
                found.setdefault(key, (str(tf), number))
    return found


class Locator:
    def __init__(self, configuration: Configuration, root: Path | None, repository: Path) -> None:
        self.configuration, self.root, self.repository = configuration, root, repository

    def directory(self, scope: tuple[str, ...]) -> Path | None:
        if self.root is None:
            return None
        directory = self.root
        for depth in range(1, len(scope) + 1):
            source = self.configuration.module_source(scope[:depth]) or ""
            if not source.startswith(("./", "../")):
                return None  # a registry or Git module: not in this repository
            directory = Path(os.path.normpath(directory / source))
        return directory

    def locate(self, address: str) -> tuple[str, int] | None:
        """(path relative to the repository, line) of the block that declares `address`."""
        scope = scope_of(address)
        directory = self.directory(scope)
        if directory is None or not directory.is_dir():
            return None
        local = ".".join(config_address(address).split(".")[2 * len(scope):])
        found = _blocks(str(directory)).get(local)
        if found is None:
            return None
        path, line = found
        try:
            return str(Path(path).resolve().relative_to(self.repository)), line
        except ValueError:
            return path, line
