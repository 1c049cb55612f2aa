"""Serving code for the scikit-learn inference container (packed into model.tar.gz as code/).

Request and response are JSON: {"instances": [[...], ...]} -> {"predictions": [...], "probabilities": [...]}.
"""
from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np


def model_fn(model_dir: str):
    return joblib.load(Path(model_dir) / "model.joblib")


def input_fn(body: str | bytes, content_type: str) -> np.ndarray:
    if content_type != "application/json":
        raise ValueError(f"unsupported content type {content_type}")
    return np.asarray(json.loads(body)["instances"], dtype=float)


def predict_fn(data: np.ndarray, model) -> dict:
    return {
        "predictions": model.predict(data).tolist(),
        "probabilities": model.predict_proba(data)[:, 1].round(6).tolist(),
    }


def output_fn(prediction: dict, accept: str) -> str:
    return json.dumps(prediction)
