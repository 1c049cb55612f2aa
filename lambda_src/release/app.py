"""Start the deployment pipeline for exactly the approved model version.

An approval in the model registry ("SageMaker Model Package State Change", status Approved) starts
one execution of the deployment pipeline with the pipeline variable MODEL_PACKAGE_ARN set to that
version. Every stage deploys that ARN or fails, so prod receives the version that passed staging,
whatever is approved meanwhile.

- validated: events of another type, group or status, or with a malformed ARN, start nothing and
  are answered "ignored" with the reason (never raised, so EventBridge does not retry them);
- idempotent: the client request token comes from the event ID, so a retried or duplicated event
  starts no second execution.

Environment: PIPELINE_NAME, MODEL_PACKAGE_GROUP_ARN.
"""
from __future__ import annotations

import json
import logging
import os
import re
from typing import Any

import boto3

LOG = logging.getLogger("release")
LOG.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

APPROVAL_EVENT = "SageMaker Model Package State Change"
VARIABLE = "MODEL_PACKAGE_ARN"

codepipeline: Any = None  # created on first use; tests inject their own


class ConfigError(RuntimeError):
    """The function's environment is incomplete."""


def decision(status: str, reason: str, **fields: Any) -> dict[str, Any]:
    LOG.info(json.dumps({"message": reason, "status": status, **fields}, default=str, sort_keys=True))
    return {"status": status, "reason": reason, **fields}


def package_pattern(group_arn: str) -> re.Pattern[str]:
    """Versions of exactly this group: arn:...:model-package/<group>/<version>."""
    match = re.fullmatch(r"(arn:[\w-]+:sagemaker:[\w-]+:\d{12}):model-package-group/([\w-]+)", group_arn)
    if not match:
        raise ConfigError(f"MODEL_PACKAGE_GROUP_ARN is not a model package group ARN: {group_arn!r}")
    return re.compile(rf"{re.escape(match.group(1))}:model-package/{re.escape(match.group(2))}/\d+")


def approved_version(event: Any, pattern: re.Pattern[str]) -> tuple[str | None, str]:
    """(the approved package ARN, "") or (None, why the event starts nothing)."""
    if not isinstance(event, dict):
        return None, f"the event is a {type(event).__name__}, not an object"
    if event.get("detail-type") != APPROVAL_EVENT:
        return None, f"not a model package state change ({event.get('detail-type')!r})"
    detail = event.get("detail")
    if not isinstance(detail, dict):
        return None, f"the event's detail is a {type(detail).__name__}, not an object"
    if detail.get("ModelApprovalStatus") != "Approved":
        return None, f"the version's status is {detail.get('ModelApprovalStatus')!r}, not 'Approved'"
    arn = detail.get("ModelPackageArn")
    if not isinstance(arn, str) or not pattern.fullmatch(arn):
        return None, f"{arn!r} is not a version of this pipeline's model package group"
    return arn, ""


def request_token(event: dict[str, Any]) -> str | None:
    token = str(event.get("id") or "")
    return token if re.fullmatch(r"[A-Za-z0-9-]{1,128}", token) else None


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    global codepipeline
    pipeline, group_arn = os.environ.get("PIPELINE_NAME"), os.environ.get("MODEL_PACKAGE_GROUP_ARN")
    if not pipeline or not group_arn:
        raise ConfigError("PIPELINE_NAME and MODEL_PACKAGE_GROUP_ARN must be set")
    arn, why = approved_version(event, package_pattern(group_arn))
    if arn is None:
        return decision("ignored", why)
    token = request_token(event)
    if token is None:
        return decision("ignored", "the event has no usable id, so a retry could start a second release", package=arn)
    codepipeline = codepipeline or boto3.client("codepipeline")
    started = codepipeline.start_pipeline_execution(name=pipeline, variables=[{"name": VARIABLE, "value": arn}], clientRequestToken=token)
    return decision("started", "release started for the approved version", package=arn, execution=started["pipelineExecutionId"])
