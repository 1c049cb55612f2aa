#!/usr/bin/env python3
"""Start the retraining pipeline by hand (the manual trigger beside the schedule).

On the emulator, when the training-data prefix is empty, it first uploads scikit-learn's bundled
breast-cancer data as labelled CSV, so the pipeline has something to read.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import tier as tiers  # noqa: E402


def seed_training_data(s3, uri: str) -> None:
    from sklearn.datasets import load_breast_cancer

    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount"):
        return
    data = load_breast_cancer()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"f{i}" for i in range(data.data.shape[1])] + ["target"])
    writer.writerows([*row, label] for row, label in zip(data.data.tolist(), data.target.tolist()))
    s3.put_object(Bucket=bucket, Key=f"{prefix}breast_cancer.csv", Body=buffer.getvalue().encode())
    print(f"seeded {uri}breast_cancer.csv (scikit-learn breast-cancer data, 569 rows)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="small", choices=tiers.TIERS)
    parser.add_argument("--target", default="emulator", choices=["emulator", "aws"])
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
    print(f"started {values['pipeline_name']}: {execution['PipelineExecutionArn']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
