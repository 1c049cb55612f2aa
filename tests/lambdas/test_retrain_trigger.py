"""Retrain trigger, against moto's SageMaker Pipelines (in-process).

moto starts executions as Succeeded and ignores ClientRequestToken; a running execution is made
by setting its status in moto's backend, as SageMaker would report it.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.sagemaker.models import sagemaker_backends

from support import MALFORMED, load_lambda, malformed

PIPELINE = "mlops-retraining"
SCHEDULE = "arn:aws:sagemaker:us-east-1:210987654321:monitoring-schedule/mlops-prod-data-quality"  # events/monitoring_violation.json's


@pytest.fixture
def trigger(aws_credentials, monkeypatch):
    monkeypatch.setenv("SCHEDULE_PIPELINES", json.dumps({SCHEDULE: PIPELINE, SCHEDULE.replace("prod", "staging"): PIPELINE}))
    monkeypatch.setenv("COOLDOWN_MINUTES", "360")
    with mock_aws():
        boto3.client("sagemaker").create_pipeline(
            PipelineName=PIPELINE, RoleArn="arn:aws:iam::123456789012:role/mlops/mlops-pipeline",
            PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}), ClientRequestToken="t" * 32,
        )
        app = load_lambda("retrain_trigger")
        app.sagemaker = boto3.client("sagemaker")
        yield app


def executions() -> list[dict]:
    return boto3.client("sagemaker").list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"]


def test_a_violation_starts_retraining_and_logs_its_cause(trigger, event, caplog):
    with caplog.at_level(logging.INFO, logger="retrain_trigger"):
        result = trigger.handler(event("monitoring_violation"))
    assert (result["status"], result["pipeline"]) == ("started", PIPELINE)
    assert result["violation"]["job"] == event("monitoring_violation")["detail"]["ProcessingJobName"]
    [execution] = executions()
    assert execution["PipelineExecutionArn"] == result["execution"]
    assert "mlops-prod-data-quality" in execution["PipelineExecutionDescription"]
    logged = json.loads(caplog.records[-1].getMessage())
    assert logged["violation"]["schedule"].endswith("monitoring-schedule/mlops-prod-data-quality")
    assert logged["violation"]["reports"][0].startswith("s3://")


def test_a_duplicated_event_starts_nothing_more(trigger, event, monkeypatch):
    monkeypatch.setenv("COOLDOWN_MINUTES", "0")  # only the idempotency can stop the second start
    first = trigger.handler(event("monitoring_violation"))
    again = trigger.handler(event("monitoring_violation"))
    assert (first["status"], again["status"]) == ("started", "duplicate")
    assert again["execution"] == first["execution"]
    assert len(executions()) == 1


def test_violations_within_the_cool_down_are_debounced(trigger, event):
    trigger.handler(event("monitoring_violation"))
    later = event("monitoring_violation")
    later["id"] = "another-event-0000-0000-000000000000"
    assert trigger.handler(later)["status"] == "debounced"
    after_cooldown = trigger.handler(later, now=datetime.now(timezone.utc) + timedelta(minutes=361))
    assert after_cooldown["status"] == "started"
    assert len(executions()) == 2


def test_no_new_execution_while_one_runs(trigger, event, monkeypatch):
    monkeypatch.setenv("COOLDOWN_MINUTES", "0")
    started = trigger.handler(event("monitoring_violation"))
    backend = sagemaker_backends["123456789012"]["us-east-1"]
    backend.pipelines[PIPELINE].pipeline_executions[started["execution"]].pipeline_execution_status = "Executing"
    later = event("monitoring_violation")
    later["id"] = "another-event-0000-0000-000000000000"
    result = trigger.handler(later)
    assert (result["status"], result["execution"]) == ("debounced", started["execution"])
    assert len(executions()) == 1


@pytest.mark.parametrize("change", [
    {"ExitMessage": "Completed: Job completed successfully with no violations."},
    {"MonitoringScheduleArn": None},
    {"ProcessingJobStatus": "Failed", "ExitMessage": "InternalServerError"},
])
def test_jobs_without_violations_start_nothing(trigger, event, change):
    assert trigger.handler(event("monitoring_violation", **change))["status"] == "ignored"
    assert executions() == []


def test_other_events_and_bad_input_get_a_reason(trigger, event):
    other = trigger.handler(event("model_package_approved"))
    assert (other["status"], other["reason"], other["detail_type"]) == ("ignored", "not a monitoring job that completed with violations", "SageMaker Model Package State Change")
    missing, listed = event("monitoring_violation"), event("monitoring_violation")
    del missing["detail"]
    listed["detail"] = ["x"]
    assert trigger.handler(missing)["reason"] == "malformed event: its detail is missing, not an object"
    assert trigger.handler(listed)["reason"] == "malformed event: its detail is a list, not an object"
    no_id = event("monitoring_violation")
    del no_id["id"]
    rejected = trigger.handler(no_id)
    assert rejected["status"] == "rejected" and "id" in rejected["reason"]
    assert executions() == []


@pytest.mark.parametrize("schedule", [
    SCHEDULE.replace("mlops-prod-data-quality", "mlops-prod-bias"),  # a monitor whose violations need people, not a retraining
    SCHEDULE.replace("210987654321", "444455556666"),  # the same name in an account that is not the platform's
    SCHEDULE.replace("mlops-prod", "fraud-prod"),  # another team's model
])
def test_violations_of_schedules_that_retrain_nothing_start_nothing(trigger, event, schedule):
    result = trigger.handler(event("monitoring_violation", MonitoringScheduleArn=schedule))
    assert (result["status"], result["reason"], result["violation"]["schedule"]) == ("ignored", "violations of a schedule that retrains no pipeline", schedule)
    assert executions() == []


@pytest.mark.parametrize("value", [None, "", "not json", "[]", "{}", '{"arn": ""}'])
def test_missing_configuration_fails_loudly(trigger, event, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("SCHEDULE_PIPELINES")
    else:
        monkeypatch.setenv("SCHEDULE_PIPELINES", value)
    with pytest.raises(trigger.ConfigError, match="SCHEDULE_PIPELINES is not set to a JSON object"):
        trigger.handler(event("monitoring_violation"))


@pytest.mark.parametrize("kind", MALFORMED)
def test_malformed_events_are_ignored_with_a_logged_reason(trigger, event, caplog, kind):
    caplog.set_level(logging.INFO)
    result = trigger.handler(malformed(event("monitoring_violation"), kind))
    assert result["status"] == "ignored" and "malformed event" in result["reason"]
    assert any("malformed event" in r.getMessage() for r in caplog.records)
    assert executions() == []


def test_the_cool_down_is_the_configured_one(trigger, event, monkeypatch):
    monkeypatch.setenv("COOLDOWN_MINUTES", "30")
    trigger.handler(event("monitoring_violation"))
    later = event("monitoring_violation")
    later["id"] = "another-event-0000-0000-000000000000"
    assert trigger.handler(later, now=datetime.now(timezone.utc) + timedelta(minutes=29))["status"] == "debounced"
    assert trigger.handler(later, now=datetime.now(timezone.utc) + timedelta(minutes=31))["status"] == "started"


def test_the_function_creates_its_own_client_on_first_use(trigger, event):
    trigger.sagemaker = None  # as in Lambda: nothing injected
    assert trigger.handler(event("monitoring_violation"))["status"] == "started"
    assert trigger.sagemaker is not None and len(executions()) == 1


def test_what_is_sent_names_the_event_for_idempotency_and_the_cause(trigger, event):
    """Stubber with expected parameters: moto ignores ClientRequestToken and the listing's order."""
    violation = event("monitoring_violation")
    now = datetime.now(timezone.utc)
    older = {"PipelineExecutionArn": "arn:old", "StartTime": now - timedelta(hours=9), "PipelineExecutionStatus": "Succeeded"}
    newer = {"PipelineExecutionArn": "arn:new", "StartTime": now - timedelta(hours=1), "PipelineExecutionStatus": "Succeeded"}
    client = boto3.client("sagemaker")
    with Stubber(client) as stub:
        listing = {"PipelineName": PIPELINE, "SortBy": "CreationTime", "SortOrder": "Descending", "MaxResults": 50}
        stub.add_response("list_pipeline_executions", {"PipelineExecutionSummaries": [older, newer]}, listing)
        stub.add_response("list_pipeline_executions", {"PipelineExecutionSummaries": [older]}, listing)
        stub.add_response("start_pipeline_execution", {"PipelineExecutionArn": "arn:started"}, {
            "PipelineName": PIPELINE, "PipelineExecutionDisplayName": trigger.display_name(violation["id"]),
            "PipelineExecutionDescription": f"Retraining after monitoring violations: {violation['detail']['MonitoringScheduleArn']} ({violation['detail']['ExitMessage']})",
            "ClientRequestToken": violation["id"][:128].ljust(32, "0")})
        trigger.sagemaker = client
        assert trigger.handler(violation, now=now)["execution"] == "arn:new", "the newest execution decides the cool-down, whatever the listing's order"
        assert trigger.handler(violation, now=now)["status"] == "started"
