"""The small tier on fresh emulators: the operator loop on one (interrupted applies that converge, a
clean re-plan, destroy); on another the lifecycle, then growth into medium and large (upgrade, migrate
the registry, exercise the event chains, destroy).

Each test runs moto server with the project's extensions on a free port of its own, separate from any
emulator `make up` started, so the two run side by side on separate workers; it is stopped even when
a step fails. EventBridge in moto does not
invoke Lambda functions (that needs Docker), so the chain runs the deployed functions' code
in-process against the emulator, with the configuration Terraform deployed.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import re
import subprocess
import tarfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import boto3
import pytest

import leftovers
import retrain
import tier
from emulator import ctl, extensions
from support import ROOT, free_port, load_lambda, terraform_init

FEATURE_STORE = ROOT / "environments" / "small" / "feature-store.tfvars"  # the operator loop's demo trains on Feature Store

# Each test on a worker of its own: the longest tests; their runs keep state under build/state (one file per
# emulator port), apart from the offline plans of the same folders.


@pytest.fixture
def emulator(monkeypatch) -> Iterator[int]:
    """A fresh emulator on a free port for one test; stopped whatever happens."""
    port = free_port()
    monkeypatch.setenv("EMULATOR_PORT", str(port))
    ctl.up(port, timeout=90)
    try:
        for key, value in ctl.environment(port).items():
            monkeypatch.setenv(key, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        yield port
    finally:
        ctl.down(port)


class Operator:
    """Runs `make` targets as an operator does, on the test's emulator port, and interrupts them."""

    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log
        self.env = {**os.environ, "EMULATOR_PORT": str(port)}

    def start(self, *targets: str, output: Path | None = None) -> subprocess.Popen[str]:
        """A run in the background; a long one writes to `output` (a pipe nobody reads would stall it)."""
        sink = output.open("w") if output else subprocess.PIPE
        try:
            return subprocess.Popen(["make", "--no-print-directory", *targets], cwd=ROOT, env=self.env, text=True,
                                    stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            if output:
                sink.close()  # the run has its own copy

    def run(self, *targets: str) -> tuple[int, str]:
        process = self.start(*targets)
        output, _ = process.communicate(timeout=600)
        return process.returncode, output

    def wait_until_created(self, run: subprocess.Popen[str], count: int, since: float) -> None:
        """Until the running apply has created `count` resources (its log, written as it goes)."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.log.exists() and self.log.stat().st_mtime >= since and self.log.read_text().count("Creation complete") >= count:
                return
            if run.poll() is not None:
                raise AssertionError(f"the run ended (exit {run.returncode}) before creating {count} resources: {run.communicate()[0][-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"the apply did not create {count} resources in time")

    def processes(self) -> list[tuple[int, str]]:
        """Processes of this operator's runs (make, tier.py, terraform, providers), not the emulator itself."""
        marker = f"EMULATOR_PORT={self.port}".encode()
        found = []
        for environ in Path("/proc").glob("[0-9]*/environ"):
            try:
                if marker not in environ.read_bytes().split(b"\0"):
                    continue
                command = (environ.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "emulator.server" not in command and int(environ.parent.name) != os.getpid():
                found.append((int(environ.parent.name), command))
        return found

    def kill_everything(self) -> None:
        """SIGKILL to every process of the run, Terraform and its providers first (a lost machine), until
        none is left: a process started while the first ones died would go on creating after the kill."""
        deadline = time.monotonic() + 30
        while (found := self.processes()) and time.monotonic() < deadline:
            for pid, _ in sorted(found, key=lambda p: "terraform" not in p[1]):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)
        assert self.processes() == [], f"still running after SIGKILL: {self.processes()}"


def leftovers_tagged(state_id: str) -> list[str]:
    """Everything in the emulator still tagged with this state's id (keys pending deletion are gone)."""
    account = tier.Account(dict(os.environ))
    wanted = {"mlops:tier": "small", "mlops:state": state_id}
    return [l.arn for l in leftovers.tagged(account, wanted) if not leftovers.gone(l)]


def fresh_states(*names: str) -> None:
    """Init each tier's folder and forget any state an earlier run on this port left."""
    for name in names:
        terraform_init(ROOT / "environments" / name)
        state = tier.state_file(name)
        for stale in (state, state.with_suffix(".boot-id"), state.with_suffix(".lock"), tier.upgraded_accounts(name)):
            stale.unlink(missing_ok=True)


@pytest.mark.xdist_group("emulator-operator-loop")
def test_operator_loop(emulator, tmp_path):
    """The operator loop on one emulator, through `make` as an operator types it: an apply whose emulator
    dies, `make down && make demo`, a second apply refused while one runs, Ctrl-C, SIGKILL, re-runs that
    converge, `make demo` twice, a clean re-plan, one copy of each resource, `make destroy-small`, nothing left.
    The demo runs with Feature Store switched on (environments/small/feature-store.tfvars): `make
    ingest-features` loads rows, and `make retrain` trains on the offline store."""
    fresh_states("small")
    state = tier.state_file("small")
    operator = Operator(emulator, state.with_suffix(".apply.log"))
    features = "VARS=" + str(FEATURE_STORE)
    timings: dict[str, float] = {}

    # The emulator dies mid-apply: one line says so, and the next `make demo` starts a new one and
    # sets the stale state aside by itself.
    began = time.time()
    run = operator.start("demo", features)
    operator.wait_until_created(run, 10, began)
    os.kill(ctl.port_holder(emulator)[0], signal.SIGKILL)  # the server, not the shell that records its exit
    output, _ = run.communicate(timeout=300)
    assert run.returncode != 0 and "error: the emulator stopped (exit 137, last log lines: " in output, output[-3000:]
    assert "Traceback" not in output and output.count("connection refused") == 0
    timings["emulator killed mid-apply"] = time.time() - began

    # `make down && make demo`, interrupted with Ctrl-C once it is under way; meanwhile a second apply is refused at once.
    began = time.time()
    assert operator.run("down")[0] == 0
    run = operator.start("demo", features)
    operator.wait_until_created(run, 15, began)
    second_began = time.monotonic()
    code, second = operator.run("apply-small", features)
    assert code != 0 and "another run holds the small state on the emulator (pid " in second and time.monotonic() - second_began < 30, second
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: make and tier.py both get it
    output, _ = run.communicate(timeout=300)
    assert "set it aside as build/state/stale/" in output and "SIGINT: asking terraform" in output, output[-3000:]
    assert "interrupted: terraform saved its state" in output and "out of step:" in output and "Traceback" not in output, output[-3000:]
    assert operator.processes() == [], "Terraform or a provider outlived the interrupted run"
    json.loads(state.read_text())  # saved whole
    timings["make down && make demo, Ctrl-C, concurrent apply refused"] = time.time() - began

    # SIGKILL to everything mid-apply: what it created but could not record is swept by the next run.
    began = time.time()
    run = operator.start("demo", features)
    operator.wait_until_created(run, 10, began)
    operator.kill_everything()
    run.wait(timeout=60)
    code, output = operator.run("demo", features)
    assert code == 0 and "did not finish: it was killed" in output and "Deployed the small tier on the emulator" in output, output[-3000:]
    timings["SIGKILL mid-apply, then make demo converges"] = time.time() - began

    began = time.time()
    code, output = operator.run("demo", features)
    assert code == 0 and "Resources: 0 added, 0 changed, 0 destroyed" in output, output[-3000:]
    timings["make demo again"] = time.time() - began

    # Training on Feature Store: 300 of the dataset's 569 rows ingested (twice: a re-run adds versions, not
    # records), and the pipeline's preprocessing reads exactly those from the offline store.
    began = time.time()
    subset = tmp_path / "subset.csv"
    subset.write_text(retrain.demo_dataset_csv(300))
    for _ in range(2):
        code, output = operator.run("ingest-features", f"SOURCE={subset}")
        assert code == 0 and "ingested 300 record(s) from " in output and " into mlops-tumours; offline store s3://" in output, output[-3000:]
    code, output = operator.run("retrain")
    held_out = sum(max(1, round(n * 0.2)) for n in Counter(row[-1] for row in csv.reader(subset.open()) if row[-1] != "target").values())  # preprocess.py's stratified split
    assert code == 0 and re.search(rf"^  metrics: accuracy .*, test_rows {held_out}$", output, flags=re.M), output[-3000:]
    [version] = re.findall(r"^registered (arn:\S+) \(PendingManualApproval\)$", output, flags=re.M)
    timings["make ingest-features twice, make retrain on the offline store"] = time.time() - began

    began = time.time()
    assert tier.change("replan", "small", "emulator", [str(FEATURE_STORE)]) == 0
    state_id = tier.run_tags("small", tier.state_id("small", "emulator"))["mlops:state"]
    assert leftovers_tagged(state_id), "the sweep's listing finds the tier's resources (else a sweep could never find leftovers)"
    one_copy_each(state, [str(FEATURE_STORE)])
    code, output = operator.run("status")
    assert code == 0 and "healthy" in output
    timings["re-plan and state checks"] = time.time() - began

    boto3.client("sagemaker").delete_model_package(ModelPackageName=version)  # the registry's versions go before the registry (as on AWS)
    began = time.time()
    code, output = operator.run("destroy-small", features)
    assert code == 0 and "no leftovers tagged" in output, output[-3000:]
    timings["make destroy-small"] = time.time() - began
    assert leftovers_tagged(state_id) == [], "destroy left resources behind"
    print("operator loop timings: " + json.dumps({k: round(v, 1) for k, v in timings.items()}))


@pytest.mark.xdist_group("emulator-growth")
def test_lifecycle_and_growth_to_medium_and_large(emulator, monkeypatch, tmp_path):
    """The talk's lifecycle on a fresh small tier (`make lifecycle`: apply, train, approve, serve, drift,
    retrain, canary, rollback, labels); then the team grows: `make upgrade FROM=small TO=medium` keeps data,
    versions, Studio and the endpoint, medium re-plans clean and its cross-account wiring works; large,
    applied in one step beside all of that from the start, re-plans clean, `make migrate-registry` moves the versions and artifacts
    into large's registry, where an approval releases a migrated version through large's accounts; large,
    small's serving stack and medium are destroyed, nothing is left."""
    fresh_states("small", "medium", "large")
    operator = Operator(emulator, tier.state_file("small").with_suffix(".apply.log"))
    timings: dict[str, float] = {}

    # Large needs nothing of small or medium: it applies from the start (its own prefix while it shares
    # staging and prod with medium), beside the lifecycle, the upgrade and medium's checks.
    grown = tmp_path / "large.tfvars"
    grown.write_text('prefix = "grown"\n')
    large_began = time.time()
    large_log = tmp_path / "apply-large.log"
    large_apply = operator.start("apply-large", f"VARS={grown}", output=large_log)
    began = time.time()
    code, output = operator.run("lifecycle")
    timings["make lifecycle (with its apply)"] = time.time() - began
    assert code == 0 and "lifecycle done" in output and "Traceback" not in output, output[-3000:]
    small = tier.outputs("small", "emulator")
    state_id = tier.run_tags("small", tier.state_id("small", "emulator"))["mlops:state"]
    assert re.search(r"^\[5\] the monitor finds drift: [1-9]\d* violation\(s\), s3://\S+/constraint_violations\.json$", output, flags=re.M), output[-3000:]
    versions = [re.search(r"^\[1\] train and register v1: (arn:\S+)$", output, flags=re.M)[1], re.search(r"^\[6\] .* -> (arn:\S+)$", output, flags=re.M)[1],
                re.search(r"^\[8\] .* -> (arn:\S+)$", output, flags=re.M)[1]]
    assert re.search(r"^\[7\] approve v2, canary rollout: canary rollout started: 10 of 100 requests on mlops-prod-v\d+ \(mlops-prod-errors OK, mlops-prod-latency OK\), "
                     r"then all traffic \(mlops-prod-errors OK, mlops-prod-latency OK\); completed: endpoint serves " + re.escape(versions[1]) + "$", output, flags=re.M), output[-3000:]
    assert re.search(r"^\[9\] approve v3, canary with an injected error: 10 of 100 requests failed on mlops-prod-v\d+ \(mlops-prod-errors ALARM \(Sum 10 crossed the threshold .*\), "
                     r"mlops-prod-latency OK\); rolled back: endpoint serves " + re.escape(versions[1]) + "; the deploy function: this model package was already tried and rolled back", output, flags=re.M), output[-3000:]
    assert re.search(r"^\[10\] label the captured requests: 210 labels of one-instance requests \(11 batched skipped\) in 210 object\(s\) under s3://\S+/mlops-prod/ground-truth/yyyy/mm/dd/hh/, for mlops-prod-model-quality ", output, flags=re.M), output[-3000:]
    served_wiring(small, versions)

    # The team grows: `make upgrade FROM=small TO=medium` keeps the dev account and everything in it.
    bucket, prefix = small["training_data_uri"].removeprefix("s3://").split("/", 1)
    s3, sm = boto3.client("s3"), boto3.client("sagemaker")
    seeded = s3.get_object(Bucket=bucket, Key=f"{prefix}breast_cancer.csv")["Body"].read().decode().splitlines()
    s3.put_object(Bucket=bucket, Key=f"{prefix}data.csv", Body="\n".join(seeded[:3]).encode() + b"\n", ServerSideEncryption="aws:kms")  # more data, same columns
    sm.update_model_package(ModelPackageArn=versions[1], ModelApprovalStatus="Rejected")
    before = kept(small)
    began = time.time()
    code, output = operator.run("upgrade", "FROM=small", "TO=medium")
    assert code == 0 and "nothing stateful destroyed or replaced" in output and "Resources: " in output and " 0 destroyed" in output, output[-3000:]
    timings["make upgrade FROM=small TO=medium"] = time.time() - began
    assert kept(small) == before, "the upgrade lost data, a version, Studio or the endpoint"

    # The business grows again: medium re-plans clean and its wiring is exercised while large's apply
    # goes on (separate states, as two operators would); then `make migrate-registry` moves the
    # versions, and large's accounts release one.
    began = time.time()
    assert tier.change("replan", "medium", "emulator", []) == 0
    medium = tier.outputs("medium", "emulator")
    assert medium["account_roles"]["dev"] == small["account_roles"]["dev"] and medium["model_package_group_arn"].endswith("/" + small["model_package_group_name"])
    medium_wiring(medium, monkeypatch)
    timings["medium re-plan and wiring"] = time.time() - began
    large_apply.wait(timeout=900)
    output = large_log.read_text()
    assert large_apply.returncode == 0 and "Apply complete" in output, output[-3000:]
    timings["make apply-large (from the start, beside the lifecycle, the upgrade and medium's checks)"] = time.time() - large_began
    began = time.time()
    assert tier.change("replan", "large", "emulator", [str(grown)]) == 0
    timings["large re-plan"] = time.time() - began
    rejected = [line for line in ctl.log_file(emulator).read_text(errors="replace").splitlines() if extensions.REJECTION_LOG_LINE in line]
    assert not rejected, "an apply set a policy before a principal it names (AWS rejects it; the provider retried): " + "; ".join(rejected[:5])
    large = tier.outputs("large", "emulator")
    began = time.time()
    code, output = operator.run("migrate-registry", "FROM=medium", "TO=large", "TARGET=emulator")
    assert code == 0 and "migration done: 4 registered, 0 already there, 0 status updated, 20 objects copied" in output, output[-3000:]
    timings["make migrate-registry FROM=medium TO=large"] = time.time() - began
    code, output = operator.run("migrate-registry", "FROM=medium", "TO=large", "TARGET=emulator")
    assert code == 0 and "migration done: 0 registered, 4 already there, 0 status updated, 0 objects copied" in output, output[-3000:]
    migrated = large_wiring(large, medium, monkeypatch)
    for package in migrated:  # as for medium below: the registry's versions go before the registry
        account_session(large["account_roles"]["artifact"]).client("sagemaker").delete_model_package(ModelPackageName=package)
    # Large goes, and at the same time small's serving stack, which retires once medium's prod serves; then medium.
    began = time.time()
    destroys = {"large": operator.start("destroy-large", f"VARS={grown}"), "small": operator.start("destroy-small")}
    for name, run in destroys.items():
        output, _ = run.communicate(timeout=600)
        assert run.returncode == 0 and "no leftovers tagged" in output, f"destroy-{name}: " + output[-3000:]
    timings["make destroy-large and destroy-small (the serving stack left behind), side by side"] = time.time() - began
    for package in sm.list_model_packages(ModelPackageGroupName=small["model_package_group_name"])["ModelPackageSummaryList"]:
        sm.delete_model_package(ModelPackageName=package["ModelPackageArn"])  # an operator's step before the registry can be destroyed (as on AWS)
    began = time.time()
    code, output = operator.run("destroy-medium")
    assert code == 0 and "no leftovers tagged" in output, output[-3000:]
    timings["make destroy-medium"] = time.time() - began
    assert leftovers_tagged(state_id) == [], "destroy left resources behind"
    print("lifecycle and growth timings: " + json.dumps({k: round(v, 1) for k, v in timings.items()}))


def kept(small: dict) -> dict:
    """What a growing team must not lose: its training data, model versions with their approvals,
    images repositories, Studio and its profiles, the serving endpoint."""
    s3, sm, ecr = boto3.client("s3"), boto3.client("sagemaker"), boto3.client("ecr")
    bucket, prefix = small["training_data_uri"].removeprefix("s3://").split("/", 1)
    return {
        "data": [(o["Key"], o["Size"]) for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])],
        "versions": [(p["ModelPackageArn"], p["ModelApprovalStatus"]) for p in sm.list_model_packages(ModelPackageGroupName=small["model_package_group_name"])["ModelPackageSummaryList"]],
        "repositories": sorted(r["repositoryArn"] for r in ecr.describe_repositories()["repositories"]),
        "studio": [(d["DomainId"], sorted(p["UserProfileName"] for p in sm.list_user_profiles(DomainIdEquals=d["DomainId"])["UserProfiles"])) for d in sm.list_domains()["Domains"]],
        "endpoint": sm.describe_endpoint(EndpointName=small["endpoint_name"])["EndpointConfigName"],
    }


