"""The retraining pipeline's step scripts, run locally on scikit-learn's bundled breast-cancer data,
laid out exactly as SageMaker lays out processing and training jobs."""
from __future__ import annotations

import csv
import json
import sys
import tarfile
from pathlib import Path

import pytest
from sklearn.datasets import load_breast_cancer

from support import ROOT

STEPS = ROOT / "modules" / "ops" / "steps"
sys.path.insert(0, str(STEPS))

import evaluate  # noqa: E402
import inference  # noqa: E402
import preprocess  # noqa: E402
import train  # noqa: E402


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("input") / "data"
    folder.mkdir()
    data = load_breast_cancer()
    with (folder / "breast_cancer.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"f{i}" for i in range(data.data.shape[1])] + ["target"])
        writer.writerows([*row, label] for row, label in zip(data.data.tolist(), data.target.tolist()))
    return folder


@pytest.fixture(scope="module")
def pipeline_run(dataset, tmp_path_factory) -> dict[str, Path]:
    """preprocess -> train -> (SageMaker packs model.tar.gz) -> evaluate."""
    work = tmp_path_factory.mktemp("run")
    preprocess.main(["--input-dir", str(dataset), "--output-dir", str(work)])
    model_dir = work / "model"
    train.main(["--train-dir", str(work / "train"), "--model-dir", str(model_dir), "--config", str(work / "none.json")])
    packed = work / "packed"
    packed.mkdir()
    with tarfile.open(packed / "model.tar.gz", "w:gz") as tar:
        for item in model_dir.iterdir():
            tar.add(item, arcname=item.name)
    evaluate.main(["--model-dir", str(packed), "--test-dir", str(work / "test"), "--output-dir", str(work / "evaluation"), "--min-accuracy", "0.9"])
    return {"work": work, "model": model_dir, "report": work / "evaluation" / "evaluation.json"}


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_preprocess_splits_stratified_and_deterministic(dataset, tmp_path):
    preprocess.main(["--input-dir", str(dataset), "--output-dir", str(tmp_path / "a")])
    preprocess.main(["--input-dir", str(dataset), "--output-dir", str(tmp_path / "b")])
    train_rows, test_rows = rows(tmp_path / "a" / "train" / "train.csv"), rows(tmp_path / "a" / "test" / "test.csv")
    assert len(train_rows) - 1 + len(test_rows) - 1 == 569
    assert abs((len(test_rows) - 1) / 569 - 0.2) < 0.01
    positives = sum(r[-1] == "1" for r in test_rows[1:]) / (len(test_rows) - 1)
    assert abs(positives - 357 / 569) < 0.02  # class balance kept
    assert (tmp_path / "a" / "test" / "test.csv").read_bytes() == (tmp_path / "b" / "test" / "test.csv").read_bytes()


def test_preprocess_rejects_data_without_target(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(SystemExit, match="target"):
        preprocess.main(["--input-dir", str(tmp_path / "in"), "--output-dir", str(tmp_path / "out")])


def test_trained_model_passes_the_quality_gate(pipeline_run):
    report = json.loads(pipeline_run["report"].read_text())
    # The pipeline's QualityGate reads metrics.accuracy.value (modules/ops/pipeline.tf); default gate 0.9.
    assert report["metrics"]["accuracy"]["value"] >= 0.9
    assert report["metrics"]["roc_auc"]["value"] >= 0.95
    assert report["metrics"]["test_rows"]["value"] == 113  # 42 of 212 malignant + 71 of 357 benign


def test_the_model_quality_baseline_is_the_quality_gate(pipeline_run):
    """Model Monitor's documented model-quality constraints: live accuracy below the gate is a violation."""
    constraints = json.loads((pipeline_run["report"].parent / "model_quality_constraints.json").read_text())
    assert constraints == {"version": 0.0, "binary_classification_constraints": {"accuracy": {"threshold": 0.9, "comparison_operator": "LessThanThreshold"}}}


def test_model_artifact_carries_its_serving_code(pipeline_run):
    assert (pipeline_run["model"] / "model.joblib").is_file()
    assert (pipeline_run["model"] / "code" / "inference.py").read_text() == (STEPS / "inference.py").read_text()


def test_serving_code_answers_json(pipeline_run):
    model = inference.model_fn(str(pipeline_run["model"]))
    sample = rows(pipeline_run["work"] / "test" / "test.csv")[1:3]
    request = json.dumps({"instances": [[float(v) for v in r[:-1]] for r in sample]})
    answer = json.loads(inference.output_fn(inference.predict_fn(inference.input_fn(request, "application/json"), model), "application/json"))
    assert answer["predictions"] == [int(r[-1]) for r in sample]
    assert all(0 <= p <= 1 for p in answer["probabilities"])
    with pytest.raises(ValueError, match="content type"):
        inference.input_fn(request, "text/csv")


def test_evaluate_refuses_unsafe_archives(tmp_path, pipeline_run):
    evil = tmp_path / "model.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(pipeline_run["model"] / "model.joblib", arcname="../escape.joblib")
    with pytest.raises(SystemExit, match="unsafe"):
        evaluate.load_model(tmp_path)


def test_clarify_configs_describe_the_split_and_the_model(pipeline_run, tmp_path, monkeypatch):
    import clarify_config

    monkeypatch.setenv("MODEL_NAME", "mlops-run-42")
    monkeypatch.setenv("FACET", "f0")
    monkeypatch.setenv("FACET_THRESHOLD", "14.0")
    clarify_config.main(["--test-dir", str(pipeline_run["work"] / "test"), "--output-dir", str(tmp_path)])
    bias_job = json.loads((tmp_path / "bias" / "analysis_config.json").read_text())
    explain_monitor = json.loads((tmp_path / "explainability" / "monitor_config.json").read_text())
    header = rows(next((pipeline_run["work"] / "test").glob("*.csv")))[0]
    assert bias_job["headers"] == header and bias_job["label"] == "target" and bias_job["predictor"]["model_name"] == "mlops-run-42"
    assert bias_job["facet"] == [{"name_or_index": "f0", "value_or_threshold": [14.0]}]
    assert "model_name" not in explain_monitor["predictor"], "monitors call the endpoint, not a model"
    [background] = explain_monitor["methods"]["shap"]["baseline"]
    assert len(background) == len(header) - 1 == len(explain_monitor["headers"])
    # The request Clarify builds from a record is one the served model answers.
    request = explain_monitor["predictor"]["content_template"].replace("$records", json.dumps([background]))
    answer = json.loads(inference.output_fn(inference.predict_fn(inference.input_fn(request, "application/json"), inference.model_fn(str(pipeline_run["model"]))), "application/json"))
    assert set(answer) >= {explain_monitor["predictor"]["label"], explain_monitor["predictor"]["probability"]}


def test_clarify_configs_refuse_a_facet_that_is_no_feature(pipeline_run, tmp_path, monkeypatch):
    import clarify_config

    monkeypatch.setenv("MODEL_NAME", "m")
    monkeypatch.setenv("FACET", "target")
    monkeypatch.setenv("FACET_THRESHOLD", "1")
    with pytest.raises(SystemExit, match="not a feature"):
        clarify_config.main(["--test-dir", str(pipeline_run["work"] / "test"), "--output-dir", str(tmp_path)])
