"""Module and environment READMEs carry inputs/outputs tables that match the code."""
from __future__ import annotations

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
    monkeypatch.setattr(docs, "ROOT", tmp_path)
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0
    assert "| `size` | How big. | `number` | `3` |" in (module / "README.md").read_text()
    assert '| `names` | Which. | `list(string)` | `["a", "b"]` |' in (module / "README.md").read_text(), "nested strings without their HCL quotes"
    assert docs.main(["--check"]) == 0
