#!/usr/bin/env python3
"""Load labelled CSV rows into the feature group the retraining pipeline trains on (`make ingest-features`).

The documented ingest step of training on Feature Store: each row becomes one PutRecord (Feature
Store's runtime API), with its columns as features, the group's record identifier (the row's column
of that name, else `row-<n>`, its position in the source) and its event time (the row's column, else
the time of this run). Feature Store writes every record to the offline store, where the pipeline's
preprocessing reads the latest record of each identifier; so a re-run of the same source ingests new
versions of the same records and never duplicates one. Positions are identities only while the source
keeps its rows in order: for data that grows or changes, give the CSV an identifier column. Columns the group does not define (or features the rows
lack) fail the run before anything is written; rows a PutRecord refuses fail it afterwards, with the
first row and AWS's reason.

The source is every CSV under an S3 prefix (default: the tier's training data, seeded with the demo
dataset on the emulator) or a local file.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def read_csvs(s3, source: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a local CSV, or of every CSV under an S3 prefix (all with one header)."""
    if not source.startswith("s3://"):
        texts = [Path(source).read_text()]
    else:
        bucket, _, prefix = source.removeprefix("s3://").partition("/")
        keys = sorted(o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
                      for o in page.get("Contents", []) if o["Key"].endswith(".csv"))
        texts = [s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode() for key in keys]
    header: list[str] = []
    rows: list[list[str]] = []
    for text in texts:
        reader = csv.reader(io.StringIO(text))
        found = next(reader, [])
        if header and found != header:
            raise SystemExit(f"error: the CSVs under {source} have different columns")
        header = found
        rows.extend(row for row in reader if row)
    if not rows:
        raise SystemExit(f"error: no CSV rows under {source}")
    return header, rows


def records(group: dict, header: list[str], rows: list[list[str]], now: datetime) -> list[list[dict[str, str]]]:
    """One PutRecord's Record per row; refuses columns the group does not define."""
    defined = {d["FeatureName"] for d in group["FeatureDefinitions"]}
    identifier, event_time = group["RecordIdentifierFeatureName"], group["EventTimeFeatureName"]
    unknown = [c for c in header if c not in defined]
    if unknown:
        raise SystemExit(f"error: {group['FeatureGroupName']} defines no feature {', '.join(unknown)}: add it to feature_groups, or drop the column")
    missing = sorted(defined - set(header) - {identifier, event_time})
    if missing:
        raise SystemExit(f"error: the rows lack {', '.join(missing)}, features of {group['FeatureGroupName']}")
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    built = []
    for number, row in enumerate(rows):
        values = dict(zip(header, row))
        values.setdefault(identifier, f"row-{number}")
        values.setdefault(event_time, stamp)
        built.append([{"FeatureName": k, "ValueAsString": v} for k, v in values.items()])
    return built


def ingest(runtime, group_name: str, built: list[list[dict[str, str]]]) -> int:
    """PutRecord per record, in parallel (it takes one record; AWS's SDKs ingest the same way)."""
    from botocore.exceptions import ClientError

    def put(record: list[dict[str, str]]) -> str | None:
        try:
            runtime.put_record(FeatureGroupName=group_name, Record=record)
        except ClientError as error:
            return f"{error.response['Error']['Code']}: {error.response['Error']['Message']}"
        return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        refused = [(number, reason) for number, reason in enumerate(pool.map(put, built)) if reason]
    if refused:
        number, reason = refused[0]
        raise SystemExit(f"error: {len(refused)} of {len(built)} row(s) refused, first row {number}: {reason}. The others were ingested; "
                         "fix the rows and run again (the same source writes new versions of the same records, never duplicates)")
    return len(built)


def main(argv: list[str] | None = None) -> int:
    import retrain
    import tier as tiers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="small", choices=tiers.TIERS)
    parser.add_argument("--target", default="emulator", choices=["emulator", "aws"])
    parser.add_argument("--source", help="a CSV file or an S3 prefix of CSVs with a header (default: the tier's training data)")
    args = parser.parse_args(argv)

    env, _ = tiers.target_env(args.target)
    values = tiers.outputs(args.tier, args.target)
    arn = values.get("training_feature_group_arn")
    if not arn:
        raise SystemExit(f"error: the {args.tier} tier trains on no feature group: set training_feature_group (a key of feature_groups) and apply")
    artifact = arn.split(":")[4]
    if args.target == "emulator":
        session = tiers.emulator_account(env, artifact)
    else:
        session = tiers.Account(dict(os.environ))  # your credentials in the account holding the feature group
    source = args.source or values["training_data_uri"]
    reader = session.client("s3")  # moto lets any account read any bucket; on AWS your credentials must
    if args.target == "emulator" and not args.source:
        retrain.seed_training_data(reader, source)
    group = session.client("sagemaker").describe_feature_group(FeatureGroupName=arn)
    header, rows = read_csvs(reader, source)
    count = ingest(session.client("sagemaker-featurestore-runtime"), arn, records(group, header, rows, datetime.now(timezone.utc)))
    print(f"ingested {count} record(s) from {source} into {group['FeatureGroupName']}; "
          f"offline store {group['OfflineStoreConfig']['S3StorageConfig']['ResolvedOutputS3Uri']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
