"""Start the retraining pipeline when Model Monitor finds violations: routed, debounced and idempotent.

Input: the "SageMaker Processing Job State Change" event of a monitoring job that ended with
"CompletedWithViolations" (forwarded from the serving account when that is another account).

- routed: SCHEDULE_PIPELINES maps each monitoring schedule (by ARN) whose violations retrain to its
  pipeline; violations of any other schedule (another team's, a bias monitor's) start nothing;

- debounced: no new execution while one is executing or stopping, nor within COOLDOWN_MINUTES
  of the newest one's start (monitors run hourly; one retraining answers a burst of violations);
- idempotent: the execution's display name and client request token come from the event ID, so a
  retried or duplicated event finds its execution instead of starting a second one;
- logged: every decision is one JSON line with the violation that caused it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3

LOG = logging.getLogger("retrain_trigger")
LOG.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

EVENT_TYPE = "SageMaker Processing Job State Change"
ACTIVE = {"Executing", "Stopping"}

sagemaker: Any = None  # created on first use; tests inject their own


class ConfigError(RuntimeError):
    """The function's environment is incomplete."""


def decision(status: str, reason: str, **fields: Any) -> dict[str, Any]:
    LOG.info(json.dumps({"message": reason, "status": status, **fields}, default=str, sort_keys=True))
    return {"status": status, "reason": reason, **fields}


def malformed(event: Any) -> str | None:
    """Why an event cannot be read at all, or None."""
    if not isinstance(event, dict):
        return f"malformed event: a {type(event).__name__}, not an object"
    detail = event.get("detail")
    if event.get("detail-type") == EVENT_TYPE and not isinstance(detail, dict):
        return f"malformed event: its detail is {'missing' if detail is None else 'a ' + type(detail).__name__}, not an object"
    return None


def violation_of(event: dict[str, Any]) -> dict[str, Any] | None:
    """The violation an event reports, or None when it reports none."""
    detail = event.get("detail") or {}
    if event.get("detail-type") != EVENT_TYPE or not detail.get("MonitoringScheduleArn"):
        return None
    if not str(detail.get("ExitMessage", "")).startswith("CompletedWithViolations"):
        return None
    outputs = (detail.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    return {
        "schedule": detail["MonitoringScheduleArn"],
        "job": detail.get("ProcessingJobName"),
        "exit_message": detail.get("ExitMessage"),
        "reports": [o.get("S3Output", {}).get("S3Uri") for o in outputs if o.get("S3Output")],
        "account": event.get("account"),
    }


def display_name(event_id: str) -> str:
    return "drift-" + hashlib.sha256(event_id.encode()).hexdigest()[:24]


def recent_executions(sm: Any, pipeline: str) -> list[dict[str, Any]]:
    reply = sm.list_pipeline_executions(PipelineName=pipeline, SortBy="CreationTime", SortOrder="Descending", MaxResults=50)
    return sorted(reply.get("PipelineExecutionSummaries", []), key=lambda e: e["StartTime"], reverse=True)


def routes() -> dict[str, str]:
    """SCHEDULE_PIPELINES: {monitoring schedule ARN: pipeline name}."""
    try:
        found = json.loads(os.environ.get("SCHEDULE_PIPELINES") or "")
    except ValueError:
        found = None
    if not isinstance(found, dict) or not found or not all(isinstance(v, str) and v for v in found.values()):
        raise ConfigError("SCHEDULE_PIPELINES is not set to a JSON object of monitoring schedule ARNs to pipeline names")
    return found


def handler(event: Any, context: Any = None, now: datetime | None = None) -> dict[str, Any]:
    global sagemaker
    pipelines = routes()
    cooldown = timedelta(minutes=int(os.environ.get("COOLDOWN_MINUTES", "360")))
    if (why := malformed(event)) is not None:
        return decision("ignored", why)
    violation = violation_of(event)
    if violation is None:
        return decision("ignored", "not a monitoring job that completed with violations", detail_type=event.get("detail-type"))
    if not event.get("id"):
        return decision("rejected", "event has no id, so it cannot be de-duplicated", violation=violation)
    pipeline = pipelines.get(violation["schedule"])
    if pipeline is None:
        return decision("ignored", "violations of a schedule that retrains no pipeline", violation=violation)

    sagemaker = sagemaker or boto3.client("sagemaker")
    name = display_name(event["id"])
    executions = recent_executions(sagemaker, pipeline)
    same = next((e for e in executions if e.get("PipelineExecutionDisplayName") == name), None)
    if same:
        return decision("duplicate", "this event already started an execution", execution=same["PipelineExecutionArn"], violation=violation)
    running = next((e for e in executions if e.get("PipelineExecutionStatus") in ACTIVE), None)
    if running:
        return decision("debounced", "an execution is already running", execution=running["PipelineExecutionArn"], violation=violation)
    now = now or datetime.now(timezone.utc)
    if executions and now - executions[0]["StartTime"] < cooldown:
        return decision("debounced", f"the last execution started less than {cooldown} ago", execution=executions[0]["PipelineExecutionArn"], violation=violation)

    started = sagemaker.start_pipeline_execution(
        PipelineName=pipeline,
        PipelineExecutionDisplayName=name,
        PipelineExecutionDescription=f"Retraining after monitoring violations: {violation['schedule']} ({violation['exit_message']})"[:3072],
        ClientRequestToken=event["id"][:128].ljust(32, "0"),
    )
    return decision("started", "retraining started", pipeline=pipeline, execution=started["PipelineExecutionArn"], violation=violation)
