#!/usr/bin/env python3
"""Grow a tier in place: small -> medium, keeping the dev account and everything stateful in it.

    upgrade.py small medium                                   # the embedded emulator (default)
    upgrade.py small medium --target aws --var-file medium.tfvars   # accounts.dev = small's account

Both tiers are modules/tier, so the dev, data, ops and artifact roles keep their addresses. Steps:
1. Split the small state. Everything but the serving stack moves to the medium root; the serving
   stack (module.tier.module.prod: in small it sits in the dev account, in medium prod has its own
   account) stays in the small state and keeps serving until `make destroy-small` retires it.
2. Plan medium on the moved state, and refuse if the plan would destroy or replace anything
   stateful (STATEFUL below). Nothing is written to the medium state before this check passes.
3. Apply medium.
Re-runs are safe: a split that already happened, or was cut short between its two writes, is
recognised, and the apply converges as any apply does.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tier  # noqa: E402

SERVING = "module.tier.module.prod"  # small's serving stack: stays behind in the small state
STATEFUL = {  # what holds data, versions or people's work: never destroyed or replaced by an upgrade
    "aws_s3_bucket", "aws_kms_key", "aws_sagemaker_model_package_group", "aws_ecr_repository", "aws_sagemaker_domain",
    "aws_sagemaker_user_profile", "aws_sagemaker_endpoint", "aws_sagemaker_feature_group", "aws_glue_catalog_database",
    "aws_glue_catalog_table", "aws_codecommit_repository",
}
PATHS = {("small", "medium")}


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def split(state: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """(moving, staying): small's resources by whether they belong to the serving stack."""
    staying = [r for r in state.get("resources", []) if r.get("module", "") == SERVING or r.get("module", "").startswith(SERVING + ".")]
    moving = [r for r in state.get("resources", []) if r not in staying]
    return moving, staying


def identities(resources: list[dict]) -> set[tuple[str, str, str]]:
    return {(r.get("module", ""), r["type"], r["name"]) for r in resources}


