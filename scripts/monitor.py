#!/usr/bin/env python3
"""Run a tier's data-quality monitoring schedules now, on the emulator (`make monitor`).

On AWS the schedules run by themselves (hourly). Nothing runs them on the emulator, so this asks it to
do what one scheduled run does (scripts/emulator/model_monitor.py): the endpoint's captures since the
last run through the record preprocessor, checked against the served model's baseline, the reports
written where AWS writes them, and the processing-job state change put on the account's bus, where
the rules that start a retraining match it. Prints each run's outcome; exits 1 when one failed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import tier as tiers  # noqa: E402
from emulator import ctl  # noqa: E402


def run(account: str, region: str, name: str, port: int | None = None) -> dict:
    try:
        return ctl.call("monitoring-schedules/run", {"account_id": account, "region": region, "name": name}, port)
    except ctl.RouteError as error:
        raise SystemExit(f"error: {name}: {error}") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="small", choices=tiers.TIERS)
    args = parser.parse_args()
    tiers.target_env("emulator")  # says so when the emulator is not running
    values = tiers.outputs(args.tier, "emulator")
    schedules = [(stage, name) for stage, names in sorted((values.get("monitoring_schedule_names") or {}).items()) for name in names or [] if name.endswith("-data-quality")]
    if not schedules:
        raise SystemExit(f"error: the {args.tier} tier has no data-quality schedule; switch monitoring on (VARS=my.tfvars with features = {{ monitoring = true }}) and apply")
    accounts = values.get("account_roles") or {}
    failed = 0
    for stage, name in schedules:
        outcome = run(accounts.get(stage) or next(iter(accounts.values())), values.get("region", "us-east-1"), name)
        status = outcome["MonitoringExecutionStatus"]
        failed += status == "Failed"
        detail = outcome.get("FailureReason") or f"{outcome['violations']} violation(s), report {outcome['report']}/constraint_violations.json"
        print(f"{name} ({stage}): {status}: {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
