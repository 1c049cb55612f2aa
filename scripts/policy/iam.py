"""IAM policy evaluation with PMapper's local_check_authorization_full (see policies/README.md).

PMapper (principalmapper 1.1.5) is unmaintained and imports `collections.Mapping` & co., which
Python 3.10 removed; the shim below restores the aliases before the import. PMapper expands policy
variables in Resource elements only; `with_principal_tags` expands ${aws:PrincipalTag/...} in the
conditions of identity, boundary, resource and resource control policies too, which ABAC needs. Its behaviour is pinned by the table-driven AWS semantics cases
in tests/policy/test_iam_semantics.py.
"""
from __future__ import annotations

import collections
import collections.abc
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable", "MutableSet", "Set"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

from principalmapper.common import Node, Policy  # noqa: E402
from principalmapper.querying.local_policy_simulation import resource_policy_matching_statements  # noqa: E402
from principalmapper.querying.query_interface import local_check_authorization_full  # noqa: E402
from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict  # noqa: E402

logging.getLogger("principalmapper").setLevel(logging.WARNING)


@dataclass
class Principal:
    arn: str
    account_id: str
    policies: list[dict[str, Any]] = field(default_factory=list)
    boundary: dict[str, Any] | None = None
    boundary_arn: str | None = None
    trust_policy: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def node(self) -> Node:
        policies = [Policy(f"{self.arn}#inline{i}", f"inline{i}", with_principal_tags(doc, self.tags)) for i, doc in enumerate(self.policies)]
        boundary = Policy(self.boundary_arn or f"{self.arn}#boundary", "boundary", with_principal_tags(self.boundary, self.tags)) if self.boundary else None
        trust = (self.trust_policy or {"Version": "2012-10-17", "Statement": []}) if ":role/" in self.arn else None
        return Node(self.arn, f"AROA{abs(hash(self.arn)) % 10**12:012d}", policies, [], trust, None, 0, False, False, boundary, False, dict(self.tags))


PRINCIPAL_TAG = re.compile(r"\$\{aws:PrincipalTag/([^}]+)\}", re.I)


def with_principal_tags(document: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """The document with ${aws:PrincipalTag/<key>} replaced by the principal's tag in its
    conditions. A statement whose condition names a tag the principal lacks never matches (IAM User
    Guide, 'Policy variables': a variable with no value in the request fails the condition)."""
    text = json.dumps(document)
    if not PRINCIPAL_TAG.search(text):
        return document
    kept = []
    for statement in ([document["Statement"]] if isinstance(document.get("Statement"), dict) else document.get("Statement", [])):
        condition = json.dumps(statement.get("Condition", {}))
        if any(key not in tags for key in PRINCIPAL_TAG.findall(condition)):
            continue
        kept.append({**statement, "Condition": json.loads(PRINCIPAL_TAG.sub(lambda m: tags[m.group(1)], condition))} if "Condition" in statement else statement)
    return {**document, "Statement": kept}


def rcp_denies(principal: Principal, action: str, resource: str, keys: dict[str, Any], rcps: list[dict[str, Any]]) -> bool:
    """Resource control policies deny only (RCPFullAWSAccess allows the rest): does one deny this request?"""
    context = CaseInsensitiveDict({"aws:PrincipalArn": principal.arn, **keys})
    node = principal.node()
    return any(s.get("Effect") == "Deny" for rcp in rcps for s in resource_policy_matching_statements(node, with_principal_tags(rcp, principal.tags), action, resource, context))


def authorized(
    principal: Principal,
    action: str,
    resource: str,
    *,
    resource_policy: dict[str, Any] | None = None,
    resource_account: str | None = None,
    context: dict[str, Any] | None = None,
    scps: list[list[dict[str, Any]]] | None = None,
    rcps: list[dict[str, Any]] | None = None,
) -> bool:
    """Would AWS allow `principal` to call `action` on `resource`? Identity policies, boundary, SCPs
    (one list per level of the OU path), RCPs of the resource's account, the resource policy
    (cross-account needs both sides)."""
    groups = [[Policy(f"scp{i}-{j}", f"scp{i}-{j}", doc) for j, doc in enumerate(level)] for i, level in enumerate(scps)] if scps else None
    keys = {"aws:PrincipalAccount": principal.account_id, "aws:PrincipalIsAWSService": "false", **(context or {})}
    if rcps and rcp_denies(principal, action, resource, keys, rcps):
        return False
    return local_check_authorization_full(
        principal.node(), action, resource, keys,
        resource_policy=with_principal_tags(resource_policy, principal.tags) if resource_policy else resource_policy,
        resource_owner=resource_account if resource_policy is not None else None,
        service_control_policy_groups=groups,
    )
