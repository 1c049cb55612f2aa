"""Model Monitor's analyzer image, as the emulator runs it: the project's own implementation of the
documented data-quality baseline (statistics.json and constraints.json in the analyzer's schema), of
the documented checks of a monitoring run (constraint_violations.json), and of one scheduled run.

Hand-written: the analyzer is a closed container (Deequ on Spark). This computes the documented
fields (item count; per column the inferred type, completeness, mean, sum, standard deviation,
min, max and a 10-bucket histogram standing in for the KLL sketch), not Deequ's exact sketches.
Environment as the analyzer reads it: dataset_format, dataset_source, output_path.
"""
from __future__ import annotations

import csv
import hashlib
import json
import statistics
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable

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


# --- a monitoring run: the current data against the baseline -----------------------------------

def cdf_distance(baseline: dict[str, Any], numbers: list[float]) -> float:
    """L-infinity distance between the baseline's distribution (its histogram's cumulative counts at
    each bucket bound) and the current data's empirical distribution at the same bounds."""
    buckets = baseline["numerical_statistics"]["distribution"]["kll"]["buckets"]
    total = sum(b["count"] for b in buckets) or 1.0
    distance, cumulative = 0.0, 0.0
    ordered = sorted(numbers)
    for bucket in buckets:
        cumulative += bucket["count"]
        below = sum(1 for n in ordered if n <= bucket["upper_bound"]) / len(ordered)
        distance = max(distance, abs(cumulative / total - below))
    return distance


def drift_threshold(drift: dict[str, Any], baseline_count: int, current_count: int) -> float:
    """comparison_threshold; with the Robust method also the two-sample Kolmogorov-Smirnov critical
    value at alpha 0.001 for the two sample sizes, so a small hour of traffic does not drift by chance
    (our reading of "Robust"; the analyzer's exact test is not published)."""
    threshold = float(drift.get("comparison_threshold", 0.1))
    if drift.get("comparison_method", "Robust") == "Robust" and baseline_count and current_count:
        threshold = max(threshold, 1.949 * ((baseline_count + current_count) / (baseline_count * current_count)) ** 0.5)
    return threshold


def violations(statistics_: dict[str, Any], constraints: dict[str, Any], columns: dict[str, list[str]]) -> list[dict[str, str]]:
    """The documented checks: missing and extra columns, data type, completeness, baseline drift."""
    config = constraints.get("monitoring_config", MONITORING_CONFIG)
    drift = config.get("distribution_constraints", {})
    baseline = {f["name"]: f for f in statistics_["features"]}
    found: list[dict[str, str]] = []

    def report(name: str, check: str, description: str) -> None:
        found.append({"feature_name": name, "constraint_check_type": check, "description": description})

    for constraint in constraints["features"]:
        name = constraint["name"]
        if name not in columns:
            report(name, "missing_column_check", f"There are missing columns in current dataset. Number of columns in current dataset: {len(columns)}, Number of columns in baseline constraints: {len(constraints['features'])}")
            continue
        values = columns[name]
        present = [v for v in values if v != ""]
        completeness = len(present) / max(len(values), 1)
        if completeness < float(constraint.get("completeness", 0.0)):
            report(name, "completeness_check", f"Data completeness is {completeness:.4f}, below the baseline's {constraint['completeness']}")
        parse = {"Integral": int, "Fractional": float}.get(constraint["inferred_type"])
        if parse is not None:
            matching = 0
            for value in present:
                try:
                    parse(value)
                    matching += 1
                except ValueError:
                    pass
            if present and matching / len(present) < float(config.get("datatype_check_threshold", 1.0)):
                report(name, "data_type_check", f"Data type match is {matching / len(present):.4f}, below the threshold {config.get('datatype_check_threshold', 1.0)} for {constraint['inferred_type']}")
            elif present and drift.get("perform_comparison", "Enabled") == "Enabled" and "numerical_statistics" in baseline.get(name, {}):
                distance = cdf_distance(baseline[name], [float(v) for v in present])
                limit = drift_threshold(drift, statistics_["dataset"]["item_count"], len(present))
                if distance > limit:
                    report(name, "baseline_drift_check", f"Baseline drift distance: {distance:.4f} exceeds threshold: {limit:.4f}")
    for name in columns:
        if name not in baseline:
            report(name, "extra_column_check", f"There are extra columns in current dataset. Number of columns in current dataset: {len(columns)}, Number of columns in baseline constraints: {len(constraints['features'])}")
    return found


