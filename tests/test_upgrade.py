"""scripts/upgrade.py's decisions, on synthetic states and plans (the emulator test runs it for real)."""
from __future__ import annotations

import pytest

import upgrade


def resource(module: str, kind: str = "aws_s3_bucket", name: str = "this") -> dict:
    return {"module": module, "mode": "managed", "type": kind, "name": name, "provider": 'provider["registry.terraform.io/hashicorp/aws"]', "instances": [{"attributes": {"id": f"{module}.{name}"}}]}


SMALL = {"version": 4, "serial": 7, "lineage": "small-lineage", "outputs": {"account_roles": {"value": {"dev": "123456789012"}}},
         "resources": [resource("module.tier.module.dev"), resource("module.tier.module.prod"), resource("module.tier.module.prod.module.kms", "aws_kms_key"),
                       resource("module.tier.module.production_data")]}


def test_the_serving_stack_stays_and_everything_else_moves():
    source, dest = upgrade.split_states(SMALL, None)
    assert [r["module"] for r in dest["resources"]] == ["module.tier.module.dev", "module.tier.module.production_data"]  # a prefix is not the module
    assert [r["module"] for r in source["resources"]] == ["module.tier.module.prod", "module.tier.module.prod.module.kms"]
    assert dest["lineage"] != SMALL["lineage"] and dest["serial"] == 1 and dest["outputs"] == {} and source["serial"] == SMALL["serial"] + 1
    assert source["outputs"] == SMALL["outputs"], "a re-run after the split still finds the dev account in small's outputs"


def test_a_split_cut_short_between_its_writes_resumes_and_a_finished_one_is_recognised():
    source, dest = upgrade.split_states(SMALL, None)
    resumed = upgrade.split_states(SMALL, dest)  # medium written, small not yet
    assert resumed is not None and resumed[1]["lineage"] == dest["lineage"] and resumed[1]["resources"] == dest["resources"]
    assert upgrade.split_states(source, dest) is None


def test_a_medium_state_of_its_own_is_never_overwritten():
    with pytest.raises(SystemExit, match="already holds resources that did not come from this small state"):
        upgrade.split_states(SMALL, {"resources": [resource("module.tier.module.cicd[0]")]})
    with pytest.raises(SystemExit, match="holds nothing to move"):
        upgrade.split_states({"resources": []}, None)


def test_losing_anything_stateful_is_refused():
    plan = {"resource_changes": [
        {"address": "a", "type": "aws_sagemaker_domain", "change": {"actions": ["delete", "create"]}},
        {"address": "b", "type": "aws_s3_bucket", "change": {"actions": ["update"]}},
        {"address": "c", "type": "aws_iam_role", "change": {"actions": ["delete"]}},
        {"address": "d", "type": "aws_kms_key", "change": {"actions": ["delete"]}},
    ]}
    assert upgrade.stateful_losses(plan) == ["a (delete/create)", "d (delete)"]
    with pytest.raises(SystemExit, match="would destroy or replace stateful resources"):
        upgrade.refuse_losses(plan)
