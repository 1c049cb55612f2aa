"""`make ground-truth`: captured requests labelled as Model Monitor merges them, against moto's S3
(in-process), on capture records in the endpoint's own format (emulator/serving.py)."""
from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

import ground_truth
from emulator import serving

ENDPOINT = "mlops-prod"
CAPTURE = {"DestinationS3Uri": "s3://labels/x", "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
           "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]}}


def record(instances: list[list[float]], inference_id: str | None = None) -> dict:
    captured = serving.capture_record(CAPTURE, json.dumps({"instances": instances}).encode(), "application/json", b'{"predictions": [1]}', "application/json")
    if inference_id:
        captured["eventMetadata"]["inferenceId"] = inference_id
    return captured


@pytest.fixture
def s3(aws_credentials):
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket="labels")
        yield client


def put_captures(s3, hour: str, records: list[dict | str]) -> None:
    body = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
    s3.put_object(Bucket="labels", Key=f"{ENDPOINT}/{ENDPOINT}/AllTraffic/{hour}/00-00-000-a.jsonl", Body=body.encode())


def written(s3) -> dict[str, list[dict]]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="labels", Prefix="ground-truth/")["Contents"]]
    return {k: [json.loads(line) for line in s3.get_object(Bucket="labels", Key=k)["Body"].read().decode().splitlines()] for k in keys}


def test_one_instance_requests_are_labelled_in_their_hour_and_a_rerun_rewrites(s3):
    one, other, batched, unknown = record([[1.0, 2.0]]), record([[3.0, 4.0]], inference_id="caller-7"), record([[1.0, 2.0], [3.0, 4.0]]), record([[9.0, 9.0]])
    put_captures(s3, "2026/12/01/11", [one, other, batched, unknown, "not json"])
    uri = f"s3://labels/ground-truth/{ENDPOINT}"
    outcome = ground_truth.label_captures(s3, uri, ENDPOINT, {"caller-7": "0"}, {(1.0, 2.0): "1", (3.0, 4.0): "1"})
    assert (outcome.labelled, outcome.unlabelled, outcome.batched, outcome.unreadable) == (2, 1, 1, 1)
    [(key, records)] = written(s3).items()
    assert key.startswith(f"ground-truth/{ENDPOINT}/2026/12/01/11/labels-") and key.endswith(".jsonl")
    # the caller's inferenceId wins over the features (a label by id is what a labelling process returns)
    assert records == [
        {"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": one["eventMetadata"]["eventId"]}, "eventVersion": "0"},
        {"groundTruthData": {"data": "0", "encoding": "CSV"}, "eventMetadata": {"inferenceId": "caller-7"}, "eventVersion": "0"},
    ]
    again = ground_truth.label_captures(s3, uri + "/", ENDPOINT, {"caller-7": "0"}, {(1.0, 2.0): "1", (3.0, 4.0): "1"})
    assert again.labelled == 2 and list(written(s3)) == [key], "a re-run rewrites the same object"


def test_labels_need_id_label_rows():
    assert ground_truth.labels_from_csv("id,label\nabc,1\ndef,0\n") == {"abc": "1", "def": "0"}
    with pytest.raises(SystemExit, match=r"rows \[2\] are not"):
        ground_truth.labels_from_csv("abc,1\ndef\n")


def test_nothing_captured_labels_nothing(s3):
    outcome = ground_truth.label_captures(s3, "s3://labels/ground-truth/x", ENDPOINT, {}, {})
    assert (outcome.labelled, outcome.written) == (0, [])
