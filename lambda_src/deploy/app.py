"""Deploy each approved model package to the serving endpoint, safely and exactly once.

Every event (a model package approval, the endpoint returning to InService, or a manual
`{"action": "reconcile"}`) runs one reconcile: find the newest Approved package of the group and,
when the endpoint is idle and has not tried that package yet, roll it out. The first rollout
creates the endpoint; later ones use a blue/green canary that SageMaker rolls back by itself when
a rollback alarm fires, so a failed deployment leaves the previous model serving.

Safety rules:
- never deploy an older package version over a newer one (duplicate or out-of-order events);
- never try the same package and serving settings twice (a rolled-back attempt stays rolled back);
- never update a busy endpoint: the InService event that follows triggers the next reconcile.
"""
from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from spec import DeploymentSpec, SpecError

LOG = logging.getLogger("deploy")
LOG.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

APPROVAL_EVENT = "SageMaker Model Package State Change"
ENDPOINT_EVENT = "SageMaker Endpoint State Change"
TAG_VERSION = "mlops:model-package-version"
TAG_PACKAGE = "mlops:model-package-arn"
TAG_ATTEMPTED = "mlops:attempted-endpoint-config"
TAG_ATTEMPTED_VERSION = "mlops:attempted-version"
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def log(level: int, message: str, **fields: Any) -> None:
    """One JSON object per line, so CloudWatch Logs Insights can filter on any field."""
    LOG.log(level, json.dumps({"message": message, **fields}, default=str, sort_keys=True))


@dataclass
class Clients:
    sagemaker: Any
    autoscaling: Any
    ssm: Any
    s3: Any = None

    @classmethod
    def create(cls, session: Any = None) -> "Clients":
        session = session or boto3.session.Session()
        return cls(*(session.client(name) for name in ("sagemaker", "application-autoscaling", "ssm", "s3")))


clients: Clients | None = None  # created on first use; tests inject their own


def get_clients() -> Clients:
    global clients
    if clients is None:
        clients = Clients.create()
    return clients


@dataclass(frozen=True)
class Package:
    arn: str
    version: int


def package_version(arn: str) -> int:
    match = re.search(r"/(\d+)$", arn)
    if not match:
        raise ValueError(f"not a versioned model package ARN: {arn}")
    return int(match.group(1))


def newest_approved(sm: Any, group: str) -> Package | None:
    reply = sm.list_model_packages(
        ModelPackageGroupName=group,
        ModelApprovalStatus="Approved",
        SortBy="CreationTime",
        SortOrder="Descending",
        MaxResults=20,
    )
    packages = [Package(p["ModelPackageArn"], package_version(p["ModelPackageArn"])) for p in reply.get("ModelPackageSummaryList", [])]
    return max(packages, key=lambda p: p.version, default=None)


def group_name(group: str) -> str:
    """The spec names the group by name or, across accounts, by ARN."""
    return group.rsplit("/", 1)[-1]


def approved_package(sm: Any, spec: DeploymentSpec, arn: str) -> tuple[Package | None, str]:
    """(the package, "") when `arn` is an Approved version of the spec's group, else (None, why not)."""
    try:
        version = package_version(arn)
        described = sm.describe_model_package(ModelPackageName=arn)
    except ValueError as error:
        return None, str(error)
    except ClientError as error:
        return None, f"{arn} cannot be read: {error.response['Error'].get('Message', error)}"
    if described.get("ModelPackageGroupName") != group_name(spec.model_package_group_name):
        return None, f"{arn} belongs to {described.get('ModelPackageGroupName')!r}, not {group_name(spec.model_package_group_name)!r}"
    if described.get("ModelApprovalStatus") != "Approved":
        return None, f"{arn} is {described.get('ModelApprovalStatus')}, not Approved"
    return Package(arn, version), ""


def describe_endpoint(sm: Any, name: str) -> dict[str, Any] | None:
    try:
        return sm.describe_endpoint(EndpointName=name)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ValidationException" and "not find" in error.response["Error"]["Message"].lower():
            return None
        raise


def endpoint_tags(sm: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn).get("Tags", [])}


def names_for(spec: DeploymentSpec, package: Package) -> tuple[str, str]:
    model = f"{spec.endpoint_name}-v{package.version}"[:63]
    config = f"{spec.endpoint_name}-v{package.version}-{spec.fingerprint()}"[:63]
    return model, config


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def ignore_exists(call: Any, **kwargs: Any) -> None:
    """Create calls are retried by duplicate events: an existing resource of the same name is fine."""
    try:
        call(**kwargs)
    except ClientError as error:
        message = error.response["Error"]["Message"].lower()
        if "already exist" not in message and "cannot create already existing" not in message:
            raise


