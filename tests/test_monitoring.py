"""The data-quality loop's pieces on the project's own data: the baseline the pipeline computes
(the features only, headerless), the record preprocessor the schedule runs on capture records, and
the emulator's analysis of one against the other."""
from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from sklearn.datasets import load_breast_cancer

from emulator import model_monitor, serving
from support import ROOT

sys.path.insert(0, str(ROOT / "modules" / "ops" / "steps"))
import preprocess  # noqa: E402

spec = importlib.util.spec_from_file_location("record_preprocessor", ROOT / "modules" / "serving" / "monitor" / "record_preprocessor.py")
record_preprocessor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(record_preprocessor)
CAPTURE = {"EnableCapture": True, "InitialSamplingPercentage": 100, "DestinationS3Uri": "s3://c/p",
           "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}], "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]}}


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("split")
    (work / "data").mkdir()
    data = load_breast_cancer()
    with (work / "data" / "cancer.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"f{i}" for i in range(data.data.shape[1])] + ["target"])
        writer.writerows([*row, label] for row, label in zip(data.data.tolist(), data.target.tolist()))
    preprocess.main(["--input-dir", str(work / "data"), "--output-dir", str(work)])
    return work


@pytest.fixture(scope="module")
def baseline(split) -> tuple[dict, dict]:
    """What the pipeline's Baseline step computes: dataset_format csv without header, on the features output."""
    model_monitor.run_analyzer({"dataset_format": json.dumps({"csv": {"header": False}}), "dataset_source": str(split / "features"), "output_path": str(split / "baseline")})
    return json.loads((split / "baseline" / "statistics.json").read_text()), json.loads((split / "baseline" / "constraints.json").read_text())


def captured(instances: list[list[float]]) -> str:
    """One capture record, in the form the endpoint writes (emulator/serving.py follows AWS's documented schema)."""
    body = json.dumps({"instances": instances}).encode()
    return json.dumps(serving.capture_record(CAPTURE, body, "application/json", b'{"predictions": [1]}', "application/json"))


def test_the_baseline_holds_the_features_only(split, baseline):
    statistics, constraints = baseline
    with (split / "train" / "train.csv").open() as handle:
        train = list(csv.reader(handle))
    assert [f["name"] for f in constraints["features"]] == [f"_c{i}" for i in range(len(train[0]) - 1)], "the target is not a feature the endpoint receives"
    assert statistics["dataset"]["item_count"] == len(train) - 1


def test_the_preprocessor_gives_the_baselines_columns(baseline):
    _, constraints = baseline
    rows = model_monitor.preprocessed_rows([captured([[1.0] * 30, [2.0] * 30])], record_preprocessor.preprocess_handler)
    assert len(rows) == 2 and list(rows[0]) == [f["name"] for f in constraints["features"]]
    assert model_monitor.preprocessed_rows([json.dumps({"captureData": {"endpointInput": {"data": "not json", "encoding": "JSON"}}})], record_preprocessor.preprocess_handler) == []


def test_traffic_like_training_passes_and_shifted_traffic_drifts(split, baseline, tmp_path):
    statistics, constraints = baseline
    with (split / "test" / "test.csv").open() as handle:
        test = [[float(v) for v in row[:-1]] for row in list(csv.reader(handle))[1:]]
    rows = model_monitor.preprocessed_rows([captured(test[i:i + 10]) for i in range(0, len(test), 10)], record_preprocessor.preprocess_handler)
    assert model_monitor.monitor(rows, statistics, constraints, tmp_path / "same") == []
    shifted = model_monitor.preprocessed_rows([captured([[v * 1.5 for v in row] for row in test])], record_preprocessor.preprocess_handler)
    found = model_monitor.monitor(shifted, statistics, constraints, tmp_path / "shifted")
    assert {v["constraint_check_type"] for v in found} == {"baseline_drift_check"} and len(found) > 10
    report = json.loads((tmp_path / "shifted" / "constraint_violations.json").read_text())
    assert report == {"violations": found} and (tmp_path / "shifted" / "statistics.json").is_file()


def test_missing_extra_and_mistyped_columns_are_violations(baseline, tmp_path):
    statistics, constraints = baseline
    rows = [{**{f"_c{i}": 1.0 for i in range(29)}, "_c30": 2.0, "_c0": "text"}]
    checks = {(v["feature_name"], v["constraint_check_type"]) for v in model_monitor.monitor(rows, statistics, constraints, tmp_path)}
    assert {("_c29", "missing_column_check"), ("_c30", "extra_column_check"), ("_c0", "data_type_check")} <= checks
