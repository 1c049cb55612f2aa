#!/usr/bin/env python3
"""Plan, apply or destroy one tier (environments/<tier>) with readable progress.

    tier.py plan small                                 # offline -> build/plans/small.json
    tier.py apply small                                # the embedded emulator (default target)
    tier.py replan small                               # expect no changes (exit 1 on drift)
    tier.py destroy small                              # then sweeps what a killed run left behind
    tier.py sweep small [--target aws --var-file my.tfvars [--delete]]   # leftovers: deleted on the emulator, listed on AWS
    tier.py apply small --target aws --var-file my.tfvars   # a real account: needs credentials

Emulator runs keep their state in build/state/<tier>.emulator-<port>.tfstate, never in a real backend,
and set it aside when the emulator restarted since. One run per state at a time (a lock file beside
it); Ctrl-C stops Terraform gracefully; a run after a killed one sweeps first (README, "Operator loop").
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
sys.path.insert(0, str(ROOT / "scripts"))
TIERS = ("small", "medium", "large")
EMULATOR_ROLE = "OrganizationAccountAccessRole"  # moto lets any role be assumed, into any account
EMULATOR_MANAGEMENT_ACCOUNT = "999999999999"  # as in the multi-account tiers' demo.tfvars
PROGRESS = re.compile(r"(Creation|Destruction|Modifications) complete|Still (creating|destroying)|Apply complete|Destroy complete")


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


def declared_variables(tier_dir: Path) -> set[str]:
    import hcl2

    names: set[str] = set()
    for path in tier_dir.glob("*.tf"):
        with open(path) as handle:
            for block in hcl2.load(handle).get("variable", []):
                names.update(name.strip('"') for name in block)
    return names


def check_var_files(tier_dir: Path, extra: list[str]) -> None:
    """A misspelt variable is an error, not Terraform's warning: a misspelt `region` would deploy elsewhere."""
    import difflib

    import hcl2

    declared = declared_variables(tier_dir)
    for name in extra or [str(tier_dir / "demo.tfvars")]:
        path = Path(name)
        if not path.is_file():
            raise SystemExit(f"error: variable file {name} does not exist")
        with open(path) as handle:
            given = json.load(handle) if path.suffix == ".json" else hcl2.load(handle)
        for key in sorted(k for k in set(given) - declared if not k.startswith("__")):  # python-hcl2 adds __comments__
            hint = difflib.get_close_matches(key, declared, n=1)
            raise SystemExit(f"error: {name} sets `{key}`, which environments/{tier_dir.name} does not declare"
                             + (f"; did you mean `{hint[0]}`?" if hint else ""))


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


