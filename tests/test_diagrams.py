"""The architecture diagrams match the plans they are drawn from, and follow the toggles."""
from __future__ import annotations

import json
import re
import shutil

import pytest

import architecture
from plans import feature_plan, tier_plan
from policy import plan as plans
from support import ROOT

pytestmark = pytest.mark.xdist_group("small")
TIERS = sorted(p.stem for p in (ROOT / "tests" / "inventories").glob("*.yaml"))


def graph_of(tmp_path, tier: str, *var_files: str, plan=None) -> dict:
    path = tmp_path / f"{tier}.json"
    path.write_text(json.dumps((plan or tier_plan(tier, *var_files))._raw))
    return architecture.graph(plans.load(path))


@pytest.mark.parametrize("tier", [pytest.param(t, marks=pytest.mark.xdist_group(t)) for t in TIERS])
def test_committed_diagram_matches_the_plan(tmp_path, tier):
    committed = ROOT / "docs" / "diagrams" / f"{tier}.json"
    assert committed.exists(), f"docs/diagrams/{tier}.json is missing: run `make diagrams`"
    assert json.loads(committed.read_text()) == graph_of(tmp_path, tier), f"docs/diagrams/{tier} no longer matches the {tier} plan: run `make diagrams` and commit docs/diagrams/"


def test_small_tier_shows_the_talks_architecture(tmp_path):
    g = graph_of(tmp_path, "small")
    assert len(g["accounts"]) == 1
    flows = {(src.split(".")[1], dst.split(".")[1], label) for src, dst, label in g["edges"]}
    assert {("schedule", "pipeline", "retrain"), ("pipeline", "registry", "register (pending approval)"),
            ("registry", "deploy", "approve -> EventBridge"), ("deploy", "endpoint", "deploy with canary"),
            ("api", "inference", "serve"), ("endpoint", "capture", "capture")} <= flows


def flows_of(g: dict) -> set[tuple[str, str, str]]:
    return {(src, dst, label) for src, dst, label in g["edges"]}


@pytest.mark.xdist_group("medium")
def test_medium_tier_shows_the_talks_architecture(tmp_path):
    g = graph_of(tmp_path, "medium")
    assert sorted(sorted(a["roles"]) for a in g["accounts"].values()) == [["artifact", "cicd", "dev", "ops"], ["management"], ["prod"], ["staging"]]
    assert g["nodes"]["management.scps"].startswith("Organizations")
    assert {
        ("artifact.registry", "cicd.pipeline_cd", "approval event (EventBridge)"),
        ("cicd.build", "staging.endpoint", "assume deploy role, canary"),
        ("cicd.build", "prod.endpoint", "assume deploy role, canary"),
        ("prod.capture", "ops.captured", "replicate (re-encrypt)"),
        ("prod.capture", "prod.monitor", "compare with baseline"),
        ("prod.monitor", "ops.trigger", "violation (event bus)"),
        ("ops.trigger", "ops.pipeline", "retrain"),
    } <= flows_of(g)
    assert "prod.deploy" not in g["nodes"], "in medium only the pipeline deploys"


@pytest.mark.xdist_group("large")
def test_large_tier_shows_the_talks_architecture(tmp_path):
    g = graph_of(tmp_path, "large")
    workloads = [a for a in g["accounts"].values() if "management" not in a["roles"]]
    assert len(workloads) == 7 and all(len(a["roles"]) == 1 for a in workloads), "seven account roles, seven accounts"
    assert {
        ("data.lake", "ops.pipeline", "training data"),
        ("ops.pipeline", "artifact.registry", "register (pending approval)"),
        ("cicd.image_build", "artifact.images", "push (commit tag)"),
        ("artifact.features", "ops.pipeline", "features"),
        ("prod.clarify", "ops.trigger", "drift (event bus)"),
    } <= flows_of(g)
    assert not [e for e in g["edges"] if e[0] == "dev.studio"], "data scientists cannot start the ops account's pipeline"


@pytest.mark.xdist_group("medium")
def test_switching_a_capability_on_adds_it_to_the_picture(tmp_path):
    default, toggled = graph_of(tmp_path, "medium"), graph_of(tmp_path, "medium", plan=feature_plan("medium", True))  # adds Clarify and image builds from a code connection
    assert set(toggled["nodes"]) - set(default["nodes"]) == {"prod.clarify", "cicd.image_build", "cicd.code"}
    assert ("prod.clarify", "ops.trigger", "drift (event bus)") in flows_of(toggled)


