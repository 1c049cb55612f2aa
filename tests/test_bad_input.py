"""Bad input fails at plan, with the variable's own message, before anything is created.

Each tier is planned through `scripts/tier.py plan` (what `make plan-<tier>` runs) with inputs that
used to pass the plan and fail half-way through an apply; and at the longest prefix the validation
allows, in the region with the longest name, every generated name must fit its service's limit.
"""
from __future__ import annotations

import json
import subprocess
import sys

import botocore.session
import pytest

from support import ROOT

TIERS = ("small", "medium", "large")
PREFIX_MAX = 19  # derived: at it, the tightest name in the longest region has no character to spare (tested below)

BAD_TAGS = 'tags = { "" = "x", "aws:owner" = "me", "cost center!" = "y", "k" = "%s" }\n' % ("v" * 257)
MESSAGES = {
    "prefix": "prefix must be 3-19",
    "tag key": "Each tag key needs 1-128 characters",
    "aws: key": "Tag keys must not start with aws:",
    "tag value": "Each tag value needs at most 256",
    "pipeline_images": "pipeline_images: each repository must be one of container_images' names",
}
BAD_IMAGES = 'pipeline_images = { training = { repository = "nope", tag = "v1" } }\n'


def plan(tier: str, tmp_path, extra: str) -> subprocess.CompletedProcess[str]:
    overrides = tmp_path / f"{tier}.tfvars"
    overrides.write_text(extra)
    command = [sys.executable, str(ROOT / "scripts" / "tier.py"), "plan", tier, "--out", str(tmp_path),
               "--var-file", str(ROOT / "environments" / tier / "demo.tfvars"), "--var-file", str(overrides)]
    return subprocess.run(command, text=True, capture_output=True, timeout=300)


@pytest.mark.parametrize("tier", TIERS)
def test_bad_inputs_fail_the_plan_with_their_own_messages(tier, tmp_path):
    extra = f'prefix = "{"p" * (PREFIX_MAX + 1)}"\n' + BAD_TAGS + BAD_IMAGES + ('vpc_cidr = ""\n' if tier == "small" else "")
    result = plan(tier, tmp_path, extra)
    output = " ".join((result.stdout + result.stderr).split())  # Terraform wraps messages
    assert result.returncode != 0
    expected = {**MESSAGES, **({"vpc_cidr": "vpc_cidr must be an IPv4 CIDR between /16 and /24"} if tier == "small" else {})}
    missing = [what for what, message in expected.items() if message not in output]
    assert not missing, f"no message of its own for {missing}:\n{output[-3000:]}"
    assert "Invalid index" not in output and not (tmp_path / f"{tier}.json").exists()


@pytest.mark.parametrize("tier", TIERS)
def test_a_misspelt_variable_is_an_error(tier, tmp_path):
    result = plan(tier, tmp_path, 'regoin = "eu-west-1"\n')
    assert result.returncode != 0 and "sets `regoin`" in result.stderr and "did you mean `region`?" in result.stderr, result.stderr


# Service limits of the names the modules build from the prefix (resource type, attribute): characters.
NAME_LIMITS = {
    ("aws_s3_bucket", "bucket"): 63, ("aws_iam_role", "name"): 64, ("aws_iam_policy", "name"): 128,
    ("aws_iam_role_policy", "name"): 128, ("aws_lambda_function", "function_name"): 64, ("aws_sqs_queue", "name"): 80,
    ("aws_sns_topic", "name"): 256, ("aws_cloudwatch_event_rule", "name"): 64, ("aws_cloudwatch_event_bus", "name"): 256,
    ("aws_scheduler_schedule", "name"): 64, ("aws_cloudwatch_metric_alarm", "alarm_name"): 255,
    ("aws_cloudwatch_log_group", "name"): 512, ("aws_kms_alias", "name"): 256, ("aws_ssm_parameter", "name"): 2048,
    ("aws_sagemaker_domain", "domain_name"): 63, ("aws_sagemaker_user_profile", "user_profile_name"): 63,
    ("aws_sagemaker_pipeline", "pipeline_name"): 256, ("aws_sagemaker_model_package_group", "model_package_group_name"): 63,
    ("aws_sagemaker_data_quality_job_definition", "name"): 63, ("aws_sagemaker_monitoring_schedule", "name"): 63,
    ("aws_sagemaker_feature_group", "feature_group_name"): 64, ("aws_codebuild_project", "name"): 150,
    ("aws_codepipeline", "name"): 100, ("aws_ecr_repository", "name"): 256, ("aws_codestarconnections_connection", "name"): 32,
    ("aws_cloudformation_stack", "name"): 128, ("aws_organizations_policy", "name"): 128, ("aws_security_group", "name"): 255,
    ("aws_api_gateway_rest_api", "name"): 1024, ("aws_glue_catalog_database", "name"): 255, ("aws_ram_resource_share", "name"): 255,
}


def longest_region() -> str:
    """The longest region name where SageMaker runs, in the partitions the tiers support."""
    session = botocore.session.get_session()
    return max((r for p in ("aws", "aws-us-gov", "aws-cn") for r in session.get_available_regions("sagemaker", partition_name=p)), key=len)


@pytest.mark.parametrize("tier", TIERS)
def test_the_longest_prefix_fits_every_name_in_the_longest_region(tier, tmp_path):
    prefix, region = "p" * PREFIX_MAX, longest_region()
    result = plan(tier, tmp_path, f'prefix = "{prefix}"\nregion = "{region}"\n')
    assert result.returncode == 0, result.stderr[-3000:]
    names = [(rc["address"], attribute, value, limit)
             for rc in json.loads((tmp_path / f"{tier}.json").read_text())["resource_changes"]
             for (rtype, attribute), limit in NAME_LIMITS.items()
             if rc["type"] == rtype and isinstance(value := (rc["change"]["after"] or {}).get(attribute), str) and prefix in value]
    too_long = [f"{address}.{attribute} = {value} ({len(value)} > {limit})" for address, attribute, value, limit in names if len(value) > limit]
    assert names and not too_long, "\n".join(too_long)
    if tier != "small":  # PREFIX_MAX is derived, not chosen: the tightest name (staging's capture bucket) has no character to spare
        spare = min(limit - len(value) for _, _, value, limit in names)
        assert spare == 0, f"the tightest name has {spare} characters to spare: PREFIX_MAX could be {PREFIX_MAX + spare}"


def test_every_prefix_validation_uses_the_derived_limit():
    for path in [*(ROOT / "modules").glob("*/variables.tf"), ROOT / "environments" / "small" / "variables.tf", ROOT / "environments" / "medium" / "shared_variables.tf"]:
        text = path.read_text()
        if 'variable "prefix"' in text and "regex(" in text.split('variable "prefix"')[1].split("\n}")[0]:
            assert f"{{1,{PREFIX_MAX - 2}}}" in text.split('variable "prefix"')[1].split("\n}")[0], f"{path.relative_to(ROOT)}: prefix limit is not {PREFIX_MAX}"