def monitor(rows: list[dict[str, Any]], statistics_: dict[str, Any], constraints: dict[str, Any], output: Path) -> list[dict[str, str]]:
    """Analyse the rows a record preprocessor produced: statistics.json and constraint_violations.json into output."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    columns = {name: ["" if row.get(name) is None else str(row.get(name)) for row in rows] for name in names}
    found = violations(statistics_, constraints, columns)
    current, _ = suggest_baseline(names, [[columns[n][i] for n in names] for i in range(len(rows))])
    output.mkdir(parents=True, exist_ok=True)
    (output / "statistics.json").write_text(json.dumps(current, indent=2))
    (output / "constraint_violations.json").write_text(json.dumps({"violations": found}, indent=2))
    return found


@dataclass(frozen=True)
class CapturedData:
    data: str
    encoding: str
    observed_content_type: str
    mode: str


@dataclass(frozen=True)
class InferenceRecord:
    """What a record preprocessor's preprocess_handler is given: one capture record, as attributes."""
    endpoint_input: CapturedData | None
    endpoint_output: CapturedData | None
    event_metadata: dict[str, Any]
    event_version: str

    @classmethod
    def from_capture(cls, record: dict[str, Any]) -> "InferenceRecord":
        def part(key: str) -> CapturedData | None:
            found = record.get("captureData", {}).get(key)
            return CapturedData(found["data"], found.get("encoding", "JSON"), found.get("observedContentType", ""), found.get("mode", "")) if found else None

        return cls(part("endpointInput"), part("endpointOutput"), record.get("eventMetadata", {}), record.get("eventVersion", "0"))


def preprocessed_rows(lines: list[str], handler: Callable[..., Any]) -> list[dict[str, Any]]:
    """Each capture record through the preprocessor: a dict is one row, a list is several (or none)."""
    found: list[dict[str, Any]] = []
    for line in lines:
        if not line.strip():
            continue
        result = handler(InferenceRecord.from_capture(json.loads(line)))
        found.extend(result if isinstance(result, list) else [result])
    return found


# --- one scheduled run, now (the emulator has no scheduler) ------------------------------------

def _read(uri: str) -> bytes:
    from emulator.pipelines import bucket_backend, split_uri

    from emulator.pipelines import StepFailed

    try:
        bucket, key = split_uri(uri)
        found = bucket_backend(bucket).get_object(bucket, key)
    except (StepFailed, KeyError) as error:
        raise AnalyzerError(f"{uri} cannot be read: {error}") from None
    if found is None:
        raise AnalyzerError(f"{uri} does not exist")
    return found.value