def test_toggles_change_the_picture(tmp_path):
    default, toggled = graph_of(tmp_path, "small"), graph_of(tmp_path, "small", plan=feature_plan("small", False))
    gone = {"ops.schedule", "prod.capture", "prod.monitor", "ops.trigger"}  # the small demo monitors (make lifecycle)
    assert set(default["nodes"]) - set(toggled["nodes"]) == gone
    assert not [e for e in toggled["edges"] if gone & set(e)]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (make setup installs it)")
def test_renders_png_and_svg(tmp_path):
    plan_file = tmp_path / "small.json"
    plan_file.write_text(json.dumps(tier_plan("small")._raw))
    assert architecture.main([str(plan_file), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "small.png").stat().st_size > 10_000
    svg = (tmp_path / "out" / "small.svg").read_text()
    assert "<svg" in svg and 'xlink:href="data:image/png;base64,' in svg
    assert not any(href.startswith("/") for href in re.findall(r'xlink:href="([^"]*)"', svg)), "icons linked by local path render nowhere else"
    assert architecture.main([str(plan_file), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "small.svg").read_text() == svg, "a second drawing of the same plan differs (make diagrams would dirty the tree)"
    assert (tmp_path / "again" / "small.png").read_bytes() == (tmp_path / "out" / "small.png").read_bytes()


def test_check_mode_flags_a_stale_diagram(tmp_path):
    plan_file = tmp_path / "small.json"
    plan_file.write_text(json.dumps(tier_plan("small")._raw))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "small.json").write_text("{}")
    assert architecture.main([str(plan_file), "--check", "--out", str(tmp_path / "out")]) == 1


@pytest.mark.xdist_group("large")
def test_large_per_flow_views_number_their_steps_and_show_the_guardrails(tmp_path):
    g = graph_of(tmp_path, "large")
    rails = g["guardrails"]
    for account, roles in ((a, spec["roles"]) for a, spec in g["accounts"].items() if "management" not in spec["roles"]):
        assert {"audit-tampering", "leaving-organization", "regions"} <= set(rails[account]["SCP"]), roles
        assert ("data-scientists" in rails[account]["SCP"]) == ("dev" not in roles), "the data-scientist deny everywhere but dev"
        assert ("RCP" in rails[account]) == bool({"staging", "prod"} & set(roles)), "the perimeter on the serving accounts"
    views = {name: architecture.view(g, steps) for name, (_, steps) in architecture.VIEWS.items()}
    for name, (_, steps) in architecture.VIEWS.items():
        numbers = {int(label.split(".")[0]) for _, _, label in views[name]["edges"]}
        assert numbers == set(range(1, len(steps) + 1)), f"{name}: every step is drawn, in order ({sorted(numbers)})"
        assert {n for e in views[name]["edges"] for n in e[:2]} == set(views[name]["nodes"])
    deploy = {(src, dst) for src, dst, _ in views["deploy"]["edges"]}
    assert {("artifact.registry", "cicd.pipeline_cd"), ("cicd.build", "prod.endpoint")} <= deploy
    assert ("ops.trigger", "ops.pipeline") in {(s, d) for s, d, _ in views["monitoring"]["edges"]}
    assert ("data.lake", "ops.pipeline") in {(s, d) for s, d, _ in views["data"]["edges"]}
    for name in architecture.VIEWS:
        assert (ROOT / "docs" / "diagrams" / f"large-{name}.svg").exists(), f"run `make diagrams`: docs/diagrams/large-{name}.svg"


@pytest.mark.xdist_group("large")
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (make setup installs it)")
def test_the_per_flow_views_draw_the_same_twice(tmp_path):
    plan_file = tmp_path / "large.json"
    plan_file.write_text(json.dumps(tier_plan("large")._raw))
    drawn = []
    for out in ("out", "again"):
        assert architecture.main([str(plan_file), "--out", str(tmp_path / out)]) == 0
        drawn.append({name: (tmp_path / out / f"large-{name}.svg").read_text() for name in architecture.VIEWS})
    assert drawn[0] == drawn[1], "a second drawing of a view differs (make diagrams would dirty the tree)"
    assert all("1. " in svg and 'xlink:href="data:image/png;base64,' in svg for svg in drawn[0].values())