def one_copy_each(state: Path, var_files: list[str]) -> None:
    """No duplicates of the unnamed resources a killed run had in flight (the VPC, the KMS keys), and
    same-name resources are replaced delete-first (a create-first copy of a same-name queue is the old one)."""
    ec2, kms = boto3.client("ec2"), boto3.client("kms")
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if any(t["Key"] == "mlops:tier" for t in v.get("Tags", []))]
    assert len(vpcs) == 1, vpcs
    keys = [k["KeyId"] for k in kms.list_keys()["Keys"] if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"]
    assert len(keys) == 4, keys
    plan_file = state.with_suffix(".replace.tfplan")
    queues = ("module.tier.module.prod.module.inference_function[0].aws_sqs_queue.failures", "module.tier.module.prod.module.deploy_function[\"model\"].aws_sqs_queue.failures")
    args = [f"-replace={a}" for a in queues]
    subprocess.run(["terraform", "plan", "-input=false", f"-state={state}", f"-out={plan_file}", "-var-file=demo.tfvars", *(f"-var-file={f}" for f in var_files), "-var=force_destroy=true",
                    *tier.state_id("small", "emulator"), *args], cwd=ROOT / "environments" / "small", env=tier.terraform_env(), check=True, capture_output=True)
    shown = json.loads(subprocess.run(["terraform", "show", "-json", str(plan_file)], cwd=ROOT / "environments" / "small", text=True, capture_output=True, check=True).stdout)
    replaced = {rc["address"]: rc["change"]["actions"] for rc in shown["resource_changes"] if rc["address"] in queues}
    assert len(replaced) == 2 and set(map(tuple, replaced.values())) == {("delete", "create")}, replaced


def approval(group: str, arn: str) -> dict:
    return {"detail-type": "SageMaker Model Package State Change", "source": "aws.sagemaker", "account": ctl.ACCOUNT_ID, "region": "us-east-1",
            "detail": {"ModelPackageGroupName": group, "ModelPackageArn": arn, "ModelApprovalStatus": "Approved"}}


def trained_version(sm, arn: str, small: dict) -> None:
    """What the deployed pipeline registered: the model it trained, in the model bucket, with the
    registry's metadata (metrics, hyperparameters, the run and the code version)."""
    version = sm.describe_model_package(ModelPackageName=arn)
    bucket, key = version["InferenceSpecification"]["Containers"][0]["ModelDataUrl"].removeprefix("s3://").split("/", 1)
    assert bucket == small["model_bucket_name"], version
    with tarfile.open(fileobj=io.BytesIO(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())) as packed:
        assert sorted(packed.getnames()) == ["code", "code/inference.py", "model.joblib"]
    metadata = version["CustomerMetadataProperties"]
    assert json.loads(metadata["hyperparameters"]) == {"C": "1"} and metadata["pipeline-run"] == version["MetadataProperties"]["GeneratedBy"], metadata
    assert version["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"].endswith("/evaluation/evaluation.json")


def served_wiring(small: dict, versions: list[str]) -> None:
    """What `make lifecycle` left, checked at the source: the versions the pipeline trained, the approval
    rule aimed at the deployed deploy function, the endpoint encrypted and capturing, its autoscaling
    target, the canary's rollback alarms (the errors alarm tripped by v3), the captured requests, the
    model-quality baseline and the labels."""
    sm, events, lam, s3 = boto3.client("sagemaker"), boto3.client("events"), boto3.client("lambda"), boto3.client("s3")
    endpoint = small["endpoint_name"]
    for version in versions:
        trained_version(sm, version, small)
        assert sm.describe_model_package(ModelPackageName=version)["ModelApprovalStatus"] == "Approved"
    assert "mlops-prod-errors in ALARM" in sm.describe_endpoint(EndpointName=endpoint)["FailureReason"], "v3's canary was rolled back by its errors alarm"
    assert boto3.client("cloudwatch").describe_alarms(AlarmNames=[f"{endpoint}-errors"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    rule = events.describe_rule(Name=f"{endpoint}-approval")
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]] == [lam.get_function_configuration(FunctionName=f"{endpoint}-deploy")["FunctionArn"]]
    described = sm.describe_endpoint(EndpointName=endpoint)
    config = sm.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    spec = json.loads(lam.get_function_configuration(FunctionName=f"{endpoint}-deploy")["Environment"]["Variables"]["DEPLOYMENT_SPEC"])
    assert config["KmsKeyId"] == spec["kms_key_arn"] and config["DataCaptureConfig"]["DestinationS3Uri"].startswith("s3://")
    assert boto3.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"][0]["ResourceId"] == f"endpoint/{endpoint}/variant/AllTraffic"
    alarms = [a["AlarmName"] for a in described["LastDeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]]
    assert sorted(a["AlarmName"] for a in boto3.client("cloudwatch").describe_alarms(AlarmNames=alarms)["MetricAlarms"]) == sorted(alarms) != []
    bucket, prefix = config["DataCaptureConfig"]["DestinationS3Uri"].removeprefix("s3://").split("/", 1)
    captured = [json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()) for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/{endpoint}/")["Contents"]]
    sizes = Counter(len(json.loads(r["captureData"]["endpointInput"]["data"])["instances"]) for r in captured)
    assert sizes == {5: 1, 20: 10, 1: 100 + 20 + 90}, sizes  # the predictions, the shifted traffic, v2's bakes, v3's answered requests
    # The model-quality loop: the served version's baseline is the quality gate, and every one-instance request has its label.
    constraints = json.loads(s3.get_object(Bucket=bucket, Key=f"{prefix}/baselines/model-quality/constraints.json")["Body"].read())
    assert constraints["binary_classification_constraints"]["accuracy"] == {"threshold": 0.9, "comparison_operator": "LessThanThreshold"}
    labels = [json.loads(line) for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"{endpoint}/ground-truth/")["Contents"]
              for line in s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read().decode().splitlines()]
    single = {r["eventMetadata"]["eventId"] for r in captured if len(json.loads(r["captureData"]["endpointInput"]["data"])["instances"]) == 1}
    assert sorted(l["eventMetadata"]["eventId"] for l in labels) == sorted(single) and {l["groundTruthData"]["data"] for l in labels} == {"0", "1"}


def account_session(account: str) -> boto3.Session:
    """Credentials in one of the tier's accounts, as Terraform gets them (moto lets the role be assumed)."""
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{tier.EMULATOR_ROLE}", RoleSessionName="test")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def medium_wiring(medium: dict, monkeypatch) -> None:
    """Three accounts and an organization: approvals release exactly one version through the pipeline,
    guardrails sit on the accounts, a monitoring violation starts the retraining pipeline."""
    dev, staging = (account_session(medium["account_roles"][role]) for role in ("dev", "staging"))

    # An approval starts one release of exactly that version: the deployed release function's code,
    # configured as deployed, starts the deployment pipeline with the version as its variable.
    events = dev.client("events")
    approval_rule = events.describe_rule(Name=f"{medium['deployment_pipeline_name']}-on-approval")
    group = medium["model_package_group_arn"].rsplit("/", 1)[1]
    arn = f"{medium['model_package_group_arn'].replace('model-package-group', 'model-package')}/1"
    event = {**approval(group, arn), "id": "0e6f9c4b-2d5e-4f0c-9d8e-6d1f0a3e1c11", "version": "0", "time": "2026-11-26T10:00:00Z", "resources": []}
    assert events.test_event_pattern(EventPattern=approval_rule["EventPattern"], Event=json.dumps(event))["Result"]
    release_config = dev.client("lambda").get_function_configuration(FunctionName="mlops-release")
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule=approval_rule["Name"])["Targets"]] == [release_config["FunctionArn"]]
    for key, value in release_config["Environment"]["Variables"].items():
        monkeypatch.setenv(key, value)
    release = load_lambda("release")
    release.codepipeline = dev.client("codepipeline")
    started = release.handler(event)
    assert started["status"] == "started" and release.handler(event)["execution"] == started["execution"], "a duplicate starts nothing"
    execution = release.codepipeline.get_pipeline_execution(pipelineName=medium["deployment_pipeline_name"], pipelineExecutionId=started["execution"])["pipelineExecution"]
    assert execution["variables"] == [{"name": "MODEL_PACKAGE_ARN", "resolvedValue": arn}]
    pipeline = release.codepipeline.get_pipeline(name=medium["deployment_pipeline_name"])["pipeline"]
    assert [s["name"] for s in pipeline["stages"]] == ["Source", "Deploy-staging", "SmokeTest-staging", "Approve-prod", "Deploy-prod"]
    builds = [a for s in pipeline["stages"] for a in s["actions"] if a["actionTypeId"]["category"] == "Build"]
    assert all(json.loads(a["configuration"]["EnvironmentVariables"]) == [{"name": "MODEL_PACKAGE_ARN", "type": "PLAINTEXT", "value": "#{variables.MODEL_PACKAGE_ARN}"}] for a in builds)

    # The guardrails are attached to the accounts themselves, the data perimeter to staging and prod.
    orgs = account_session(tier.EMULATOR_MANAGEMENT_ACCOUNT).client("organizations")
    attached = {(p["Name"], t["TargetId"]) for p in orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"] + orgs.list_policies(Filter="RESOURCE_CONTROL_POLICY")["Policies"]
                for t in orgs.list_targets_for_policy(PolicyId=p["Id"])["Targets"] if p["Name"].startswith("mlops-")}
    assert ("mlops-deny-data-scientists", medium["account_roles"]["prod"]) in attached and ("mlops-deny-regions", medium["account_roles"]["dev"]) in attached
    assert ("mlops-deny-access-from-outside-organization", medium["account_roles"]["staging"]) in attached
    trust = staging.client("iam").get_role(RoleName="mlops-staging-cicd-deploy")["Role"]["AssumeRolePolicyDocument"]
    assert [s["Principal"]["AWS"] for s in trust["Statement"]] == [f"arn:aws:iam::{medium['account_roles']['cicd']}:role/mlops/mlops-cicd-build"]

    # A monitoring violation reaches the retrain trigger, whose deployed code starts the deployed pipeline.
    violation = json.loads((ROOT / "tests" / "lambdas" / "events" / "monitoring_violation.json").read_text())
    violation["detail"]["MonitoringScheduleArn"] = f"arn:aws:sagemaker:us-east-1:{medium['account_roles']['prod']}:monitoring-schedule/mlops-prod-data-quality"
    rule = events.describe_rule(Name="mlops-retrain-trigger-violations")
    assert events.test_event_pattern(EventPattern=rule["EventPattern"], Event=json.dumps(violation))["Result"]
    function = dev.client("lambda").get_function_configuration(FunctionName="mlops-retrain-trigger")
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]] == [function["FunctionArn"]]
    for key, value in function["Environment"]["Variables"].items():
        monkeypatch.setenv(key, value)
    trigger = load_lambda("retrain_trigger")
    trigger.sagemaker = dev.client("sagemaker")
    assert trigger.handler(violation)["status"] == "debounced", "the run `make retrain` started minutes ago answers this violation"
    later = datetime.now(timezone.utc) + timedelta(minutes=int(function["Environment"]["Variables"]["COOLDOWN_MINUTES"]) + 1)
    started = trigger.handler(violation, now=later)
    assert started["status"] == "started" and trigger.handler(violation, now=later)["status"] == "duplicate"
    bias = {**violation, "id": "9d2f4e1a-0b3c-4d5e-8f70-112233445566", "detail": {**violation["detail"], "MonitoringScheduleArn": violation["detail"]["MonitoringScheduleArn"].replace("data-quality", "bias")}}
    assert trigger.handler(bias, now=later + timedelta(days=1))["status"] == "ignored", "a bias violation needs people, not a retraining"
    runs = [e["PipelineExecutionArn"] for e in trigger.sagemaker.list_pipeline_executions(PipelineName=medium["pipeline_name"])["PipelineExecutionSummaries"]]
    assert len(runs) == 4 and started["execution"] in runs, runs  # the lifecycle's three runs and this one
    two_use_cases(medium, dev, event, violation, later, monkeypatch)


