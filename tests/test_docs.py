"""Module and environment READMEs carry inputs/outputs tables that match the code."""
from __future__ import annotations

import re

import hcl2

import docs


def test_readme_tables_are_current(capsys):
    assert docs.main(["--check"]) == 0, capsys.readouterr().out


def test_every_variable_and_output_is_described():
    missing = [
        f"{directory.name}: {kind} {name}"
        for directory in docs.documented_dirs()
        for kind in ("variable", "output")
        for name, body in docs.blocks(directory, kind)
        if not docs.unquote(body.get("description", "")).strip()
    ]
    assert not missing, missing


def test_check_mode_detects_a_stale_table(tmp_path, monkeypatch):
    module = tmp_path / "modules" / "demo"
    module.mkdir(parents=True)
    (module / "variables.tf").write_text('variable "size" {\n  description = "How big."\n  type = number\n  default = 3\n}\n'
                                         'variable "names" {\n  description = "Which."\n  type = list(string)\n  default = ["a", "b"]\n}\n')
    (module / "README.md").write_text(f"# demo\n\n{docs.BEGIN}\nold\n{docs.END}\n")
    (tmp_path / "environments").mkdir()
    (tmp_path / "VERSION").write_text("9.9.9\n")
    monkeypatch.setattr(docs, "ROOT", tmp_path)
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0
    assert "| `size` | How big. | `number` | `3` |" in (module / "README.md").read_text()
    assert '| `names` | Which. | `list(string)` | `["a", "b"]` |' in (module / "README.md").read_text(), "nested strings without their HCL quotes"
    assert docs.main(["--check"]) == 0


def test_each_module_readme_shows_a_git_source_usage_that_sets_its_required_inputs():
    """The snippet parses as HCL, points at the module's own folder at this version's tag, passes
    every provider alias the module declares and sets exactly its inputs without a default."""
    version = (docs.ROOT / "VERSION").read_text().strip()
    modules = [d for d in docs.documented_dirs() if d.is_relative_to(docs.ROOT / "modules")]
    assert len(modules) > 10
    for directory in modules:
        text = (directory / "README.md").read_text()
        snippet = re.search(r"## Usage\n\n```hcl\n(.*?)```", text, re.S)
        assert snippet, f"{directory.name}: no usage snippet"
        (name, body), = hcl2.loads(snippet[1])["module"][0].items()
        path = directory.relative_to(docs.ROOT).as_posix()
        assert docs.unquote(body["source"]) == f"{docs.REPOSITORY}//{path}?ref=v{version}", body["source"]
        required = {n for n, b in docs.blocks(directory, "variable") if "default" not in b}
        assert set(body) - {"source", "providers", "__is_block__"} == required, (directory.name, set(body) ^ required)
        assert sorted(docs.unquote(a) for a in body.get("providers", {})) == sorted(docs.provider_aliases(directory)), directory.name
