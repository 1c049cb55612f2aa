"""Deploy-on-approval, against moto's SageMaker and Application Auto Scaling (in-process).

moto lacks UpdateEndpoint; the project's emulator extension provides it, with the blue/green canary
and its alarm rollback (scripts/emulator/deployments.py): `bake()` ends one bake as the emulator's
clock does, evaluating the rollback alarms the serving module creates.
"""
from __future__ import annotations

import io
import json
import logging
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws
from moto.sagemaker.models import sagemaker_backends

from support import MALFORMED, load_lambda, malformed
from emulator import deployments, extensions

ACCOUNT, REGION, GROUP, ENDPOINT = "123456789012", "us-east-1", "mlops-model", "mlops-prod"
SPEC = {
    "endpoint_name": ENDPOINT,
    "model_package_group_name": GROUP,
    "execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/mlops/mlops-prod-model",
    "kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555",
    "instance_type": "ml.m5.large",
    "initial_instance_count": 1,
    "subnet_ids": ["subnet-1"],
    "security_group_ids": ["sg-1"],
    "rollback_alarm_names": ["mlops-prod-errors", "mlops-prod-latency"],
    "canary": {"percent": 10, "wait_seconds": 600, "termination_wait_seconds": 300, "maximum_execution_timeout_seconds": 3600},
    "autoscaling": {"min_capacity": 1, "max_capacity": 4, "target_invocations_per_instance": 70},
    "data_capture": {"enabled": True, "destination_s3_uri": "s3://capture/mlops-prod", "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/cap", "sampling_percentage": 50},
    "tags": {"mlops:stage": "prod"},
}


@pytest.fixture
def deploy(aws_credentials, monkeypatch):
    extensions.install()
    monkeypatch.setenv("DEPLOYMENT_SPEC", json.dumps(SPEC))
    with mock_aws():
        app = load_lambda("deploy")
        app.clients = app.Clients.create()
        boto3.client("sagemaker").create_model_package_group(ModelPackageGroupName=GROUP)
        rollback_alarms()
        yield app


def rollback_alarms() -> None:
    """The serving module's rollback alarms (modules/serving/alarms.tf), at its default thresholds."""
    dimensions = [{"Name": "EndpointName", "Value": ENDPOINT}, {"Name": "VariantName", "Value": "AllTraffic"}]
    cloudwatch = boto3.client("cloudwatch")
    common = {"Namespace": "AWS/SageMaker", "Period": 60, "EvaluationPeriods": 2, "DatapointsToAlarm": 2, "ComparisonOperator": "GreaterThanThreshold",
              "TreatMissingData": "notBreaching", "Dimensions": dimensions}
    cloudwatch.put_metric_alarm(AlarmName=f"{ENDPOINT}-errors", MetricName="Invocation5XXErrors", Statistic="Sum", Threshold=5, **common)
    cloudwatch.put_metric_alarm(AlarmName=f"{ENDPOINT}-latency", MetricName="ModelLatency", ExtendedStatistic="p99", Threshold=1_000_000, **common)


def bake(failing_requests: int = 0) -> dict[str, Any]:
    """One bake of the endpoint's blue/green update ends (the emulator's clock), after `failing_requests`
    of its requests failed with a model's server error."""
    boto3.client("cloudwatch").put_metric_data(Namespace="AWS/SageMaker", MetricData=[
        {"MetricName": "Invocation5XXErrors", "Value": 1, "Dimensions": [{"Name": "EndpointName", "Value": ENDPOINT}, {"Name": "VariantName", "Value": "AllTraffic"}]}
        for _ in range(failing_requests)])
    return deployments.advance(*deployments.endpoint_of(ACCOUNT, REGION, ENDPOINT))


def canary_succeeds() -> None:
    green = endpoint()["PendingDeploymentSummary"]["EndpointConfigName"]
    assert [bake()["outcome"], bake()["outcome"]] == [f"baking with 100% of the traffic on {green}", "completed"]