def two_use_cases(medium: dict, dev, model_approval: dict, model_violation: dict, now: datetime, monkeypatch) -> None:
    """Medium's second use case (triage) beside model, through the deployed rules and functions: an
    approval of a triage version starts triage's release and nothing of model's; a drift violation on
    triage's endpoint starts triage's retraining and nothing of model's; each event misses the other's rule."""
    triage, model = medium["use_cases"]["triage"], medium["use_cases"]["model"]
    events, codepipeline, sagemaker = dev.client("events"), dev.client("codepipeline"), dev.client("sagemaker")
    releases = lambda name: [e["pipelineExecutionId"] for e in codepipeline.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]]
    retrainings = lambda name: [e["PipelineExecutionArn"] for e in sagemaker.list_pipeline_executions(PipelineName=name)["PipelineExecutionSummaries"]]
    model_releases, model_runs = releases(model["deployment_pipeline_name"]), retrainings(model["pipeline_name"])

    arn = f"{triage['model_package_group_arn'].replace('model-package-group', 'model-package')}/1"
    event = {**approval(triage["model_package_group_name"], arn), "id": "5b1d7e2c-3f4a-4b6c-8d9e-0a1b2c3d4e5f", "version": "0", "time": "2026-12-01T10:00:00Z", "resources": []}
    rules = {name: events.describe_rule(Name=f"{medium['use_cases'][name]['deployment_pipeline_name']}-on-approval") for name in ("model", "triage")}
    matches = lambda rule, e: events.test_event_pattern(EventPattern=rule["EventPattern"], Event=json.dumps(e))["Result"]
    assert matches(rules["triage"], event) and not matches(rules["model"], event) and not matches(rules["triage"], model_approval)
    function = dev.client("lambda").get_function_configuration(FunctionName="mlops-triage-release")
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule=rules["triage"]["Name"])["Targets"]] == [function["FunctionArn"]]
    for key, value in function["Environment"]["Variables"].items():
        monkeypatch.setenv(key, value)
    release = load_lambda("release")
    release.codepipeline = codepipeline
    assert release.handler(model_approval)["status"] == "ignored", "triage's release function starts nothing for a model version"
    started = release.handler(event)
    assert started["status"] == "started" and releases(triage["deployment_pipeline_name"]) == [started["execution"]]
    execution = codepipeline.get_pipeline_execution(pipelineName=triage["deployment_pipeline_name"], pipelineExecutionId=started["execution"])["pipelineExecution"]
    assert execution["variables"] == [{"name": "MODEL_PACKAGE_ARN", "resolvedValue": arn}]
    assert releases(model["deployment_pipeline_name"]) == model_releases, "model's release pipeline did not move"

    schedule = f"arn:aws:sagemaker:us-east-1:{medium['account_roles']['prod']}:monitoring-schedule/{triage['endpoint_names']['prod']}-data-quality"
    violation = {**model_violation, "id": "7c2e8f3d-4a5b-4c6d-9e0f-1a2b3c4d5e6f", "detail": {**model_violation["detail"], "MonitoringScheduleArn": schedule}}
    assert matches(events.describe_rule(Name="mlops-retrain-trigger-violations"), violation)
    trigger = load_lambda("retrain_trigger")  # as deployed: medium_wiring set its environment
    trigger.sagemaker = sagemaker
    started = trigger.handler(violation, now=now + timedelta(days=2))
    assert started["status"] == "started" and retrainings(triage["pipeline_name"]) == [started["execution"]], started
    assert retrainings(model["pipeline_name"]) == model_runs, "model's pipeline did not run"


