"""One-step first apply: every principal a planned policy names exists before the policy is set.

AWS rejects a bucket, key, trust, registry, ECR or event-bus policy that names a role or user that does
not exist yet (so does the emulator: scripts/emulator/extensions.py). Terraform orders creates only
along references, and role ARNs built from names carry none, so each such output depends on its role.
This proves the order on `terraform graph` of every tier, large included, which the emulator cannot
apply. A principal that no plan creates must be an input the README says exists before the first
apply (model approvers, lake admins); anything else fails, and so does a policy unknown at plan.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterator

import pytest

from plans import OFFLINE_ENV, tier_plan
from policy import documents
from policy.documents import listify, statements
from support import ROOT, terraform, terraform_init

TIERS = ("small", "medium", "large")
POLICY_ATTRIBUTES = {  # resource type -> the attribute holding a resource policy that names principals
    "aws_cloudwatch_event_bus_policy": "policy",
    "aws_ecr_repository_policy": "policy",
    "aws_iam_role": "assume_role_policy",
    "aws_kms_key": "policy",
    "aws_s3_bucket_policy": "policy",
    "aws_sagemaker_model_package_group_policy": "resource_policy",
}
PRINCIPAL = re.compile(r"^arn:[\w-]+:iam::\d{12}:((?:role|user)/.+)$")


def config_address(address: str) -> str:
    return re.sub(r'\[(?:\d+|"[^"]*")\]', "", address)


def principals(value: Any) -> Iterator[str]:
    """AWS principals of every policy document in a planned value (JSON strings included)."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        for statement in statements(value) if "Statement" in value else ():
            excluded = statement.get("NotPrincipal")
            yield from [arn for kind, arn in documents.principals(statement) if kind == "AWS"]
            yield from listify(excluded.get("AWS")) if isinstance(excluded, dict) else ()
        for item in value.values():
            yield from principals(item)
    elif isinstance(value, list):
        for item in value:
            yield from principals(item)


def reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo += edges.get(node, ())
    return False


def misordered(plan: dict, edges: dict[str, set[str]], declared: set[str]) -> list[str]:
    """Findings: a policy set before (or without) the principal it names, or that cannot be evaluated."""
    creates = [rc for rc in plan["resource_changes"] if "create" in rc["change"]["actions"] or "update" in rc["change"]["actions"]]
    created: dict[str, list[str]] = {}
    for rc in creates:
        after = rc["change"]["after"] or {}
        if rc["type"] in ("aws_iam_role", "aws_iam_user"):
            created.setdefault(f"{rc['type'].removeprefix('aws_iam_')}{after.get('path', '/')}{after.get('name')}", []).append(rc["address"])
    findings = []
    for rc in creates:
        after, unknown = rc["change"]["after"] or {}, rc["change"].get("after_unknown") or {}
        attribute = POLICY_ATTRIBUTES.get(rc["type"])
        if attribute and unknown.get(attribute):
            findings.append(f"{rc['address']}: {attribute} is unknown at plan, so its principals cannot be checked")
        for arn in sorted(set(principals(after))):
            match = PRINCIPAL.match(arn)
            if not match:
                continue
            roles = created.get(match[1], [])
            if len(roles) > 1:
                findings.append(f"{rc['address']}: {arn} matches {len(roles)} planned principals ({', '.join(roles)}); cannot tell which")
            elif roles and not reaches(edges, config_address(rc["address"]), config_address(roles[0])):
                findings.append(f"{rc['address']} names {arn} but does not depend on {roles[0]}: a first apply may set it first")
            elif not roles and arn not in declared:
                findings.append(f"{rc['address']} names {arn}, which this plan does not create and no input declares")
    return findings


@lru_cache(maxsize=None)
def graph(tier: str) -> dict[str, set[str]]:
    """`terraform graph` of a tier (resources and their dependencies; no plan, no credentials)."""
    terraform_init(ROOT / "environments" / tier)
    dot = terraform(["graph"], ROOT / "environments" / tier, OFFLINE_ENV).stdout
    edges: dict[str, set[str]] = {}
    for source, target in re.findall(r'^\s*"([^"]+)" -> "([^"]+)"', dot, flags=re.M):
        edges.setdefault(source, set()).add(target)
    assert edges, f"terraform graph of {tier} has no edges: {dot[:300]}"
    return edges


def declared_principals(plan: dict) -> set[str]:
    """Principals the inputs name, which exist before the first apply (README: 'Before the first apply')."""
    variables = plan.get("variables", {})
    lake = (variables.get("data_lake") or {}).get("value") or {}
    return {*((variables.get("model_approvers") or {}).get("value") or []), *(lake.get("admin_arns") or [])}


@pytest.mark.parametrize("tier", [pytest.param(t, marks=pytest.mark.xdist_group(t)) for t in TIERS])
def test_every_named_principal_is_created_first(tier: str) -> None:
    plan = tier_plan(tier)._raw
    findings = misordered(plan, graph(tier), declared_principals(plan))
    assert not findings, "\n".join(findings)


def planned(*changes: tuple[str, str, dict]) -> dict:
    return {"resource_changes": [{"address": a, "type": t, "change": {"actions": ["create"], "after": after, "after_unknown": {}}} for a, t, after in changes]}


def test_the_check_finds_a_policy_that_does_not_wait_for_its_principal() -> None:
    bucket_policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:role/mlops/reader", "arn:aws:iam::111111111111:root"]}}]})
    plan = planned(
        ("module.a.aws_iam_role.reader", "aws_iam_role", {"name": "reader", "path": "/mlops/"}),
        ('module.b.aws_s3_bucket_policy.this["x"]', "aws_s3_bucket_policy", {"policy": bucket_policy}),
    )
    assert misordered(plan, {"module.b.aws_s3_bucket_policy.this": {"module.b.output"}, "module.b.output": {"module.a.aws_iam_role.reader"}}, set()) == []
    assert misordered(plan, {}, set()) == ['module.b.aws_s3_bucket_policy.this["x"] names arn:aws:iam::111111111111:role/mlops/reader but does not depend on module.a.aws_iam_role.reader: a first apply may set it first']
    outside = planned(("k", "aws_kms_key", {"policy": bucket_policy}))
    assert misordered(outside, {}, set()) == ["k names arn:aws:iam::111111111111:role/mlops/reader, which this plan does not create and no input declares"]
    assert misordered(outside, {}, {"arn:aws:iam::111111111111:role/mlops/reader"}) == []
    outside["resource_changes"][0]["change"]["after_unknown"] = {"policy": True}
    assert misordered(outside, {}, {"arn:aws:iam::111111111111:role/mlops/reader"}) == ["k: policy is unknown at plan, so its principals cannot be checked"]
