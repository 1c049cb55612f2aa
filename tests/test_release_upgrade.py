"""Upgrading from release 0.x: plan this code on the state release 0.x left; nothing is destroyed
(every address moves or stays) and nothing stateful is replaced.

The state (tests/fixtures/release-0.x/, written by scripts/release_state.py from 0.x's plan) holds
each resource with the attributes 0.x's plan knew wholly. Attributes made at apply (ids, other
resources' ARNs) are null there, so a replacement that only they would force cannot be seen: a
stateful resource fails here when an attribute 0.x knew forces its replacement. Security group
rules are not in the state (the provider cannot plan them with null ids; release_state.py).
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from plans import OFFLINE_ENV
from support import ROOT, terraform

sys.path.insert(0, str(ROOT / "scripts"))
import tier as tier_script  # noqa: E402
from release_state import KEPT  # noqa: E402

RELEASES = ROOT / "tests" / "fixtures"


def released_instances(state: dict) -> dict[str, tuple[str, dict]]:
    """address -> (type, attributes) of every instance in the state."""
    found = {}
    for resource in state["resources"]:
        base = ".".join(filter(None, [resource.get("module"), resource["type"], resource["name"]]))
        for instance in resource["instances"]:
            key = instance.get("index_key")
            found[base if key is None else f"{base}[{json.dumps(key)}]"] = (resource["type"], instance["attributes"])
    return found


@pytest.mark.xdist_group("large")
@pytest.mark.parametrize("release,tier", [("release-0.x", "large")])
def test_nothing_is_destroyed_and_nothing_stateful_replaced(release: str, tier: str, tmp_path: Path) -> None:
    state = tmp_path / "terraform.tfstate"
    shutil.copy(RELEASES / release / f"{tier}.state.json", state)
    tier_dir = ROOT / "environments" / tier
    tier_script.init(tier_dir, tier_script.terraform_env(OFFLINE_ENV))  # skipped while unchanged: never under an emulator run's feet
    plan = tmp_path / "plan"
    terraform(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", f"-state={state}", f"-out={plan}",
               "-var=offline_plan=true", f"-var-file={tier_dir / 'demo.tfvars'}"], tier_dir, OFFLINE_ENV)
    changes = json.loads(terraform(["show", "-json", str(plan)], tier_dir, OFFLINE_ENV).stdout)["resource_changes"]
    by_old_address = {c.get("previous_address", c["address"]): c for c in changes}
    released = released_instances(json.loads(state.read_text()))
    assert released, "the release's state holds nothing to check"
    lost, replaced = [], []
    for address, (kind, attributes) in released.items():
        change = by_old_address.get(address)
        if change is None or change["change"]["actions"] == ["delete"]:
            lost.append(address)
            continue
        forced_by_known = [path for path in change["change"].get("replace_paths") or [] if path[0] in attributes]
        if kind in KEPT and "delete" in change["change"]["actions"] and forced_by_known:
            replaced.append(f"{address} -> {change['address']}: {forced_by_known}")
    assert not lost, f"{release}'s resources that this code plans to destroy (add a moved block):\n" + "\n".join(lost)
    assert not replaced, f"{release}'s resources that this code replaces (a changed name or description, ...):\n" + "\n".join(replaced)
