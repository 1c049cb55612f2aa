#!/usr/bin/env python3
"""Write the state a release left behind, from that release's offline plan, for tests/test_release_upgrade.py.

    release_state.py build/plans/large.json --tier large > tests/fixtures/release-0.x/large.state.json

Every managed resource is there, so a plan shows what this code would destroy; what an upgrade must
never replace (scripts/upgrade.py STATEFUL, and the pipelines, whose executions are the lineage of
every registered version) carries the attributes the plan knew wholly (the rest, ids and ARNs made at
apply, stay null), so a plan also shows what this code would replace.
Terraform builds state only by applying, and nothing applies offline: hence this small writer.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tier  # noqa: E402
from upgrade import STATEFUL  # noqa: E402

KEPT = STATEFUL | {"aws_sagemaker_pipeline"}
# Left out: with ids null (made at apply), the provider cannot plan these from state ("requires
# replacement ... for a non-existent attribute path"); so a plan on this state cannot see them go.
UNPLANNABLE = {"aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule"}
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


def schema_versions(tier_dir: Path) -> dict[str, int]:
    """Each resource type's schema version in the provider this repository pins (a state must name it)."""
    shown = subprocess.run(["terraform", "providers", "schema", "-json"], cwd=tier_dir, env=tier.terraform_env({}), text=True, capture_output=True, check=True)
    schemas = next(iter(json.loads(shown.stdout)["provider_schemas"].values()))["resource_schemas"]
    return {name: schema["version"] for name, schema in schemas.items()}


def state(plan: dict, versions: dict[str, int]) -> dict:
    configured = providers(plan["configuration"]["root_module"])
    resources: dict[tuple, dict] = {}
    for change in plan["resource_changes"]:
        if change["mode"] != "managed" or change["change"]["actions"] != ["create"] or change["type"] in UNPLANNABLE:
            continue
        key = (change.get("module_address", ""), change["type"], change["name"])
        entry = resources.setdefault(key, {"mode": "managed", "type": change["type"], "name": change["name"], "provider": provider_of(change, configured), "instances": []})
        if key[0]:
            entry["module"] = key[0]
        attributes = known(change["change"]["after"], change["change"]["after_unknown"] or {})
        instance = {"schema_version": versions[change["type"]], "attributes": attributes}
        if "index" in change:
            instance["index_key"] = change["index"]
        entry["instances"].append(instance)
    return {"version": 4, "terraform_version": plan["terraform_version"], "serial": 1, "lineage": str(uuid.uuid5(uuid.NAMESPACE_URL, "mlops-release")),
            "outputs": {}, "resources": sorted(resources.values(), key=lambda r: (r.get("module", ""), r["type"], r["name"]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("--tier", default="large", choices=["small", "medium", "large"])
    args = parser.parse_args()
    versions = schema_versions(tier.ROOT / "environments" / args.tier)
    print(json.dumps(state(json.loads(args.plan.read_text()), versions), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
