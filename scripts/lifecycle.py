#!/usr/bin/env python3
"""The talk's model lifecycle on the emulator, end to end, with the evidence of each stage (`make lifecycle`).

train and register v1 -> approve -> the deploy function creates the endpoint -> predictions through
the inference function -> shifted traffic, captured -> the data-quality monitor finds drift -> the
retrain trigger starts the pipeline -> v2 registered, approved, rolled out as a blue/green canary that
bakes and completes -> v3 retrained by hand, approved, its canary failing (an injected model error)
until the rollback alarm puts all traffic back on v2 -> the captured one-instance requests labelled
for the model-quality monitor (`make ground-truth`).

Runs on an applied tier with monitoring (the small demo has it). The emulator's EventBridge does not
invoke functions, so this delivers each event the way the deployed rules would: to every function a
rule of the account matches it to (TestEventPattern), running the function's deployed code (the
build/lambda zip whose SHA-256 the function reports) with its deployed configuration. The events are
the documented ones SageMaker emits. The emulator's canary bakes end when this asks
(scripts/emulator/deployments.py); the bake traffic goes straight to the endpoint, as the API's callers'
requests would arrive through the inference function, without a function start per request; so
does the shifted traffic, once stage 3 has shown a prediction through the function.
"""
from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import ground_truth  # noqa: E402
import monitor  # noqa: E402
import retrain  # noqa: E402
import tier as tiers  # noqa: E402
from emulator import ctl  # noqa: E402

RUN_HANDLER = "import importlib, json, sys; sys.path.insert(0, sys.argv[1]); module, name = sys.argv[2].rsplit('.', 1); " \
              "json.dump(getattr(importlib.import_module(module), name)(json.load(sys.stdin), None), sys.stdout, default=str)"


