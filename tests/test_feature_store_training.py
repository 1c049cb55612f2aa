"""Training on Feature Store: the documented ingest step (scripts/ingest_features.py) writes the demo
dataset into a feature group, and the pipeline's preprocessing (modules/ops/steps/preprocess.py)
reads it back from the offline store, both through the emulator's Feature Store (in-process moto
with the project's extensions)."""
from __future__ import annotations

import csv
import io
import sys
from datetime import datetime, timezone

import boto3
import pytest
from moto import mock_aws
import ingest_features
import retrain
from emulator import extensions
from support import ROOT

sys.path.insert(0, str(ROOT / "modules" / "ops" / "steps"))
import preprocess  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/r"
COLUMNS = [f"f{i}" for i in range(30)] + ["target"]


@pytest.fixture
def aws(aws_credentials):
    extensions.install()
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="features")
        yield


def create_group(name: str = "tumours", columns: list[str] = COLUMNS) -> str:
    """The small tier's feature-store.tfvars group: record_id, event_time, f0..f29 and target, defined in
    the order Terraform creates them from the module's map (sorted as text: f0, f1, f10, ...)."""
    definitions = [{"FeatureName": "record_id", "FeatureType": "String"}, {"FeatureName": "event_time", "FeatureType": "String"}]
    definitions += [{"FeatureName": c, "FeatureType": "Integral" if c == "target" else "Fractional"} for c in columns]
    definitions.sort(key=lambda d: d["FeatureName"])
    return boto3.client("sagemaker").create_feature_group(
        FeatureGroupName=name, RecordIdentifierFeatureName="record_id", EventTimeFeatureName="event_time", FeatureDefinitions=definitions, RoleArn=ROLE,
        OnlineStoreConfig={"EnableOnlineStore": False}, OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://features/offline"}})["FeatureGroupArn"]


def dataset(count: int) -> tuple[list[str], list[list[str]]]:
    header, *rows = csv.reader(io.StringIO(retrain.demo_dataset_csv(count)))
    return header, rows


def ingest(arn: str, header: list[str], rows: list[list[str]], when: str = "2026-12-01T10:00:00") -> int:
    group = boto3.client("sagemaker").describe_feature_group(FeatureGroupName=arn)
    built = ingest_features.records(group, header, rows, datetime.fromisoformat(when).replace(tzinfo=timezone.utc))
    return ingest_features.ingest(boto3.client("sagemaker-featurestore-runtime"), arn, built)


def preprocessed(arn: str, tmp_path) -> dict[str, list[list[str]]]:
    preprocess.main(["--feature-group", arn, "--output-dir", str(tmp_path)])
    read = {name: list(csv.reader((tmp_path / name / f"{name}.csv").open())) for name in ("train", "test")}
    return {"header": read["train"][0], "rows": read["train"][1:] + read["test"][1:]}


def test_the_pipeline_trains_on_the_latest_records_of_the_offline_store(aws, tmp_path):
    arn = create_group()
    header, rows = dataset(120)
    assert ingest(arn, header, rows) == 120
    first = preprocessed(arn, tmp_path / "first")
    assert first["header"] == COLUMNS, "the dataset's order (the order requests send), without the identifier and the event time"
    assert sorted(first["rows"]) == sorted(rows), "every ingested row, with its values"

    # A re-run of the ingest is a new version of each record, never a duplicate; a changed row's newer version wins.
    changed = [row[:] for row in rows]
    changed[0][0] = "99.5"
    assert ingest(arn, header, changed, when="2026-12-01T11:00:00") == 120
    boto3.client("sagemaker-featurestore-runtime").delete_record(FeatureGroupName=arn, RecordIdentifierValueAsString="row-1", EventTime="2026-12-01T12:00:00Z")
    second = preprocessed(arn, tmp_path / "second")
    assert sorted(second["rows"]) == sorted([changed[0], *changed[2:]]), "the latest version of each record; the deleted one left out"


def test_the_preprocessing_refuses_a_group_it_cannot_train_on(aws, tmp_path):
    with pytest.raises(SystemExit, match="holds no records: ingest them first"):
        preprocess.main(["--feature-group", create_group(), "--output-dir", str(tmp_path)])
    with pytest.raises(SystemExit, match="has no `target` feature"):
        preprocess.main(["--feature-group", create_group("unlabelled", COLUMNS[:-1]), "--output-dir", str(tmp_path)])


def test_the_ingest_refuses_columns_the_group_does_not_define_before_writing(aws):
    arn = create_group()
    header, rows = dataset(3)
    with pytest.raises(SystemExit, match="defines no feature patient_name: add it to feature_groups"):
        ingest(arn, [*header, "patient_name"], [[*row, "x"] for row in rows])
    with pytest.raises(SystemExit, match="the rows lack f29, features of tumours"):
        ingest(arn, header[:-2] + ["target"], [row[:-2] + [row[-1]] for row in rows])
    assert boto3.client("s3").list_objects_v2(Bucket="features").get("KeyCount", 0) == 0, "nothing written"
    with pytest.raises(SystemExit, match=r"1 of 3 row\(s\) refused, first row 1: ValidationError: Feature f0 is Fractional; 'many' is not"):
        ingest(arn, header, [rows[0], ["many", *rows[1][1:]], rows[2]])
    assert boto3.client("s3").list_objects_v2(Bucket="features")["KeyCount"] == 2, "the other rows were ingested"
