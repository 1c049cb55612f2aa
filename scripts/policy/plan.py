"""A Terraform plan (`terraform show -json`) as the policy rules see it: resources with their
planned values, what is unknown until apply, and the account each resource lands in."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator


def dig(value: Any, path: tuple[Any, ...]) -> Any:
    """value[path[0]][path[1]]..., through dicts and list indexes; None where the path ends early."""
    for key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return None
    return value


@dataclass
class Resource:
    address: str
    type: str
    values: dict[str, Any]
    unknown: dict[str, Any]
    account_role: str
    account_id: str
    plan: str

    def get(self, *path: Any, default: Any = None) -> Any:
        value = dig(self.values, path)
        return default if value is None else value

    def is_unknown(self, *path: Any) -> bool:
        value: Any = self.unknown
        for key in path:
            if value is True:
                return True
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                value = value[key]
            else:
                return False
        return value is True or (isinstance(value, (dict, list)) and bool(value) and _any_true(value))

    def json(self, attribute: str) -> dict[str, Any] | None:
        """A policy-document attribute, parsed; None when absent or unknown."""
        text = self.values.get(attribute)
        if not text or not isinstance(text, str):
            return None
        return json.loads(text)


def _any_true(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, dict):
        return any(_any_true(v) for v in value.values())
    if isinstance(value, list):
        return any(_any_true(v) for v in value)
    return False


PLACEHOLDER_ACCOUNT = "000000000000"


@dataclass
class Plan:
    path: str
    raw: dict[str, Any]
    resources: list[Resource] = field(default_factory=list)
    account_roles: dict[str, str] = field(default_factory=dict)  # alias -> account ID
    planned_view: "Plan | None" = None  # the same plan as planned_values state it, when that differs
    notes: list[str] = field(default_factory=list)  # what the suite assumed, printed with the results
    deferred_data: dict[str, dict[str, Any]] = field(default_factory=dict)  # data sources read at apply

    @property
    def name(self) -> str:
        return Path(self.path).stem

    def of_type(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.type in types)

    def output(self, name: str, default: Any = None) -> Any:
        return self.raw.get("planned_values", {}).get("outputs", {}).get(name, {}).get("value", default)


def _provider_keys(module: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Configuration address (module path without instance keys) -> provider alias."""
    keys: dict[str, str] = {}
    for resource in module.get("resources", []):
        keys[f"{prefix}{resource['address']}"] = resource.get("provider_config_key", "aws")
    for name, call in module.get("module_calls", {}).items():
        keys.update(_provider_keys(call.get("module", {}), f"{prefix}module.{name}."))
    return keys


def _config_address(address: str) -> str:
    return re.sub(r"\[[^\]]*\](?=\.)", "", re.sub(r"\[[^\]]*\]$", "", address))


def _planned_values(module: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {r["address"]: r.get("values") or {} for r in module.get("resources", []) if r.get("mode") == "managed"}
    for child in module.get("child_modules", []):
        found.update(_planned_values(child))
    return found


def load(path: str | Path) -> Plan:
    """Every managed resource, from resource_changes (`after`) and, where it differs, from
    planned_values too: a setting changed in either view of the plan is checked."""
    raw = json.loads(Path(path).read_text())
    if not isinstance(raw, dict) or "format_version" not in raw or "resource_changes" not in raw:
        raise ValueError("no format_version or resource_changes; make it with `terraform show -json <planfile>`")
    plan = Plan(str(path), raw)
    plan.account_roles = accounts(plan)
    keys = _provider_keys(raw.get("configuration", {}).get("root_module", {}))
    planned = _planned_values(raw.get("planned_values", {}).get("root_module", {}))
    alternate = Plan(str(path), raw, account_roles=plan.account_roles)
    for change in raw.get("resource_changes", []):
        if change.get("mode") == "data" and change["change"]["actions"] == ["read"]:
            plan.deferred_data[change["address"]] = change["change"]  # read at apply: its values may be unknown
        if change.get("mode") != "managed" or change["change"]["actions"] == ["delete"]:
            continue
        alias = keys.get(_config_address(change["address"]), "aws").removeprefix("aws").lstrip(".") or "default"
        after = change["change"].get("after") or {}
        for target, values in ((plan, after), (alternate, planned.get(change["address"], after))):
            target.resources.append(
                Resource(
                    address=change["address"],
                    type=change["type"],
                    values=values,
                    unknown=change["change"].get("after_unknown") or {},
                    account_role=alias,
                    account_id=plan.account_roles.get(alias) or (next(iter(plan.account_roles.values())) if len(set(plan.account_roles.values())) == 1 else PLACEHOLDER_ACCOUNT),
                    plan=plan.name,
                )
            )
    if any(_differs(b.values, a.values) for a, b in zip(plan.resources, alternate.resources)):
        plan.planned_view = alternate
    return plan


def _constant_or_variable(raw: dict[str, Any], expression: dict[str, Any] | None) -> Any:
    """A provider argument's value when the plan states it: a constant, or a root variable it reads."""
    if not expression:
        return None
    if "constant_value" in expression:
        return expression["constant_value"]
    variables = {k: v.get("value") for k, v in (raw.get("variables") or {}).items()}
    for ref in expression.get("references") or []:
        parts = ref.split(".")
        if parts[0] != "var" or parts[1] not in variables:
            continue
        value: Any = variables[parts[1]]
        for key in parts[2:]:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, (str, list)) and value:
            return value
    return None


