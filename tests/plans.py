"""Offline plans of the tiers through tftest, shared by the inventory tests and scripts/regen_inventory.py."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import tftest

from support import ROOT, terraform_init_lock

OFFLINE_ENV = {
    "AWS_ACCESS_KEY_ID": "offline-plan",
    "AWS_SECRET_ACCESS_KEY": "offline-plan",
    "AWS_EC2_METADATA_DISABLED": "true",
    "TF_CLI_CONFIG_FILE": str(ROOT / "build" / "terraformrc"),
}


@lru_cache(maxsize=None)
def tier_plan(tier: str, *var_files: str) -> tftest.TerraformPlanOutput:
    """Plan environments/<tier> offline with its demo.tfvars (plus overrides), with no credentials or network."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")}
    test = tftest.TerraformTest(tfdir=str(ROOT / "environments" / tier), env={**env, **OFFLINE_ENV})
    with terraform_init_lock():
        test.setup(cleanup_on_exit=False)
    files = ["demo.tfvars", *(str(Path(f).resolve()) for f in var_files)]
    return test.plan(output=True, tf_vars={"offline_plan": "true"}, tf_var_file=files, lock=False)  # no state to protect


@lru_cache(maxsize=None)
def community_plan() -> dict:
    """tests/fixtures/community, planned offline: `terraform show -json` of it, as a dict."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")}
    test = tftest.TerraformTest(tfdir=str(COMMUNITY), env={**env, **OFFLINE_ENV})
    with terraform_init_lock():
        test.setup(cleanup_on_exit=False)
    return test.plan(output=True, lock=False)._raw


COMMUNITY = ROOT / "tests" / "fixtures" / "community"
