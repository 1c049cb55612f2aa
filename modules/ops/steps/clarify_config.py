"""Pipeline step (SageMaker Processing, with clarify_baselines): SageMaker Clarify's analysis configs.

Clarify itself computes the bias and explainability baselines (the ClarifyBias and
ClarifyExplainability steps run the Clarify image against a shadow endpoint of the model this run
trained); this step writes what those jobs and, later, the endpoint's monitors read:

  <kind>/analysis_config.json   the baseline job's config: the dataset and the model to call
  <kind>/monitor_config.json    the monitor's config: the same analysis against the endpoint

for kind in bias, explainability. The served model takes {"instances": [[...]]} and answers
{"predictions": [...], "probabilities": [...]}, so requests are JSON built from each record.
Environment: MODEL_NAME, FACET, FACET_THRESHOLD, INSTANCE_TYPE.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
from pathlib import Path
from typing import Any

PROCESSING = Path("/opt/ml/processing")
PREDICTOR = {
    "content_type": "application/json",
    "accept_type": "application/json",
    "content_template": '{"instances":$records}',
    "record_template": "$features",
    "label": "predictions",
    "probability": "probabilities",
}


def read_split(test_dir: Path) -> tuple[list[str], list[list[float]]]:
    files = sorted(test_dir.glob("*.csv"))
    if not files:
        raise SystemExit(f"no CSV files in {test_dir}")
    with files[0].open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [[float(v) for v in row] for row in reader]
    if "target" not in header:
        raise SystemExit("the test split has no `target` column")
    return header, rows


def configs(header: list[str], rows: list[list[float]], facet: str, threshold: float) -> dict[str, dict[str, Any]]:
    features = [name for name in header if name != "target"]
    if facet not in features:
        raise SystemExit(f"facet {facet!r} is not a feature; features are {features}")
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    background = [[round(statistics.fmean(columns[name]), 6) for name in features]]  # SHAP baseline: the mean record
    return {
        "bias": {
            "version": "1.0",
            "headers": header,
            "label": "target",
            "label_values_or_threshold": [1],
            "facet": [{"name_or_index": facet, "value_or_threshold": [threshold]}],
            "methods": {"post_training_bias": {"methods": "all"}},
            "predictor": {**PREDICTOR, "probability_threshold": 0.5},
        },
        "explainability": {
            "version": "1.0",
            "headers": features,
            "methods": {"shap": {"baseline": background, "num_samples": 100, "agg_method": "mean_abs", "use_logit": False, "save_local_shap_values": False}},
            "predictor": PREDICTOR,
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--test-dir", type=Path, default=PROCESSING / "test")
    parser.add_argument("--output-dir", type=Path, default=PROCESSING / "clarify")
    args = parser.parse_args(argv)
    model = os.environ["MODEL_NAME"]
    header, rows = read_split(args.test_dir)
    for kind, monitor in configs(header, rows, os.environ["FACET"], float(os.environ["FACET_THRESHOLD"])).items():
        folder = args.output_dir / kind
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "monitor_config.json").write_text(json.dumps(monitor, indent=2))
        job = {**monitor, "dataset_type": "text/csv",
               "headers": header, "label": "target",  # the baseline dataset carries the label; the monitor's requests do not
               "predictor": {**monitor["predictor"], "model_name": model, "instance_type": os.environ.get("INSTANCE_TYPE", "ml.m5.large"), "initial_instance_count": 1}}
        (folder / "analysis_config.json").write_text(json.dumps(job, indent=2))
    print(f"wrote Clarify configs for {model} to {args.output_dir}")


if __name__ == "__main__":
    main()