def register(version_status: str = "PendingManualApproval") -> str:
    sm = boto3.client("sagemaker")
    return sm.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus=version_status,
        InferenceSpecification={
            "Containers": [{"Image": f"683313688378.dkr.ecr.{REGION}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", "ModelDataUrl": "s3://models/model.tar.gz"}],
            "SupportedContentTypes": ["application/json"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
    )["ModelPackageArn"]


def approve(arn: str) -> None:
    boto3.client("sagemaker").update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")


def approval_event(event, arn: str, status: str = "Approved") -> dict[str, Any]:
    return event("model_package_approved", ModelPackageArn=arn, ModelPackageVersion=int(arn.rsplit("/", 1)[1]), ModelApprovalStatus=status)


def endpoint() -> dict[str, Any]:
    return boto3.client("sagemaker").describe_endpoint(EndpointName=ENDPOINT)


def endpoint_tags() -> dict[str, str]:
    sm = boto3.client("sagemaker")
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=endpoint()["EndpointArn"])["Tags"]}


def set_endpoint_state(status: str) -> None:
    """Stand-in for an endpoint still being created (moto creates endpoints at once)."""
    sagemaker_backends[ACCOUNT][REGION].endpoints[ENDPOINT].endpoint_status = status


def test_nothing_to_deploy_before_any_approval(deploy, event):
    # Given a fresh account with a registered but unapproved model
    arn = register()
    # When its (pending) state change arrives
    result = deploy.handler(approval_event(event, arn, "PendingManualApproval"))
    # Then it is ignored and no endpoint exists
    assert result["status"] == "ignored"
    with pytest.raises(ClientError):
        endpoint()


def test_first_approval_creates_the_endpoint(deploy, event):
    # Given an approved first version
    arn = register()
    approve(arn)
    # When the approval event arrives
    result = deploy.handler(approval_event(event, arn))
    # Then the endpoint is created from it with KMS and data capture, and remembers the attempt
    assert result["status"] == "created"
    described = endpoint()
    config = boto3.client("sagemaker").describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    assert described["EndpointConfigName"].startswith(f"{ENDPOINT}-v1-")
    assert config["KmsKeyId"] == SPEC["kms_key_arn"]
    assert config["DataCaptureConfig"]["EnableCapture"] is True
    model = boto3.client("sagemaker").describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    assert model["EnableNetworkIsolation"] is True, "served models make no outbound calls"
    assert config["DataCaptureConfig"]["KmsKeyId"] == SPEC["data_capture"]["kms_key_arn"]
    assert endpoint_tags()["mlops:attempted-version"] == "1"


def test_duplicate_approval_events_deploy_once(deploy, event):
    arn = register()
    approve(arn)
    first = deploy.handler(approval_event(event, arn))
    # When EventBridge delivers the same event again
    again = deploy.handler(approval_event(event, arn))
    assert (first["status"], again["status"]) == ("created", "noop")
    assert "already serves" in again["reason"]


