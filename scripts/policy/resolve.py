"""Values a plan leaves unknown until apply, resolved the way Terraform would from the plan's
`configuration` section: a reference such as `aws_iam_role.x.name` or `aws_iam_policy.p.arn` is
followed to the resource it names (through module inputs and outputs), and that resource's attribute
is built from its known values (an ARN from its account, path and name).

Hand-written because no maintained library reads Terraform plan JSON this way (checkov and tfsec
read HCL or planned values only). What cannot be resolved is returned as None with the reason, and
the policy suite reports it as not evaluated (MLOPS-016): nothing unresolved passes silently.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from policy.plan import dig

INDEX = re.compile(r"\[[^\]]*\]")


def config_address(address: str) -> str:
    """module.a["k"].aws_x.y[0] -> module.a.aws_x.y"""
    return INDEX.sub("", address)


def instance_key(address: str) -> str | None:
    match = re.search(r"\[([^\]]*)\]$", address)
    return match.group(1) if match else None


def scope_of(address: str) -> tuple[str, ...]:
    """The module path of a (config) address: module.a.module.b.aws_x.y -> ("a", "b")."""
    parts, scope = config_address(address).split("."), []
    while len(parts) >= 2 and parts[0] == "module":
        scope.append(parts[1])
        parts = parts[2:]
    return tuple(scope)


def prefix(scope: tuple[str, ...]) -> str:
    return "".join(f"module.{name}." for name in scope)


@dataclass
class Configuration:
    """The plan's configuration: every module scope, its resources' expressions, calls and outputs."""

    raw: dict[str, Any]

    def __post_init__(self) -> None:
        self.scopes: dict[tuple[str, ...], dict[str, Any]] = {}
        self.calls: dict[tuple[str, ...], dict[str, Any]] = {}
        self._walk(self.raw.get("configuration", {}).get("root_module", {}), ())
        self.variables = {name: v.get("value") for name, v in (self.raw.get("variables") or {}).items()}

    def _walk(self, module: dict[str, Any], scope: tuple[str, ...]) -> None:
        self.scopes[scope] = module
        for name, call in (module.get("module_calls") or {}).items():
            self.calls[scope + (name,)] = call
            self._walk(call.get("module") or {}, scope + (name,))

    def resource(self, address: str) -> dict[str, Any]:
        """The configuration block of a resource or data source (by instance or config address)."""
        scope, local = scope_of(address), config_address(address).split(".")
        local = local[2 * len(scope):]
        wanted = ".".join(local)
        for block in self.scopes.get(scope, {}).get("resources") or []:
            if block.get("address") == wanted or f"{'data.' if block.get('mode') == 'data' else ''}{block.get('type')}.{block.get('name')}" == wanted:
                return block
        return {}

    def expression(self, address: str, *path: Any) -> dict[str, Any] | None:
        value = dig(self.resource(address).get("expressions") or {}, path)
        return value if isinstance(value, dict) else None

    def module_source(self, scope: tuple[str, ...]) -> str | None:
        return (self.calls.get(scope) or {}).get("source")


def references(expression: dict[str, Any] | None) -> list[str]:
    """Most specific first: `aws_iam_role.x.name` before `aws_iam_role.x`."""
    refs = list((expression or {}).get("references") or [])
    return sorted(dict.fromkeys(refs), key=lambda r: -r.count("."))


@dataclass(frozen=True)
class Target:
    """What a reference names: a resource instance address and the attribute it reads."""

    address: str
    attribute: str | None


class Resolver:
    """Follows references to planned resources; `values` maps instance address -> planned values."""

    def __init__(self, configuration: Configuration, addresses: Iterator[str]) -> None:
        self.configuration = configuration
        self.by_config: dict[str, list[str]] = {}
        for address in addresses:
            self.by_config.setdefault(config_address(address), []).append(address)

    def targets(self, address: str, expression: dict[str, Any] | None, depth: int = 0) -> tuple[list[Target], str]:
        """The resources an expression of `address` refers to, or ([], why not)."""
        if depth > 12:
            return [], "references nest too deeply"
        scope = scope_of(address)
        why = "no references"
        for ref in references(expression):
            found, why = self._follow(address, scope, ref, depth)
            if found:
                return found, ""
        return [], why

    def all_targets(self, address: str, expression: dict[str, Any] | None) -> list[Target]:
        """Every resource attribute an expression refers to, in order (for list arguments)."""
        found: list[Target] = []
        for ref in (expression or {}).get("references") or []:
            if ref.count(".") < 2 and not ref.startswith(("var.", "module.")):
                continue  # `aws_x.y` repeats `aws_x.y.attr`, listed next to it
            targets, _ = self._follow(address, scope_of(address), ref, 0)
            found += [t for t in targets if t not in found]
        return found

    def _follow(self, address: str, scope: tuple[str, ...], ref: str, depth: int) -> tuple[list[Target], str]:
        parts = ref.split(".")
        head = parts[0]
        if head in ("local", "each", "count", "path", "terraform", "self"):
            return [], f"{ref} is a {head} value the plan does not record"
        if head == "var":
            if not scope:
                return [], f"{ref} is a root variable, not a resource"
            if len(parts) > 2:
                return [], f"{ref} reads inside an input object"
            call = self.configuration.calls.get(scope) or {}
            return self.targets(f"{prefix(scope[:-1])}_", (call.get("expressions") or {}).get(parts[1]), depth + 1) if call else ([], f"no call for {ref}")
        if head == "module":
            if len(parts) < 3:
                return [], f"{ref} names a whole module"
            child = scope + (INDEX.sub("", parts[1]),)
            output = ((self.configuration.scopes.get(child) or {}).get("outputs") or {}).get(parts[2]) or {}
            return self.targets(f"{prefix(child)}_", output.get("expression"), depth + 1)
        data = head == "data"
        parts = parts[1:] if data else parts
        if len(parts) < 2:
            return [], f"{ref} is not a resource reference"
        config = f"{prefix(scope)}{'data.' if data else ''}{parts[0]}.{parts[1]}"
        instances = self.by_config.get(config, [])
        attribute = parts[2] if len(parts) > 2 else None
        if len(instances) == 1:
            return [Target(instances[0], attribute)], ""
        key = instance_key(address)
        same = [i for i in instances if instance_key(i) == key and key is not None]
        if len(same) == 1:
            return [Target(same[0], attribute)], ""
        if not instances:
            return [], f"{ref} names nothing in the plan"
        return [], f"{ref} names {len(instances)} instances; which one is known only at apply"


def render_policy_document(values: dict[str, Any], unknown: dict[str, Any], resolve_element: Any) -> tuple[dict[str, Any] | None, str]:
    """A data.aws_iam_policy_document from its planned arguments, when its `json` is unknown.

    Unknown list elements are asked of `resolve_element(statement_index, field)`, which returns the
    values the element can take (an ARN and, since the expression may append a path, the ARN/*):
    an over-approximation, sound for Allow statements only. A Deny with an unknown element, or a
    source/override document, cannot be rendered soundly and is refused with the reason.
    """
    if values.get("source_policy_documents") or values.get("override_policy_documents") or unknown.get("source_policy_documents") or unknown.get("override_policy_documents"):
        return None, "it merges other documents that are unknown until apply"
    statements = []
    for i, st in enumerate(values.get("statement") or []):
        st_unknown = (unknown.get("statement") or [{}] * (i + 1))[i] if isinstance(unknown.get("statement"), list) and i < len(unknown.get("statement")) else (unknown.get("statement") is True)
        if st_unknown is True:
            return None, f"statement {i} is unknown until apply"
        st_unknown = st_unknown or {}
        effect = st.get("effect") or "Allow"
        out: dict[str, Any] = {"Effect": effect}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        for field, key in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"), ("not_resources", "NotResource")):
            items, marks = st.get(field), st_unknown.get(field)
            if marks is True:
                if effect == "Deny":
                    return None, f"statement {i} is a Deny whose {field} are unknown until apply"
                resolved = resolve_element(i, field)
                if resolved is None:
                    return None, f"statement {i}'s {field} are unknown until apply"
                out[key] = resolved
                continue
            if items is None:
                continue
            known = [v for j, v in enumerate(items) if not (isinstance(marks, list) and j < len(marks) and marks[j])]
            if isinstance(marks, list) and any(marks):
                if effect == "Deny":
                    return None, f"statement {i} is a Deny whose {field} are partly unknown until apply"
                extra = resolve_element(i, field)
                if extra is None:
                    return None, f"statement {i}'s {field} are partly unknown until apply"
                known += extra
            out[key] = sorted(set(known))
        for field, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if st_unknown.get(field):
                return None, f"statement {i}'s {field} are unknown until apply"
            blocks = st.get(field) or []
            if blocks:
                merged: dict[str, list[str]] = {}
                for block in blocks:
                    merged.setdefault(block["type"], []).extend(block.get("identifiers") or [])
                out[key] = "*" if merged.get("*") == ["*"] and len(merged) == 1 else {k: sorted(v) for k, v in merged.items()}
        conditions: dict[str, dict[str, list[str]]] = {}
        for j, condition in enumerate(st.get("condition") or []):
            if st_unknown.get("condition"):
                return None, f"statement {i}'s conditions are unknown until apply"
            conditions.setdefault(condition["test"], {})[condition["variable"]] = list(condition.get("values") or [])
        if conditions:
            out["Condition"] = conditions
        statements.append(out)
    return {"Version": values.get("version") or "2012-10-17", "Statement": statements}, ""


def as_document(text: Any) -> dict[str, Any] | None:
    if isinstance(text, dict):
        return text
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None
