"""Offline plans of the tiers through tftest, shared by the inventory tests and scripts/regen_inventory.py."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import tftest

from support import ROOT, terraform_init_lock

import tier as tier_script  # noqa: E402 - scripts/tier.py (tests/support puts scripts/ on the path)

OFFLINE_ENV = {
    "AWS_ACCESS_KEY_ID": "offline-plan",
    "AWS_SECRET_ACCESS_KEY": "offline-plan",
    "AWS_EC2_METADATA_DISABLED": "true",
    "TF_CLI_CONFIG_FILE": str(ROOT / "build" / "terraformrc"),
}


def planned_by_make(tier: str) -> Path | None:
    """build/plans/<tier>.json when `make plans` made it from demo.tfvars and nothing it reads changed since."""
    plan, inputs = ROOT / "build" / "plans" / f"{tier}.json", ROOT / "build" / "plans" / f"{tier}.inputs"
    tier_dir = ROOT / "environments" / tier
    if not (plan.is_file() and inputs.is_file()) or json.loads(inputs.read_text()) != [f"-var-file={tier_dir / 'demo.tfvars'}"]:
        return None
    sources = (p for folder in (tier_dir, ROOT / "modules", ROOT / "policies") for p in folder.rglob("*") if ".terraform" not in p.parts and p.is_file())
    newest = max(p.stat().st_mtime_ns for p in [*sources, *(ROOT / "build" / "lambda").glob("*.zip")])
    return plan if min(plan.stat().st_mtime_ns, inputs.stat().st_mtime_ns) >= newest else None


@lru_cache(maxsize=None)
def tier_plan(tier: str, *var_files: str) -> tftest.TerraformPlanOutput:
    """Plan environments/<tier> offline with its demo.tfvars (plus overrides), with no credentials or network.
    Without overrides, a fresh plan from `make plans` is the same plan: it is read instead of made again."""
    if not var_files and (made := planned_by_make(tier)):
        return tftest.TerraformPlanOutput(json.loads(made.read_text()))
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")}
    test = tftest.TerraformTest(tfdir=str(ROOT / "environments" / tier), env={**env, **OFFLINE_ENV})
    # scripts/tier.py's init: skipped while nothing it reads changed, so a plan here never re-installs
    # the modules under an emulator run of the same environment (its next command would find none).
    tier_script.init(ROOT / "environments" / tier, tier_script.terraform_env({**env, **OFFLINE_ENV}))
    files = ["demo.tfvars", *(str(Path(f).resolve()) for f in var_files)]
    return test.plan(output=True, tf_vars={"offline_plan": "true"}, tf_var_file=files, lock=False)  # no state to protect


FEATURES = {  # each capability of modules/tier's `features`, and what only it creates (address fragments)
    "monitoring": ("aws_sagemaker_monitoring_schedule.data_quality", "aws_sagemaker_data_quality_job_definition."),
    "model_quality": ("aws_cloudformation_stack.model_quality",),
    "clarify": ("aws_cloudformation_stack.clarify",),
    "data_capture": ("module.capture_bucket[",),
    "capture_replication": ("aws_s3_bucket_replication_configuration.capture", "module.captured_bucket["),
    "container_builds": ("aws_codebuild_project.image[", "aws_codepipeline.images["),
    "retraining_schedule": ("aws_scheduler_schedule.",),
    "object_lock": ("aws_s3_bucket_object_lock_configuration.",),
    "vpc_endpoints": ("aws_vpc_endpoint.interface[",),  # the S3 gateway endpoint is free and always there
}
NEEDS_SEPARATE_ACCOUNTS = {"capture_replication", "container_builds"}  # validations refuse them in one account
LAKE_AND_FEATURES = """
data_lake = { admin_arns = ["arn:aws:iam::123456789012:role/TerraformExecution"], tables = { patients = { columns = { patient_id = "string", diagnosis = "int" } } } }
feature_groups = { measurements = { record_identifier = "patient_id", event_time = "recorded_at", features = { patient_id = "String", recorded_at = "String" } } }
"""


def feature_plan(tier: str, on: bool) -> tftest.TerraformPlanOutput:
    """The tier's plan with every feature it allows on (small: also the lake and Feature Store), or all
    off. The inputs sit at fixed paths, so every test asking for the same plan shares one."""
    import hcl2

    allowed = [f for f in FEATURES if on and (tier != "small" or f not in NEEDS_SEPARATE_ACCOUNTS)]
    with open(ROOT / "environments" / tier / "demo.tfvars") as handle:
        demo = hcl2.load(handle).get("features") or {}
    if on and sorted(f for f, value in demo.items() if value is True) == sorted(allowed):  # large's demo
        return tier_plan(tier)
    text = "features = {" + ", ".join(f"{f} = {str(f in allowed).lower()}" for f in FEATURES) + "}\n"
    if on:
        text += 'source_repository = { full_name = "example-org/mlops-model-code" }\n' + (LAKE_AND_FEATURES if tier == "small" else "")
    overrides = ROOT / "build" / "test-inputs" / f"{tier}-features-{'on' if on else 'off'}.tfvars"
    overrides.parent.mkdir(parents=True, exist_ok=True)
    if not overrides.exists() or overrides.read_text() != text:
        overrides.write_text(text)
    return tier_plan(tier, str(overrides))


@lru_cache(maxsize=None)
def community_plan() -> dict:
    """tests/fixtures/community, planned offline: `terraform show -json` of it, as a dict."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")}
    test = tftest.TerraformTest(tfdir=str(COMMUNITY), env={**env, **OFFLINE_ENV})
    with terraform_init_lock():
        test.setup(cleanup_on_exit=False)
    return test.plan(output=True, lock=False)._raw


COMMUNITY = ROOT / "tests" / "fixtures" / "community"
