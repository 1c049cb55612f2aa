#!/usr/bin/env python3
"""Plan, apply or destroy one tier (environments/<tier>) with readable progress.

    tier.py plan small                # offline: no credentials, no network -> build/plans/small.json
    tier.py apply small               # the embedded emulator (default target)
    tier.py apply small --target aws  # a real account: needs credentials, asks nothing else
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
TIERS = ("small", "medium", "large")
OFFLINE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "offline-plan", "AWS_SECRET_ACCESS_KEY": "offline-plan"}


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def terraform_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["TF_CLI_CONFIG_FILE"] = str(BUILD / "terraformrc")
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"
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


def init(tier_dir: Path, env: dict[str, str]) -> None:
    if (tier_dir / ".terraform" / "modules" / "modules.json").exists() and (tier_dir / ".terraform" / "providers").exists():
        return
    say(f"terraform init ({tier_dir.name})")
    run(["terraform", "init", "-input=false", "-no-color", "-lockfile=readonly"], tier_dir, env, quiet=True)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["plan"])
    parser.add_argument("tier", choices=TIERS)
    parser.add_argument("--var-file", action="append", default=[], help="tfvars instead of the tier's demo.tfvars")
    args = parser.parse_args(argv)
    tier_dir = ROOT / "environments" / args.tier
    if not tier_dir.is_dir():
        raise SystemExit(f"error: environments/{args.tier} does not exist yet")
    if not (BUILD / "terraformrc").exists():
        raise SystemExit("error: run `make setup` first (build/terraformrc is missing)")
    plan(args.tier, args.var_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
