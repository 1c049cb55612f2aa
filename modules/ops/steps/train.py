"""Pipeline step 2 (SageMaker Training, scikit-learn container): fit a classifier.

Reads train.csv from the `train` channel, writes model.joblib and the serving code to the model
directory, which SageMaker packs into model.tar.gz.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
from pathlib import Path

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).resolve().parent


def load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        data = np.array([[float(v) for v in row] for row in reader if row])
    target = header.index("target")
    return np.delete(data, target, axis=1), data[:, target].astype(int)


def hyperparameters(config: Path) -> dict[str, str]:
    return json.loads(config.read_text()) if config.is_file() else {}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, default=Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")))
    parser.add_argument("--model-dir", type=Path, default=Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model")))
    parser.add_argument("--config", type=Path, default=Path("/opt/ml/input/config/hyperparameters.json"))
    args = parser.parse_args(argv)
    params = hyperparameters(args.config)
    features, labels = load(args.train_dir / "train.csv")
    model = make_pipeline(StandardScaler(), LogisticRegression(C=float(params.get("C", "1.0")), max_iter=1000))
    model.fit(features, labels)
    args.model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, args.model_dir / "model.joblib")
    (args.model_dir / "code").mkdir(exist_ok=True)
    shutil.copy(HERE / "inference.py", args.model_dir / "code" / "inference.py")
    print(f"train: fitted on {len(labels)} rows, training accuracy {model.score(features, labels):.4f}")


if __name__ == "__main__":
    main()
