#!/usr/bin/env python3
"""Label a stage's captured requests for its model-quality and Clarify bias monitors (`make ground-truth`).

Model Monitor joins each captured request with its label by the request's inferenceId or eventId. The
labels are ground-truth records ({"groundTruthData": {"data": "<label>", "encoding": "CSV"},
"eventMetadata": {"eventId": ...}, "eventVersion": "0"}) under the stage's ground-truth URI (the tier
output ground_truth_s3_uris), in the hour folder of each request (yyyy/mm/dd/hh/), as AWS documents.

The captures are read where the labels live: the ground-truth bucket holds the captured requests under
<endpoint>/<endpoint>/ (the replicas in the ops role's account, or, without replication, the stage's
own capture bucket). Labels come from a CSV of `id,label` rows (--labels: what a labelling process
returns, the id being the request's inferenceId or eventId) or, for the demo, from a labelled dataset
whose rows equal the requests' features (--from-dataset: CSV with a header, target last). Only
one-instance requests are labelled (one label joins one captured event); the rest are counted as
skipped. Each capture object's labels go to one object named after it, so a re-run rewrites, never
duplicates. Prints what it labelled and skipped.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


@dataclass
class Outcome:
    labelled: int = 0
    unlabelled: int = 0  # one-instance requests without a label
    batched: int = 0  # requests with several instances
    unreadable: int = 0
    written: list[str] = field(default_factory=list)


def split_uri(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    return bucket, prefix.rstrip("/")


def labels_from_csv(text: str) -> dict[str, str]:
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if rows and rows[0][:2] in (["id", "label"], ["event_id", "label"], ["inference_id", "label"]):
        rows = rows[1:]
    bad = [i + 1 for i, row in enumerate(rows) if len(row) != 2 or not row[0] or not row[1]]
    if bad:
        raise SystemExit(f"error: the labels need `id,label` rows; rows {bad[:5]} are not")
    return {row[0]: row[1] for row in rows}


def labels_from_dataset(text: str) -> dict[tuple[float, ...], str]:
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    return {tuple(float(v) for v in row[:-1]): row[-1] for row in reader if row}


def label_of(record: dict, by_id: dict[str, str], by_features: dict[tuple[float, ...], str], outcome: Outcome) -> tuple[str, str] | None:
    """(the id Model Monitor joins on, the label), or None when the record is not labelled."""
    try:
        instances = json.loads(record["captureData"]["endpointInput"]["data"])["instances"]
        metadata = record["eventMetadata"]
        join_id = metadata.get("inferenceId") or metadata["eventId"]
    except (KeyError, TypeError, ValueError):
        outcome.unreadable += 1
        return None
    if not isinstance(instances, list) or len(instances) != 1:
        outcome.batched += 1
        return None
    label = by_id.get(join_id)
    if label is None and by_features:
        try:
            label = by_features.get(tuple(float(v) for v in instances[0]))
        except (TypeError, ValueError):
            label = None
    if label is None:
        outcome.unlabelled += 1
        return None
    return join_id, label


def ground_truth_record(join_id: str, label: str, inference_id: bool) -> dict:
    return {"groundTruthData": {"data": label, "encoding": "CSV"}, "eventMetadata": {"inferenceId" if inference_id else "eventId": join_id}, "eventVersion": "0"}


def label_captures(s3, ground_truth_uri: str, endpoint: str, by_id: dict[str, str], by_features: dict[tuple[float, ...], str]) -> Outcome:
    bucket, prefix = split_uri(ground_truth_uri)
    outcome = Outcome()
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{endpoint}/{endpoint}/")
    for key in (o["Key"] for page in pages for o in page.get("Contents", []) if o["Key"].endswith(".jsonl")):
        hour = "/".join(key.split("/")[3:7])  # <endpoint>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>
        records = []
        for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                outcome.unreadable += 1
                continue
            found = label_of(record, by_id, by_features, outcome)
            if found:
                records.append(ground_truth_record(*found, inference_id="inferenceId" in record.get("eventMetadata", {})))
        if records:
            target = f"{prefix}/{hour}/labels-{hashlib.sha256(key.encode()).hexdigest()[:16]}.jsonl"
            s3.put_object(Bucket=bucket, Key=target, Body="".join(json.dumps(r) + "\n" for r in records).encode(), ServerSideEncryption="aws:kms")
            outcome.labelled += len(records)
            outcome.written.append(f"s3://{bucket}/{target}")
    return outcome


def main(argv: list[str] | None = None) -> int:
    import tier as tiers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="small", choices=tiers.TIERS)
    parser.add_argument("--target", default="emulator", choices=["emulator", "aws"])
    parser.add_argument("--stage", default="prod", choices=["prod", "staging"])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--labels", type=Path, help="CSV of `id,label` rows: the request's inferenceId or eventId, and its label")
    source.add_argument("--from-dataset", metavar="S3_URI", help="demo: label requests whose features equal a row of this labelled CSV (header, target last)")
    args = parser.parse_args(argv)

    env, _ = tiers.target_env(args.target)
    values = tiers.outputs(args.tier, args.target)
    uri = (values.get("ground_truth_s3_uris") or {}).get(args.stage)
    endpoint = (values.get("endpoint_names") or {}).get(args.stage)
    if not uri or not endpoint:
        raise SystemExit(f"error: the {args.tier} tier has no {args.stage} stage with a ground-truth location; apply it first")
    labels_account = (values.get("account_roles") or {}).get("ops")
    if args.target == "emulator":
        session = tiers.emulator_account(env, labels_account) if labels_account else tiers.Account(env)
    else:
        session = tiers.Account(dict(os.environ))  # your credentials in the account holding the labels
    s3 = session.client("s3")
    by_id = labels_from_csv(args.labels.read_text()) if args.labels else {}
    by_features: dict[tuple[float, ...], str] = {}
    if args.from_dataset:
        bucket, key = split_uri(args.from_dataset)
        data_account = (values.get("account_roles") or {}).get("data") or labels_account
        reader = tiers.emulator_account(env, data_account).client("s3") if args.target == "emulator" and data_account else s3
        by_features = labels_from_dataset(reader.get_object(Bucket=bucket, Key=key)["Body"].read().decode())
    outcome = label_captures(s3, uri, endpoint, by_id, by_features)
    print(f"labelled {outcome.labelled} captured request(s) of {endpoint} under {uri}/yyyy/mm/dd/hh/ "
          f"({len(outcome.written)} object(s)); skipped {outcome.unlabelled} without a label, {outcome.batched} with several instances, {outcome.unreadable} unreadable")
    if outcome.labelled == 0:
        print(f"nothing labelled: no one-instance captured request under s3://{split_uri(uri)[0]}/{endpoint}/{endpoint}/ has a label"
              + (" (on the emulator captures are not replicated: label the small tier there)" if args.target == "emulator" and labels_account and args.tier != "small" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