def test_newer_approval_rolls_out_with_a_canary(deploy, event):
    v1 = register()
    approve(v1)
    deploy.handler(approval_event(event, v1))
    v2 = register()
    approve(v2)
    # When version 2 is approved
    result = deploy.handler(approval_event(event, v2))
    # Then the endpoint is updated blue/green with a 10% canary guarded by both alarms
    assert result["status"] == "updating"
    described = endpoint()
    assert described["EndpointStatus"] == "Updating" and described["PendingDeploymentSummary"]["EndpointConfigName"].startswith(f"{ENDPOINT}-v2-")
    policy = described["LastDeploymentConfig"]
    assert policy["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["CanarySize"] == {"Type": "CAPACITY_PERCENT", "Value": 10}
    assert [a["AlarmName"] for a in policy["AutoRollbackConfiguration"]["Alarms"]] == SPEC["rollback_alarm_names"]
    assert endpoint_tags()["mlops:attempted-version"] == "2"
    # And once the canary has baked and the rest of the traffic too, version 2 serves
    canary_succeeds()
    assert endpoint()["EndpointConfigName"].startswith(f"{ENDPOINT}-v2-")


def test_out_of_order_event_never_deploys_an_older_version(deploy, event):
    v1, v2 = register(), register()
    approve(v1)
    approve(v2)
    deploy.handler(approval_event(event, v2))
    # When the (late) approval event of version 1 arrives after version 2 is live
    result = deploy.handler(approval_event(event, v1))
    # Then nothing changes
    assert result["status"] == "noop"
    assert endpoint()["EndpointConfigName"].startswith(f"{ENDPOINT}-v2-")


def test_rejected_and_foreign_events_are_ignored_and_logged(deploy, event, caplog):
    arn = register()
    caplog.set_level(logging.INFO, logger="deploy")
    rejected = deploy.handler(approval_event(event, arn, "Rejected"))
    foreign = deploy.handler(event("model_package_approved", ModelPackageGroupName="someone-elses-model"))
    unknown = deploy.handler({"hello": "world"})
    assert [rejected["status"], foreign["status"], unknown["status"]] == ["ignored"] * 3
    logged = [json.loads(r.message) for r in caplog.records]
    assert any("Rejected" in line["message"] for line in logged)


def test_busy_endpoint_defers_until_in_service_then_scales(deploy, event):
    v1 = register()
    approve(v1)
    deploy.handler(approval_event(event, v1))
    set_endpoint_state(status="Creating")
    v2 = register()
    approve(v2)
    # When version 2 is approved while the endpoint is still being created
    deferred = deploy.handler(approval_event(event, v2))
    assert deferred["status"] == "deferred"
    # And the endpoint then reaches InService
    set_endpoint_state(status="InService")
    result = deploy.handler(event("endpoint_in_service"))
    # Then autoscaling is registered and version 2 rolls out
    assert result["status"] == "updating"
    target = boto3.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"][0]
    assert (target["ResourceId"], target["MinCapacity"], target["MaxCapacity"]) == (f"endpoint/{ENDPOINT}/variant/AllTraffic", 1, 4)
    policy = boto3.client("application-autoscaling").describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"][0]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70.0


def test_rolled_back_version_is_not_retried(deploy, event):
    v1 = register()
    approve(v1)
    deploy.handler(approval_event(event, v1))
    first_config = endpoint()["EndpointConfigName"]
    v2 = register()
    approve(v2)
    deploy.handler(approval_event(event, v2))
    # When the canary's errors trip the rollback alarm and SageMaker rolls back to version 1
    assert bake(failing_requests=6)["outcome"] == "rolled back"
    result = deploy.handler(event("endpoint_in_service"))
    # Then version 1 keeps serving and version 2 is not retried until a newer approval
    assert result["status"] == "noop" and "rolled back" in result["reason"]
    assert endpoint()["EndpointConfigName"] == first_config


class FailingUpdate:
    """Fault injection: UpdateEndpoint is refused (e.g. a quota), everything else is moto."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def update_endpoint(self, **_: Any) -> None:
        raise ClientError({"Error": {"Code": "ResourceLimitExceeded", "Message": "instance quota exceeded"}}, "UpdateEndpoint")


def test_failed_update_leaves_previous_model_serving_and_retries(deploy, event):
    v1 = register()
    approve(v1)
    deploy.handler(approval_event(event, v1))
    serving = endpoint()["EndpointConfigName"]
    v2 = register()
    approve(v2)
    real = deploy.clients.sagemaker
    deploy.clients.sagemaker = FailingUpdate(real)
    # When the update call fails
    with pytest.raises(ClientError):
        deploy.handler(approval_event(event, v2))
    # Then version 1 still serves and the attempt is not recorded, so the retry deploys version 2
    assert endpoint()["EndpointConfigName"] == serving
    assert endpoint_tags()["mlops:attempted-version"] == "1"
    deploy.clients.sagemaker = real
    assert deploy.handler(approval_event(event, v2))["status"] == "updating"


def test_malformed_spec_fails_loudly(deploy, event, monkeypatch):
    monkeypatch.setenv("DEPLOYMENT_SPEC", json.dumps({**SPEC, "rollback_alarm_names": []}))
    with pytest.raises(deploy.SpecError, match="rollback alarm"):
        deploy.handler(event("endpoint_in_service"))


# --- The CI/CD deploy step (lambda_src/deploy/cli.py): the same reconciler, run by CodeBuild -------

MODEL_BUCKET, CAPTURE_BUCKET = "models", "capture"
BASELINE_URI = f"s3://{CAPTURE_BUCKET}/{ENDPOINT}/baselines/data-quality"


@pytest.fixture
def cli(deploy, monkeypatch):
    monkeypatch.setenv("DEPLOYMENT_SPEC", json.dumps({**SPEC, "baseline_s3_uri": BASELINE_URI}))
    module = load_lambda("deploy", "cli")
    module.clients = module.app.Clients.create()
    return module


def register_with_baselines() -> str:
    s3 = boto3.client("s3")
    for bucket in (MODEL_BUCKET, CAPTURE_BUCKET):
        s3.create_bucket(Bucket=bucket)
    for name in ("statistics", "constraints"):
        s3.put_object(Bucket=MODEL_BUCKET, Key=f"executions/e1/baseline/{name}.json", Body=json.dumps({"file": name}).encode())
    sm = boto3.client("sagemaker")
    arn = sm.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [{"Image": f"683313688378.dkr.ecr.{REGION}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", "ModelDataUrl": f"s3://{MODEL_BUCKET}/model.tar.gz"}],
            "SupportedContentTypes": ["application/json"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
        DriftCheckBaselines={"ModelDataQuality": {
            "Statistics": {"ContentType": "application/json", "S3Uri": f"s3://{MODEL_BUCKET}/executions/e1/baseline/statistics.json"},
            "Constraints": {"ContentType": "application/json", "S3Uri": f"s3://{MODEL_BUCKET}/executions/e1/baseline/constraints.json"},
        }},
    )["ModelPackageArn"]
    return arn


def test_cicd_deploy_creates_scales_and_publishes_the_baseline(cli):
    arn = register_with_baselines()
    ok, reason = cli.deploy(cli.clients, arn, poll=0)
    assert ok, reason
    assert arn in reason and endpoint()["EndpointConfigName"].startswith(f"{ENDPOINT}-v1-")
    assert boto3.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    published = boto3.client("s3").get_object(Bucket=CAPTURE_BUCKET, Key=f"{ENDPOINT}/baselines/data-quality/constraints.json")
    assert json.loads(published["Body"].read()) == {"file": "constraints"}
    assert published["ServerSideEncryption"] == "aws:kms"


def test_cicd_deploy_waits_for_the_canary_then_succeeds(cli):
    assert cli.deploy(cli.clients, register_with_baselines(), poll=0)[0]
    v2 = register()
    approve(v2)
    polls = []
    ok, reason = cli.deploy(cli.clients, v2, poll=0, sleep=lambda _: (polls.append(1), canary_succeeds()))
    assert ok, reason
    assert polls == [1], "the step waited once for the canary"
    assert endpoint()["EndpointConfigName"].startswith(f"{ENDPOINT}-v2-")


def test_cicd_deploy_fails_the_stage_when_the_canary_rolled_back(cli):
    cli.deploy(cli.clients, register_with_baselines(), poll=0)
    v2 = register()
    approve(v2)
    # The canary's errors trip the rollback alarm: SageMaker puts the previous config back.
    ok, reason = cli.deploy(cli.clients, v2, poll=0, sleep=lambda _: bake(failing_requests=6))
    assert not ok
    assert v2 in reason and "rolled back" in reason


@pytest.mark.parametrize(("arn", "why"), [
    (lambda: register(), "is PendingManualApproval, not Approved"),
    (lambda: f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/mlops-model", "not a versioned model package ARN"),
    (lambda: f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{GROUP}/99", "cannot be read"),
    (lambda: other_group_version(), "belongs to 'other-model'"),
])
def test_cicd_deploy_of_a_version_that_is_not_approved_fails_with_the_reason(cli, arn, why):
    ok, reason = cli.deploy(cli.clients, arn(), poll=0)
    assert not ok and why in reason, reason
    assert not boto3.client("sagemaker").list_endpoints()["Endpoints"]


def other_group_version() -> str:
    sm = boto3.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="other-model")
    arn = sm.create_model_package(ModelPackageGroupName="other-model", ModelApprovalStatus="Approved",
                                  InferenceSpecification={"Containers": [{"Image": "x", "ModelDataUrl": "s3://m/m.tar.gz"}], "SupportedContentTypes": ["application/json"], "SupportedResponseMIMETypes": ["application/json"]})["ModelPackageArn"]
    return arn


def stage(name: str) -> str:
    return json.dumps({**SPEC, "endpoint_name": f"mlops-{name}", "tags": {"mlops:stage": name}})


def test_prod_receives_the_version_that_passed_staging_not_one_approved_meanwhile(cli, monkeypatch):
    """The race: v2 is approved while v1's release waits between the smoke test and the prod approval."""
    v1 = register()
    approve(v1)
    monkeypatch.setenv("DEPLOYMENT_SPEC", stage("staging"))
    assert cli.deploy(cli.clients, v1, poll=0)[0]
    assert cli.serves(cli.clients.sagemaker, cli.app.load_spec(cli.clients), v1) == (True, "")

    v2 = register()
    approve(v2)  # its own release queues behind this one
    monkeypatch.setenv("DEPLOYMENT_SPEC", stage("prod"))
    ok, reason = cli.deploy(cli.clients, v1, poll=0)
    assert ok, reason
    prod = boto3.client("sagemaker").describe_endpoint(EndpointName="mlops-prod")
    assert prod["EndpointConfigName"].startswith("mlops-prod-v1-"), "prod got the version that passed staging"
    served, why = cli.serves(cli.clients.sagemaker, cli.app.load_spec(cli.clients), v2)
    assert not served and "not the release's" in why


def test_smoke_test_fails_when_the_endpoint_serves_another_version(cli, monkeypatch):
    v1, v2 = register(), register()
    approve(v1)
    approve(v2)
    assert cli.deploy(cli.clients, v1, poll=0)[0]
    monkeypatch.setenv("MODEL_PACKAGE_ARN", v2)
    monkeypatch.setattr(cli, "session", lambda: boto3.session.Session())
    assert cli.main(["smoke"]) == 1


def test_smoke_test_passes_on_json_and_fails_otherwise(cli):
    runtime = boto3.client("sagemaker-runtime")
    requests.post("http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results",
                  json={"results": [{"Body": '{"predictions": [1]}', "ContentType": "application/json"}, {"Body": "<html>", "ContentType": "text/html"}]}, timeout=5)
    assert cli.smoke(runtime, ENDPOINT, '{"instances": [[1]]}')[0]
    ok, reason = cli.smoke(runtime, ENDPOINT, '{"instances": [[2]]}')
    assert not ok and "non-JSON" in reason


def test_cli_usage_errors_exit_2(cli, capsys, monkeypatch):
    assert cli.main([]) == 2 and cli.main(["rollback"]) == 2
    assert "python3 cli.py deploy" in capsys.readouterr().err
    monkeypatch.delenv("MODEL_PACKAGE_ARN", raising=False)
    assert cli.main(["deploy"]) == 2 and "MODEL_PACKAGE_ARN is not set" in capsys.readouterr().err


@pytest.mark.parametrize("kind", MALFORMED)
@pytest.mark.parametrize("name", ["model_package_approved", "endpoint_in_service"])
def test_malformed_events_are_ignored_with_a_logged_reason(deploy, event, caplog, name, kind):
    caplog.set_level(logging.INFO, logger="deploy")
    result = deploy.handler(malformed(event(name), kind))
    assert result["status"] == "ignored" and "malformed event" in result["reason"]
    assert any("malformed event" in r.message for r in caplog.records)
    assert boto3.client("sagemaker").list_endpoints()["Endpoints"] == []


def test_an_older_version_never_replaces_a_newer_one(deploy, event):
    """A release of v1 that arrives after v2 went out (the CI/CD path names its version) changes nothing."""
    v1, v2 = register(), register()
    approve(v1)
    approve(v2)
    spec = deploy.load_spec(deploy.clients)
    deploy.reconcile(spec, deploy.clients, deploy.Package(v2, 2))
    result = deploy.reconcile(spec, deploy.clients, deploy.Package(v1, 1))
    assert (result["status"], result["attempted_version"]) == ("noop", 2) and "newer" in result["reason"]
    assert endpoint()["EndpointConfigName"].startswith(f"{ENDPOINT}-v2-")


def test_an_approval_event_without_an_approved_version_deploys_nothing(deploy, event):
    arn = register()  # the event says Approved; the registry does not (yet)
    result = deploy.handler(approval_event(event, arn))
    assert result["status"] == "noop" and "no approved model package" in result["reason"]
    assert boto3.client("sagemaker").list_endpoints()["Endpoints"] == []


def test_the_spec_s_canary_and_capture_settings_are_what_rolls_out(deploy, event, monkeypatch):
    """Values unlike the defaults reach SageMaker, and a changed serving setting is a new configuration."""
    custom = {**SPEC, "canary": {"percent": 25, "wait_seconds": 120, "termination_wait_seconds": 60, "maximum_execution_timeout_seconds": 900}}
    monkeypatch.setenv("DEPLOYMENT_SPEC", json.dumps(custom))
    v1 = register()
    approve(v1)
    deploy.handler(approval_event(event, v1))
    v2 = register()
    approve(v2)
    deploy.handler(approval_event(event, v2))
    policy = endpoint()["LastDeploymentConfig"]["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"]["CanarySize"] == {"Type": "CAPACITY_PERCENT", "Value": 25}
    assert (policy["TrafficRoutingConfiguration"]["WaitIntervalInSeconds"], policy["TerminationWaitInSeconds"], policy["MaximumExecutionTimeoutInSeconds"]) == (120, 60, 900)

    canary_succeeds()
    before = endpoint()["EndpointConfigName"]
    monkeypatch.setenv("DEPLOYMENT_SPEC", json.dumps({**custom, "data_capture": {**SPEC["data_capture"], "sampling_percentage": 5}}))
    result = deploy.handler({"action": "reconcile"})
    assert result["status"] == "updating" and result["endpoint_config"] != before
    config = boto3.client("sagemaker").describe_endpoint_config(EndpointConfigName=result["endpoint_config"])
    assert config["DataCaptureConfig"]["InitialSamplingPercentage"] == 5


def busy(operation: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": "ValidationException", "Message": message}}, operation)


def test_a_create_raced_by_a_duplicate_event_is_a_noop(deploy, event, monkeypatch):
    """Two deliveries of the first approval: the one that loses the race to create the endpoint stands down."""
    arn = register()
    approve(arn)
    sm = deploy.clients.sagemaker
    real_create = sm.create_endpoint

    def create_twice(**kwargs):
        real_create(**kwargs)  # the other delivery got there first
        return real_create(**kwargs)

    monkeypatch.setattr(sm, "create_endpoint", create_twice)
    result = deploy.handler(approval_event(event, arn))
    assert result["status"] == "noop" and "already under way" in result["reason"]
    assert len(boto3.client("sagemaker").list_endpoints()["Endpoints"]) == 1


def test_an_update_refused_because_one_is_in_progress_is_deferred(deploy, event, monkeypatch):
    v1 = register()
    approve(v1)
    deploy.handler(approval_event(event, v1))
    v2 = register()
    approve(v2)

    def refuse(**kwargs):
        raise busy("UpdateEndpoint", "Cannot update in-progress endpoint")

    monkeypatch.setattr(deploy.clients.sagemaker, "update_endpoint", refuse)
    result = deploy.handler(approval_event(event, v2))
    assert result["status"] == "deferred" and "became busy" in result["reason"]
    assert endpoint()["EndpointConfigName"].startswith(f"{ENDPOINT}-v1-")

    def fail(**kwargs):
        raise busy("UpdateEndpoint", "Model data is not readable")

    monkeypatch.setattr(deploy.clients.sagemaker, "update_endpoint", fail)
    with pytest.raises(ClientError, match="not readable"):
        deploy.handler(approval_event(event, v2))


def test_each_outcome_names_the_version_and_the_configuration_it_rolled_out(deploy, event):
    v1 = register()
    approve(v1)
    created = deploy.handler(approval_event(event, v1))
    assert (created["status"], created["reason"], created["package"]) == ("created", "endpoint created with the first approved model", v1)
    assert created["endpoint_config"] == endpoint()["EndpointConfigName"]
    v2 = register()
    approve(v2)
    updating = deploy.handler(approval_event(event, v2))
    assert (updating["status"], updating["reason"], updating["package"]) == ("updating", "canary rollout started", v2)
    assert updating["endpoint_config"] == endpoint()["PendingDeploymentSummary"]["EndpointConfigName"] and updating["endpoint_config"].startswith(f"{ENDPOINT}-v2-")


def test_a_create_call_repeated_by_a_duplicate_event_is_accepted_and_other_errors_are_not(deploy):
    def already(**kwargs):
        raise busy("CreateModel", "Cannot create already existing model \"m\"")

    def denied(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, "CreateModel")

    deploy.ignore_exists(already, ModelName="m")
    with pytest.raises(ClientError, match="not authorized"):
        deploy.ignore_exists(denied, ModelName="m")


def test_the_network_comes_from_the_ssm_parameter(deploy, monkeypatch):
    """Subnets and security groups are known only after apply: Terraform writes them to SSM."""
    boto3.client("ssm").put_parameter(Name="/mlops/prod/network", Type="SecureString", Value=json.dumps({"subnet_ids": ["subnet-9"], "security_group_ids": ["sg-9"]}))
    monkeypatch.setenv("NETWORK_PARAMETER", "/mlops/prod/network")
    spec = deploy.load_spec(deploy.clients)
    assert (spec.subnet_ids, spec.security_group_ids) == (("subnet-9",), ("sg-9",))


def test_every_spec_field_is_read_and_omitted_ones_take_safe_defaults(deploy):
    full = deploy.DeploymentSpec.from_json(json.dumps({**SPEC, "variant_name": "Blue", "network_isolation": False, "baseline_s3_uri": "s3://b/x"}))
    assert (full.variant_name, full.network_isolation, full.subnet_ids, full.security_group_ids, full.baseline_s3_uri) == ("Blue", False, ("subnet-1",), ("sg-1",), "s3://b/x")
    assert (full.canary.percent, full.autoscaling.max_capacity, full.data_capture.sampling_percentage, full.tags) == (10, 4, 50, {"mlops:stage": "prod"})
    minimal = deploy.DeploymentSpec.from_json(json.dumps({k: SPEC[k] for k in ("endpoint_name", "model_package_group_name", "execution_role_arn", "kms_key_arn", "instance_type", "initial_instance_count", "rollback_alarm_names")}))
    assert (minimal.variant_name, minimal.network_isolation, minimal.subnet_ids, minimal.baseline_s3_uri, minimal.data_capture.enabled) == ("AllTraffic", True, (), "", False)
    with pytest.raises(deploy.SpecError, match="^a canary rollout needs at least one rollback alarm$"):
        deploy.DeploymentSpec.from_json(json.dumps({**SPEC, "rollback_alarm_names": []}))


FINGERPRINT = "44e8d3e7"  # of SPEC


def test_the_fingerprint_is_stable_across_releases_of_this_code(deploy):
    """Configuration names embed it: if it changed for the same settings, every endpoint would roll out again after an upgrade."""
    spec = deploy.DeploymentSpec.from_json(json.dumps(SPEC))
    assert spec.fingerprint() == FINGERPRINT
    changed = [{"instance_type": "ml.c5.large"}, {"initial_instance_count": 2}, {"kms_key_arn": "k2"}, {"network_isolation": False},
               {"subnet_ids": ["subnet-2"]}, {"security_group_ids": ["sg-2"]}, {"data_capture": {**SPEC["data_capture"], "sampling_percentage": 10}}]
    assert len({deploy.DeploymentSpec.from_json(json.dumps({**SPEC, **c})).fingerprint() for c in changed} | {FINGERPRINT}) == len(changed) + 1


def test_the_codebuild_step_assumes_the_stage_s_deploy_role(cli, monkeypatch):
    role = boto3.client("iam").create_role(RoleName="deploy", Path="/mlops/", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    monkeypatch.setenv("DEPLOY_ROLE_ARN", role)
    identity = cli.session().client("sts").get_caller_identity()["Arn"]
    assert identity == f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/cicd-deploy"
    monkeypatch.delenv("DEPLOY_ROLE_ARN")
    assert cli.session().client("sts").get_caller_identity()["Arn"] != identity


def test_the_deploy_role_s_session_carries_all_three_parts_of_its_credentials(cli, monkeypatch):
    """Stubber: moto identifies a caller by its access key alone, so a session missing its secret or token would pass there."""
    sts = boto3.client("sts")
    creds = {"AccessKeyId": "ASIAEXAMPLEEXAMPLE01", "SecretAccessKey": "s" * 40, "SessionToken": "token", "Expiration": "2030-01-01T00:00:00Z"}
    monkeypatch.setenv("DEPLOY_ROLE_ARN", f"arn:aws:iam::{ACCOUNT}:role/mlops/deploy")
    monkeypatch.setattr(cli.boto3, "client", lambda service: sts)
    with Stubber(sts) as stub:
        stub.add_response("assume_role", {"Credentials": creds}, {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/mlops/deploy", "RoleSessionName": "cicd-deploy"})
        frozen = cli.session().get_credentials().get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key, frozen.token) == (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def test_the_codebuild_step_deploys_then_smoke_tests_the_release(cli, monkeypatch, capsys):
    v1 = register_with_baselines()
    monkeypatch.setenv("MODEL_PACKAGE_ARN", v1)
    real_deploy = cli.deploy
    monkeypatch.setattr(cli, "deploy", lambda clients, arn: real_deploy(clients, arn, poll=0))
    assert cli.main(["deploy"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"ok: {ENDPOINT} serves {v1}")
    requests.post("http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results",
                  json={"results": [{"Body": '{"predictions": [1]}', "ContentType": "application/json"}]}, timeout=5)
    assert cli.main(["smoke"]) == 0
    assert f"ok: {ENDPOINT} answered 20 bytes of JSON" in capsys.readouterr().out


def test_the_smoke_test_sends_json_and_asks_for_json(cli):
    runtime = boto3.client("sagemaker-runtime")
    with Stubber(runtime) as stub:
        stub.add_response("invoke_endpoint", {"Body": StreamingBody(io.BytesIO(b"[1]"), 3), "ContentType": "application/json"},
                          {"EndpointName": ENDPOINT, "ContentType": "application/json", "Accept": "application/json", "Body": b'{"instances": [[1]]}'})
        assert cli.smoke(runtime, ENDPOINT, '{"instances": [[1]]}') == (True, f"{ENDPOINT} answered 3 bytes of JSON")


def test_a_stage_that_serves_another_version_says_which(cli):
    v1, v2 = register(), register()
    approve(v1)
    approve(v2)
    assert cli.deploy(cli.clients, v1, poll=0)[0]
    served, why = cli.serves(cli.clients.sagemaker, cli.app.load_spec(cli.clients), v2)
    assert not served and why == f"{ENDPOINT} serves {endpoint()['EndpointConfigName']}, not the release's {v2}"


def test_the_deploy_step_waits_as_long_as_the_canary_may_take_plus_half_an_hour(cli, monkeypatch):
    waits = []
    monkeypatch.setattr(cli, "wait_idle", lambda sm, name, timeout, poll, sleep: waits.append((name, timeout, poll)) or endpoint())
    arn = register()
    approve(arn)
    assert cli.deploy(cli.clients, arn)[0]
    assert waits[0] == (ENDPOINT, SPEC["canary"]["maximum_execution_timeout_seconds"] + 1800, 30)
