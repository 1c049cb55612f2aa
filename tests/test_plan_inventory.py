"""Plan-inventory tests: each tier's offline plan (tftest) against tests/inventories/<tier>.yaml.

On a deliberate change, regenerate the inventory (`.venv/bin/python scripts/regen_inventory.py <tier>`)
and review the diff.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

import leftovers

from plans import FEATURES, NEEDS_SEPARATE_ACCOUNTS, feature_plan, tier_plan
from support import ROOT

INVENTORIES = sorted((ROOT / "tests" / "inventories").glob("*.yaml"))
TIERS = [p.stem for p in INVENTORIES]
REGEN = "regenerate with `.venv/bin/python scripts/regen_inventory.py {tier}` if the change is intended"


def inventory(tier: str) -> dict:
    return yaml.safe_load((ROOT / "tests" / "inventories" / f"{tier}.yaml").read_text())


def planned(tier: str) -> dict[str, dict]:
    return {a: c["change"]["after"] or {} for a, c in tier_plan(tier).resource_changes.items() if c["change"]["actions"] != ["no-op"]}




def changed(plan) -> dict[str, dict]:
    return {a: c for a, c in plan.resource_changes.items() if c["change"]["actions"] != ["no-op"]}


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


@pytest.mark.parametrize("tier", tiers())
def test_every_feature_switches_on_and_off_in_every_tier(tier: str) -> None:
    """The talk's journey: every capability is a feature any tier switches on where its accounts allow
    (small: all but the two that need separate accounts), and off again."""
    on, off = (changed(feature_plan(tier, state)) for state in (True, False))
    made = {feature: [a for a in on if any(part in a for part in parts)] for feature, parts in FEATURES.items()}
    for feature, addresses in made.items():
        expected = tier != "small" or feature not in NEEDS_SEPARATE_ACCOUNTS
        assert bool(addresses) == expected, f"{tier} with {feature} on creates {addresses or 'nothing of it'}"
        assert not [a for a in off if any(part in a for part in FEATURES[feature])], f"{tier} with every feature off still creates {feature}"
    assert not [a for a in off if a not in on], f"{tier}: switching features off added resources"
    if tier == "small":  # monitoring, Clarify, the data lake and Feature Store in one account (the talk: "even the small")
        kinds = Counter(c["type"] for c in on.values())
        assert all(kinds[k] for k in ("aws_lakeformation_permissions", "aws_glue_catalog_table", "aws_sagemaker_feature_group")), kinds
        model_policy = json.loads(off["module.tier.module.prod.aws_iam_role_policy.model"]["change"]["after"]["policy"])
        assert "WriteCapturedData" not in [s.get("Sid") for s in model_policy["Statement"]]
    print(f"{tier}: {len(on)} resources with its features on, {len(off)} off; per feature: " + ", ".join(f"{f} {len(a)}" for f, a in made.items()))


@pytest.mark.parametrize("tier", tiers())
def test_the_sweep_says_how_it_finds_a_killed_runs_copy_of_every_planned_type(tier: str) -> None:
    """A new resource type fails here until `leftovers.HOW_FOUND` (or NOT_FOUND, with a reason) says how the
    sweep finds a copy that a killed run created but never recorded, or why such a copy does no harm."""
    planned = {c["type"] for c in feature_plan(tier, True).resource_changes.values() if c["mode"] == "managed"}
    assert planned - set(leftovers.HOW_FOUND) - set(leftovers.NOT_FOUND) == set()
    assert set(leftovers.HOW_FOUND) & set(leftovers.NOT_FOUND) == set()



@pytest.mark.xdist_group("large")
def test_large_retrains_and_serves_with_its_tier_images() -> None:
    """Environment versioning: with pipeline_images set, large's pipeline and its served models run the tier
    images, so each role that runs them may pull them, across accounts through the repository policy and
    the key. (Large's demo leaves it off: its images are built from the data scientists' repository.)"""
    images = ROOT / "build" / "test-inputs" / "large-pipeline-images.tfvars"
    images.parent.mkdir(parents=True, exist_ok=True)
    images.write_text('pipeline_images = { training = { repository = "training", tag = "c0ffee" }, inference = { repository = "inference", tag = "c0ffee" } }\n')
    after = {a: c["change"]["after"] for a, c in tier_plan("large", str(images)).resource_changes.items()}
    repository = "arn:aws:ecr:us-east-1:666666666666:repository/mlops/{}".format
    pipeline_role, prod_model = "arn:aws:iam::555555555555:role/mlops/mlops-ops-pipeline", "arn:aws:iam::333333333333:role/mlops/mlops-prod-model"

    def pulls(address: str) -> list[str]:
        statements = json.loads(after[address]["policy"])["Statement"]
        return [r for s in statements if "ecr:BatchGetImage" in s["Action"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]

    assert {repository("training"), repository("inference")} <= set(pulls("module.tier.module.ops.aws_iam_role_policy.pipeline"))
    assert repository("inference") in pulls("module.tier.module.prod.aws_iam_role_policy.model")
    for name in ("training", "inference"):
        readers = json.loads(after[f'module.tier.module.artifact.aws_ecr_repository_policy.this["{name}"]']["policy"])["Statement"][0]["Principal"]["AWS"]
        assert {pipeline_role, prod_model} <= set(readers), readers
    key_policy = after["module.tier.module.artifact.module.kms.aws_kms_key.this"]["policy"]
    assert pipeline_role in key_policy and prod_model in key_policy


@pytest.mark.xdist_group("large")
def test_large_trains_on_the_artifact_account_s_feature_group() -> None:
    """Training on Feature Store across accounts: the ops pipeline finds the artifact account's group (shared
    through RAM) by its ARN and reads its offline store; the features bucket lets exactly the pipeline's role
    list and read the offline prefix, and the role's own policy names the same group, bucket and prefix."""
    feature_store = ROOT / "environments" / "small" / "feature-store.tfvars"  # its groups replace large's demo groups
    after = {a: c["change"]["after"] for a, c in tier_plan("large", str(feature_store)).resource_changes.items()}
    pipeline_role, group = "arn:aws:iam::555555555555:role/mlops/mlops-ops-pipeline", "arn:aws:sagemaker:us-east-1:666666666666:feature-group/mlops-tumours"
    bucket = "mlops-666666666666-us-east-1-features"
    own = {s["Sid"]: (s["Action"], s["Resource"]) for s in json.loads(after["module.tier.module.ops.aws_iam_role_policy.pipeline"]["policy"])["Statement"]}
    assert (own["FindTrainingFeatureGroup"], own["ReadOfflineStore"], own["ListOfflineStore"]) == (
        ("sagemaker:DescribeFeatureGroup", group), ("s3:GetObject", f"arn:aws:s3:::{bucket}/offline/*"), ("s3:ListBucket", f"arn:aws:s3:::{bucket}")), own
    policy = json.loads(after["module.tier.module.artifact.module.features_bucket[0].aws_s3_bucket_policy.this"]["policy"])["Statement"]
    readers = {s["Sid"]: (s["Principal"]["AWS"], s["Action"], s["Resource"], s.get("Condition")) for s in policy if s["Effect"] == "Allow"}
    assert readers == {"ReadersReadOfflineStore": (pipeline_role, "s3:GetObject", f"arn:aws:s3:::{bucket}/offline/*", None),
                       "ReadersListOfflineStore": (pipeline_role, "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"StringLike": {"s3:prefix": "offline/*"}})}, readers
    assert pipeline_role in after["module.tier.module.artifact.module.kms.aws_kms_key.this"]["policy"], "the offline store's key lets the pipeline decrypt"
    shared = {a: v for a, v in after.items() if a.startswith("module.tier.module.artifact.aws_ram_principal_association.features")}
    assert "555555555555" in {v["principal"] for v in shared.values()}, "the group is shared with the ops account"


@pytest.mark.parametrize("tier", ["small", "medium", "large"])
def test_only_drift_and_accuracy_violations_retrain(tier: str) -> None:
    """The retrain trigger routes violations by schedule ARN: each serving stage's data-quality schedule and
    prod's model-quality schedule of a use case start that use case's retraining pipeline, and no other's;
    Clarify's bias and explainability schedules (violations that need people) and anything else start nothing."""
    after = planned(tier)
    accounts, use_cases = tier_plan(tier).outputs["account_roles"], tier_plan(tier).variables["use_cases"]
    trigger = after["module.tier.module.ops.module.retrain_trigger[0].aws_lambda_function.this"]["environment"][0]["variables"]
    expected = {}
    for name in use_cases:
        pipeline = "mlops-retraining" if name == "model" else f"mlops-{name}-retraining"
        for stage in ["prod"] if tier == "small" else ["staging", "prod"]:
            expected[f"arn:aws:sagemaker:us-east-1:{accounts[stage]}:monitoring-schedule/{endpoint(stage, name)}-data-quality"] = pipeline
        expected[f"arn:aws:sagemaker:us-east-1:{accounts['prod']}:monitoring-schedule/{endpoint('prod', name)}-model-quality"] = pipeline
    assert json.loads(trigger["SCHEDULE_PIPELINES"]) == expected
    assert len(set(expected.values())) == len(use_cases) >= (2 if tier != "small" else 1), "every use case retrains on its own schedules"


def endpoint(stage: str, use_case: str) -> str:
    """The documented names: release 0.x's `model` keeps mlops-<stage>, any other use case is mlops-<stage>-<use case>."""
    return f"mlops-{stage}" if use_case == "model" else f"mlops-{stage}-{use_case}"


@pytest.mark.parametrize("tier", ["medium", "large"])
def test_the_labels_live_where_the_captures_are_replicated(tier: str) -> None:
    """The talk's model-quality loop across accounts: prod's model-quality monitor (and Clarify's bias
    monitor) read labels beside the replicated captures in the ops role's account; that account's bucket
    and key let exactly prod's monitor role read exactly the prefixes of prod's endpoints (one per use case),
    and the role's own policy names the same."""
    after = planned(tier)
    accounts, region = tier_plan(tier).outputs["account_roles"], tier_plan(tier).variables["region"]
    labels = f"mlops-{accounts['ops']}-{region}-captured"
    template = json.loads(after["module.tier.module.prod.aws_cloudformation_stack.model_quality[\"model\"]"]["template_body"])
    [definition] = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::ModelQualityJobDefinition"]
    assert definition["ModelQualityJobInput"]["GroundTruthS3Input"]["S3Uri"] == f"s3://{labels}/ground-truth/mlops-prod"
    role = f"arn:aws:iam::{accounts['prod']}:role/mlops/mlops-prod-monitor"
    own = json.loads(after["module.tier.module.prod.aws_iam_role_policy.monitor[0]"]["policy"])["Statement"]
    prefixes = sorted(f"arn:aws:s3:::{labels}/ground-truth/{endpoint('prod', name)}/*" for name in tier_plan(tier).variables["use_cases"])
    assert len(prefixes) == 2 and f"arn:aws:s3:::{labels}/ground-truth/mlops-prod/*" in prefixes
    assert [sorted(s["Resource"]) for s in own if s.get("Sid") == "ReadGroundTruth"] == [prefixes]
    bucket = json.loads(after["module.tier.module.ops.module.captured_bucket[0].aws_s3_bucket_policy.this"]["policy"])["Statement"]
    readers = {s["Sid"]: (s["Principal"]["AWS"], sorted(s["Resource"]) if isinstance(s["Resource"], list) else s["Resource"]) for s in bucket if "Labels" in s.get("Sid", "")}
    assert readers == {"ProdMonitorReadsLabels": (role, prefixes), "ProdMonitorListsLabels": (role, f"arn:aws:s3:::{labels}")}, readers
    key = json.loads(after["module.tier.module.ops.module.kms.aws_kms_key.this"]["policy"])["Statement"]
    assert [(s["Principal"]["AWS"], s["Action"]) for s in key if s.get("Sid") == "NamedReadersDecryptThroughS3"] == [(role, "kms:Decrypt")]
