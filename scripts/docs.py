#!/usr/bin/env python3
"""Regenerate the inputs/outputs tables of every module and environment README.

The tables live between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->`; the prose around
them is written by hand. `--check` exits 1 and names the stale READMEs instead of writing.
"""
from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from pathlib import Path

import hcl2

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def unquote(value: object) -> str:
    text = str(value)
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = json.loads(text) if "\\" in text else text[1:-1]
    return text


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@functools.lru_cache(maxsize=None)
def parsed(tf: Path, mtime_ns: int) -> dict:
    """One parse per file version: python-hcl2 takes most of a second on a large file."""
    with tf.open() as handle:
        return hcl2.load(handle)


def parse(tf: Path) -> dict:
    return parsed(tf, tf.stat().st_mtime_ns)


def blocks(directory: Path, kind: str) -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []
    for tf in sorted(directory.glob("*.tf")):
        for block in parse(tf).get(kind, []):
            for name, body in block.items():
                found.append((unquote(name), body))
    return sorted(found)


def plain(value: object) -> object:
    """python-hcl2 keeps the quotes of strings nested in lists and objects: drop them."""
    if isinstance(value, str):
        return unquote(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {unquote(k): plain(v) for k, v in value.items()}
    return value


def default_of(body: dict) -> str:
    if "default" not in body:
        return "required"
    value = body["default"]
    if isinstance(value, str):
        value = unquote(value)
        return "`null`" if value == "null" else f"`\"{value}\"`"
    return f"`{json.dumps(plain(value), sort_keys=True)}`"


# Where a consumer's git source points: replace it with your fork or mirror of this repository.
REPOSITORY = "git::https://github.com/your-org/mlops-on-aws.git"


def provider_aliases(directory: Path) -> list[str]:
    for terraform in (b for tf in sorted(directory.glob("*.tf")) for b in parse(tf).get("terraform", [])):
        for providers in terraform.get("required_providers", []):
            aliases = plain(providers.get("aws", {})).get("configuration_aliases", [])
            return [unquote(a) for a in aliases]
    return []


def usage(directory: Path) -> list[str]:
    """A module block that calls this module from another repository, with its required inputs."""
    path = directory.relative_to(ROOT).as_posix()
    version = (ROOT / "VERSION").read_text().strip()
    lines = ["## Usage", "", "```hcl", f'module "{directory.name.replace("-", "_")}" {{',
             f'  source = "{REPOSITORY}//{path}?ref=v{version}"']
    aliases = provider_aliases(directory)
    if aliases:
        width = max(map(len, aliases))
        lines += ["  providers = {", *[f"    {a:<{width}} = {a}" for a in aliases], "  }"]
    required = [name for name, body in blocks(directory, "variable") if "default" not in body]
    if required:
        width = max(map(len, required))
        lines += ["", *[f"  {name:<{width}} = var.{name}" for name in required]]
    variables = {name for name, _ in blocks(directory, "variable")}
    zips = (["", "The Lambda zips are built from this repository's `lambda_src/`: `python3 scripts/package_lambdas.py",
             "--output <dir>` in a checkout of the same tag, then pass that folder (or a zip in it) above."]
            if variables & {"lambda_package_dir", "package_path"} else [])
    return lines + ["}", "```", "", f"`{REPOSITORY}` stands for wherever you host this repository. The snippet sets the",
                    "required inputs; every other input has a default (below).", *zips, ""]


def render(directory: Path) -> str:
    lines = usage(directory) if directory.is_relative_to(ROOT / "modules") else []
    lines += ["## Inputs", "", "| Name | Description | Type | Default |", "|---|---|---|---|"]
    for name, body in blocks(directory, "variable"):
        kind = re.sub(r"\s+", " ", unquote(body.get("type", "any")))
        lines.append(f"| `{name}` | {cell(unquote(body.get('description', '')))} | `{cell(kind)}` | {cell(default_of(body))} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for name, body in blocks(directory, "output"):
        lines.append(f"| `{name}` | {cell(unquote(body.get('description', '')))} |")
    return "\n".join(lines)


def documented_dirs() -> list[Path]:
    dirs = [p.parent for p in (ROOT / "modules").rglob("variables.tf") if ".terraform" not in p.parts]
    dirs += [p.parent for p in (ROOT / "environments").glob("*/variables.tf")]
    return sorted(dirs)


def updated(readme: Path) -> str:
    text = readme.read_text() if readme.exists() else f"# {readme.parent.name}\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip() + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{render(readme.parent)}\n{END}{tail}"


EXTENSIONS_BEGIN, EXTENSIONS_END = "<!-- BEGIN_EMULATOR_EXTENSIONS -->", "<!-- END_EMULATOR_EXTENSIONS -->"


def extensions_table() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    from emulator import extensions

    lines = [f"Written against moto {extensions.MOTO_VERSION} (pinned in requirements.lock).", "", "| service | API | kind | why |", "|---|---|---|---|"]
    lines += [f"| {e.service} | {e.api} | {e.kind} | {cell(e.why)} |" for e in extensions.EXTENSIONS]
    return "\n".join(lines)


RULES_BEGIN, RULES_END = "<!-- BEGIN_POLICY_RULES -->", "<!-- END_POLICY_RULES -->"


def rules_table() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    from policy.rules import RULES

    lines = ["| ID | Title | Rationale and source | Remedy |", "|---|---|---|---|"]
    lines += [f"| {r.id} | {cell(r.title)} | {cell(r.rationale)} Source: {cell(r.source)}. | {cell(r.remedy)} |" for r in sorted(RULES, key=lambda r: r.id)]
    return "\n".join(lines)


DUTIES_BEGIN, DUTIES_END = "<!-- BEGIN_CAPABILITIES -->", "<!-- END_CAPABILITIES -->"


def capabilities_table() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    from policy.duties import CAPABILITIES

    lines = ["| capability | only these principals may hold it | why it is protected |", "|---|---|---|"]
    lines += [f"| {cell(c.title)} (`{c.id}`) | {', '.join(c.allowed) or 'no principal of the plan (Terraform only)'} | {cell(c.why)} |" for c in CAPABILITIES]
    return "\n".join(lines)


def replace_between(text: str, begin: str, end: str, body: str) -> str:
    if begin not in text:
        return text
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def updated_root_readme(readme: Path) -> str:
    return replace_between(readme.read_text(), EXTENSIONS_BEGIN, EXTENSIONS_END, extensions_table())


def updated_policies_readme(readme: Path) -> str:
    text = replace_between(readme.read_text(), RULES_BEGIN, RULES_END, rules_table())
    return replace_between(text, DUTIES_BEGIN, DUTIES_END, capabilities_table())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale READMEs, write nothing")
    args = parser.parse_args(argv)
    stale = []
    pages = [(directory / "README.md", updated) for directory in documented_dirs()]
    if (ROOT / "README.md").exists():
        pages.append((ROOT / "README.md", updated_root_readme))
    if (ROOT / "policies" / "README.md").exists():
        pages.append((ROOT / "policies" / "README.md", updated_policies_readme))
    for readme, render_page in pages:
        text = render_page(readme)
        if readme.exists() and readme.read_text() == text:
            continue
        stale.append(str(readme.relative_to(ROOT)))
        if not args.check:
            readme.write_text(text)
    if args.check and stale:
        print("stale README tables (run `make docs`): " + ", ".join(stale))
        return 1
    for name in stale:
        print(f"updated {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