def create_model_and_config(sm: Any, spec: DeploymentSpec, package: Package) -> str:
    model_name, config_name = names_for(spec, package)
    tags = tag_list({**spec.tags, TAG_PACKAGE: package.arn, TAG_VERSION: str(package.version)})
    model: dict[str, Any] = {
        "ModelName": model_name,
        "ExecutionRoleArn": spec.execution_role_arn,
        "Containers": [{"ModelPackageName": package.arn}],
        "EnableNetworkIsolation": spec.network_isolation,
        "Tags": tags,
    }
    if spec.subnet_ids:
        model["VpcConfig"] = {"Subnets": list(spec.subnet_ids), "SecurityGroupIds": list(spec.security_group_ids)}
    ignore_exists(sm.create_model, **model)
    config: dict[str, Any] = {
        "EndpointConfigName": config_name,
        "KmsKeyId": spec.kms_key_arn,
        "ProductionVariants": [
            {
                "VariantName": spec.variant_name,
                "ModelName": model_name,
                "InstanceType": spec.instance_type,
                "InitialInstanceCount": spec.initial_instance_count,
            }
        ],
        "Tags": tags,
    }
    if spec.data_capture.enabled:
        config["DataCaptureConfig"] = {
            "EnableCapture": True,
            "InitialSamplingPercentage": spec.data_capture.sampling_percentage,
            "DestinationS3Uri": spec.data_capture.destination_s3_uri,
            "KmsKeyId": spec.data_capture.kms_key_arn,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]},
        }
    ignore_exists(sm.create_endpoint_config, **config)
    return config_name


def deployment_config(spec: DeploymentSpec) -> dict[str, Any]:
    canary = spec.canary
    return {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": canary.percent},
                "WaitIntervalInSeconds": canary.wait_seconds,
            },
            "TerminationWaitInSeconds": canary.termination_wait_seconds,
            "MaximumExecutionTimeoutInSeconds": canary.maximum_execution_timeout_seconds,
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": name} for name in spec.rollback_alarm_names]},
    }


def ensure_autoscaling(aas: Any, spec: DeploymentSpec) -> None:
    """Register the variant and its target-tracking policy; both calls are upserts."""
    resource_id = f"endpoint/{spec.endpoint_name}/variant/{spec.variant_name}"
    scaling = spec.autoscaling
    aas.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=SCALABLE_DIMENSION,
        MinCapacity=scaling.min_capacity,
        MaxCapacity=scaling.max_capacity,
    )
    aas.put_scaling_policy(
        PolicyName=f"{spec.endpoint_name}-invocations",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=SCALABLE_DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": float(scaling.target_invocations_per_instance),
            "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
            "ScaleInCooldown": scaling.scale_in_cooldown_seconds,
            "ScaleOutCooldown": scaling.scale_out_cooldown_seconds,
        },
    )
    log(logging.INFO, "autoscaling ensured", resource_id=resource_id, min=scaling.min_capacity, max=scaling.max_capacity)


# Where Model Monitor and Clarify find the baselines of the served model, relative to the stage's
# baselines/ prefix: (kind in DriftCheckBaselines, entry, file name).
BASELINE_FILES = {
    "data-quality": (("ModelDataQuality", "Statistics", "statistics.json"), ("ModelDataQuality", "Constraints", "constraints.json")),
    "model-quality": (("ModelQuality", "Constraints", "constraints.json"),),
    "model-bias": (("Bias", "ConfigFile", "analysis_config.json"), ("Bias", "PostTrainingConstraints", "constraints.json")),
    "model-explainability": (("Explainability", "ConfigFile", "analysis_config.json"), ("Explainability", "Constraints", "constraints.json")),
}


def split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def publish_baselines(c: Clients, spec: DeploymentSpec, package: Package) -> list[str]:
    """Copy the served package's drift-check baselines to where the monitors read them (overwrites: idempotent)."""
    if not spec.baseline_s3_uri:
        return []
    baselines = c.sagemaker.describe_model_package(ModelPackageName=package.arn).get("DriftCheckBaselines") or {}
    root = spec.baseline_s3_uri.rsplit("/", 1)[0]
    published = []
    for folder, files in BASELINE_FILES.items():
        for kind, entry, name in files:
            source = (baselines.get(kind) or {}).get(entry, {}).get("S3Uri")
            if not source:
                continue
            bucket, key = split_s3(f"{root}/{folder}/{name}")
            source_bucket, source_key = split_s3(source)
            c.s3.copy_object(
                Bucket=bucket, Key=key, CopySource={"Bucket": source_bucket, "Key": source_key},
                ServerSideEncryption="aws:kms", SSEKMSKeyId=spec.kms_key_arn,
            )
            published.append(f"s3://{bucket}/{key}")
    if not published:
        log(logging.WARNING, "the model package has no drift-check baselines; monitors keep the previous ones", package=package.arn)
    return published


