"""Plan-inventory tests: each tier's offline plan (tftest) against tests/inventories/<tier>.yaml.

On a deliberate change, regenerate the inventory (`.venv/bin/python scripts/regen_inventory.py <tier>`)
and review the diff.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

from plans import tier_plan
from support import ROOT

INVENTORIES = sorted((ROOT / "tests" / "inventories").glob("*.yaml"))
TIERS = [p.stem for p in INVENTORIES]
REGEN = "regenerate with `.venv/bin/python scripts/regen_inventory.py {tier}` if the change is intended"


def inventory(tier: str) -> dict:
    return yaml.safe_load((ROOT / "tests" / "inventories" / f"{tier}.yaml").read_text())


def planned(tier: str) -> dict[str, dict]:
    return {a: c["change"]["after"] or {} for a, c in tier_plan(tier).resource_changes.items() if c["change"]["actions"] != ["no-op"]}




def tiers() -> list:
    """One xdist worker per tier: plans of one directory must not run concurrently."""
    return [pytest.param(t, marks=pytest.mark.xdist_group(t)) for t in TIERS]


@pytest.mark.parametrize("tier", tiers())
def test_resource_counts(tier: str) -> None:
    actual = Counter(c["type"] for c in tier_plan(tier).resource_changes.values() if c["change"]["actions"] != ["no-op"])
    assert dict(actual) == inventory(tier)["counts"], REGEN.format(tier=tier)


@pytest.mark.parametrize("tier", tiers())
def test_pinned_values(tier: str) -> None:
    resources = planned(tier)
    for address, expected in inventory(tier)["values"].items():
        assert address in resources, f"{address} is no longer planned; {REGEN.format(tier=tier)}"
        actual = {name: resources[address].get(name) for name in expected}
        assert actual == expected, f"{address}: {REGEN.format(tier=tier)}"


@pytest.mark.parametrize("tier", tiers())
def test_every_iam_policy_is_known_at_plan_time(tier: str) -> None:
    policy_attributes = ("policy", "assume_role_policy", "resource_policy", "permissions_boundary")
    unknown = [
        f"{address}.{name}"
        for address, change in tier_plan(tier).resource_changes.items()
        for name in policy_attributes
        if change["change"].get("after_unknown", {}).get(name) is True and (change["change"]["after"] or {}).get(name) is None
        and change["type"].startswith(("aws_iam_", "aws_s3_bucket_policy", "aws_kms_key", "aws_sagemaker_model_package_group_policy"))
    ]
    assert not unknown, f"policies must be built from account IDs and names, not resource attributes: {unknown}"


@pytest.mark.xdist_group("small")
def test_small_tier_holds_the_whole_architecture() -> None:
    by_type = Counter(c["type"] for c in tier_plan("small").resource_changes.values())
    for required in (
        "aws_sagemaker_domain", "aws_sagemaker_user_profile", "aws_iam_policy", "aws_codestarconnections_connection",
        "aws_ecr_repository", "aws_s3_bucket_versioning", "aws_sagemaker_pipeline", "aws_scheduler_schedule",
        "aws_sagemaker_model_package_group", "aws_cloudwatch_event_rule", "aws_lambda_function", "aws_api_gateway_rest_api",
        "aws_cloudwatch_metric_alarm", "aws_kms_key",
    ):
        assert by_type[required] >= 1, f"the small tier lost its {required}"


@pytest.mark.xdist_group("small")
def test_the_small_tier_is_one_account_without_staging() -> None:
    plan = tier_plan("small")
    addresses = list(plan.resource_changes)
    assert not [a for a in addresses if a.startswith(("module.tier.module.cicd", "module.tier.module.staging", "module.tier.module.network_prod", "module.tier.module.org"))]
    assert plan.outputs["account_roles"] == {role: "123456789012" for role in ("artifact", "cicd", "data", "dev", "ops", "prod")}
    assert sorted(plan.outputs["image_repository_urls"]) == ["inference", "training"], "ECR for training and inference images in every tier"
    assert list(plan.configuration["provider_config"]) == ["aws"], "one account, one provider configuration (one provider process)"


@pytest.mark.xdist_group("small")
def test_toggles_switch_capabilities_off(tmp_path) -> None:
    overrides = tmp_path / "off.tfvars"
    overrides.write_text("features = { retraining_schedule = false, data_capture = false, vpc_endpoints = false }\n")
    resources = {a: c for a, c in tier_plan("small", str(overrides)).resource_changes.items() if c["change"]["actions"] != ["no-op"]}
    assert not [a for a in resources if "aws_scheduler_schedule" in a or "capture_bucket" in a or "aws_vpc_endpoint.interface" in a]
    model_policy = json.loads(resources["module.tier.module.prod.aws_iam_role_policy.model"]["change"]["after"]["policy"])
    assert "WriteCapturedData" not in [s.get("Sid") for s in model_policy["Statement"]]


LAKE_AND_FEATURES = """
data_lake = { admin_arns = ["arn:aws:iam::123456789012:role/TerraformExecution"], tables = { patients = { columns = { patient_id = "string", diagnosis = "int" } } } }
feature_groups = { measurements = { record_identifier = "patient_id", event_time = "recorded_at", features = { patient_id = "String", recorded_at = "String" } } }
"""


def grown(tier: str, overrides: str, tmp_path) -> dict[str, int]:
    """Resources by type that the overrides add to the tier's demo plan (negative: removed)."""
    on = tmp_path / f"{tier}-on.tfvars"
    on.write_text(overrides)
    after, before = (Counter(c["type"] for c in plan.resource_changes.values() if c["change"]["actions"] != ["no-op"]) for plan in (tier_plan(tier, str(on)), tier_plan(tier)))
    return {kind: after[kind] - before[kind] for kind in after | before if after[kind] != before[kind]}


@pytest.mark.xdist_group("small")
def test_the_small_tier_switches_on_what_the_larger_ones_have(tmp_path) -> None:
    """Monitoring, Clarify, the data lake and Feature Store in one account (the talk: "even the small")."""
    added = grown("small", "features = { monitoring = true, clarify = true, object_lock = true }\n" + LAKE_AND_FEATURES, tmp_path)
    for kind in ("aws_sagemaker_data_quality_job_definition", "aws_sagemaker_monitoring_schedule", "aws_cloudformation_stack",
                 "aws_lakeformation_permissions", "aws_glue_catalog_table", "aws_sagemaker_feature_group", "aws_lambda_function"):
        assert added.get(kind, 0) >= 1, f"switching the capabilities on added no {kind}: {added}"
    assert not [kind for kind, n in added.items() if n < 0], f"switching capabilities on removed resources: {added}"


@pytest.mark.xdist_group("medium")
def test_container_builds_build_in_the_medium_tier(tmp_path) -> None:
    added = grown("medium", 'features = { container_builds = true }\nsource_repository = { full_name = "example-org/mlops-model-code" }\n', tmp_path)
    assert added.get("aws_codebuild_project", 0) >= 1 and added.get("aws_codepipeline") == 1, added
    assert not [kind for kind, n in added.items() if n < 0], added
