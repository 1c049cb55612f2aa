"""The README tells the truth about the repository: its layout table names every module, component,
environment and Lambda that exists (and nothing that does not), and every relative link in every
Markdown file points at a file of the repository and, with an anchor, at one of its headings."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def layout_rows() -> dict[str, str]:
    section = ROOT.joinpath("README.md").read_text().split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def expand(path: str) -> list[str]:
    """`modules/{dev,data}` -> modules/dev, modules/data."""
    match = re.fullmatch(r"(.*)\{([^}]+)\}(.*)", path)
    return [f"{match[1]}{part}{match[3]}" for part in match[2].split(",")] if match else [path.rstrip("/")]


def folders(parent: str) -> set[str]:
    return {p.name for p in (ROOT / parent).iterdir() if p.is_dir() and not p.name.startswith((".", "__"))}


def test_the_layout_table_names_every_module_component_environment_and_lambda():
    rows = layout_rows()
    paths = {p for row in rows for p in expand(row)}
    assert all((ROOT / p).exists() for p in paths), sorted(p for p in paths if not (ROOT / p).exists())
    assert {f"modules/{m}" for m in folders("modules") - {"components"}} <= paths
    assert {f"environments/{e}" for e in folders("environments")} <= paths
    components = rows["modules/components/"]
    assert {c for c in folders("modules/components") if f"`{c}`" not in components} == set()
    lambdas = rows["lambda_src/"]
    assert {f for f in folders("lambda_src") if f"`{f}`" not in lambdas} == set()
    tracked = {line.split("/", 1)[0] for line in subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines() if "/" in line}
    assert {top for top in tracked if not top.startswith(".") and not any(p.split("/", 1)[0] == top for p in paths)} == set()


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", markdown, flags=re.M)}


def test_every_relative_link_points_into_the_repository():
    broken = []
    for md in subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split():
        source = ROOT / md
        text = source.read_text()
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            resolved = (source.parent / path).resolve() if path else source
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{md}: {target} (no such file in the repository)")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved.read_text()):
                broken.append(f"{md}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_anchor_rule_matches_github():
    assert anchors("## Medium and large tiers\n### Who owns the endpoint: the approval chain\n") == {"medium-and-large-tiers", "who-owns-the-endpoint-the-approval-chain"}