def reconcile(spec: DeploymentSpec, c: Clients, package: Package | None = None) -> dict[str, Any]:
    """Roll out `package` (the CI/CD release's version) or, by default, the newest approved one."""
    sm = c.sagemaker
    package = package or newest_approved(sm, spec.model_package_group_name)
    if package is None:
        return outcome("noop", "no approved model package in the group yet")
    _, config_name = names_for(spec, package)
    endpoint = describe_endpoint(sm, spec.endpoint_name)

    if endpoint is None:
        create_model_and_config(sm, spec, package)
        try:
            sm.create_endpoint(
                EndpointName=spec.endpoint_name,
                EndpointConfigName=config_name,
                Tags=tag_list({**spec.tags, TAG_ATTEMPTED: config_name, TAG_ATTEMPTED_VERSION: str(package.version)}),
            )
        except ClientError as error:
            if "already exist" in error.response["Error"]["Message"].lower():
                return outcome("noop", "endpoint creation already under way", package=package.arn)
            raise
        return outcome("created", "endpoint created with the first approved model", package=package.arn, endpoint_config=config_name)

    tags = endpoint_tags(sm, endpoint["EndpointArn"])
    attempted_version = int(tags.get(TAG_ATTEMPTED_VERSION, "0"))
    if endpoint.get("EndpointConfigName") == config_name:
        if endpoint["EndpointStatus"] == "InService":
            publish_baselines(c, spec, package)
        return outcome("noop", "endpoint already serves this model package", package=package.arn)
    if package.version < attempted_version:
        return outcome("noop", "a newer model package was already deployed", package=package.arn, attempted_version=attempted_version)
    if tags.get(TAG_ATTEMPTED) == config_name:
        return outcome("noop", "this model package was already tried and rolled back; approve a newer one", package=package.arn)
    if endpoint["EndpointStatus"] != "InService":
        return outcome("deferred", "endpoint is busy; the next InService event reconciles", endpoint_status=endpoint["EndpointStatus"])

    create_model_and_config(sm, spec, package)
    try:
        sm.update_endpoint(
            EndpointName=spec.endpoint_name,
            EndpointConfigName=config_name,
            DeploymentConfig=deployment_config(spec),
            RetainAllVariantProperties=False,
        )
    except ClientError as error:
        if "in-progress" in error.response["Error"]["Message"].lower() or "cannot update" in error.response["Error"]["Message"].lower():
            return outcome("deferred", "endpoint became busy; the next InService event reconciles")
        raise
    sm.add_tags(
        ResourceArn=endpoint["EndpointArn"],
        Tags=tag_list({TAG_ATTEMPTED: config_name, TAG_ATTEMPTED_VERSION: str(package.version)}),
    )
    return outcome("updating", "canary rollout started", package=package.arn, endpoint_config=config_name)


def outcome(status: str, reason: str, **fields: Any) -> dict[str, Any]:
    log(logging.INFO, reason, status=status, **fields)
    return {"status": status, "reason": reason, **fields}


def load_spec(c: Clients) -> DeploymentSpec:
    """DEPLOYMENT_SPEC from the environment; the network from the SSM parameter NETWORK_PARAMETER names."""
    parameter = os.environ.get("NETWORK_PARAMETER")
    network = c.ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"] if parameter else None
    return DeploymentSpec.from_json(os.environ.get("DEPLOYMENT_SPEC"), network)


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    request_id = getattr(context, "aws_request_id", None)
    c = get_clients()
    try:
        spec = load_spec(c)
    except SpecError as error:
        log(logging.ERROR, "cannot deploy: bad configuration", error=str(error), request_id=request_id)
        raise
    if not isinstance(event, dict):
        return outcome("ignored", f"malformed event: a {type(event).__name__}, not an object")
    detail_type, detail = event.get("detail-type"), event.get("detail")
    if detail_type in (APPROVAL_EVENT, ENDPOINT_EVENT) and not isinstance(detail, dict):
        return outcome("ignored", f"malformed event: its detail is {'missing' if detail is None else 'a ' + type(detail).__name__}, not an object")

    if detail_type == APPROVAL_EVENT:
        group = detail.get("ModelPackageGroupName")
        status = detail.get("ModelApprovalStatus")
        if group != spec.model_package_group_name:
            return outcome("ignored", "event for another model package group", group=group)
        if status != "Approved":
            return outcome("ignored", f"model package status is {status}, not Approved", package=detail.get("ModelPackageArn"))
    elif detail_type == ENDPOINT_EVENT:
        if detail.get("EndpointName") != spec.endpoint_name:
            return outcome("ignored", "event for another endpoint", endpoint=detail.get("EndpointName"))
        if detail.get("EndpointStatus") != "IN_SERVICE":
            return outcome("ignored", f"endpoint status is {detail.get('EndpointStatus')}", endpoint=spec.endpoint_name)
        ensure_autoscaling(c.autoscaling, spec)
    elif event.get("action") != "reconcile":
        return outcome("ignored", "unrecognised event; send an EventBridge event or {\"action\": \"reconcile\"}")

    log(logging.INFO, "reconciling", trigger=detail_type or "manual", request_id=request_id)
    return reconcile(spec, c)