class Lifecycle:
    def __init__(self, session, values: dict) -> None:
        self.values = values
        self.sm, self.s3, self.events, self.lam, self.runtime = (session.client(n) for n in ("sagemaker", "s3", "events", "lambda", "sagemaker-runtime"))
        self.account = session.client("sts").get_caller_identity()["Account"]
        self.region = values.get("region") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        self.zips = {base64.b64encode(hashlib.sha256(z.read_bytes()).digest()).decode(): z for z in (ROOT / "build" / "lambda").glob("*.zip")}

    def stage(self, number: int, title: str, evidence: str) -> None:
        print(f"[{number}] {title}: {evidence}", flush=True)

    # -- EventBridge, as the deployed rules deliver ---------------------------------------------
    def deliver(self, detail_type: str, detail: dict, resources: list[str] | None = None) -> dict[str, dict]:
        event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type, "source": "aws.sagemaker", "account": self.account,
                 "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": self.region, "resources": resources or [], "detail": detail}
        results = {}
        for rule in (r for page in self.events.get_paginator("list_rules").paginate() for r in page["Rules"]):
            if rule.get("EventPattern") and self.events.test_event_pattern(EventPattern=rule["EventPattern"], Event=json.dumps(event))["Result"]:
                for target in self.events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
                    if ":lambda:" in target["Arn"]:
                        name = target["Arn"].split(":")[6]
                        results[name] = self.invoke(name, event)
        return results

    def invoke(self, name: str, event: dict) -> dict:
        config = self.lam.get_function_configuration(FunctionName=name)
        package = self.zips.get(config["CodeSha256"])
        if package is None:
            raise SystemExit(f"error: the code of {name} is none of build/lambda/*.zip (re-apply after `make package`)")
        env = {**os.environ, **config.get("Environment", {}).get("Variables", {}), "AWS_LAMBDA_FUNCTION_NAME": name}
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as folder:
            zipfile.ZipFile(package).extractall(folder)
            done = subprocess.run([sys.executable, "-c", RUN_HANDLER, folder, config["Handler"]], input=json.dumps(event), env=env, text=True, capture_output=True, timeout=300)
        if done.returncode != 0:
            raise SystemExit(f"error: {name} failed:\n{done.stderr[-2000:]}")
        return json.loads(done.stdout)

    # -- the stages -----------------------------------------------------------------------------
    def train(self, started: str) -> str:
        if retrain.follow(self.sm, self.s3, started, 0.5) != 0:
            raise SystemExit("error: the retraining pipeline failed")
        steps = self.sm.list_pipeline_execution_steps(PipelineExecutionArn=started)["PipelineExecutionSteps"]
        return retrain.registered(steps)[0]

    def approve(self, version: str) -> dict:
        self.sm.update_model_package(ModelPackageArn=version, ModelApprovalStatus="Approved")  # the model approver's act
        package = self.sm.describe_model_package(ModelPackageName=version)
        return self.deliver("SageMaker Model Package State Change", {
            "ModelPackageGroupName": package["ModelPackageGroupName"], "ModelPackageArn": version, "ModelPackageVersion": package["ModelPackageVersion"],
            "ModelApprovalStatus": "Approved"}, [version])

    def in_service(self) -> dict:
        endpoint = self.values["endpoint_name"]
        return self.deliver("SageMaker Endpoint State Change", {"EndpointName": endpoint, "EndpointStatus": "IN_SERVICE"},
                            [f"arn:aws:sagemaker:{self.region}:{self.account}:endpoint/{endpoint}"])

    def predict(self, rows: list[list[float]]) -> dict:
        function = f"{self.values['endpoint_name']}-inference"
        reply = self.invoke(function, {"httpMethod": "POST", "resource": "/predict", "path": "/predict", "headers": {"Content-Type": "application/json"},
                                       "body": json.dumps({"instances": rows}), "requestContext": {"requestId": str(uuid.uuid4())}})
        if reply.get("statusCode") != 200:
            raise SystemExit(f"error: the API answered {reply.get('statusCode')}: {reply.get('body')}")
        return json.loads(reply["body"])

    def traffic(self, rows: list[list[float]], count: int) -> dict[str, int]:
        """`count` one-row requests to the endpoint: how many were answered and how many failed in the model."""
        from botocore.exceptions import ClientError

        answered = {"answered": 0, "failed": 0}
        for i in range(count):
            try:
                self.runtime.invoke_endpoint(EndpointName=self.values["endpoint_name"], ContentType="application/json", Body=json.dumps({"instances": [rows[i % len(rows)]]}))
                answered["answered"] += 1
            except ClientError as error:
                if error.response["Error"]["Code"] != "ModelError":
                    raise
                answered["failed"] += 1
        return answered

    def emulator(self, route: str, **payload: object) -> dict:
        try:
            return ctl.call(route, {"account_id": self.account, "region": self.region, **payload})
        except ctl.RouteError as error:
            raise SystemExit(f"error: {route}: {error}") from None

    def bake(self) -> dict:
        """The current bake of the endpoint's blue/green update ends: its rollback alarms decide."""
        return self.emulator("endpoints/deployments/advance", endpoint=self.values["endpoint_name"])

    def bake_through(self, rows: list[list[float]]) -> dict:
        """Send traffic and end bakes until the endpoint's update completes or rolls back."""
        for _ in range(10):  # no policy has more steps
            self.traffic(rows, 20)
            outcome = self.bake()
            if outcome["outcome"] in ("completed", "rolled back"):
                return outcome
        raise SystemExit(f"error: the endpoint's update did not end: {outcome}")

    def pending_model(self) -> str:
        pending = self.sm.describe_endpoint(EndpointName=self.values["endpoint_name"]).get("PendingDeploymentSummary")
        if not pending:
            raise SystemExit("error: the approval started no blue/green update")
        return self.sm.describe_endpoint_config(EndpointConfigName=pending["EndpointConfigName"])["ProductionVariants"][0]["ModelName"]

    def serving(self) -> str:
        endpoint = self.sm.describe_endpoint(EndpointName=self.values["endpoint_name"])
        model = self.sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])["ProductionVariants"][0]["ModelName"]
        return self.sm.describe_model(ModelName=model)["Containers"][0]["ModelPackageName"]

    def captured(self) -> int:
        config = self.sm.describe_endpoint_config(EndpointConfigName=self.sm.describe_endpoint(EndpointName=self.values["endpoint_name"])["EndpointConfigName"])
        bucket, prefix = config["DataCaptureConfig"]["DestinationS3Uri"].removeprefix("s3://").split("/", 1)
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/{self.values['endpoint_name']}/")
        return sum(page.get("KeyCount", 0) for page in pages)


def schedules_of(values: dict) -> list[str]:
    return [name for names in (values.get("monitoring_schedule_names") or {}).values() for name in names or []]


def alarm_states(bake: dict) -> str:
    return ", ".join(f"{name} {alarm['state']}" + (f" ({alarm['reason']})" if alarm["state"] == "ALARM" else "") for name, alarm in sorted(bake["alarms"].items()))


