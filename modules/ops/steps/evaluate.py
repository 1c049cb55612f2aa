"""Pipeline step 3 (SageMaker Processing): score the trained model on the held-out test set.

Writes evaluation.json in SageMaker model-quality form; the pipeline's quality gate reads
metrics.accuracy.value from it before anything is registered. With --min-accuracy it also writes
model_quality_constraints.json, the model-quality monitor's baseline in Model Monitor's documented
constraints schema: live accuracy on labelled traffic below the pipeline's own gate is a violation.
"""
from __future__ import annotations

import argparse
import json
import tarfile
import tempfile
from pathlib import Path

import joblib
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from train import load

PROCESSING = Path("/opt/ml/processing")


def load_model(model_dir: Path):
    archive = model_dir / "model.tar.gz"
    if archive.is_file():
        target = Path(tempfile.mkdtemp())
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
            unsafe = [m.name for m in members if m.name.startswith("/") or ".." in Path(m.name).parts]
            if unsafe:
                raise SystemExit(f"model.tar.gz has unsafe paths: {unsafe}")
            tar.extractall(target, members=members)
        model_dir = target
    return joblib.load(model_dir / "model.joblib")


def evaluate(model, test_csv: Path) -> dict:
    features, labels = load(test_csv)
    predictions = model.predict(features)
    scores = model.predict_proba(features)[:, 1]
    return {
        "metrics": {
            "accuracy": {"value": round(float(accuracy_score(labels, predictions)), 6)},
            "f1": {"value": round(float(f1_score(labels, predictions)), 6)},
            "roc_auc": {"value": round(float(roc_auc_score(labels, scores)), 6)},
            "test_rows": {"value": int(len(labels))},
        }
    }


def model_quality_constraints(min_accuracy: float) -> dict:
    return {"version": 0.0, "binary_classification_constraints": {"accuracy": {"threshold": min_accuracy, "comparison_operator": "LessThanThreshold"}}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=PROCESSING / "model")
    parser.add_argument("--test-dir", type=Path, default=PROCESSING / "test")
    parser.add_argument("--output-dir", type=Path, default=PROCESSING / "evaluation")
    parser.add_argument("--min-accuracy", type=float, help="the quality gate: also write the model-quality monitor's constraints at this accuracy")
    args = parser.parse_args(argv)
    report = evaluate(load_model(args.model_dir), args.test_dir / "test.csv")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / "evaluation.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    if args.min_accuracy is not None:
        (args.output_dir / "model_quality_constraints.json").write_text(json.dumps(model_quality_constraints(args.min_accuracy), indent=2))
    print(f"evaluate: {json.dumps(report['metrics'], sort_keys=True)}")


if __name__ == "__main__":
    main()
