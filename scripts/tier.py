#!/usr/bin/env python3
"""Plan, apply or destroy one tier (environments/<tier>) with readable progress.

    tier.py plan small                                 # offline -> build/plans/small.json
    tier.py apply small                                # the embedded emulator (default target)
    tier.py replan small                               # expect no changes (exit 1 on drift)
    tier.py destroy small
    tier.py apply small --target aws --var-file my.tfvars   # a real account: needs credentials

Emulator runs keep their state in build/state/<tier>.emulator-<port>.tfstate, never in a real backend.
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
sys.path.insert(0, str(ROOT / "scripts"))
TIERS = ("small", "medium", "large")
EMULATED_TIERS = ("small", "medium")  # large uses resources moto cannot serve yet (README)
EMULATOR_ROLE = "OrganizationAccountAccessRole"  # moto lets any role be assumed, into any account
EMULATOR_MANAGEMENT_ACCOUNT = "999999999999"  # as in the multi-account tiers' demo.tfvars  # the others use resources moto cannot serve yet (README)
PROGRESS = re.compile(r"(Creation|Destruction|Modifications) complete|Still (creating|destroying)|Apply complete|Destroy complete")
OFFLINE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "offline-plan", "AWS_SECRET_ACCESS_KEY": "offline-plan"}


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def terraform_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["TF_CLI_CONFIG_FILE"] = str(BUILD / "terraformrc")
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"
    # Terraform and the provider are Go programs that mostly allocate and collect while planning a few
    # hundred resources; collecting less often saves 15% of plan-large's time for ~250 MB more memory
    # (scripts/bench_plan.py). A value the user set wins.
    env.setdefault("GOGC", "400")
    env.update(extra or {})
    return env


def run(args: list[str], cwd: Path, env: dict[str, str], quiet: bool = False) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    result = subprocess.run(args, cwd=cwd, env=env, text=True, capture_output=quiet)
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"error: `{' '.join(args[:2])}` failed in {cwd.relative_to(ROOT)} (exit {result.returncode})")
    say(f"{' '.join(args[:2])} done in {time.monotonic() - started:.1f}s")
    return result


@contextmanager
def init_lock() -> Iterator[None]:
    """One `terraform init` at a time across processes: concurrent inits race on the shared plugin cache."""
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".terraform-init.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def init_stamp(tier_dir: Path) -> str:
    """Changes whenever a file `terraform init` depends on may have: any .tf file or the lock file."""
    files = [*tier_dir.glob("*.tf"), tier_dir / ".terraform.lock.hcl", *(p for p in (ROOT / "modules").rglob("*.tf") if ".terraform" not in p.parts)]
    digest = hashlib.sha256()
    for path in sorted(files):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
    return digest.hexdigest()


def init(tier_dir: Path, env: dict[str, str]) -> None:
    """About a second with the shared plugin cache; skipped while nothing it reads has changed."""
    stamp_file, stamp = tier_dir / ".terraform" / "mlops-init.stamp", init_stamp(tier_dir)
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    say(f"terraform init ({tier_dir.name})")
    with init_lock():
        run(["terraform", "init", "-input=false", "-no-color", "-lockfile=readonly"], tier_dir, env, quiet=True)
    stamp_file.write_text(stamp)


def var_files(tier_dir: Path, extra: list[str]) -> list[str]:
    files = [str(tier_dir / "demo.tfvars")] if not extra else extra
    return [f"-var-file={Path(f).resolve()}" for f in files]


def summarize(plan: dict) -> str:
    changes = [rc for rc in plan.get("resource_changes", []) if rc["change"]["actions"] != ["no-op"]]
    by_type = Counter(rc["type"] for rc in changes)
    configs = plan.get("configuration", {}).get("provider_config", {})
    aliases = sorted(name for name in configs if "." in name)
    lines = [f"{len(changes)} resources, {len(aliases)} account-role providers ({', '.join(aliases)})"]
    groups = {
        "SageMaker": "aws_sagemaker_", "IAM": "aws_iam_", "S3": "aws_s3_", "KMS": "aws_kms_", "Lambda": "aws_lambda_",
        "API Gateway": "aws_api_gateway_", "EventBridge": "aws_cloudwatch_event_", "Scheduler": "aws_scheduler_",
        "ECR": "aws_ecr_", "CloudWatch": "aws_cloudwatch_", "SNS/SQS": "aws_s", "Network": "aws_v",
        "Code": "aws_code", "Organizations": "aws_organizations_",
    }
    counted: Counter[str] = Counter()
    for rtype, n in by_type.items():
        label = next((label for label, prefix in groups.items() if rtype.startswith(prefix)), "Other")
        counted[label] += n
    lines += [f"  {label:<14} {n}" for label, n in sorted(counted.items())]
    return "\n".join(lines)


def plan(tier: str, extra_vars: list[str]) -> Path:
    tier_dir = ROOT / "environments" / tier
    env = terraform_env({**OFFLINE_CREDENTIALS, "AWS_EC2_METADATA_DISABLED": "true"})
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    init(tier_dir, env)
    (BUILD / "plans").mkdir(parents=True, exist_ok=True)
    binary = BUILD / "plans" / f"{tier}.tfplan"
    say(f"terraform plan ({tier}, offline)")
    run(["terraform", "plan", "-input=false", "-no-color", "-lock=false", f"-out={binary}", "-var=offline_plan=true", *var_files(tier_dir, extra_vars)], tier_dir, env, quiet=True)
    shown = run(["terraform", "show", "-json", str(binary)], tier_dir, env, quiet=True)
    target = BUILD / "plans" / f"{tier}.json"
    target.write_text(shown.stdout)
    say(f"wrote {target.relative_to(ROOT)}")
    print(summarize(json.loads(shown.stdout)))
    return target


def target_env(target: str) -> tuple[dict[str, str], list[str]]:
    """Environment and extra arguments for a run against the emulator or a real account."""
    if target == "emulator":
        from emulator import ctl

        if ctl.running_pid() is None:
            raise SystemExit("error: the emulator is not running; start it with `make up`")
        env = terraform_env(ctl.environment())
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            env.pop(name, None)
        state = BUILD / "state"
        state.mkdir(parents=True, exist_ok=True)
        return env, ["-var=force_destroy=true", "-lock=false"]
    import boto3  # only for the credential check

    if boto3.Session().get_credentials() is None:
        raise SystemExit("error: TARGET=aws needs AWS credentials (a profile, environment variables or SSO); none were found")
    if os.environ.get("AWS_ENDPOINT_URL"):
        raise SystemExit("error: TARGET=aws with AWS_ENDPOINT_URL set would not reach AWS; unset it")
    return terraform_env(), []


def state_args(tier: str, target: str) -> list[str]:
    if target != "emulator":
        return []
    from emulator import ctl

    return [f"-state={BUILD / 'state' / f'{tier}.emulator-{ctl.port()}.tfstate'}"]


def demo_accounts(tier: str) -> list[str]:
    import hcl2

    with open(ROOT / "environments" / tier / "demo.tfvars") as handle:
        return [str(a).strip('"') for a in (hcl2.load(handle).get("accounts") or {}).values()]  # python-hcl2 keeps the quotes


def emulator_organization(tier: str, env: dict[str, str]) -> Path:
    """Multi-account tiers on the emulator: an organization in the management account (so modules/org
    has a root to build on) and the inputs that reach each account through an assumed role."""
    import boto3

    session = boto3.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=env["AWS_DEFAULT_REGION"])
    options = {"endpoint_url": env["AWS_ENDPOINT_URL"], "verify": env["AWS_CA_BUNDLE"]}
    creds = session.client("sts", **options).assume_role(RoleArn=f"arn:aws:iam::{EMULATOR_MANAGEMENT_ACCOUNT}:role/{EMULATOR_ROLE}", RoleSessionName="emulator-setup")["Credentials"]
    orgs = boto3.client("organizations", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"], region_name=env["AWS_DEFAULT_REGION"], **options)
    try:
        organization = orgs.describe_organization()["Organization"]
    except orgs.exceptions.AWSOrganizationsNotInUseException:
        organization = orgs.create_organization(FeatureSet="ALL")["Organization"]
    for account in sorted(set(demo_accounts(tier)) - {EMULATOR_MANAGEMENT_ACCOUNT}):  # members, so guardrails attach to them
        orgs.invite_account_to_organization(Target={"Id": account, "Type": "ACCOUNT"})
    inputs = {
        "terraform_role_name": EMULATOR_ROLE,
        "organization": {"id": organization["Id"], "manage": True, "management_account_id": EMULATOR_MANAGEMENT_ACCOUNT, "allowed_regions": [env["AWS_DEFAULT_REGION"]]},
    }
    path = BUILD / "state" / f"{tier}.emulator.tfvars.json"
    path.write_text(json.dumps(inputs, indent=2))
    return path


def change(action: str, tier: str, target: str, extra_vars: list[str]) -> int:
    tier_dir = ROOT / "environments" / tier
    if target == "aws" and not extra_vars:
        raise SystemExit("error: TARGET=aws needs VARS=path/to/your.tfvars (demo.tfvars is for the emulator)")
    if target == "emulator" and tier not in EMULATED_TIERS:
        raise SystemExit(f"error: the {tier} tier does not run on the emulator yet: moto lacks Feature Store and "
                         "Lake Formation revokes (README, 'Medium and large tiers'); "
                         f"use `make plan-{tier}` and `make policy`, or TARGET=aws VARS=...")
    env, extra = target_env(target)
    if target == "emulator" and tier != "small" and not extra_vars:
        extra_vars = [str(tier_dir / "demo.tfvars"), str(emulator_organization(tier, env))]
    init(tier_dir, env)
    args = [*extra, *state_args(tier, target), *var_files(tier_dir, extra_vars), "-input=false", "-no-color"]
    started = time.monotonic()
    if action == "replan":
        say(f"terraform plan -detailed-exitcode ({tier} on {target}): expecting no changes")
        result = subprocess.run(["terraform", "plan", "-detailed-exitcode", *args], cwd=tier_dir, env=env, text=True, capture_output=True)
        if result.returncode == 0:
            say(f"no changes ({time.monotonic() - started:.1f}s)")
            return 0
        sys.stdout.write(result.stdout[-12000:] + result.stderr[-4000:])
        raise SystemExit(f"error: {'drift after apply' if result.returncode == 2 else 'plan failed'} in {tier} on {target}")
    say(f"terraform {action} ({tier} on {target})")
    command = ["terraform", action, "-auto-approve", "-parallelism=10", *args]
    process = subprocess.Popen(command, cwd=tier_dir, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if PROGRESS.search(line):
            print(f"    {line.strip()}", flush=True)
    if process.wait() != 0:
        output = "".join(lines)
        sys.stderr.write(output[output.find("Error:"):][:12000] if "Error:" in output else output[-6000:])
        raise SystemExit(f"error: terraform {action} of {tier} on {target} failed (resource and error above)")
    say(f"{action} of {tier} on {target} done in {time.monotonic() - started:.1f}s")
    return 0


def outputs(tier: str, target: str) -> dict:
    env, _ = target_env(target)
    shown = subprocess.run(["terraform", "output", "-json", *state_args(tier, target)], cwd=ROOT / "environments" / tier, env=env, text=True, capture_output=True, check=True)
    return {k: v["value"] for k, v in json.loads(shown.stdout).items()}


def summary(tier: str, target: str) -> None:
    values = outputs(tier, target)
    width = max(map(len, values)) if values else 0
    print(f"\nDeployed the {tier} tier on the {target}:")
    for name, value in sorted(values.items()):
        print(f"  {name:<{width}}  {value}")
    where = "" if target == "emulator" else " TARGET=aws"
    steps = [
        (f"make retrain{where}", f"start the retraining pipeline ({values.get('pipeline_name', 'the pipeline')})"),
        ("make status", "is the emulator up?"),
        ("make test", "every check, including apply -> clean re-plan -> destroy on a fresh emulator"),
        (f"make destroy-{tier}{where}", "remove it again; `make down` stops the emulator"),
    ]
    print("\nNext:")
    for command, what in steps:
        print(f"  {command:<32} {what}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["plan", "apply", "replan", "destroy", "outputs", "summary"])
    parser.add_argument("tier", choices=TIERS)
    parser.add_argument("--target", choices=["emulator", "aws"], default=os.environ.get("TARGET") or "emulator")
    parser.add_argument("--var-file", action="append", default=[], help="tfvars instead of the tier's demo.tfvars")
    args = parser.parse_args(argv)
    tier_dir = ROOT / "environments" / args.tier
    if not tier_dir.is_dir():
        raise SystemExit(f"error: environments/{args.tier} does not exist yet")
    if not (BUILD / "terraformrc").exists():
        raise SystemExit("error: run `make setup` first (build/terraformrc is missing)")
    if args.action == "plan":
        plan(args.tier, args.var_file)
        return 0
    if args.action == "outputs":
        print(json.dumps(outputs(args.tier, args.target), indent=2))
        return 0
    if args.action == "summary":
        summary(args.tier, args.target)
        return 0
    return change(args.action, args.tier, args.target, args.var_file)


if __name__ == "__main__":
    sys.exit(main())
