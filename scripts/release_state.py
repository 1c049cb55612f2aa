#!/usr/bin/env python3
"""Write the state a release left behind, from that release's offline plan, for tests/test_release_upgrade.py.

    release_state.py build/plans/large.json > tests/fixtures/release-0.x/large.tfstate

Only what an upgrade must never replace is kept (scripts/upgrade.py STATEFUL, and the pipelines,
whose executions are the lineage of every registered version), with the attributes the plan knew wholly (the rest, ids and ARNs made at apply, stay null).
Terraform builds state only by applying, and nothing applies offline: hence this small writer.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from upgrade import STATEFUL  # noqa: E402

KEPT = STATEFUL | {"aws_sagemaker_pipeline"}
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]{}'


def known(after: dict, unknown: dict) -> dict:
    """The attributes wholly known at plan: one with any part computed at apply is left out (null)."""
    return {k: v for k, v in after.items() if not has_unknown(unknown.get(k))}


def has_unknown(marks) -> bool:
    if isinstance(marks, dict):
        return any(has_unknown(m) for m in marks.values())
    if isinstance(marks, list):
        return any(has_unknown(m) for m in marks)
    return marks is True


def providers(module: dict, path: tuple[str, ...] = ()) -> dict[tuple, str]:
    """(module calls, type, name) -> the root provider configuration each resource uses, e.g. aws.ops."""
    found = {(path, r["type"], r["name"]): r.get("provider_config_key", "aws") for r in module.get("resources", [])}
    for name, call in module.get("module_calls", {}).items():
        found.update(providers(call.get("module", {}), (*path, name)))
    return found


def provider_of(change: dict, configured: dict[tuple, str]) -> str:
    calls = tuple(re.findall(r"module\.([^.\[]+)", change.get("module_address", "")))
    key = configured[(calls, change["type"], change["name"])]
    return PROVIDER.format(key.removeprefix("aws"))


def state(plan: dict) -> dict:
    configured = providers(plan["configuration"]["root_module"])
    resources: dict[tuple, dict] = {}
    for change in plan["resource_changes"]:
        if change["type"] not in KEPT or change["mode"] != "managed" or change["change"]["actions"] != ["create"]:
            continue
        key = (change.get("module_address", ""), change["type"], change["name"])
        entry = resources.setdefault(key, {"mode": "managed", "type": change["type"], "name": change["name"], "provider": provider_of(change, configured), "instances": []})
        if key[0]:
            entry["module"] = key[0]
        instance = {"schema_version": 0, "attributes": known(change["change"]["after"], change["change"]["after_unknown"] or {})}
        if "index" in change:
            instance["index_key"] = change["index"]
        entry["instances"].append(instance)
    return {"version": 4, "terraform_version": plan["terraform_version"], "serial": 1, "lineage": str(uuid.uuid5(uuid.NAMESPACE_URL, "mlops-release")),
            "outputs": {}, "resources": sorted(resources.values(), key=lambda r: (r.get("module", ""), r["type"], r["name"]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    print(json.dumps(state(json.loads(parser.parse_args().plan.read_text())), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
