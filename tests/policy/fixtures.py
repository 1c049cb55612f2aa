"""Plan fixtures: the real small-tier plan with one setting changed, and small synthetic plans."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from plans import tier_plan
from policy import plan as plans

DEV, STAGING, PROD, CICD, ARTIFACT = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"
ORG = "o-abc1234567"


def small_raw() -> dict[str, Any]:
    return tier_raw("small")


def tier_raw(tier: str) -> dict[str, Any]:
    return json.loads(_tier_json(tier))  # a fresh copy, several times faster than copy.deepcopy


@lru_cache(maxsize=None)
def _tier_json(tier: str) -> str:
    return json.dumps(tier_plan(tier)._raw)


def change(raw: dict[str, Any], address: str) -> dict[str, Any]:
    return next(c for c in raw["resource_changes"] if c["address"] == address)["change"]


def planned(raw: dict[str, Any], address: str) -> dict[str, Any]:
    """The planned values of the resource at address (the engine's own walk of planned_values), to edit in place."""
    return plans._planned_values(raw["planned_values"]["root_module"])[address]


def setter(address: str, path: list[Any], value: Any) -> Callable[[dict], None]:
    def apply(raw: dict) -> None:
        target = change(raw, address)["after"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return apply


def deleter(address: str, path: list[Any]) -> Callable[[dict], None]:
    """The setting simply omitted: gone from `after` and not unknown (the provider default)."""
    def apply(raw: dict) -> None:
        after, unknown = change(raw, address)["after"], change(raw, address)["after_unknown"]
        for key in path[:-1]:
            after, unknown = after[key], (unknown.get(key) if isinstance(unknown, dict) else unknown[key] if isinstance(unknown, list) and key < len(unknown) else {})
        after.pop(path[-1], None) if isinstance(after, dict) else None
        if isinstance(unknown, dict):
            unknown.pop(path[-1], None)
    return apply


def policy_edit(address: str, attribute: str, edit: Callable[[dict], None]) -> Callable[[dict], None]:
    def apply(raw: dict) -> None:
        after = change(raw, address)["after"]
        document = json.loads(after[attribute])
        edit(document)
        after[attribute] = json.dumps(document)
    return apply


def remove_resource(address: str) -> Callable[[dict], None]:
    def apply(raw: dict) -> None:
        raw["resource_changes"] = [c for c in raw["resource_changes"] if c["address"] != address]
    return apply


def write(raw: dict, tmp_path: Path, name: str = "fixture") -> plans.Plan:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(raw))
    return plans.load(path)


def synthetic(resources: list[tuple[str, str, str, dict[str, Any]]], organization_id: str | None = None) -> dict[str, Any]:
    """A minimal multi-account plan: (account role, type, name, values) per resource."""
    accounts = {"dev": DEV, "staging": STAGING, "prod": PROD, "cicd": CICD, "artifact": ARTIFACT}
    modules: dict[str, list[dict]] = {}
    changes = []
    for role, rtype, name, values in resources:
        changes.append({"address": f"module.{role}.{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
                        "change": {"actions": ["create"], "after": values, "after_unknown": {}}})
        modules.setdefault(role, []).append({"address": f"{rtype}.{name}", "provider_config_key": f"aws.{role}"})
    outputs = {"account_roles": {"value": accounts}}
    if organization_id:
        outputs["organization_id"] = {"value": organization_id}
    return {
        "format_version": "1.2", "resource_changes": changes, "planned_values": {"outputs": outputs},
        "configuration": {"root_module": {"module_calls": {role: {"module": {"resources": rs}} for role, rs in modules.items()}}},
    }


def role(name: str, trust: dict, purpose: str = "", path: str = "/mlops/") -> dict[str, Any]:
    return {"name": name, "path": path, "assume_role_policy": json.dumps(trust), "tags_all": {"mlops:purpose": purpose} if purpose else {}}


def trust(principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}]}


def inline(role_name: str, *statements: dict) -> dict[str, Any]:
    return {"name": "p", "role": role_name, "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}