def data_rows(s3, uri: str) -> tuple[list[list[float]], list[int]]:
    bucket, prefix = uri.removeprefix("s3://").split("/", 1)
    reader = csv.reader(io.StringIO(s3.get_object(Bucket=bucket, Key=f"{prefix}breast_cancer.csv")["Body"].read().decode()))
    next(reader)
    rows = [[float(v) for v in row] for row in reader]
    return [row[:-1] for row in rows], [int(row[-1]) for row in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="small", choices=["small"], help="the tier applied on the emulator (one account: small)")
    args = parser.parse_args()
    env, _ = tiers.target_env("emulator")
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    import boto3

    values = tiers.outputs(args.tier, "emulator")
    schedules = [name for name in schedules_of(values) if name.endswith("-data-quality")]
    if not schedules:
        raise SystemExit(f"error: the {args.tier} tier has no monitoring; apply it with features.monitoring (the small demo has it)")
    life = Lifecycle(boto3.Session(region_name=values.get("region")), values)

    retrain.seed_training_data(life.s3, values["training_data_uri"])
    v1 = life.train(life.sm.start_pipeline_execution(PipelineName=values["pipeline_name"], PipelineExecutionDisplayName="lifecycle-v1")["PipelineExecutionArn"])
    life.stage(1, "train and register v1", v1)
    features, labels = data_rows(life.s3, values["training_data_uri"])
    deployed = life.approve(v1)
    if life.sm.describe_endpoint(EndpointName=values["endpoint_name"])["EndpointStatus"] == "Updating":  # a second run: v1 rolls out by canary
        life.bake_through(features)
    life.in_service()
    life.stage(2, "approve v1, deploy", f"{json.dumps(deployed, default=str)}; endpoint {values['endpoint_name']} serves {life.serving()}")

    sample = [i for i, label in enumerate(labels) if label == 0][:3] + [i for i, label in enumerate(labels) if label == 1][:2]
    answer = life.predict([features[i] for i in sample])
    life.stage(3, "predict through the inference function", f"{answer['predictions']} (labels {[labels[i] for i in sample]})")

    for start in range(0, 200, 20):  # a new population: every feature half again as large, straight to the endpoint
        life.runtime.invoke_endpoint(EndpointName=values["endpoint_name"], ContentType="application/json",
                                     Body=json.dumps({"instances": [[v * 1.5 for v in row] for row in features[start:start + 20]]}))
    life.stage(4, "shifted traffic, captured", f"{life.captured()} capture files")

    outcome = monitor.run(life.account, life.region, schedules[0])
    if outcome["MonitoringExecutionStatus"] != "CompletedWithViolations":
        raise SystemExit(f"error: the monitor found no drift: {outcome}")
    life.stage(5, "the monitor finds drift", f"{outcome['violations']} violation(s), {outcome['report']}/constraint_violations.json")

    event = outcome["event"]
    triggered = life.deliver(event["DetailType"], json.loads(event["Detail"]), event["Resources"])
    started = next((r for r in triggered.values() if r.get("status") == "started"), None)
    if started is None:
        raise SystemExit(f"error: the violation started no retraining: {triggered}")
    v2 = life.train(started["execution"])
    life.stage(6, "the retrain trigger retrains, v2 registered", f"{started['execution']} -> {v2}")

    # The operator starts v3's retraining now; it runs on while v2's canary bakes.
    third = life.sm.start_pipeline_execution(PipelineName=values["pipeline_name"], PipelineExecutionDisplayName="lifecycle-v3")["PipelineExecutionArn"]
    rollout = life.approve(v2)
    canary_model = life.pending_model()
    life.traffic(features, 100)
    canary = life.bake()
    if not canary["outcome"].startswith("baking with 100%"):
        raise SystemExit(f"error: the canary of v2 did not move on: {canary}")
    life.traffic(features, 20)
    done = life.bake()
    life.in_service()
    if done["outcome"] != "completed" or life.serving() != v2:
        raise SystemExit(f"error: the endpoint does not serve v2: {done}")
    life.stage(7, "approve v2, canary rollout", f"{rollout[next(iter(rollout))]['reason']}: {canary['bake']['served']['green']} of 100 requests on {canary_model} "
               f"({alarm_states(canary)}), then all traffic ({alarm_states(done)}); {done['outcome']}: endpoint serves {life.serving()}")

    v3 = life.train(third)
    life.stage(8, "retrain by hand, v3 registered", f"{third} -> {v3}")

    life.approve(v3)
    broken = life.pending_model()
    life.emulator("endpoints/faults", model=broken, error="injected: the v3 container fails every request")
    try:
        sent = life.traffic(features, 100)
        rolled = life.bake()
    finally:
        life.emulator("endpoints/faults", model=broken, error=None)
    after = life.in_service()
    if rolled["outcome"] != "rolled back" or life.serving() != v2:
        raise SystemExit(f"error: the failing canary of v3 was not rolled back: {rolled}")
    life.stage(9, "approve v3, canary with an injected error", f"{sent['failed']} of 100 requests failed on {broken} ({alarm_states(rolled)}); "
               f"{rolled['outcome']}: endpoint serves {life.serving()}; the deploy function: {after[next(iter(after))]['reason']}")
    uri = values["ground_truth_s3_uris"]["prod"]
    labelled = ground_truth.label_captures(life.s3, uri, values["endpoint_name"], {}, {tuple(row): str(label) for row, label in zip(features, labels)})
    if not labelled.labelled:
        raise SystemExit(f"error: no captured request was labelled under {uri}")
    quality = [name for name in schedules_of(values) if name.endswith("-model-quality")]
    life.stage(10, "label the captured requests", f"{labelled.labelled} labels of one-instance requests ({labelled.batched} batched skipped) in {len(labelled.written)} object(s) "
               f"under {uri}/yyyy/mm/dd/hh/, for {', '.join(quality) or 'the Clarify bias monitor'} (on AWS; the emulator does not run it)")
    print("lifecycle done: v1 trained and served, drift detected, v2 retrained and rolled out by canary, v3's failing canary rolled back, the traffic labelled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
