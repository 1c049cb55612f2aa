"""Offline plans of the tiers through tftest, shared by the inventory tests and scripts/regen_inventory.py."""
from __future__ import annotations

import json
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
