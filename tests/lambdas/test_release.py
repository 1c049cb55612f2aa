"""The release function, against moto's CodePipeline (in-process, with the project's extensions):
an approval starts exactly one release of exactly that version; anything else starts nothing."""
from __future__ import annotations

import json
import logging

import boto3
import pytest
from moto import mock_aws

from emulator import extensions
from support import MALFORMED, load_lambda, malformed

PIPELINE, GROUP_ARN = "mlops-model-deployment", "arn:aws:sagemaker:us-east-1:666666666666:model-package-group/mlops-model"
VERSION = "arn:aws:sagemaker:us-east-1:666666666666:model-package/mlops-model/3"


@pytest.fixture
def release(aws_credentials, monkeypatch):
    extensions.install()
    monkeypatch.setenv("PIPELINE_NAME", PIPELINE)
    monkeypatch.setenv("MODEL_PACKAGE_GROUP_ARN", GROUP_ARN)
    with mock_aws():
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = boto3.client("iam").create_role(RoleName="mlops-cicd-pipeline", Path="/mlops/", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        cp = boto3.client("codepipeline")
        cp.create_pipeline(pipeline={
            "name": PIPELINE, "roleArn": role, "pipelineType": "V2",
            "artifactStore": {"type": "S3", "location": "bucket"}, "variables": [{"name": "MODEL_PACKAGE_ARN"}],
            "stages": [{"name": "Source", "actions": [{"name": "Kit", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"}, "configuration": {"S3Bucket": "bucket", "S3ObjectKey": "kit.zip"}, "outputArtifacts": [{"name": "kit"}]}]},
                       {"name": "Deploy", "actions": [{"name": "Deploy", "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}, "configuration": {"ProjectName": "p"}, "inputArtifacts": [{"name": "kit"}]}]}],
        })
        app = load_lambda("release")
        app.codepipeline = cp
        yield app


def executions() -> list[dict]:
    cp = boto3.client("codepipeline")
    return [cp.get_pipeline_execution(pipelineName=PIPELINE, pipelineExecutionId=e["pipelineExecutionId"])["pipelineExecution"]
            for e in cp.list_pipeline_executions(pipelineName=PIPELINE)["pipelineExecutionSummaries"]]


def approval(event, arn: str = VERSION, status: str = "Approved", **extra) -> dict:
    return {**event("model_package_approved", ModelPackageArn=arn, ModelPackageGroupName="mlops-model", ModelApprovalStatus=status), **extra}


def test_an_approval_starts_a_release_of_exactly_that_version(release, event, caplog):
    with caplog.at_level(logging.INFO, logger="release"):
        result = release.handler(approval(event))
    assert result["status"] == "started" and result["package"] == VERSION
    [execution] = executions()
    assert result["execution"] == execution["pipelineExecutionId"]
    assert release.approved_version(approval(event), release.package_pattern(GROUP_ARN)) == (VERSION, "")
    assert execution["variables"] == [{"name": "MODEL_PACKAGE_ARN", "resolvedValue": VERSION}]
    assert json.loads(caplog.records[-1].getMessage())["package"] == VERSION


def test_a_duplicated_approval_starts_no_second_release(release, event):
    first, again = release.handler(approval(event)), release.handler(approval(event))
    assert first["execution"] == again["execution"]
    assert len(executions()) == 1


@pytest.mark.parametrize(("change", "why"), [
    (lambda e: e.__setitem__("detail", "Approved"), "detail is a str"),
    (lambda e: e.pop("detail"), "detail is a NoneType"),
    (lambda e: e.__setitem__("detail-type", "SageMaker Endpoint State Change"), "not a model package state change ('SageMaker Endpoint State Change')"),
    (lambda e: e["detail"].__setitem__("ModelApprovalStatus", "Rejected"), "'Rejected', not 'Approved'"),
    (lambda e: e["detail"].__setitem__("ModelPackageArn", "arn:aws:sagemaker:us-east-1:666666666666:model-package/other-model/3"), "not a version of this pipeline's model package group"),
    (lambda e: e["detail"].__setitem__("ModelPackageArn", "arn:aws:sagemaker:us-east-1:999999999999:model-package/mlops-model/3"), "not a version of this pipeline's model package group"),
    (lambda e: e["detail"].__setitem__("ModelPackageArn", ["x"]), "not a version"),
    (lambda e: e.__setitem__("id", "not an id!"), "no usable id"),
], ids=["string detail", "missing detail", "other event", "rejected", "other group", "other account", "wrong type", "bad id"])
def test_malformed_or_foreign_events_start_nothing(release, event, caplog, change, why):
    bad = approval(event)
    change(bad)
    with caplog.at_level(logging.INFO, logger="release"):
        result = release.handler(bad)
    assert result["status"] == "ignored" and why in result["reason"], result
    assert executions() == []
    assert json.loads(caplog.records[-1].getMessage())["status"] == "ignored"


def test_a_non_object_event_is_ignored(release):
    assert release.handler("Approved")["status"] == "ignored"


def test_missing_configuration_fails_loudly(release, event, monkeypatch):
    monkeypatch.delenv("PIPELINE_NAME")
    with pytest.raises(release.ConfigError):
        release.handler(approval(event))
    monkeypatch.setenv("PIPELINE_NAME", PIPELINE)
    monkeypatch.setenv("MODEL_PACKAGE_GROUP_ARN", "mlops-model")
    with pytest.raises(release.ConfigError, match="not a model package group ARN"):
        release.handler(approval(event))


@pytest.mark.parametrize("kind", MALFORMED)
def test_malformed_events_are_ignored_with_a_logged_reason(release, event, caplog, kind):
    with caplog.at_level(logging.INFO, logger="release"):
        result = release.handler(malformed(approval(event), kind))
    assert result["status"] == "ignored" and "not an object" in result["reason"]
    assert json.loads(caplog.records[-1].getMessage())["status"] == "ignored"
    assert executions() == []