def accounts(plan: Plan) -> dict[str, str]:
    """Provider alias -> account: the tier's `account_roles` output, else each provider's
    allowed_account_ids or assumed role, else one placeholder account (said in the notes)."""
    roles = plan.output("account_roles") or {}
    if roles:
        return {alias: str(account) for alias, account in roles.items()}
    found: dict[str, str] = {}
    for key, config in (plan.raw.get("configuration", {}).get("provider_config") or {}).items():
        if config.get("name") != "aws":
            continue
        expressions = config.get("expressions") or {}
        allowed = _constant_or_variable(plan.raw, expressions.get("allowed_account_ids"))
        role = _constant_or_variable(plan.raw, (expressions.get("assume_role") or [{}])[0].get("role_arn"))
        account = (allowed[0] if isinstance(allowed, list) and allowed else allowed if isinstance(allowed, str) else None) or (role.split(":")[4] if isinstance(role, str) and role.count(":") >= 5 else None)
        alias = key.split(".", 1)[1] if "." in key else "default"
        if account and re.fullmatch(r"\d{12}", str(account)):
            found[alias] = str(account)
    if not found:
        plan.notes.append(f"no account_roles output and no provider names its account: every resource is placed in one account ({PLACEHOLDER_ACCOUNT})")
    return found


@dataclass(frozen=True)
class Attachment:
    """An organization policy attached to an account: keyed "<policy>/<target>" in the plan, because
    policy IDs are unknown until apply. `policy` is None when the plan has no policy of that key."""
    address: str
    key: str  # the policy's key, e.g. deny-regions
    target: str | None
    policy: Resource | None


def organization_attachments(plan: Plan) -> list[Attachment]:
    key = lambda r: r.address.rsplit("[", 1)[-1].strip('"]')  # noqa: E731
    policies = {key(r): r for r in plan.of_type("aws_organizations_policy")}
    return [Attachment(r.address, key(r).partition("/")[0], str(r.get("target_id")) if r.get("target_id") else None, policies.get(key(r).partition("/")[0]))
            for r in plan.of_type("aws_organizations_policy_attachment")]


def region(plan: Plan) -> str:
    """The region policies are evaluated in: the `region` output, else the default provider's region."""
    if isinstance(plan.output("region"), str):
        return plan.output("region")
    for config in (plan.raw.get("configuration", {}).get("provider_config") or {}).values():
        value = _constant_or_variable(plan.raw, (config.get("expressions") or {}).get("region"))
        if isinstance(value, str):
            return value
    plan.notes.append("no region output and no provider region: evaluated in us-east-1")
    return "us-east-1"


def _differs(planned: dict[str, Any], after: dict[str, Any]) -> bool:
    """planned_values omits unknown attributes; compare only what both views state."""
    return any(after.get(key) != value for key, value in planned.items() if value is not None)
