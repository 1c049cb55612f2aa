#!/usr/bin/env python3
"""Start the retraining pipeline by hand (the manual trigger beside the schedule), and follow it.

On the emulator, when the training-data prefix is empty, it first uploads scikit-learn's bundled
breast-cancer data as labelled CSV, so the pipeline has something to read; the emulator then runs the
pipeline's steps (scripts/emulator/pipelines.py). It prints each step as it finishes and, at the end,
the registered version and its metrics, or the failure. Ctrl-C stops the following, not the run.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import tier as tiers  # noqa: E402


def demo_dataset_csv(rows: int | None = None) -> str:
    """scikit-learn's breast-cancer data as the demo's training CSV: f0..f29 and target, first `rows` rows."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"f{i}" for i in range(data.data.shape[1])] + ["target"])
    writer.writerows([*row, label] for row, label in list(zip(data.data.tolist(), data.target.tolist()))[:rows])
    return buffer.getvalue()


def seed_training_data(s3, uri: str) -> None:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount"):
        return
    s3.put_object(Bucket=bucket, Key=f"{prefix}breast_cancer.csv", Body=demo_dataset_csv().encode())
    print(f"seeded {uri}breast_cancer.csv (scikit-learn breast-cancer data, 569 rows)")


def registered(steps: list[dict]) -> list[str]:
    """The versions a run's RegisterModel steps created."""
    return [s["Metadata"]["RegisterModel"]["Arn"] for s in steps if "RegisterModel" in s.get("Metadata", {})]


def follow(sm, s3, arn: str, poll: float) -> int:
    """Print each step once it ends; 0 when the execution succeeded."""
    reported: set[str] = set()
    while True:
        status = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
        steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn, SortOrder="Ascending")["PipelineExecutionSteps"]
        for step in steps:
            if step["StepStatus"] not in ("Executing", "Starting") and step["StepName"] not in reported:
                reported.add(step["StepName"])
                seconds = (step["EndTime"] - step["StartTime"]).total_seconds() if "EndTime" in step else 0.0
                print(f"  {step['StepName']:<22} {step['StepStatus']:<10} {seconds:6.1f} s" + (f"  {step['FailureReason']}" if step.get("FailureReason") else ""), flush=True)
        if status["PipelineExecutionStatus"] not in ("Executing", "Stopping"):
            break
        time.sleep(poll)
    if status["PipelineExecutionStatus"] != "Succeeded":
        print(f"error: the pipeline run {status['PipelineExecutionStatus'].lower()}: {status.get('FailureReason', 'no reason given')}", file=sys.stderr)
        return 1
    for version in registered(steps):
        package = sm.describe_model_package(ModelPackageName=version)
        print(f"registered {version} ({package['ModelApprovalStatus']})")
        report = package.get("ModelMetrics", {}).get("ModelQuality", {}).get("Statistics", {}).get("S3Uri")
        if report:
            bucket, key = report.removeprefix("s3://").split("/", 1)
            metrics = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())["metrics"]
            print("  metrics: " + ", ".join(f"{name} {value['value']}" for name, value in sorted(metrics.items())))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="small", choices=tiers.TIERS)
    parser.add_argument("--target", default="emulator", choices=["emulator", "aws"])
    parser.add_argument("--no-wait", action="store_true", help="start the run and return (it goes on in SageMaker)")
    args = parser.parse_args()
    env, _ = tiers.target_env(args.target)
    values = tiers.outputs(args.tier, args.target)
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    import boto3

    session = boto3.Session(region_name=values.get("region") or os.environ.get("AWS_DEFAULT_REGION"))
    if args.target == "emulator":
        seed_training_data(session.client("s3"), values["training_data_uri"])
    execution = session.client("sagemaker").start_pipeline_execution(
        PipelineName=values["pipeline_name"],
        PipelineExecutionDisplayName=f"manual-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}",
    )  # no parameters: the definition fixes the data, the quality threshold and the approval status
    print(f"started {values['pipeline_name']}: {execution['PipelineExecutionArn']}", flush=True)
    if args.no_wait:
        return 0
    try:
        return follow(session.client("sagemaker"), session.client("s3"), execution["PipelineExecutionArn"], 0.5 if args.target == "emulator" else 30)
    except KeyboardInterrupt:
        print("stopped following; the run goes on (aws sagemaker describe-pipeline-execution shows it)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
