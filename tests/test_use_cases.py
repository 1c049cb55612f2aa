"""Use cases are independent: adding one to a planned tier creates only its resources, and removing
one destroys only its own; every other use case's resources plan exactly as before. The platform's
shared resources that list every use case (IAM policies naming each pipeline, endpoint or group, the
functions whose configuration routes to each) may change, and nothing else may.

Compared on offline plans of environments/small with its demo.tfvars (one use case, `model`):
`model` + `fraud`, and `fraud` alone. A plan is what an apply would do to a state holding the other
plan's resources, resource by resource: a changed planned value is a change, a missing address a
destroy (Terraform keys use cases' resources by name, so nothing is renumbered).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from plans import tier_plan

FIXTURES = Path(__file__).parent / "fixtures" / "use_cases"
# What lists every use case, and so changes when one comes or goes.
AGGREGATING_TYPES = {"aws_iam_role_policy", "aws_iam_policy", "aws_lambda_function"}
USE_CASES = {"model", "fraud"}  # the fixtures' use cases; no shared resource is keyed by either name


def planned(*files: str) -> dict[str, dict]:
    plan = tier_plan("small", *[str(FIXTURES / f) for f in files])
    return {address: change["change"]["after"] for address, change in plan.resource_changes.items()}


def owner(address: str) -> str | None:
    """The use case a resource belongs to, by its for_each key: `fraud`, `fraud/errors`, `deploy/fraud`;
    release 0.x's /predict route is `model`'s."""
    if address.endswith("aws_api_gateway_resource.predict[0]"):
        return "model"
    for key in re.findall(r'\["([^"]+)"\]', address):
        head = key.removeprefix("deploy/").split("/")[0]
        if head == "predict":
            return "model"
        if head in USE_CASES:
            return head
    return None


def compare(before: dict[str, dict], after: dict[str, dict], gone: str | None, new: str | None) -> list[str]:
    wrong = []
    for address in before.keys() - after.keys():
        if owner(address) != gone:
            wrong.append(f"destroyed, not {gone}'s: {address}")
    for address in after.keys() - before.keys():
        if owner(address) != new:
            wrong.append(f"created, not {new}'s: {address}")
    for address in before.keys() & after.keys():
        if before[address] != after[address]:
            kind = address.rsplit(".", 2)[-2]
            if owner(address) is not None or kind not in AGGREGATING_TYPES:
                wrong.append(f"changed: {address} ({kind})")
    return wrong


def test_owner_reads_the_use_case_of_each_kind_of_address() -> None:
    assert owner('module.tier.module.prod.aws_cloudwatch_metric_alarm.rollback["fraud/errors"]') == "fraud"
    assert owner('module.tier.module.prod.aws_cloudwatch_metric_alarm.function_errors["deploy/fraud"]') == "fraud"
    assert owner('module.tier.module.prod.aws_api_gateway_method.route["predict"]') == "model"
    assert owner("module.tier.module.prod.aws_api_gateway_resource.predict[0]") == "model"
    assert owner('module.tier.module.ops.module.pipeline["fraud"].aws_sagemaker_pipeline.this') == "fraud"
    assert owner('module.tier.module.dev.module.data_bucket["raw"].aws_s3_bucket.this') is None
    assert owner('module.tier.module.prod.aws_cloudwatch_metric_alarm.function_errors["inference"]') is None


def test_adding_a_use_case_creates_only_its_resources() -> None:
    one, two = planned(), planned("model-and-fraud.tfvars")
    assert compare(one, two, gone=None, new="fraud") == []
    created = two.keys() - one.keys()
    assert len(created) >= 20, f"a use case is a registry, a pipeline, an endpoint's alarms, monitors and deploy function, a route: {sorted(created)}"
    assert {owner(a) for a in created} == {"fraud"}


def test_removing_a_use_case_destroys_only_its_resources() -> None:
    two, fraud = planned("model-and-fraud.tfvars"), planned("fraud-only.tfvars")
    assert compare(two, fraud, gone="model", new=None) == []
    assert two.keys() - fraud.keys(), "removing `model` destroys its resources"


@pytest.mark.parametrize("mutation", ["a resource of model changes", "a shared bucket changes", "a resource of nobody's is created"])
def test_the_comparison_fails_on_what_it_must_refuse(mutation: str) -> None:
    one = planned()
    two = {a: dict(v or {}) for a, v in planned("model-and-fraud.tfvars").items()}
    if mutation == "a resource of model changes":
        two['module.tier.module.prod.aws_cloudwatch_metric_alarm.rollback["model/errors"]']["threshold"] = 99
    elif mutation == "a shared bucket changes":
        address = next(a for a in two if a.endswith("data_bucket[\"raw\"].aws_s3_bucket.this"))
        two[address]["force_destroy"] = not two[address].get("force_destroy")
    else:
        two["module.tier.module.prod.aws_sns_topic.other"] = {}
    assert compare(one, two, gone=None, new="fraud") != []