def _handler(uri: str) -> Callable[..., Any]:
    """The record preprocessor's preprocess_handler, loaded from its S3 object."""
    import importlib.util
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="preprocessor-")) / "record_preprocessor.py"
    path.write_bytes(_read(uri))
    spec = importlib.util.spec_from_file_location("record_preprocessor", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.preprocess_handler


def run_schedule(backend: Any, schedule: Any, now: Any) -> dict[str, Any]:
    """What one run of a data-quality schedule does: the capture records of its endpoint since its last
    run through the record preprocessor, checked against the baseline; the reports written under
    <output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/; the execution summary kept on the schedule; the
    processing-job state change put on the account's default bus. Returns the execution summary."""
    import tempfile

    from moto.events.models import events_backends

    from emulator.pipelines import bucket_backend, split_uri

    definition = backend.data_quality_job_definitions[schedule.config["MonitoringJobDefinitionName"]]
    endpoint = definition.data_quality_job_input["EndpointInput"]["EndpointName"]
    job = f"model-monitoring-{now:%Y%m%d%H%M}-{hashlib.sha256(f'{schedule.arn}{now.isoformat()}'.encode()).hexdigest()[:8]}"
    job_arn = f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:processing-job/{job}"
    output = definition.data_quality_job_output_config["MonitoringOutputs"][0]["S3Output"]["S3Uri"].rstrip("/")
    report = f"{output}/{endpoint}/{schedule.name}/{now:%Y/%m/%d/%H}"
    summary: dict[str, Any] = {"MonitoringScheduleName": schedule.name, "ScheduledTime": now, "CreationTime": now, "LastModifiedTime": now,
                               "ProcessingJobArn": job_arn, "EndpointName": endpoint}
    since = getattr(schedule, "last_run", None)
    try:
        config = backend.describe_endpoint_config(backend.endpoints[endpoint].endpoint_config_name).get("DataCaptureConfig") or {}
        bucket, prefix = split_uri(f"{config['DestinationS3Uri'].rstrip('/')}/{endpoint}/")
        keys = [k for name, k in bucket_backend(bucket).get_bucket(bucket).keys.items() if name.startswith(prefix) and k is not None and (since is None or k.last_modified > since)]
        lines = [line for k in keys for line in k.value.decode().splitlines()]
        baseline = definition.data_quality_baseline_config
        statistics_ = json.loads(_read(baseline["StatisticsResource"]["S3Uri"]))
        constraints = json.loads(_read(baseline["ConstraintsResource"]["S3Uri"]))
        preprocessor = definition.data_quality_app_specification.get("RecordPreprocessorSourceUri")
        rows = preprocessed_rows(lines, _handler(preprocessor)) if preprocessor else [json.loads(line) for line in lines]
        if not rows:
            raise AnalyzerError("Job inputs had no data")
        folder = Path(tempfile.mkdtemp(prefix="monitoring-"))
        found = monitor(rows, statistics_, constraints, folder)
        report_bucket, report_prefix = split_uri(report)
        for name in ("statistics.json", "constraint_violations.json"):
            bucket_backend(report_bucket).put_object(report_bucket, f"{report_prefix}/{name}", (folder / name).read_bytes())
        status = "CompletedWithViolations" if found else "Completed"
        exit_message = f"CompletedWithViolations: Job completed successfully with {len(found)} violations." if found else "Completed: Job completed successfully with no violations."
        summary.update(MonitoringExecutionStatus=status, violations=len(found), report=report)
    except Exception as error:  # what fails the job on AWS too (no data, no baseline, a preprocessor that raises): reported, never lost
        reason = str(error) if isinstance(error, AnalyzerError) else f"{type(error).__name__}: {error}"
        summary.update(MonitoringExecutionStatus="Failed", FailureReason=reason)
        exit_message = reason
    schedule.last_run, schedule.last_execution = now, {k: v for k, v in summary.items() if k not in ("violations", "report")}
    detail = {"ProcessingJobName": job, "ProcessingJobStatus": "Failed" if summary["MonitoringExecutionStatus"] == "Failed" else "Completed",
              "ExitMessage": exit_message, "MonitoringScheduleArn": schedule.arn,
              "ProcessingOutputConfig": {"Outputs": [{"OutputName": "result", "S3Output": {"S3Uri": report, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "Continuous"}}]}}
    event = {"Source": "aws.sagemaker", "DetailType": "SageMaker Processing Job State Change", "Detail": json.dumps(detail), "Resources": [job_arn], "EventBusName": "default"}
    events_backends[backend.account_id][backend.region_name].put_events([event])
    return {**summary, "ScheduledTime": now.isoformat(), "CreationTime": now.isoformat(), "LastModifiedTime": now.isoformat(), "event": event}
