"""Model Monitor's analyzer image, as the emulator runs it: the project's own implementation of the
documented data-quality baseline (statistics.json and constraints.json in the analyzer's schema).

Hand-written: the analyzer is a closed container (Deequ on Spark). This computes the documented
fields (item count; per column the inferred type, completeness, mean, sum, standard deviation,
min, max and a 10-bucket histogram standing in for the KLL sketch), not Deequ's exact sketches.
Environment as the analyzer reads it: dataset_format, dataset_source, output_path.
"""
from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path
from typing import Any

MONITORING_CONFIG = {
    "evaluate_constraints": "Enabled", "emit_metrics": "Enabled", "datatype_check_threshold": 1.0, "domain_content_threshold": 1.0,
    "distribution_constraints": {"perform_comparison": "Enabled", "comparison_threshold": 0.1, "comparison_method": "Robust",
                                 "categorical_comparison_threshold": 0.1, "categorical_drift_method": "LInfinity"},
}


class AnalyzerError(Exception):
    pass


def read_csv(source: Path, header: bool) -> tuple[list[str], list[list[str]]]:
    files = sorted(p for p in source.rglob("*") if p.is_file())
    if not files:
        raise AnalyzerError(f"no dataset files under {source}")
    names: list[str] = []
    rows: list[list[str]] = []
    for path in files:
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            if header:
                names = next(reader, names)
            rows.extend(row for row in reader if row)
    width = max((len(r) for r in rows), default=len(names))
    return names or [f"_c{i}" for i in range(width)], rows


def inferred_type(values: list[str]) -> str:
    present = [v for v in values if v != ""]
    for kind, parse in (("Integral", int), ("Fractional", float)):
        try:
            [parse(v) for v in present]
            return kind
        except ValueError:
            continue
    return "String"


def histogram(numbers: list[float], buckets: int = 10) -> list[dict[str, float]]:
    low, high = min(numbers), max(numbers)
    width = (high - low) / buckets or 1.0
    counts = [0] * buckets
    for n in numbers:
        counts[min(int((n - low) / width), buckets - 1)] += 1
    return [{"lower_bound": low + i * width, "upper_bound": low + (i + 1) * width, "count": float(c)} for i, c in enumerate(counts)]


def feature_statistics(name: str, values: list[str]) -> dict[str, Any]:
    kind = inferred_type(values)
    present = [v for v in values if v != ""]
    common = {"num_present": len(present), "num_missing": len(values) - len(present)}
    if kind == "String" or not present:
        return {"name": name, "inferred_type": kind, "string_statistics": {"common": common, "distinct_count": float(len(set(present)))}}
    numbers = [float(v) for v in present]
    return {"name": name, "inferred_type": kind, "numerical_statistics": {
        "common": common, "mean": statistics.fmean(numbers), "sum": sum(numbers), "std_dev": statistics.pstdev(numbers),
        "min": min(numbers), "max": max(numbers), "distribution": {"kll": {"buckets": histogram(numbers)}},
    }}


def suggest_baseline(names: list[str], rows: list[list[str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    columns = {name: [row[i] if i < len(row) else "" for row in rows] for i, name in enumerate(names)}
    features = [feature_statistics(name, values) for name, values in columns.items()]
    stats = {"version": 0.0, "dataset": {"item_count": len(rows)}, "features": features}
    constraints = {"version": 0.0, "features": [
        {"name": f["name"], "inferred_type": f["inferred_type"],
         "completeness": (f.get("numerical_statistics") or f.get("string_statistics"))["common"]["num_present"] / max(len(rows), 1),
         **({"num_constraints": {"is_non_negative": f["numerical_statistics"]["min"] >= 0}} if "numerical_statistics" in f else {})}
        for f in features], "monitoring_config": MONITORING_CONFIG}
    return stats, constraints


def run_analyzer(environment: dict[str, str]) -> None:
    """Suggest a baseline from dataset_source into output_path."""
    try:
        dataset_format = json.loads(environment["dataset_format"])
        source, output = Path(environment["dataset_source"]), Path(environment["output_path"])
    except (KeyError, ValueError) as error:
        raise AnalyzerError(f"the analyzer's environment is incomplete: {error}") from None
    if "csv" not in dataset_format:
        raise AnalyzerError(f"dataset_format {dataset_format} is not emulated (csv only)")
    names, rows = read_csv(source, bool(dataset_format["csv"].get("header")))
    stats, constraints = suggest_baseline(names, rows)
    output.mkdir(parents=True, exist_ok=True)
    (output / "statistics.json").write_text(json.dumps(stats, indent=2))
    (output / "constraints.json").write_text(json.dumps(constraints, indent=2))