def plan(tier: str, extra_vars: list[str], out_dir: Path | None = None) -> Path:
    tier_dir = ROOT / "environments" / tier
    env = terraform_env({"AWS_EC2_METADATA_DISABLED": "true"})
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.pop(name, None)  # offline_plan gives the providers placeholder credentials: a plan needs none
    check_var_files(tier_dir, extra_vars)
    init(tier_dir, env)
    out_dir = out_dir or BUILD / "plans"
    out_dir.mkdir(parents=True, exist_ok=True)
    binary, target = out_dir / f"{tier}.tfplan", out_dir / f"{tier}.json"
    for stale in (binary, target, target.with_suffix(".inputs")):  # a failed plan must not leave the previous one for `make policy`
        stale.unlink(missing_ok=True)
    say(f"terraform plan ({tier}, offline)")
    planned = run(["terraform", "plan", "-input=false", "-no-color", "-lock=false", f"-out={binary}", "-var=offline_plan=true", *var_files(tier_dir, extra_vars)], tier_dir, env, quiet=True)
    if "undeclared variable" in planned.stdout + planned.stderr:
        raise SystemExit(f"error: a variable file sets a variable environments/{tier} does not declare:\n{planned.stderr[-2000:]}")
    shown = run(["terraform", "show", "-json", str(binary)], tier_dir, env, quiet=True)
    target.write_text(shown.stdout)
    target.with_suffix(".inputs").write_text(json.dumps(var_files(tier_dir, extra_vars)))  # lets the tests reuse a plan of demo.tfvars
    say(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    print(summarize(json.loads(shown.stdout)))
    return target


def target_env(target: str) -> tuple[dict[str, str], list[str]]:
    """Environment and extra arguments for a run against the emulator or a real account."""
    if target == "emulator":
        from emulator import ctl

        if ctl.running_pid() is None:
            reason = ctl.stopped_reason()
            raise SystemExit(f"error: the emulator is not running ({reason}); start it with `make up`" if ctl.boot_id()
                             else "error: the emulator is not running; start it with `make up`")
        env = terraform_env(ctl.environment())
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            env.pop(name, None)
        (BUILD / "state").mkdir(parents=True, exist_ok=True)
        return env, ["-var=force_destroy=true"]
    import boto3  # only for the credential check

    if boto3.Session().get_credentials() is None:
        raise SystemExit("error: TARGET=aws needs AWS credentials (a profile, environment variables or SSO); none were found")
    if os.environ.get("AWS_ENDPOINT_URL"):
        raise SystemExit("error: TARGET=aws with AWS_ENDPOINT_URL set would not reach AWS; unset it")
    return terraform_env(), []


def state_file(tier: str) -> Path:
    """Emulator runs keep their state here; real accounts use the backend in the tier's versions.tf."""
    from emulator import ctl

    return BUILD / "state" / f"{tier}.emulator-{ctl.port()}.tfstate"


def state_args(tier: str, target: str) -> list[str]:
    return [f"-state={state_file(tier)}"] if target == "emulator" else []


@contextmanager
def state_lock(tier: str, target: str, action: str) -> Iterator[str]:
    """One run per state at a time (emulator and real accounts alike); a second fails at once and
    names the holder. Yields what a previous holder left behind if it never finished (killed)."""
    from emulator import ctl

    BUILD.joinpath("state").mkdir(parents=True, exist_ok=True)
    path = BUILD / "state" / (f"{tier}.emulator-{ctl.port()}.lock" if target == "emulator" else f"{tier}.aws.lock")
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise SystemExit(f"error: another run holds the {tier} state on the {target} ({handle.read().strip() or 'starting'}); "
                             "wait for it to finish, or stop it, and run again") from None
        handle.seek(0)
        unfinished = handle.read().strip()
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}: {action} since {time.strftime('%H:%M:%S')}\n")
        handle.flush()
        try:
            yield unfinished
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()


def set_aside_stale_state(tier: str) -> None:
    """State written against an earlier emulator lists resources the running one never had: set it
    aside (kept under build/state/stale/) so the run starts from what really exists."""
    from emulator import ctl

    state, marker, boot = state_file(tier), state_file(tier).with_suffix(".boot-id"), ctl.boot_id()
    recorded = marker.read_text().strip() if marker.exists() else boot  # unmarked (older) state: assume this emulator's
    if state.exists() and recorded != boot:
        stale = BUILD / "state" / "stale"
        stale.mkdir(parents=True, exist_ok=True)
        moved = stale / f"{state.stem}.{time.strftime('%Y%m%dT%H%M%S')}.tfstate"
        state.replace(moved)
        state.with_suffix(".tfstate.backup").unlink(missing_ok=True)
        upgraded_accounts(tier).unlink(missing_ok=True)  # those accounts were that emulator's
        say(f"the emulator restarted since {state.relative_to(ROOT)} was written: set it aside as {moved.relative_to(ROOT)}")
    if boot:
        marker.write_text(boot)


def restore_cut_state(tier: str) -> None:
    """A run killed while Terraform rewrote the local state leaves it empty or cut short. Its backup is the
    state before that run; what the run created after it carries the run's tags, so the sweep finds it."""
    state = state_file(tier)
    if not state.exists():
        return
    try:
        json.loads(state.read_text())
        return
    except ValueError:
        pass
    backup = state.with_suffix(".tfstate.backup")
    if backup.exists():
        state.write_bytes(backup.read_bytes())
        say(f"{state.relative_to(ROOT)} was cut short by a killed run: restored its backup (the state before that run)")
    else:
        state.unlink()
        say(f"{state.relative_to(ROOT)} was cut short by a killed run and has no backup: starting from an empty state")


def state_id(tier: str, target: str) -> list[str]:
    """The id tagged on everything this state creates (mlops:state), so what a killed run created can be found."""
    if target != "emulator":
        return []
    marker = state_file(tier).with_suffix(".boot-id")
    return [f"-var=state_id={tier}-{marker.read_text().strip()[:12]}"] if marker.exists() else []


