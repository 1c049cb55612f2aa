"""Each module reads nothing outside its folder but the building blocks of modules/components, so a
`git::…//modules/<name>?ref=…` source works from any repository. The one exception is modules/tier:
it is the composition, and calls the role modules beside it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "modules"
COMPONENTS = MODULES / "components"
COMPOSITION = {MODULES / "tier": "calls the role modules, its siblings"}
RELATIVE = re.compile(r'"(\.\.?/[^"$]*)')  # module sources and any other path string: "../x", "./x"
MODULE_PATH = re.compile(r'\$\{path\.module\}(/[^"}]*)')


def module_dirs() -> list[Path]:
    return sorted({p.parent for p in MODULES.rglob("*.tf") if ".terraform" not in p.parts and "tests" not in p.parts})


def reads(module: Path) -> set[Path]:
    """Relative paths (local module sources, files) and paths built on path.module, from the module's folder."""
    found = set()
    for tf in module.glob("*.tf"):
        text = tf.read_text()
        found |= {(module / path).resolve() for path in RELATIVE.findall(text)}
        found |= {(module / path.lstrip("/")).resolve() for path in MODULE_PATH.findall(text)}
    return found


def allowed(module: Path, path: Path) -> bool:
    return (path.is_relative_to(module) or path.is_relative_to(COMPONENTS)
            or (module in COMPOSITION and path.parent == MODULES))


@pytest.mark.parametrize("module", module_dirs(), ids=lambda p: str(p.relative_to(MODULES)))
def test_a_module_reads_only_its_folder_and_the_components(module: Path):
    outside = sorted(str(p.relative_to(ROOT)) for p in reads(module) if not allowed(module, p))
    assert not outside, f"{module.relative_to(ROOT)} reads outside its folder: {outside}"


def test_the_check_sees_what_modules_read():
    """It finds the tier's calls and the org module's policy documents, so it cannot pass by reading nothing."""
    assert MODULES / "dev" in reads(MODULES / "tier")
    assert any(p.is_relative_to(MODULES / "org" / "policies") for p in reads(MODULES / "org"))
    assert not allowed(MODULES / "org", ROOT / "policies")
    assert RELATIVE.findall('documents = file("../../policies/scp/x.json")') == ["../../policies/scp/x.json"]