def large_wiring(large: dict, medium: dict, monkeypatch) -> list[str]:
    """Seven accounts: medium's versions are in the artifact account's registry with their statuses, lineage
    marker and copied artifacts; an approval there reaches the CI/CD account, whose release function
    starts large's deployment pipeline; the lake hides its identifiers from dev; the features are shared.
    Returns the migrated versions."""
    artifact, cicd, data = (account_session(large["account_roles"][role]) for role in ("artifact", "cicd", "data"))
    sources = account_session(medium["account_roles"]["dev"]).client("sagemaker").list_model_packages(ModelPackageGroupName=medium["model_package_group_arn"].rsplit("/", 1)[1])["ModelPackageSummaryList"]
    group = large["model_package_group_arn"].rsplit("/", 1)[1]
    sm = artifact.client("sagemaker")
    copies = [sm.describe_model_package(ModelPackageName=p["ModelPackageArn"]) for p in sm.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]]
    assert sorted((c["CustomerMetadataProperties"]["mlops:migrated-from"], c["ModelApprovalStatus"]) for c in copies) == sorted((p["ModelPackageArn"], p["ModelApprovalStatus"]) for p in sources) != []
    dev = account_session(medium["account_roles"]["dev"])
    for copy in copies:
        bucket, key = copy["InferenceSpecification"]["Containers"][0]["ModelDataUrl"].removeprefix("s3://").split("/", 1)
        original = dev.client("sagemaker").describe_model_package(ModelPackageName=copy["CustomerMetadataProperties"]["mlops:migrated-from"])
        source_bucket, source_key = original["InferenceSpecification"]["Containers"][0]["ModelDataUrl"].removeprefix("s3://").split("/", 1)
        size = dev.client("s3").head_object(Bucket=source_bucket, Key=source_key)["ContentLength"]
        assert bucket == large["model_bucket_name"] and artifact.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"] == size > 1000

    # An approval in the artifact account is forwarded to the CI/CD account's bus, whose rule runs the release.
    approved = next(c["ModelPackageArn"] for c in copies if c["ModelApprovalStatus"] == "Approved")
    event = {**approval(group, approved), "account": large["account_roles"]["artifact"], "id": "5b1f3c4e-8a9d-4e2f-b7c6-1d0e9f8a7b6c", "version": "0", "time": "2026-11-26T11:00:00Z", "resources": []}
    [forwarder] = [r for r in artifact.client("events").list_rules()["Rules"] if r["Name"].endswith("-artifact-forward-approvals")]
    assert artifact.client("events").test_event_pattern(EventPattern=forwarder["EventPattern"], Event=json.dumps(event))["Result"]
    [target] = artifact.client("events").list_targets_by_rule(Rule=forwarder["Name"])["Targets"]
    cicd_events = cicd.client("events")
    assert target["Arn"] == f"arn:aws:events:us-east-1:{large['account_roles']['cicd']}:event-bus/default"
    assert [s["Principal"]["AWS"] for s in json.loads(cicd_events.describe_event_bus()["Policy"])["Statement"]] == [target["RoleArn"]]
    rule = cicd_events.describe_rule(Name=f"{large['deployment_pipeline_name']}-on-approval")
    assert cicd_events.test_event_pattern(EventPattern=rule["EventPattern"], Event=json.dumps(event))["Result"]
    release_config = cicd.client("lambda").get_function_configuration(FunctionName=[t["Arn"] for t in cicd_events.list_targets_by_rule(Rule=rule["Name"])["Targets"]][0].rsplit(":", 1)[1])
    for key, value in release_config["Environment"]["Variables"].items():
        monkeypatch.setenv(key, value)
    release = load_lambda("release")
    release.codepipeline = cicd.client("codepipeline")
    started = release.handler(event)
    execution = release.codepipeline.get_pipeline_execution(pipelineName=large["deployment_pipeline_name"], pipelineExecutionId=started["execution"])["pipelineExecution"]
    assert (started["status"], execution["variables"]) == ("started", [{"name": "MODEL_PACKAGE_ARN", "resolvedValue": approved}])

    # The data lake hides the identifiers from dev; Feature Store groups are shared with dev and ops.
    grants = data.client("lakeformation").list_permissions()["PrincipalResourcePermissions"]
    dev_columns = sorted((g["Principal"]["DataLakePrincipalIdentifier"].rsplit("/", 1)[1], g["Resource"]["TableWithColumns"]["ColumnWildcard"]["ExcludedColumnNames"])
                         for g in grants if "TableWithColumns" in g["Resource"] and f":{large['account_roles']['dev']}:" in g["Principal"]["DataLakePrincipalIdentifier"])
    assert [(name.endswith("-data-scientist-care"), columns) for name, columns in dev_columns] == [(False, ["patient_id"]), (True, ["patient_id"])], "each team's role, default and care"
    shared = artifact.client("ram").get_resource_share_associations(associationType="PRINCIPAL")["resourceShareAssociations"]
    assert sorted(a["associatedEntity"] for a in shared if a["status"] == "ASSOCIATED") == sorted(large["account_roles"][r] for r in ("dev", "ops"))
    return [c["ModelPackageArn"] for c in copies]
