"""Pipeline step 1 (SageMaker Processing): split the labelled CSV into train and test sets.

Input: one or more CSV files with a header and a numeric `target` column; or, with --feature-group, a
Feature Store group's offline store, located through the Feature Store API (DescribeFeatureGroup)
and read as Parquet (SageMaker's scikit-learn image ships pyarrow): the latest record of each
identifier by event time, deleted records left out, the identifier and event time dropped. Its
features become columns in the natural order of their names (f2 before f10), `target` last: the
order requests send them in. (A group's definitions keep no order of yours: Terraform creates them
from a map, sorted as text.)
Output: train/train.csv and test/test.csv, same columns, stratified by target; features/features.csv,
the training rows without the target and without a header: what the endpoint receives, for Model
Monitor's data-quality baseline (its columns are _c0, _c1, ... as the record preprocessor names them).
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import re
from datetime import datetime, timezone
from pathlib import Path

PROCESSING = Path("/opt/ml/processing")


def read_rows(input_dir: Path) -> tuple[list[str], list[list[str]]]:
    files = sorted(input_dir.glob("*.csv"))
    if not files:
        raise SystemExit(f"no CSV files in {input_dir}")
    header: list[str] = []
    rows: list[list[str]] = []
    for path in files:
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            file_header = next(reader)
            if header and file_header != header:
                raise SystemExit(f"{path.name} has other columns than {files[0].name}")
            header = file_header
            rows.extend(row for row in reader if row)
    if "target" not in header:
        raise SystemExit("the data has no `target` column")
    return header, rows


def read_feature_group(name: str) -> tuple[list[str], list[list[str]]]:
    """The group's features as of now (its offline store is append-only: every write is a row)."""
    import boto3  # the job role's credentials, from the container
    import pyarrow.parquet as pq

    sagemaker, s3 = boto3.client("sagemaker"), boto3.client("s3")
    group = sagemaker.describe_feature_group(FeatureGroupName=name)
    identifier, event_time = group["RecordIdentifierFeatureName"], group["EventTimeFeatureName"]
    names = [d["FeatureName"] for d in group["FeatureDefinitions"] if d["FeatureName"] not in (identifier, event_time)]
    if "target" not in names:
        raise SystemExit(f"the feature group {name} has no `target` feature")
    header = sorted((n for n in names if n != "target"), key=natural) + ["target"]
    bucket, _, prefix = group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"].removeprefix("s3://").partition("/")
    latest: dict[str, tuple[tuple, dict]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
        for item in page.get("Contents", []):
            if not item["Key"].endswith(".parquet"):
                continue
            for row in pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())).to_pylist():
                order = (as_time(row[event_time]), row["api_invocation_time"], row["write_time"])
                if row[identifier] not in latest or order > latest[row[identifier]][0]:
                    latest[row[identifier]] = (order, row)
    kept = [row for _, row in (latest[key] for key in sorted(latest)) if not row["is_deleted"]]
    incomplete = [row[identifier] for row in kept if any(row.get(column) is None for column in header)]
    if incomplete:
        raise SystemExit(f"{len(incomplete)} record(s) of {name} lack features (first: {incomplete[0]})")
    if not kept:
        raise SystemExit(f"the offline store of {name} holds no records: ingest them first (make ingest-features)")
    return header, [[str(row[column]) for column in header] for row in kept]


def natural(name: str) -> list:
    """f2 before f10: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def as_time(value) -> datetime:
    """An event time: epoch seconds (Fractional) or ISO-8601 (String)."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def split(header: list[str], rows: list[list[str]], test_fraction: float, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    """Stratified split: each class contributes test_fraction of its rows to the test set."""
    target = header.index("target")
    by_class: dict[str, list[list[str]]] = {}
    for row in rows:
        by_class.setdefault(row[target], []).append(row)
    rng = random.Random(seed)
    train: list[list[str]] = []
    test: list[list[str]] = []
    for label in sorted(by_class):
        members = by_class[label]
        rng.shuffle(members)
        cut = max(1, round(len(members) * test_fraction))
        test.extend(members[:cut])
        train.extend(members[cut:])
    return train, test


def write(path: Path, header: list[str] | None, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-dir", type=Path, default=PROCESSING / "input" / "data")
    parser.add_argument("--feature-group", help="read the data from this Feature Store group's offline store (name or ARN), not --input-dir")
    parser.add_argument("--output-dir", type=Path, default=PROCESSING)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    header, rows = read_feature_group(args.feature_group) if args.feature_group else read_rows(args.input_dir)
    train, test = split(header, rows, args.test_fraction, args.seed)
    write(args.output_dir / "train" / "train.csv", header, train)
    write(args.output_dir / "test" / "test.csv", header, test)
    target = header.index("target")
    write(args.output_dir / "features" / "features.csv", None, [[v for i, v in enumerate(row) if i != target] for row in train])
    print(f"preprocess: {len(train)} training rows, {len(test)} test rows")


if __name__ == "__main__":
    main()