class Account:
    """boto3 clients for one account of a run: the emulator's endpoint, or the caller's AWS credentials."""

    def __init__(self, env: dict[str, str], credentials: dict[str, str] | None = None):
        self.env, self.credentials = env, credentials or {}
        self.region_name = env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or "us-east-1"

    def client(self, service: str) -> Any:
        import boto3

        options = {"endpoint_url": self.env["AWS_ENDPOINT_URL"], "verify": self.env["AWS_CA_BUNDLE"]} if "AWS_ENDPOINT_URL" in self.env else {}
        return boto3.client(service, region_name=self.region_name, **self.credentials, **options)


def emulator_account(env: dict[str, str], account: str) -> Account:
    """One emulated account, through the role moto lets anyone assume in any account."""
    sts = Account(env, {"aws_access_key_id": env["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]}).client("sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{EMULATOR_ROLE}", RoleSessionName="emulator-setup")["Credentials"]
    return Account(env, {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"], "aws_session_token": creds["SessionToken"]})


def run_accounts(tier: str, target: str, env: dict[str, str]) -> list[Account]:
    """Where a run's resources live: every demo account on the emulator (through the assumed role), or the
    account of the caller's credentials on AWS (run the sweep once per account for multi-account tiers)."""
    if target != "emulator":
        return [Account(env)]
    if tier == "small":
        return [Account(env, {"aws_access_key_id": env["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]})]
    return [emulator_account(env, account) for account in sorted(set(demo_accounts(tier)) | {EMULATOR_MANAGEMENT_ACCOUNT})]


def run_tags(tier: str, args: list[str]) -> dict[str, str]:
    """The tags every resource of this run carries (providers' default_tags in environments/<tier>/main.tf)."""
    import hcl2

    prefix = "mlops"
    for arg in args:
        if arg.startswith("-var-file="):
            path = Path(arg.removeprefix("-var-file="))
            with open(path) as handle:
                prefix = (json.load(handle) if path.suffix == ".json" else hcl2.load(handle)).get("prefix", prefix)
    tags = {"mlops:tier": tier, "mlops:prefix": str(prefix).strip('"')}
    for arg in args:
        if arg.startswith("-var=state_id="):
            tags["mlops:state"] = arg.removeprefix("-var=state_id=")
    return tags


def sweep(tier: str, target: str, env: dict[str, str], args: list[str], dry_run: bool) -> None:
    """Resources tagged as this run's that its state does not know: deleted on the emulator, listed on AWS."""
    import leftovers

    state = [a.removeprefix("-state=") for a in args if a.startswith("-state=")]
    shown = subprocess.run(["terraform", "show", "-json", *state], cwd=ROOT / "environments" / tier, env=env, text=True, capture_output=True)
    if shown.returncode != 0:
        raise SystemExit(f"error: cannot read the {tier} state to sweep: {shown.stderr.strip()[-500:]}")
    say(f"sweeping {tier} on {target}" + (" (dry run)" if dry_run else ""))
    if target == "emulator":  # the killed run's last requests may still be waiting there: let them run first
        from emulator import ctl

        try:
            ctl.call("drain", {}, timeout=180)  # the server gives up after 120 s with a reason
        except (ctl.RouteError, OSError) as error:
            raise SystemExit(f"error: the emulator did not finish the earlier run's requests ({error}); retry, or `make down` and start again")
    failed = leftovers.sweep(run_accounts(tier, target, env), run_tags(tier, args), json.loads(shown.stdout or "{}"), dry_run, say)
    if failed:
        raise SystemExit(f"error: {len(failed)} leftover(s) could not be deleted (listed above)")


def demo_accounts(tier: str) -> list[str]:
    import hcl2

    with open(ROOT / "environments" / tier / "demo.tfvars") as handle:
        return [str(a).strip('"') for a in (hcl2.load(handle).get("accounts") or {}).values()]  # python-hcl2 keeps the quotes


def emulator_organization(tier: str, env: dict[str, str], accounts: list[str] | None = None) -> Path:
    """Multi-account tiers on the emulator: an organization in the management account (so modules/org
    has a root to build on) with the tier's accounts (demo.tfvars' unless given) as members, and the
    inputs that reach each account through an assumed role."""
    orgs = emulator_account(env, EMULATOR_MANAGEMENT_ACCOUNT).client("organizations")
    try:
        organization = orgs.describe_organization()["Organization"]
    except orgs.exceptions.AWSOrganizationsNotInUseException:
        try:
            organization = orgs.create_organization(FeatureSet="ALL")["Organization"]
        except orgs.exceptions.AlreadyInOrganizationException:  # another tier's run created it meanwhile
            organization = orgs.describe_organization()["Organization"]
    for account in sorted(set(accounts or demo_accounts(tier)) - {EMULATOR_MANAGEMENT_ACCOUNT}):  # members, so guardrails attach to them
        orgs.invite_account_to_organization(Target={"Id": account, "Type": "ACCOUNT"})
    inputs = {
        "terraform_role_name": EMULATOR_ROLE,
        "organization": {"id": organization["Id"], "manage": True, "management_account_id": EMULATOR_MANAGEMENT_ACCOUNT, "allowed_regions": [env["AWS_DEFAULT_REGION"]]},
    }
    path = BUILD / "state" / f"{tier}.emulator.tfvars.json"
    path.write_text(json.dumps(inputs, indent=2))
    return path


def emulator_principals(tier_dir: Path, env: dict[str, str], files: list[str]) -> list[str]:
    """Create the people's roles a tier's inputs name (model approvers, lake admins): on AWS they exist
    before the first apply (README), and the emulator, like AWS, rejects policies naming missing ones."""
    import hcl2

    named: list[str] = []
    for file in files or [str(tier_dir / "demo.tfvars")]:
        if file.endswith(".tfvars"):
            with open(file) as handle:
                values = hcl2.load(handle)
            named += [str(a).strip('"') for a in values.get("model_approvers") or []]
            named += [str(a).strip('"') for a in (values.get("data_lake") or {}).get("admin_arns") or []]
    for arn in sorted(set(named)):
        account, kind, path_and_name = re.match(r"^arn:[\w-]+:iam::(\d{12}):(role|user)(/.+)$", arn).groups()  # inputs validate the shape
        path, name = path_and_name.rsplit("/", 1)
        iam = emulator_account(env, account).client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
        try:
            if kind == "user":
                iam.create_user(UserName=name, Path=f"{path}/")
            else:
                iam.create_role(RoleName=name, Path=f"{path}/", AssumeRolePolicyDocument=json.dumps(trust))
        except iam.exceptions.EntityAlreadyExistsException:
            pass
    return sorted(set(named))


def upgraded_accounts(tier: str) -> Path:
    """The accounts a tier grown on the emulator keeps (scripts/upgrade.py): the smaller tier's as dev."""
    return state_file(tier).with_suffix(".upgrade.tfvars.json")


def emulator_inputs(tier: str, env: dict[str, str]) -> list[str]:
    """A multi-account tier's variable files on the emulator: demo.tfvars, the organization, and after
    an upgrade the accounts it kept."""
    upgraded = upgraded_accounts(tier)
    accounts = list(json.loads(upgraded.read_text())["accounts"].values()) if upgraded.exists() else None
    return [str(ROOT / "environments" / tier / "demo.tfvars"), str(emulator_organization(tier, env, accounts)), *([str(upgraded)] if upgraded.exists() else [])]


def change(action: str, tier: str, target: str, extra_vars: list[str], dry_run: bool = True) -> int:
    tier_dir = ROOT / "environments" / tier
    if target == "aws" and not extra_vars:
        raise SystemExit("error: TARGET=aws needs VARS=path/to/your.tfvars (demo.tfvars is for the emulator)")
    check_var_files(tier_dir, extra_vars)
    env, extra = target_env(target)
    with state_lock(tier, target, f"tier.py {action} {tier}") as unfinished:
        if target == "emulator":
            set_aside_stale_state(tier)
            restore_cut_state(tier)
            if tier != "small":  # on the emulator, VARS adds to demo.tfvars (and the emulator's inputs)
                extra_vars = [*emulator_inputs(tier, env), *extra_vars]
            elif extra_vars:
                extra_vars = [str(tier_dir / "demo.tfvars"), *extra_vars]
            if action == "apply":
                emulator_principals(tier_dir, env, extra_vars)
        init(tier_dir, env)
        args = [*extra, *state_args(tier, target), *state_id(tier, target), *var_files(tier_dir, extra_vars), "-input=false", "-no-color"]
        if unfinished:
            say(f"the previous run ({unfinished}) did not finish: it was killed")
            if action in ("apply", "destroy"):
                sweep(tier, target, env, args, dry_run=target != "emulator")
        if action == "replan":
            return replan(tier, target, tier_dir, env, args)
        if action == "sweep":
            sweep(tier, target, env, args, dry_run=dry_run)
            return 0
        code = terraform_change(action, tier, target, tier_dir, env, args)
        if action == "destroy" and code == 0:
            sweep(tier, target, env, args, dry_run=target != "emulator")
            if target == "emulator":
                upgraded_accounts(tier).unlink(missing_ok=True)
        return code


def terraform_change(action: str, tier: str, target: str, tier_dir: Path, env: dict[str, str], args: list[str]) -> int:
    """terraform apply/destroy with progress lines. Ctrl-C or SIGTERM is passed on once, as Terraform's own
    interrupt: it stops starting new work and saves its state. Terraform writes to a log file, not a pipe, so
    even a killed tier.py cannot stop it mid-write; it is interrupted the same way when tier.py dies."""
    log = state_file(tier).with_suffix(f".{action}.log") if target == "emulator" else BUILD / "state" / f"{tier}.aws.{action}.log"
    say(f"terraform {action} ({tier} on {target}); full output in {log.relative_to(ROOT)}")
    started = time.monotonic()
    interrupted: list[int] = []
    with open(log, "w") as out:
        # The emulator has no API rate limits and the provider's waits (queues 25 s, keys 13 s) dominate its
        # applies: 30 at a time takes large from 110 s to 77 s. AWS gets Terraform's default of 10.
        parallelism = 30 if target == "emulator" else 10
        process = subprocess.Popen(["terraform", action, "-auto-approve", f"-parallelism={parallelism}", *args], cwd=tier_dir, env=env, text=True,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=interrupt_when_parent_dies)

    def forward(signum: int, _frame: object) -> None:
        if not interrupted:
            say(f"{signal.Signals(signum).name}: asking terraform (pid {process.pid}) to stop and save its state; this can take a minute")
            process.send_signal(signal.SIGINT)
        else:
            say("still waiting for terraform to save its state")
        interrupted.append(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    emulator_stopped: str | None = None
    try:
        with open(log) as follow:
            checked = time.monotonic()
            while True:
                line = follow.readline()
                if line:
                    if PROGRESS.search(line):
                        print(f"    {line.strip()}", flush=True)
                    continue
                if process.poll() is not None:
                    break
                if target == "emulator" and emulator_stopped is None and time.monotonic() - checked > 2:
                    checked = time.monotonic()
                    if (emulator_stopped := emulator_stop_reason()) is not None:  # stop now, not after the SDK's retries
                        process.send_signal(signal.SIGINT)
                time.sleep(0.2)
        code = process.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if code == 0 and not interrupted:
        say(f"{action} of {tier} on {target} done in {time.monotonic() - started:.1f}s")
        return 0
    output = log.read_text()
    if target == "emulator" and (emulator_stopped := emulator_stopped or emulator_stop_reason()) is not None:
        raise SystemExit(f"error: {emulator_stopped}. `make up` starts a new one; the next run sets the stale state aside")
    if interrupted:
        say(f"interrupted: terraform saved its state (exit {code}) after {time.monotonic() - started:.1f}s")
    else:
        sys.stderr.write(output[output.find("Error:"):][:12000] if "Error:" in output else output[-6000:])
    out_of_step(tier, target, tier_dir, env, args)
    if interrupted:
        raise SystemExit(130)
    raise SystemExit(f"error: terraform {action} of {tier} on {target} failed (resource and error above); "
                     f"running `make {action}-{tier}` again continues from the saved state")


def emulator_stop_reason() -> str | None:
    from emulator import ctl

    return ctl.stopped_reason()


def interrupt_when_parent_dies() -> None:
    """In the child: SIGINT (Terraform's graceful stop) when tier.py dies, even by SIGKILL (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGINT)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


CHANGE = re.compile(r"^  # (\S+) (will be created|will be destroyed|must be replaced|will be updated in-place|will be read during apply)", re.M)


def out_of_step(tier: str, target: str, tier_dir: Path, env: dict[str, str], args: list[str]) -> None:
    """After a failed or interrupted run: what the saved state and the code still disagree on."""
    say(f"re-planning {tier} on {target} to show what is out of step")
    result = subprocess.run(["terraform", "plan", "-detailed-exitcode", "-lock-timeout=30s", *args], cwd=tier_dir, env=env, text=True, capture_output=True)
    if result.returncode == 0:
        say("nothing is out of step: the state matches the code")
    elif result.returncode == 2:
        changes = CHANGE.findall(result.stdout)
        counts = Counter(what for _, what in changes)
        say("out of step: " + ", ".join(f"{n} {what}" for what, n in sorted(counts.items())))
        for address, what in changes[:20]:
            print(f"    {address} {what}")
        if len(changes) > 20:
            print(f"    ... and {len(changes) - 20} more")
    else:
        say("the re-plan failed too: " + (result.stderr.strip().splitlines() or ["no output"])[-1][:300])


def replan(tier: str, target: str, tier_dir: Path, env: dict[str, str], args: list[str]) -> int:
    started = time.monotonic()
    say(f"terraform plan -detailed-exitcode ({tier} on {target}): expecting no changes")
    result = subprocess.run(["terraform", "plan", "-detailed-exitcode", *args], cwd=tier_dir, env=env, text=True, capture_output=True)
    if result.returncode == 0:
        say(f"no changes ({time.monotonic() - started:.1f}s)")
        return 0
    sys.stdout.write(result.stdout[-12000:] + result.stderr[-4000:])
    raise SystemExit(f"error: {'drift after apply' if result.returncode == 2 else 'plan failed'} in {tier} on {target}")


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
        (f"make retrain{where}", f"run the retraining pipeline ({values.get('pipeline_name', 'the pipeline')}) and follow it"),
        *([("make lifecycle", "the model lifecycle end to end: train, deploy, predict, drift, retrain, canary")] if target == "emulator" and tier == "small" else []),
        ("make status", "is the emulator up?"),
        ("make test", "every check, including apply -> clean re-plan -> destroy on a fresh emulator"),
        (f"make destroy-{tier}{where}", "remove it again; `make down` stops the emulator"),
    ]
    print("\nNext:")
    for command, what in steps:
        print(f"  {command:<32} {what}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["plan", "validate", "apply", "replan", "destroy", "sweep", "outputs", "summary"])
    parser.add_argument("tier", choices=TIERS)
    parser.add_argument("--target", choices=["emulator", "aws"], default=os.environ.get("TARGET") or "emulator")
    parser.add_argument("--var-file", action="append", default=[], help="tfvars instead of the tier's demo.tfvars (on the emulator: added after it)")
    parser.add_argument("--out", type=Path, help="plan: write <tier>.json here instead of build/plans")
    parser.add_argument("--delete", action="store_true", help="sweep on AWS: delete the leftovers it lists (the default there is a dry run)")
    args = parser.parse_args(argv)
    tier_dir = ROOT / "environments" / args.tier
    if not tier_dir.is_dir():
        raise SystemExit(f"error: environments/{args.tier} does not exist yet")
    if not (BUILD / "terraformrc").exists():
        raise SystemExit("error: run `make setup` first (build/terraformrc is missing)")
    if args.action == "plan":
        plan(args.tier, args.var_file, args.out)
        return 0
    if args.action == "validate":  # initialised as plans are (skipped while unchanged, one init at a time), so it never re-installs modules under a running plan or apply
        env = terraform_env()
        init(tier_dir, env)
        return subprocess.run(["terraform", "validate", "-no-color"], cwd=tier_dir, env=env).returncode
    if args.action == "outputs":
        print(json.dumps(outputs(args.tier, args.target), indent=2))
        return 0
    if args.action == "summary":
        summary(args.tier, args.target)
        return 0
    if args.action == "sweep":
        return change("sweep", args.tier, args.target, args.var_file, dry_run=args.target != "emulator" and not args.delete)
    return change(args.action, args.tier, args.target, args.var_file)


if __name__ == "__main__":
    sys.exit(main())