def split_states(source: dict[str, Any], dest: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The new (source, dest) states, or None when the split already happened. Refuses a medium state
    that holds anything but small's own resources (another medium would be overwritten)."""
    moving, staying = split(source)
    dest_resources = (dest or {}).get("resources", [])
    if not moving:
        if not dest_resources:
            raise SystemExit("error: the small state holds nothing to move (apply small first, or the upgrade is done)")
        return None
    if dest_resources and identities(dest_resources) != identities(moving):
        raise SystemExit("error: the medium state already holds resources that did not come from this small state; "
                         "an upgrade starts from an empty medium state")
    new_dest = {**source, "lineage": (dest or {}).get("lineage") or str(uuid.uuid4()), "serial": (dest or {}).get("serial", 0) + 1,
                "resources": moving, "outputs": {}}
    new_source = {**source, "serial": source.get("serial", 0) + 1, "resources": staying}  # outputs kept: a re-run reads dev's account there
    return new_source, new_dest


def stateful_losses(plan: dict[str, Any]) -> list[str]:
    """Stateful resources the plan would destroy or replace, each with its actions."""
    return [f"{rc['address']} ({'/'.join(rc['change']['actions'])})" for rc in plan.get("resource_changes", [])
            if rc["type"] in STATEFUL and "delete" in rc["change"]["actions"]]


class States:
    """The two roots' states: files on the emulator, `terraform state pull/push` on real accounts."""

    def __init__(self, target: str, env: dict[str, str]):
        self.target, self.env = target, env

    def read(self, name: str) -> dict[str, Any] | None:
        if self.target == "emulator":
            path = tier.state_file(name)
            return json.loads(path.read_text()) if path.exists() and path.stat().st_size else None
        pulled = tier.run(["terraform", "state", "pull"], tier.ROOT / "environments" / name, self.env, quiet=True).stdout
        return json.loads(pulled) if pulled.strip() else None

    def write(self, name: str, state: dict[str, Any]) -> None:
        text = json.dumps(state, indent=2) + "\n"
        if self.target == "emulator":
            path = tier.state_file(name)
            path.with_suffix(".tfstate.upgrade").write_text(text)
            path.with_suffix(".tfstate.upgrade").replace(path)  # whole or not at all
            return
        subprocess.run(["terraform", "state", "push", "-"], input=text, cwd=tier.ROOT / "environments" / name, env=self.env, text=True, check=True)


def medium_inputs(target: str, env: dict[str, str], dev: str, var_files: list[str]) -> list[str]:
    """Medium's variable files: on the emulator demo.tfvars with the small account as dev (kept for
    later runs, tier.upgraded_accounts); on AWS the user's, whose accounts.dev must be small's."""
    import hcl2

    if target == "aws":
        for path in var_files:
            chosen = str((hcl2.load(open(path)).get("accounts") or {}).get("dev", "")).strip('"')
            if chosen and chosen != dev:
                raise SystemExit(f"error: {path} sets accounts.dev = {chosen}, but the small tier lives in {dev}: an upgrade keeps the dev account")
        return var_files
    with open(tier.ROOT / "environments" / "medium" / "demo.tfvars") as handle:
        accounts = {k: str(v).strip('"') for k, v in hcl2.load(handle)["accounts"].items()} | {"dev": dev}
    tier.upgraded_accounts("medium").write_text(json.dumps({"accounts": accounts}, indent=2) + "\n")
    return tier.emulator_inputs("medium", env)


def plan_dest(dest: str, env: dict[str, str], args: list[str]) -> dict[str, Any]:
    binary = tier.BUILD / "state" / f"{dest}.upgrade.tfplan"
    tier.run(["terraform", "plan", "-input=false", "-no-color", f"-out={binary}", *args], tier.ROOT / "environments" / dest, env, quiet=True)
    return json.loads(tier.run(["terraform", "show", "-json", str(binary)], tier.ROOT / "environments" / dest, env, quiet=True).stdout)


def upgrade(source: str, dest: str, target: str, var_files: list[str]) -> int:
    try:
        return grow(source, dest, target, var_files)
    except SystemExit:
        if target == "emulator" and not (States(target, {}).read(dest) or {}).get("resources"):
            tier.upgraded_accounts(dest).unlink(missing_ok=True)  # nothing moved: later medium runs use demo.tfvars as before
        raise


def grow(source: str, dest: str, target: str, var_files: list[str]) -> int:
    if (source, dest) not in PATHS:
        raise SystemExit(f"error: no upgrade from {source} to {dest} yet: only small -> medium (medium -> large moves the "
                         "registry to other accounts; README, 'Upgrade path')")
    if target == "aws" and not var_files:
        raise SystemExit("error: TARGET=aws needs VARS=medium.tfvars (with accounts.dev = the small account)")
    env, extra = tier.target_env(target)
    states = States(target, env)
    with tier.state_lock(source, target, f"upgrade.py {source} -> {dest}"), tier.state_lock(dest, target, f"upgrade.py {source} -> {dest}"):
        for name in (source, dest):
            tier.init(tier.ROOT / "environments" / name, env)
        if target == "emulator":
            for name in (source, dest):
                tier.set_aside_stale_state(name)  # state of an earlier emulator is not this one's; marks the state as this emulator's
        small = states.read(source)
        if small is None:
            raise SystemExit(f"error: there is no {source} state on the {target} to upgrade")
        accounts = (small.get("outputs") or {}).get("account_roles", {}).get("value")
        if not accounts:
            raise SystemExit(f"error: the {source} state has no account_roles output: run `make apply-{source}` first, then upgrade")
        inputs = medium_inputs(target, env, accounts["dev"], var_files)
        args = [*extra, *tier.state_args(dest, target), *tier.state_id(dest, target), *tier.var_files(tier.ROOT / "environments" / dest, inputs), "-input=false", "-no-color"]
        split_result = split_states(small, states.read(dest))
        if split_result is None:
            say(f"the {source} state was split before: only its serving stack is left in it")
        else:
            new_source, new_dest = split_result
            say(f"moving {len(new_dest['resources'])} resources of {source} to {dest}; its serving stack ({len(new_source['resources'])}) stays behind")
            dry = tier.state_file(dest).with_suffix(".tfstate.candidate") if target == "emulator" else None
            if dry:  # check the plan on a candidate copy: the medium state is written only when nothing stateful is lost
                dry.write_text(json.dumps(new_dest))
                planned = plan_dest(dest, env, [a if not a.startswith("-state=") else f"-state={dry}" for a in args])
                dry.unlink()
                refuse_losses(planned)  # the same plan as on the written state, which holds the same resources
            backup = tier.BUILD / "state" / f"{source}.{target}.pre-upgrade.tfstate"
            backup.write_text(json.dumps(small, indent=2) + "\n")
            say(f"kept the {source} state as it was in {backup.relative_to(tier.ROOT)}")
            states.write(dest, new_dest)
            states.write(source, new_source)
        if split_result is None or not dry:  # AWS, or a re-run: plan on the state as written
            planned = plan_dest(dest, env, args)
            refuse_losses(planned)
        counts = {action: sum(1 for rc in planned["resource_changes"] if rc["change"]["actions"] == [action]) for action in ("create", "update")}
        say(f"{dest} plan on the moved state: {counts['create']} to add, {counts['update']} to change, nothing stateful destroyed or replaced")
    code = tier.change("apply", dest, target, [] if target == "emulator" else inputs)
    if code == 0:
        say(f"upgraded {source} to {dest}. {source}'s serving stack still serves in the dev account: "
            f"retire it with `make destroy-{source}` once {dest}'s prod endpoint takes the traffic")
    return code


def refuse_losses(planned: dict[str, Any]) -> None:
    lost = stateful_losses(planned)
    if lost:
        raise SystemExit("error: the upgrade plan would destroy or replace stateful resources; nothing was changed:\n  " + "\n  ".join(lost))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", choices=tier.TIERS)
    parser.add_argument("dest", choices=tier.TIERS)
    parser.add_argument("--target", choices=["emulator", "aws"], default="emulator")
    parser.add_argument("--var-file", action="append", default=[], help="the destination tier's tfvars (TARGET=aws)")
    args = parser.parse_args(argv)
    return upgrade(args.source, args.dest, args.target, args.var_file)


if __name__ == "__main__":
    sys.exit(main())
