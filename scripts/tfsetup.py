#!/usr/bin/env python3
"""Check the Terraform CLI and write the project-local CLI configuration.

The config uses a local filesystem mirror of the providers when one exists (offline machines),
and the public registry otherwise, with one plugin cache that saves the downloads. With a mirror
there is no cache: `terraform init` links each directory to the read-only mirror, so no init can
rewrite a provider that another Terraform process is starting (a clean-clone CI run caught a
`terraform test` failing to exec a cached provider while an init elsewhere replaced it).

    python3 scripts/tfsetup.py            # writes build/terraformrc
    python3 scripts/tfsetup.py --check    # only checks the Terraform version
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_TERRAFORM = (1, 7, 0)  # `terraform test` with mock_provider needs 1.7
CLI_CONFIG = ROOT / "build" / "terraformrc"
PLUGIN_CACHE = ROOT / "build" / "plugin-cache"
PROVIDER = "registry.terraform.io/hashicorp/aws"
MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def terraform_version() -> tuple[int, int, int]:
    if shutil.which("terraform") is None:
        fail(
            "terraform is not on PATH. Install Terraform >= "
            + ".".join(map(str, MIN_TERRAFORM))
            + " (https://developer.hashicorp.com/terraform/install) and run `make setup` again."
        )
    out = subprocess.run(["terraform", "version", "-json"], capture_output=True, text=True, check=True)
    version = json.loads(out.stdout)["terraform_version"]
    major, minor, patch = (int(p) for p in re.findall(r"\d+", version)[:3])
    if (major, minor, patch) < MIN_TERRAFORM:
        fail(
            f"terraform {version} is too old: this project needs >= "
            + ".".join(map(str, MIN_TERRAFORM))
            + ". Upgrade Terraform and run `make setup` again."
        )
    return major, minor, patch


def find_mirror() -> Path | None:
    """The first directory that holds an unpacked or packed hashicorp/aws provider."""
    candidates = [os.environ.get("TF_PROVIDER_MIRROR", ""), *MIRROR_CANDIDATES]
    for candidate in filter(None, candidates):
        path = Path(candidate).expanduser()
        if (path / PROVIDER).is_dir() and any((path / PROVIDER).iterdir()):
            return path
    return None


def render_config(mirror: Path | None) -> str:
    lines = ([] if mirror is not None else [f'plugin_cache_dir = "{PLUGIN_CACHE}"', ""]) + ["provider_installation {"]
    if mirror is not None:
        lines += [
            "  filesystem_mirror {",
            f'    path    = "{mirror}"',
            f'    include = ["{PROVIDER}"]',
            "  }",
            "  direct {",
            f'    exclude = ["{PROVIDER}"]',
            "  }",
        ]
    else:
        lines += ["  direct {}"]
    lines += ["}", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the Terraform version")
    args = parser.parse_args()
    version = terraform_version()
    if args.check:
        return
    mirror = find_mirror()
    PLUGIN_CACHE.mkdir(parents=True, exist_ok=True)
    CLI_CONFIG.write_text(render_config(mirror))
    source = f"local mirror {mirror}" if mirror else "public registry (no local mirror found)"
    print(f"terraform {'.'.join(map(str, version))}: providers from {source}")
    print(f"wrote {CLI_CONFIG.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
