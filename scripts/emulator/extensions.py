"""Extensions that close gaps of moto's server for this project's resources and Lambdas.

Each extension adds or corrects one API the way moto's own backends are built: a backend method
holding the state and a response method parsing the request. `install()` registers them all, for
`mock_aws()` in tests and for the server the launcher starts. Every call first restores what it
patched, so a second call re-applies the code as it is now (mutation testing re-installs per test)
and never wraps a wrapper.
Every extension has a boto3 round-trip test in tests/emulator/ and a row in the README.
"""
from __future__ import annotations

import json
import re
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from datetime import timezone
from typing import Any, Callable

MOTO_VERSION = "5.2.5"  # the version these extensions were written against (requirements.lock pins it)


_ABSENT = object()
_pristine: dict[tuple[Any, str], Any] = {}  # (class or module, attribute) -> moto's own value


def _patch(owner: Any, name: str, value: Any) -> None:
    _pristine.setdefault((owner, name), vars(owner).get(name, _ABSENT))
    setattr(owner, name, value)


def _restore() -> None:
    for (owner, name), value in _pristine.items():
        if value is not _ABSENT:
            setattr(owner, name, value)
        elif name in vars(owner):
            delattr(owner, name)


@dataclass(frozen=True)
class Extension:
    service: str
    api: str
    kind: str  # "missing" (moto lacks it) or "fix" (moto answers wrongly)
    why: str
    install: Callable[[], None]


def _sagemaker_update_endpoint() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse
    from moto.core.utils import utcnow

    from emulator import deployments

    def update_endpoint(self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str, deployment_config: dict[str, Any] | None) -> FakeEndpoint:
        endpoint = self.endpoints.get(endpoint_name)
        if endpoint is None:
            arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
            raise ValidationError(message=f"Could not find endpoint '{arn}'.")
        if endpoint.endpoint_status != "InService":
            raise ValidationError(message=f'Cannot update in-progress endpoint "{endpoint.arn}".')
        try:
            config = self.describe_endpoint_config(endpoint_config_name)
        except KeyError:
            raise ValidationError(message=f"Could not find endpoint configuration '{endpoint_config_name}'.")
        if (deployment_config or {}).get("BlueGreenUpdatePolicy"):  # traffic moves as `advance` ends each bake (emulator/deployments.py)
            try:
                deployments.begin(self, endpoint, endpoint_config_name, deployment_config)
            except deployments.DeploymentError as error:
                raise ValidationError(message=str(error))
            endpoint.last_modified_time = utcnow()
            return endpoint
        # Without a blue/green policy the emulator completes the update at once.
        endpoint.endpoint_config_name = endpoint_config_name
        endpoint.production_variants = endpoint._process_production_variants(config["ProductionVariants"])
        endpoint.data_capture_config = config["DataCaptureConfig"]
        endpoint.last_deployment_config = deployment_config
        endpoint.last_modified_time = utcnow()
        return endpoint

    def update_endpoint_response(self: SageMakerResponse) -> ActionResult:
        endpoint = self.sagemaker_backend.update_endpoint(
            endpoint_name=self._get_param("EndpointName"),
            endpoint_config_name=self._get_param("EndpointConfigName"),
            deployment_config=self._get_param("DeploymentConfig"),
        )
        return ActionResult({"EndpointArn": endpoint.arn})

    _patch(SageMakerModelBackend, "update_endpoint", update_endpoint)
    _patch(SageMakerResponse, "update_endpoint", update_endpoint_response)


def _sagemaker_create_domain_id() -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    original = SageMakerModelBackend.create_domain

    def create_domain(self: SageMakerModelBackend, **kwargs: Any) -> dict[str, Any]:
        reply = original(self, **kwargs)
        domain_id = next(d.id for d in self.domains.values() if d.arn == reply["DomainArn"])
        return {**reply, "DomainId": domain_id}

    _patch(SageMakerModelBackend, "create_domain", create_domain)


class _UserProfile:
    def __init__(self, backend: Any, domain_id: str, name: str, settings: dict[str, Any] | None, tags: list[dict[str, str]] | None) -> None:
        from moto.core.utils import utcnow

        self.domain_id, self.name, self.settings = domain_id, name, settings or {}
        self.arn = f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:user-profile/{domain_id}/{name}"
        self.tags = list(tags or [])
        self.created = utcnow()

    def describe(self) -> dict[str, Any]:
        return {
            "DomainId": self.domain_id, "UserProfileArn": self.arn, "UserProfileName": self.name,
            "Status": "InService", "CreationTime": self.created, "LastModifiedTime": self.created,
            "UserSettings": self.settings, "HomeEfsFileSystemUid": "200001",
        }


def _sagemaker_user_profiles() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult, EmptyResult
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    def profiles(backend: SageMakerModelBackend) -> dict[tuple[str, str], _UserProfile]:
        if not hasattr(backend, "user_profiles"):
            backend.user_profiles = {}
        return backend.user_profiles

    def find(backend: SageMakerModelBackend, domain_id: str, name: str) -> _UserProfile:
        try:
            return profiles(backend)[(domain_id, name)]
        except KeyError:
            raise JsonRESTError("ResourceNotFound", f"User profile {name} in domain {domain_id} does not exist")

    def create(self: SageMakerResponse) -> ActionResult:
        backend, domain_id, name = self.sagemaker_backend, self._get_param("DomainId"), self._get_param("UserProfileName")
        if domain_id not in backend.domains:
            raise ValidationError(message=f"Could not find domain '{domain_id}'.")
        if (domain_id, name) in profiles(backend):
            raise ValidationError(message=f"User profile {name} already exists")
        profile = _UserProfile(backend, domain_id, name, self._get_param("UserSettings"), self._get_param("Tags"))
        profiles(backend)[(domain_id, name)] = profile
        return ActionResult({"UserProfileArn": profile.arn})

    def describe(self: SageMakerResponse) -> ActionResult:
        return ActionResult(find(self.sagemaker_backend, self._get_param("DomainId"), self._get_param("UserProfileName")).describe())

    def update(self: SageMakerResponse) -> ActionResult:
        profile = find(self.sagemaker_backend, self._get_param("DomainId"), self._get_param("UserProfileName"))
        profile.settings = self._get_param("UserSettings") or profile.settings
        return ActionResult({"UserProfileArn": profile.arn})

    def delete(self: SageMakerResponse) -> EmptyResult:
        find(self.sagemaker_backend, self._get_param("DomainId"), self._get_param("UserProfileName"))
        del profiles(self.sagemaker_backend)[(self._get_param("DomainId"), self._get_param("UserProfileName"))]
        return EmptyResult()

    def list_profiles(self: SageMakerResponse) -> ActionResult:
        domain_id = self._get_param("DomainIdEquals")
        found = [p for p in profiles(self.sagemaker_backend).values() if domain_id in (None, p.domain_id)]
        return ActionResult({"UserProfiles": [{k: v for k, v in p.describe().items() if k in ("DomainId", "UserProfileName", "Status", "CreationTime", "LastModifiedTime")} for p in found]})

    original_lookup = SageMakerModelBackend._get_resource_from_arn

    def lookup(self: SageMakerModelBackend, arn: str) -> Any:
        if ":user-profile/" in arn:
            _, domain_id, name = arn.split(":")[-1].split("/")
            return find(self, domain_id, name)
        return original_lookup(self, arn)

    _patch(SageMakerModelBackend, "_get_resource_from_arn", lookup)
    _patch(SageMakerResponse, "create_user_profile", create)
    _patch(SageMakerResponse, "describe_user_profile", describe)
    _patch(SageMakerResponse, "update_user_profile", update)
    _patch(SageMakerResponse, "delete_user_profile", delete)
    _patch(SageMakerResponse, "list_user_profiles", list_profiles)


def _sagemaker_add_tags_overwrites() -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    def add_tags(self: SageMakerModelBackend, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
        resource = self._get_resource_from_arn(arn)
        new = {t["Key"] for t in tags}
        resource.tags = [t for t in resource.tags if t["Key"] not in new] + list(tags)
        return resource.tags

    _patch(SageMakerModelBackend, "add_tags", add_tags)


def _sagemaker_delete_model_package_group() -> None:
    from moto.core.responses import EmptyResult
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    def delete(self: SageMakerResponse) -> EmptyResult:
        backend, name = self.sagemaker_backend, self._get_param("ModelPackageGroupName")
        if name not in backend.model_package_groups:
            raise ValidationError(message=f"Model Package Group {name} does not exist.")
        if any(p.model_package_group_name == name for p in backend.model_packages.values()):
            raise ValidationError(message=f"Model Package Group {name} still has model packages; delete them first.")
        del backend.model_package_groups[name]
        return EmptyResult()

    def delete_package(self: SageMakerResponse) -> EmptyResult:
        backend, name = self.sagemaker_backend, self._get_param("ModelPackageName")
        arn = next((a for a, p in backend.model_packages.items() if name in (a, p.model_package_name, p.arn)), None)
        if arn is None:
            raise ValidationError(message=f"Model package {name} does not exist.")
        del backend.model_packages[arn]
        return EmptyResult()

    _patch(SageMakerResponse, "delete_model_package_group", delete)
    _patch(SageMakerResponse, "delete_model_package", delete_package)


def _s3_secure_transport_context() -> None:
    import contextvars
    import fnmatch

    from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult
    from moto.s3.models import FakeBucket
    from moto.s3.responses import S3Response

    request_headers: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("s3_request_headers", default={})
    SSE = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id")

    def holds(operator: str, key: str, expected: Any, context: dict[str, str]) -> bool:
        """One condition of a bucket policy, as IAM evaluates it (the operators this project uses)."""
        values = [str(v) for v in (expected if isinstance(expected, list) else [expected])]
        base = operator.split(":")[-1]
        actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
        if base == "Null":
            return (actual is None) == (values[0].lower() == "true")
        if actual is None:
            return base.endswith("IfExists") or "Not" in base  # IfExists and negated operators hold on a missing key
        base = base.removesuffix("IfExists")
        matches = {
            "StringEquals": lambda: actual in values, "StringNotEquals": lambda: actual not in values,
            "StringLike": lambda: any(fnmatch.fnmatchcase(actual, v) for v in values), "StringNotLike": lambda: not any(fnmatch.fnmatchcase(actual, v) for v in values),
            "ArnLike": lambda: any(fnmatch.fnmatchcase(actual, v) for v in values), "ArnNotLike": lambda: not any(fnmatch.fnmatchcase(actual, v) for v in values),
            "Bool": lambda: actual.lower() in [v.lower() for v in values],
        }
        return matches[base]() if base in matches else True  # moto's choice for operators it does not implement

    def check_conditions(self: IAMPolicyStatement, incoming: dict[str, str] | None) -> bool:
        return all(holds(op, key, expected, incoming or {}) for op, block in (self._statement.get("Condition") or {}).items() for key, expected in block.items())

    original_statement = IAMPolicyStatement.is_action_permitted

    def statement_permits(self: IAMPolicyStatement, action: str, resource: str = "*", principal: str | None = None, incoming_condition_values: dict[str, str] | None = None) -> PermissionResult:
        if self._statement.get("Condition") and not self._check_conditions(incoming_condition_values):
            return PermissionResult.NEUTRAL  # moto says DENIED; a statement whose condition does not hold does not apply
        return original_statement(self, action, resource, principal, incoming_condition_values)

    _patch(IAMPolicyStatement, "_check_conditions", check_conditions)
    _patch(IAMPolicyStatement, "is_action_permitted", statement_permits)

    original_key_response = S3Response._key_response

    def key_response(self: S3Response, request: Any, full_url: str) -> Any:
        token = request_headers.set({f"s3:{h}": request.headers[h] for h in SSE if request.headers.get(h)})
        try:
            return original_key_response(self, request, full_url)
        finally:
            request_headers.reset(token)

    _patch(S3Response, "_key_response", key_response)

    def get_permission(self: FakeBucket, action: str, resource: str) -> PermissionResult:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        # The emulator serves TLS only (and boto3 in-process uses https), so every request is secure.
        context = {"aws:SecureTransport": "true", **request_headers.get()}
        return IAMPolicy(self.policy.decode()).is_action_permitted(action, resource, incoming_condition_values=context)

    _patch(FakeBucket, "get_permission", get_permission)


def _sagemaker_domain_tag_propagation() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.sagemaker.models import SageMakerModelBackend

    original = SageMakerModelBackend.describe_domain

    def describe_domain(self: SageMakerModelBackend, domain_id: str) -> dict[str, Any]:
        if domain_id not in self.domains:
            raise JsonRESTError("ResourceNotFound", f"Domain {domain_id} does not exist")
        return {"TagPropagation": "DISABLED", **original(self, domain_id)}

    _patch(SageMakerModelBackend, "describe_domain", describe_domain)


def _sagemaker_missing_resources() -> None:
    """Describe/Update/Delete of a missing pipeline, domain or feature group: ResourceNotFound, as AWS
    answers and the provider expects to drop the resource from state."""
    from moto.core.exceptions import JsonRESTError
    from moto.sagemaker import models
    from moto.sagemaker.models import SageMakerModelBackend

    def get_pipeline_from_name(pipelines: dict, pipeline_name: str) -> Any:
        if pipeline_name not in pipelines:
            raise JsonRESTError("ResourceNotFound", f"Pipeline '{pipeline_name}' does not exist.")
        return pipelines[pipeline_name]

    _patch(models, "get_pipeline_from_name", get_pipeline_from_name)
    delete_domain, describe_feature_group = SageMakerModelBackend.delete_domain, SageMakerModelBackend.describe_feature_group

    def delete_domain_or_not_found(self: SageMakerModelBackend, domain_id: str, retention_policy: Any = None) -> None:
        if domain_id not in self.domains:
            raise JsonRESTError("ResourceNotFound", f"Domain {domain_id} does not exist")
        delete_domain(self, domain_id, retention_policy)

    def describe_feature_group_or_not_found(self: SageMakerModelBackend, feature_group_name: str) -> dict[str, Any]:
        if feature_group_name.startswith("arn:"):  # a group shared through AWS RAM, named by its ARN
            from emulator import featurestore

            return featurestore.find_group(self.account_id, self.region_name, feature_group_name).describe()
        if not any(arn.rsplit("/", 1)[-1] == feature_group_name.lower() for arn in self.feature_groups):
            raise JsonRESTError("ResourceNotFound", f"Resource Not Found: FeatureGroup '{feature_group_name}' does not exist.")
        return describe_feature_group(self, feature_group_name)

    _patch(SageMakerModelBackend, "delete_domain", delete_domain_or_not_found)
    _patch(SageMakerModelBackend, "describe_feature_group", describe_feature_group_or_not_found)


def _sagemaker_create_endpoint_exists() -> None:
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend

    create_endpoint = SageMakerModelBackend.create_endpoint

    def create_endpoint_once(self: SageMakerModelBackend, endpoint_name: str, *args: Any, **kwargs: Any) -> Any:
        if endpoint_name in self.endpoints:
            raise ValidationError(f'Cannot create already existing endpoint "{self.endpoints[endpoint_name].arn}".')
        return create_endpoint(self, endpoint_name, *args, **kwargs)

    _patch(SageMakerModelBackend, "create_endpoint", create_endpoint_once)


def _kms_rotation_period() -> None:
    import json

    from moto.kms.responses import KmsResponse

    periods: dict[tuple[str, str], int] = {}
    original_enable, original_status = KmsResponse.enable_key_rotation, KmsResponse.get_key_rotation_status

    def enable(self: KmsResponse) -> str:
        reply = original_enable(self)
        key = self.kms_backend.describe_key(self._get_param("KeyId")).id
        periods[(self.current_account, key)] = self._get_param("RotationPeriodInDays") or 365
        return reply

    def status(self: KmsResponse) -> str:
        reply = json.loads(original_status(self))
        if reply.get("KeyRotationEnabled"):
            key = self.kms_backend.describe_key(self._get_param("KeyId")).id
            reply["RotationPeriodInDays"] = periods.get((self.current_account, key), 365)
        return json.dumps(reply)

    _patch(KmsResponse, "enable_key_rotation", enable)
    _patch(KmsResponse, "get_key_rotation_status", status)


def _lambda_dead_letter_config() -> None:
    from moto.awslambda.models import LambdaFunction

    original_init, original_config = LambdaFunction.__init__, LambdaFunction.get_configuration

    def init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original_init(self, account_id, spec, *args, **kwargs)
        self.dead_letter_config = spec.get("DeadLetterConfig")

    def get_configuration(self: LambdaFunction, *args: Any, **kwargs: Any) -> dict[str, Any]:
        config = original_config(self, *args, **kwargs)
        if getattr(self, "dead_letter_config", None):
            config["DeadLetterConfig"] = self.dead_letter_config
        return config

    _patch(LambdaFunction, "__init__", init)
    _patch(LambdaFunction, "get_configuration", get_configuration)


def _ec2_rule_descriptions() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule as SecurityRule

    original_init = SecurityRule.__init__

    def init(self: SecurityRule, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        prefix = kwargs.get("prefix_list_id") or (args[7] if len(args) > 7 else None)
        self._prefix_description = (prefix or {}).get("Description")

    def description(self: SecurityRule) -> str | None:
        return self.ip_range.get("Description") or self.source_group.get("Description") or getattr(self, "_prefix_description", None)

    _patch(SecurityRule, "__init__", init)
    _patch(SecurityRule, "description", property(description))


def _events_test_event_pattern() -> None:
    import json

    from moto.events.models import EventPattern
    from moto.events.responses import EventsHandler

    def test_event_pattern(self: EventsHandler) -> str:
        pattern = EventPattern.load(self._get_param("EventPattern"))
        return json.dumps({"Result": pattern.matches_event(json.loads(self._get_param("Event")))})

    _patch(EventsHandler, "test_event_pattern", test_event_pattern)


def _ec2_delete_vpc_endpoints_idempotent() -> None:
    from moto.ec2.models import EC2Backend

    original = EC2Backend.delete_vpc_endpoints

    def delete_vpc_endpoints(self: EC2Backend, vpce_ids: list[str] | None = None) -> None:
        pending = [i for i in vpce_ids or [] if getattr(self.vpc_end_points.get(i), "state", None) != "deleted"]
        original(self, pending)

    _patch(EC2Backend, "delete_vpc_endpoints", delete_vpc_endpoints)


class _MonitoringSchedule:
    def __init__(self, backend: Any, name: str, config: dict[str, Any], tags: list[dict[str, str]] | None) -> None:
        from moto.core.utils import utcnow

        self.name, self.config, self.tags = name, config, list(tags or [])
        self.arn = f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:monitoring-schedule/{name}"
        self.created = self.modified = utcnow()

    def describe(self) -> dict[str, Any]:
        return {
            "MonitoringScheduleArn": self.arn, "MonitoringScheduleName": self.name, "MonitoringScheduleStatus": "Scheduled",
            "MonitoringType": self.config.get("MonitoringType", "DataQuality"), "MonitoringScheduleConfig": self.config,
            "CreationTime": self.created.isoformat(), "LastModifiedTime": self.modified.isoformat(),
            **({"LastMonitoringExecutionSummary": getattr(self, "last_execution")} if hasattr(self, "last_execution") else {}),
        }


def _sagemaker_monitoring_schedules() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    def schedules(backend: SageMakerModelBackend) -> dict[str, _MonitoringSchedule]:
        if not hasattr(backend, "monitoring_schedules"):
            backend.monitoring_schedules = {}
        return backend.monitoring_schedules

    def find(backend: SageMakerModelBackend, name: str) -> _MonitoringSchedule:
        try:
            return schedules(backend)[name]
        except KeyError:
            raise JsonRESTError("ResourceNotFound", f"Monitoring Schedule {name} does not exist")

    def create(self: SageMakerResponse) -> ActionResult:
        backend, name = self.sagemaker_backend, self._get_param("MonitoringScheduleName")
        if name in schedules(backend):
            raise ValidationError(message=f"Monitoring Schedule {name} already exists")
        schedule = _MonitoringSchedule(backend, name, self._get_param("MonitoringScheduleConfig") or {}, self._get_param("Tags"))
        schedules(backend)[name] = schedule
        return ActionResult({"MonitoringScheduleArn": schedule.arn})

    def describe(self: SageMakerResponse) -> ActionResult:
        return ActionResult(find(self.sagemaker_backend, self._get_param("MonitoringScheduleName")).describe())

    def update(self: SageMakerResponse) -> ActionResult:
        schedule = find(self.sagemaker_backend, self._get_param("MonitoringScheduleName"))
        schedule.config, schedule.modified = self._get_param("MonitoringScheduleConfig") or schedule.config, utcnow()
        return ActionResult({"MonitoringScheduleArn": schedule.arn})

    def list_all(self: SageMakerResponse) -> ActionResult:
        filters = sorted(k for k in ("EndpointName", "NameContains", "StatusEquals", "MonitoringJobDefinitionName", "MonitoringTypeEquals") if self._get_param(k))
        if filters:
            raise ValidationError(message=f"the emulator lists every monitoring schedule; filter the summaries yourself ({', '.join(filters)} not supported)")
        summaries = [{"MonitoringScheduleName": s.name, "MonitoringScheduleArn": s.arn, "CreationTime": s.created.isoformat(), "LastModifiedTime": s.modified.isoformat(),
                      "MonitoringScheduleStatus": "Scheduled", "MonitoringType": s.config.get("MonitoringType", "DataQuality"),
                      **({"MonitoringJobDefinitionName": s.config["MonitoringJobDefinitionName"]} if isinstance(s.config.get("MonitoringJobDefinitionName"), str) else {})}
                     for s in sorted(schedules(self.sagemaker_backend).values(), key=lambda s: s.name)]
        return ActionResult({"MonitoringScheduleSummaries": summaries})

    def delete(self: SageMakerResponse) -> EmptyResult:
        name = self._get_param("MonitoringScheduleName")
        find(self.sagemaker_backend, name)
        del schedules(self.sagemaker_backend)[name]
        return EmptyResult()

    original_lookup = SageMakerModelBackend._get_resource_from_arn

    def lookup(self: SageMakerModelBackend, arn: str) -> Any:
        if ":monitoring-schedule/" in arn:
            return find(self, arn.rsplit("/", 1)[1])
        return original_lookup(self, arn)

    _patch(SageMakerModelBackend, "_get_resource_from_arn", lookup)
    _patch(SageMakerResponse, "create_monitoring_schedule", create)
    _patch(SageMakerResponse, "describe_monitoring_schedule", describe)
    _patch(SageMakerResponse, "update_monitoring_schedule", update)
    _patch(SageMakerResponse, "delete_monitoring_schedule", delete)
    _patch(SageMakerResponse, "list_monitoring_schedules", list_all)


def _sagemaker_monitoring_run_now() -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.utils import utcnow
    from moto.moto_api._internal import urls
    from moto.sagemaker.models import sagemaker_backends

    from emulator import model_monitor

    def run(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
        body = urls.response_instance._get_body(headers, request)
        backend = sagemaker_backends[body.get("account_id", DEFAULT_ACCOUNT_ID)][body.get("region", "us-east-1")]
        schedule = getattr(backend, "monitoring_schedules", {}).get(body.get("name"))
        if schedule is None:
            return 404, {"Content-Type": "application/json"}, json.dumps({"message": f"Monitoring Schedule {body.get('name')} does not exist"})
        return 200, {"Content-Type": "application/json"}, json.dumps(model_monitor.run_schedule(backend, schedule, utcnow()), default=str)

    urls.url_paths["{0}/moto-api/mlops/monitoring-schedules/run"] = run  # moto's own test hooks live under /moto-api too


def _sagemaker_deployment_advance() -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.moto_api._internal import urls

    from emulator import deployments

    def advance(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
        body = urls.response_instance._get_body(headers, request)
        try:
            backend, endpoint = deployments.endpoint_of(body.get("account_id", DEFAULT_ACCOUNT_ID), body.get("region", "us-east-1"), str(body.get("endpoint")))
            return 200, {"Content-Type": "application/json"}, json.dumps(deployments.advance(backend, endpoint), default=str)
        except deployments.DeploymentError as error:
            return 400, {"Content-Type": "application/json"}, json.dumps({"message": str(error)})

    urls.url_paths["{0}/moto-api/mlops/endpoints/deployments/advance"] = advance


def _sagemaker_runtime_model_faults() -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.moto_api._internal import urls
    from moto.sagemaker.models import sagemaker_backends

    from emulator import deployments

    def faults(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
        body = urls.response_instance._get_body(headers, request)
        if not isinstance(body.get("model"), str) or not isinstance(body.get("error"), (str, type(None))):
            return 400, {"Content-Type": "application/json"}, json.dumps({"message": 'send {"model": "<model name>", "error": "<message>" or null to clear}'})
        deployments.inject(sagemaker_backends[body.get("account_id", DEFAULT_ACCOUNT_ID)][body.get("region", "us-east-1")], body["model"], body["error"])
        return 200, {"Content-Type": "application/json"}, json.dumps({"model": body["model"], "error": body["error"]})

    urls.url_paths["{0}/moto-api/mlops/endpoints/faults"] = faults


def _cloudformation_list_parameters() -> None:
    from moto.cloudformation.models import Stack

    listed = Stack.parameter_list

    def parameter_list(self: Stack) -> list[dict[str, Any]]:
        return [{**p, "ParameterValue": ",".join(map(str, p["ParameterValue"]))} if isinstance(p["ParameterValue"], list) else p for p in listed.fget(self)]

    _patch(Stack, "parameter_list", property(parameter_list))


def _events_targets_moto_cannot_invoke() -> None:
    from moto.events.models import Rule
    from moto.utilities.arns import parse_arn

    original = Rule.send_to_targets
    delivered = {"logs", "sqs", "events"}  # what moto's rule delivery implements

    def send_to_targets(self: Rule, event: Any, transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(event):
            return
        kept = [t for t in self.targets if parse_arn(t["Arn"]).service in delivered]
        for target in self.targets:
            if target not in kept:
                print(f"events: rule {self.name} matched; target {target['Arn']} not invoked (the emulator invokes no {parse_arn(target['Arn']).service} targets)", file=sys.stderr, flush=True)
        if kept:
            everything, self.targets = self.targets, kept
            try:
                original(self, event, transform_input)
            finally:
                self.targets = everything

    _patch(Rule, "send_to_targets", send_to_targets)


def _sagemaker_model_package_group_policy() -> None:
    from moto.core.responses import ActionResult, EmptyResult
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    def group(self: SageMakerResponse) -> Any:
        name = self._get_param("ModelPackageGroupName")
        found = self.sagemaker_backend.model_package_groups.get(name.rsplit("/", 1)[-1])
        if found is None:
            raise ValidationError(message=f"Cannot find Model Package Group {name}")
        return found

    def put(self: SageMakerResponse) -> ActionResult:
        target = group(self)
        for arn in missing_principals(self._get_param("ResourcePolicy")):
            raise ValidationError(message=f"Invalid principal in resource policy: {arn}")
        target.resource_policy = self._get_param("ResourcePolicy")
        return ActionResult({"ModelPackageGroupArn": target.arn})

    def get(self: SageMakerResponse) -> ActionResult:
        policy = getattr(group(self), "resource_policy", None)
        if not policy:
            raise ValidationError(message="Cannot find resource policy for this Model Package Group")
        return ActionResult({"ResourcePolicy": policy})

    def delete(self: SageMakerResponse) -> EmptyResult:
        target = group(self)
        if not getattr(target, "resource_policy", None):
            raise ValidationError(message="Cannot find resource policy for this Model Package Group")
        target.resource_policy = None
        return EmptyResult()

    _patch(SageMakerResponse, "put_model_package_group_policy", put)
    _patch(SageMakerResponse, "get_model_package_group_policy", get)
    _patch(SageMakerResponse, "delete_model_package_group_policy", delete)


def _codebuild_pipeline_sources() -> None:
    from moto.codebuild import responses

    source_check, artifacts_check = responses._validate_required_params_source, responses._validate_required_params_artifacts

    def source(source: dict[str, Any]) -> None:
        if source.get("type") not in ("CODEPIPELINE", "NO_SOURCE"):  # these have no location on AWS
            source_check(source)

    def artifacts(artifacts: dict[str, Any]) -> None:
        if artifacts.get("type") != "CODEPIPELINE":
            artifacts_check(artifacts)

    _patch(responses, "_validate_required_params_source", source)
    _patch(responses, "_validate_required_params_artifacts", artifacts)


def _codebuild_delete_project_by_arn() -> None:
    from moto.codebuild.models import CodeBuildBackend

    delete_project = CodeBuildBackend.delete_project

    def delete(self: CodeBuildBackend, project_name: str) -> None:
        by_arn = [name for name, project in self.codebuild_projects.items() if project.arn == project_name]
        return delete_project(self, by_arn[0] if by_arn else project_name)

    _patch(CodeBuildBackend, "delete_project", delete)


def _codepipeline_timestamps() -> None:
    from moto.codepipeline.models import CodePipeline

    def metadata(self: CodePipeline) -> dict[str, Any]:
        # The JSON protocol carries timestamps as epoch seconds; moto sends ISO strings.
        utc = timezone.utc  # moto's times are naive UTC
        return {"pipelineArn": self._arn, "created": self._created.replace(tzinfo=utc).timestamp(), "updated": self._updated.replace(tzinfo=utc).timestamp()}

    _patch(CodePipeline, "metadata", property(metadata))


def _codebuild_encryption_key() -> None:
    from moto.codebuild.responses import CodeBuildResponse

    original = CodeBuildResponse.create_project

    def create_project(self: CodeBuildResponse) -> Any:
        reply = original(self)
        if self._get_param("encryptionKey"):
            self.codebuild_backend.codebuild_projects[self._get_param("name")].project_metadata["encryptionKey"] = self._get_param("encryptionKey")
        return reply

    _patch(CodeBuildResponse, "create_project", create_project)


def _s3_replication_rules() -> None:
    from moto.core.responses import ActionResult
    from moto.s3.exceptions import ReplicationConfigurationNotFoundError
    from moto.s3.responses import S3Response

    def get_bucket_replication(self: S3Response) -> Any:
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = [{
            "ID": rule["ID"], "Priority": rule["Priority"], "Status": rule["Status"],
            "DeleteMarkerReplication": rule.get("DeleteMarkerReplication") or {"Status": "Disabled"},
            "Filter": rule.get("Filter") or {"Prefix": ""},
            "Destination": rule["Destination"],
            **({"SourceSelectionCriteria": rule["SourceSelectionCriteria"]} if rule.get("SourceSelectionCriteria") else {}),
        } for rule in replication["Rule"]]
        return self.serialized(ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))

    _patch(S3Response, "get_bucket_replication", get_bucket_replication)


def _sagemaker_update_model_package_keeps_metadata() -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    original = SageMakerModelBackend.update_model_package

    def update(self: SageMakerModelBackend, model_package_arn: str, **changes: Any) -> str:
        package = self.model_packages.get(self.model_package_name_mapping.get(model_package_arn, model_package_arn))
        if package is not None:  # AWS changes only what the call names
            changes["customer_metadata_properties"] = {**(package.customer_metadata_properties or {}), **(changes.get("customer_metadata_properties") or {})}
            if changes.get("approval_description") is None:
                changes["approval_description"] = package.approval_description
            if changes.get("model_approval_status") is None:
                changes["model_approval_status"] = package.model_approval_status
        return original(self, model_package_arn, **changes)

    _patch(SageMakerModelBackend, "update_model_package", update)


def _sagemaker_feature_group_tags() -> None:
    from moto.sagemaker.models import SageMakerModelBackend

    original_lookup = SageMakerModelBackend._get_resource_from_arn

    def lookup(self: SageMakerModelBackend, arn: str) -> Any:
        if ":feature-group/" in arn and arn in self.feature_groups:
            group = self.feature_groups[arn]
            group.tags = group.tags or []
            return group
        return original_lookup(self, arn)

    _patch(SageMakerModelBackend, "_get_resource_from_arn", lookup)


def _sagemaker_feature_group_settings() -> None:
    from moto.sagemaker.models import FeatureGroup
    from moto.sagemaker.responses import SageMakerResponse

    original_create, original_describe = SageMakerResponse.create_feature_group, FeatureGroup.describe

    def create(self: SageMakerResponse) -> Any:
        reply = original_create(self)
        name = self._get_param("FeatureGroupName")
        group = next(g for g in self.sagemaker_backend.feature_groups.values() if g.feature_group_name == name)
        group.online_store_config, group.description = self._get_param("OnlineStoreConfig"), self._get_param("Description")
        stored = (group.offline_store_config or {}).get("S3StorageConfig")
        if stored:  # AWS's layout: <S3Uri>/<account>/sagemaker/<region>/offline-store/<group>-<creation time>/data
            stored["ResolvedOutputS3Uri"] = f"{stored['S3Uri'].rstrip('/')}/{self.current_account}/sagemaker/{self.region}/offline-store/{name}-{int(group.creation_time.replace(tzinfo=timezone.utc).timestamp())}/data"
        return reply

    def describe(self: FeatureGroup) -> dict[str, Any]:
        described = original_describe(self)
        kept = {"OnlineStoreConfig": getattr(self, "online_store_config", None), "Description": getattr(self, "description", None)}
        return {**described, **{key: value for key, value in kept.items() if value is not None}}

    def delete(self: SageMakerResponse) -> Any:
        from moto.core.exceptions import JsonRESTError

        name = self._get_param("FeatureGroupName")
        arn = next((a for a, g in self.sagemaker_backend.feature_groups.items() if g.feature_group_name == name), None)
        if arn is None:
            raise JsonRESTError("ResourceNotFound", f"Resource Not Found: FeatureGroup '{name}' does not exist.")
        del self.sagemaker_backend.feature_groups[arn]
        return "{}"

    _patch(SageMakerResponse, "create_feature_group", create)
    _patch(SageMakerResponse, "delete_feature_group", delete)
    _patch(FeatureGroup, "describe", describe)


def _ram_share_tags() -> None:
    from moto.ram.models import ResourceAccessManagerBackend, ResourceShare

    original_create, original_describe = ResourceAccessManagerBackend.create_resource_share, ResourceShare.describe

    def create(self: ResourceAccessManagerBackend, **kwargs: Any) -> dict[str, Any]:
        reply = original_create(self, **kwargs)
        self.resource_shares[-1].tags = kwargs.get("tags") or []
        return reply

    def describe(self: ResourceShare) -> dict[str, Any]:
        return {**original_describe(self), "tags": getattr(self, "tags", [])}

    _patch(ResourceAccessManagerBackend, "create_resource_share", create)
    _patch(ResourceShare, "describe", describe)


def _ram_associations() -> None:
    import json

    import moto.ram.urls
    from moto.ram.exceptions import UnknownResourceException
    from moto.ram.models import ResourceShare
    from moto.ram.responses import ResourceAccessManagerResponse

    def share(self: ResourceAccessManagerResponse) -> ResourceShare:
        arn = self._get_param("resourceShareArn")
        found = next((s for s in self.ram_backend.resource_shares if s.arn == arn and s.status != "DELETED"), None)
        if found is None:
            raise UnknownResourceException(f"ResourceShare {arn} could not be found.")
        return found

    def associations(found: ResourceShare, principals: list[str], resources: list[str], status: str) -> str:
        listed = [("PRINCIPAL", p) for p in principals] + [("RESOURCE", r) for r in resources]
        return json.dumps({"resourceShareAssociations": [{"resourceShareArn": found.arn, "resourceShareName": found.name, "associatedEntity": entity,
                                                          "associationType": kind, "status": status, "external": False} for kind, entity in listed]})

    def associate(self: ResourceAccessManagerResponse) -> str:
        found, principals, resources = share(self), self._get_param("principals", []), self._get_param("resourceArns", [])
        found.add_principals([p for p in principals if p not in found.principals])
        found.add_resources([r for r in resources if r not in found.resource_arns])
        return associations(found, principals, resources, "ASSOCIATED")

    def disassociate(self: ResourceAccessManagerResponse) -> str:
        found, principals, resources = share(self), self._get_param("principals", []), self._get_param("resourceArns", [])
        found.principals = [p for p in found.principals if p not in principals]
        found.resource_arns = [r for r in found.resource_arns if r not in resources]
        return associations(found, principals, resources, "DISASSOCIATED")

    def list_permissions(self: ResourceAccessManagerResponse) -> str:
        share(self)
        return json.dumps({"permissions": []})  # the default permission of each resource type applies

    _patch(ResourceShare, "SHAREABLE_RESOURCES", [*ResourceShare.SHAREABLE_RESOURCES, "feature-group"])
    _patch(ResourceAccessManagerResponse, "associate_resource_share", associate)
    _patch(ResourceAccessManagerResponse, "disassociate_resource_share", disassociate)
    _patch(ResourceAccessManagerResponse, "list_resource_share_permissions", list_permissions)
    routes = {f"{{0}}/{name}$": ResourceAccessManagerResponse.dispatch for name in ("associateresourceshare", "disassociateresourceshare", "listresourcesharepermissions")}
    _patch(moto.ram.urls, "url_paths", {**moto.ram.urls.url_paths, **routes})


def _lakeformation_column_grants() -> None:
    from moto.lakeformation.models import LakeFormationBackend

    original = LakeFormationBackend.list_permissions

    def list_permissions(self: LakeFormationBackend, catalog_id: str, principal: Any = None, resource: Any = None, resource_type: Any = None) -> list[dict[str, Any]]:
        found = original(self, catalog_id=catalog_id, principal=principal, resource=resource, resource_type=resource_type)
        table = resource.table if resource is not None else None
        if table is None or catalog_id not in self.grants:
            return found
        for permission in self.grants[catalog_id].permissions:  # AWS lists a table's column grants under the table too
            columns = permission.resource.get("TableWithColumns")
            if columns and principal in (None, permission.principal) and columns.get("DatabaseName") == table.database_name and table.name in (None, columns.get("Name")):
                if (external := permission.to_external_form()) not in found:
                    found.append(external)
        return found

    _patch(LakeFormationBackend, "list_permissions", list_permissions)


def _lakeformation_revoke_nothing_held() -> None:
    from moto.lakeformation.exceptions import InvalidInput
    from moto.lakeformation.models import LakeFormationBackend

    original = LakeFormationBackend.revoke_permissions

    def revoke_permissions(self: LakeFormationBackend, catalog_id: str, principal: dict[str, str], resource: dict[str, Any], permissions_to_revoke: list[str], permissions_with_grant_options_to_revoke: list[str]) -> None:
        asked = set(permissions_to_revoke or []) | set(permissions_with_grant_options_to_revoke or [])
        held = self.grants[catalog_id].permissions if catalog_id in self.grants else set()
        if not any(p.principal == principal and p.resource == resource and asked & {*p.permissions, *p.permissions_with_grant_options} for p in held):
            raise InvalidInput("No permissions revoked. Grantee has no permissions and no grantable permissions on resource")
        original(self, catalog_id, principal, resource, permissions_to_revoke, permissions_with_grant_options_to_revoke)

    _patch(LakeFormationBackend, "revoke_permissions", revoke_permissions)


def _s3_object_lock_on_a_bucket_with_objects() -> None:
    from moto.s3.exceptions import InvalidBucketState
    from moto.s3.models import S3Backend

    def put_object_lock_configuration(self: S3Backend, bucket_name: str, lock_enabled: bool, mode: str | None = None, days: int | None = None, years: int | None = None) -> None:
        bucket = self.get_bucket(bucket_name)
        if not bucket.is_versioned:
            raise InvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
        if lock_enabled:
            bucket.object_lock_enabled, bucket.versioning_status = True, "Enabled"
        bucket.default_lock_mode, bucket.default_lock_days, bucket.default_lock_years = mode, days, years

    _patch(S3Backend, "put_object_lock_configuration", put_object_lock_configuration)


def _glue_delete_database_drops_tags() -> None:
    from moto.glue.models import GlueBackend
    from moto.utilities.utils import get_partition

    original = GlueBackend.delete_database

    def delete_database(self: GlueBackend, database_name: str) -> None:
        original(self, database_name)
        self.tagger.delete_all_tags_for_resource(f"arn:{get_partition(self.region_name)}:glue:{self.region_name}:{self.account_id}:database/{database_name}")

    _patch(GlueBackend, "delete_database", delete_database)


def _sagemaker_model_network_isolation() -> None:
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    original = SageMakerResponse.create_model

    def create_model(self: SageMakerResponse) -> Any:
        reply = original(self)
        model = SageMakerModelBackend.describe_model(self.sagemaker_backend, self._get_param("ModelName"))
        model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation", False))
        return reply

    _patch(SageMakerResponse, "create_model", create_model)


def _codepipeline_client_request_token() -> None:
    from moto.codepipeline.responses import CodePipelineResponse

    original = CodePipelineResponse.start_pipeline_execution

    def start_pipeline_execution(self: CodePipelineResponse) -> str:
        # AWS answers a repeated clientRequestToken with the execution it started the first time.
        token, name = self._get_param("clientRequestToken"), self._get_param("name")
        started = getattr(self.codepipeline_backend, "mlops_started_by_token", None)
        if started is None:
            started = self.codepipeline_backend.mlops_started_by_token = {}
        if token and (name, token) in started:
            return json.dumps({"pipelineExecutionId": started[(name, token)]})
        reply = original(self)
        if token:
            started[(name, token)] = json.loads(reply)["pipelineExecutionId"]
        return reply

    _patch(CodePipelineResponse, "start_pipeline_execution", start_pipeline_execution)


def _organizations_invite_account() -> None:
    from moto.organizations.models import FakeAccount
    from moto.organizations.responses import OrganizationsResponse

    def invite_account_to_organization(self: OrganizationsResponse) -> str:
        # AWS sends a handshake the account accepts; the emulator has the account join at once, with
        # the ID given (moto's CreateAccount picks random IDs), so guardrails can attach to it.
        backend = self.organizations_backend
        target = self._get_param("Target") or {}
        account_id = str(target.get("Id", ""))
        if target.get("Type") != "ACCOUNT" or len(account_id) != 12 or not account_id.isdigit():
            from moto.organizations.exceptions import InvalidInputException
            raise InvalidInputException("You specified an invalid value.")
        if not any(a.id == account_id for a in backend.accounts):
            account = FakeAccount(backend.org, AccountName=f"member-{account_id}", Email=f"{account_id}@example.com")
            account.id, account.joined_method = account_id, "INVITED"
            account.parent_id = backend.org.root_id
            backend.accounts.append(account)
        handshake = {"Id": f"h-{account_id}", "State": "ACCEPTED", "Action": "INVITE", "Parties": [{"Id": account_id, "Type": "ACCOUNT"}]}
        return json.dumps({"Handshake": handshake})

    _patch(OrganizationsResponse, "invite_account_to_organization", invite_account_to_organization)


def _sagemaker_pipeline_executions() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse
    from moto.sagemaker.utils import get_pipeline_execution_from_arn, get_pipeline_from_name

    from emulator import pipelines

    original_start = SageMakerModelBackend.start_pipeline_execution
    original_describe = SageMakerModelBackend.describe_pipeline_execution

    def start(self: SageMakerModelBackend, pipeline_name: str, *args: Any, **kwargs: Any) -> dict[str, str]:
        reply = original_start(self, pipeline_name, *args, **kwargs)
        pipeline = get_pipeline_from_name(self.pipelines, pipeline_name)
        execution = pipeline.pipeline_executions[reply["PipelineExecutionArn"]]
        execution.pipeline_execution_status = "Executing"  # as on AWS: the steps run after the reply
        try:
            execution.emulated = pipelines.Execution(self, pipeline, execution)
        except ValueError as error:  # a parameter value that is not of its declared type
            execution.pipeline_execution_status, execution.pipeline_execution_failure_reason = "Failed", f"ClientError: {error}"
            return reply
        threading.Thread(target=execution.emulated.run, name=f"pipeline-{execution.emulated.id}", daemon=True).start()
        return reply

    def describe(self: SageMakerModelBackend, pipeline_execution_arn: str) -> dict[str, Any]:
        reply = original_describe(self, pipeline_execution_arn)
        reason = get_pipeline_execution_from_arn(self.pipelines, pipeline_execution_arn).pipeline_execution_failure_reason
        return {**{k: v for k, v in reply.items() if k != "FailureReason"}, **({"FailureReason": reason} if reason else {})}

    def list_steps(self: SageMakerResponse) -> ActionResult:
        execution = get_pipeline_execution_from_arn(self.sagemaker_backend.pipelines, self._get_param("PipelineExecutionArn"))
        emulated = getattr(execution, "emulated", None)
        steps = [dict(step) for step in (emulated.steps if emulated else [])]
        ascending = self._get_param("SortOrder") == "Ascending"
        return ActionResult({"PipelineExecutionSteps": steps if ascending else steps[::-1]})  # AWS lists the newest first

    _patch(SageMakerModelBackend, "start_pipeline_execution", start)
    _patch(SageMakerModelBackend, "describe_pipeline_execution", describe)
    _patch(SageMakerResponse, "list_pipeline_execution_steps", list_steps)


def _sagemaker_runtime_invoke_endpoint() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.sagemaker.models import sagemaker_backends
    from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

    from emulator import serving

    canned = SageMakerRuntimeResponse.invoke_endpoint

    def invoke_endpoint(self: SageMakerRuntimeResponse) -> Any:
        name = self._get_params().get("EndpointName") or urllib.parse.unquote(self.path.split("/")[2])
        runtime = self.sagemakerruntime_backend
        if runtime.results_queue or runtime.results.get(name):  # results set through moto's API: a test's explicit override
            return canned(self)
        try:
            request = self.body if isinstance(self.body, bytes) else (self.body or "").encode()
            body, content_type, variant = serving.invoke(sagemaker_backends[self.current_account][self.region], name, request,
                                                         self.headers.get("Content-Type", "application/octet-stream"), self.headers.get("Accept", ""),
                                                         self.headers.get("X-Amzn-SageMaker-Target-Variant"))
        except serving.EndpointNotFound as error:
            raise JsonRESTError("ValidationError", str(error)) from None
        except serving.ModelError as error:
            failed = JsonRESTError("ModelError", str(error))
            failed.code = 424  # AWS's status for an error the model raised
            raise failed from None
        return 200, {"Content-Type": content_type, "x-Amzn-Invoked-Production-Variant": variant}, body

    _patch(SageMakerRuntimeResponse, "invoke_endpoint", invoke_endpoint)


def _sagemaker_featurestore_runtime() -> None:
    from emulator import featurestore

    featurestore.register()


def _codestar_connections() -> None:
    from emulator import codestar_connections

    codestar_connections.register()


# Principals AWS resolves when a policy is set: an IAM role or user must exist (in any account the
# emulator knows), so a policy created before the principal it names fails, as on AWS. Account
# roots, "*", services and session ARNs are accepted unchecked (AWS also accepts any account root).
_IAM_PRINCIPAL = re.compile(r"^arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):(?P<kind>role|user)/")


def _aws_principals(document: Any) -> list[str]:
    from policy.documents import listify, principals, statements

    policy = json.loads(document) if isinstance(document, (str, bytes)) else document
    named = list(statements(policy))
    excluded = [s["NotPrincipal"] for s in named if isinstance(s.get("NotPrincipal"), dict)]
    return [value for s in named for kind, value in principals(s) if kind == "AWS"] + [value for n in excluded for value in listify(n.get("AWS"))]


REJECTION_LOG_LINE = "emulator rejected a policy naming a missing principal:"


def missing_principals(document: Any) -> list[str]:
    """The IAM role and user ARNs a policy names that exist in no emulated account, each logged (the
    provider retries such errors for minutes, so an apply that orders badly may still succeed: the
    log line is what a test looks for)."""
    from moto.iam.models import iam_backends

    missing = []
    for arn in _aws_principals(document):
        match = _IAM_PRINCIPAL.match(arn)
        if not match:
            continue
        backend = iam_backends[match["account"]][match["partition"]]
        entities = backend.roles.values() if match["kind"] == "role" else backend.users.values()
        if not any(entity.arn == arn for entity in entities):
            missing.append(arn)
            print(REJECTION_LOG_LINE, arn, file=sys.stderr, flush=True)
    return missing


def _iam_trust_principals_exist() -> None:
    from moto.iam.exceptions import MalformedPolicyDocument
    from moto.iam.models import IAMBackend

    create_role, update_trust = IAMBackend.create_role, IAMBackend.update_assume_role_policy

    def check(document: str) -> None:
        for arn in missing_principals(document):
            raise MalformedPolicyDocument(f'Invalid principal in policy: "AWS":"{arn}"')

    def create(self: IAMBackend, role_name: str, assume_role_policy_document: str, *args: Any, **kwargs: Any) -> Any:
        check(assume_role_policy_document)
        return create_role(self, role_name, assume_role_policy_document, *args, **kwargs)

    def update(self: IAMBackend, role_name: str, policy_document: str) -> None:
        check(policy_document)
        return update_trust(self, role_name, policy_document)

    _patch(IAMBackend, "create_role", create)
    _patch(IAMBackend, "update_assume_role_policy", update)


def _s3_bucket_policy_principals_exist() -> None:
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import S3Backend

    put_policy = S3Backend.put_bucket_policy

    def put(self: S3Backend, bucket_name: str, policy: bytes) -> None:
        if missing_principals(policy):
            raise S3ClientError("MalformedPolicy", "Invalid principal in policy")
        return put_policy(self, bucket_name, policy)

    _patch(S3Backend, "put_bucket_policy", put)


def _kms_key_policy_checks() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.kms.responses import KmsResponse
    from moto.sts.models import sts_backends
    from policy.documents import listify, statements

    create_key, put_key_policy = KmsResponse.create_key, KmsResponse.put_key_policy
    may_administer = {"*", "kms:*", "kms:putkeypolicy"}

    def lets_caller_administer(self: KmsResponse, policy: dict[str, Any]) -> bool:
        account = self.current_account
        caller = sts_backends[account]["aws"].get_caller_identity(self.get_access_key(), self.region)[1]
        session_role = re.match(r"^arn:[\w-]+:sts::(\d{12}):assumed-role/([^/]+)/", caller)
        for statement in statements(policy):
            if statement.get("Effect") != "Allow" or not may_administer & {a.lower() for a in listify(statement.get("Action"))}:
                continue
            principal = statement.get("Principal")
            if principal == "*":
                return True
            for arn in _aws_principals({"Statement": [statement]}):
                role = re.match(r"^arn:[\w-]+:iam::(\d{12}):role/(?:.*/)?([^/]+)$", arn)
                if arn in ("*", account, caller, f"arn:aws:iam::{account}:root") or (session_role and role and role.groups() == session_role.groups()):
                    return True
        return False

    def check(self: KmsResponse) -> None:
        document = self._get_param("Policy")
        if not document:
            return
        if missing_principals(document):
            raise JsonRESTError("MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals.")
        if not self._get_param("BypassPolicyLockoutSafetyCheck") and not lets_caller_administer(self, json.loads(document)):
            raise JsonRESTError("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")

    def create(self: KmsResponse) -> str:
        check(self)
        return create_key(self)

    def put(self: KmsResponse) -> str:
        check(self)
        return put_key_policy(self)

    _patch(KmsResponse, "create_key", create)
    _patch(KmsResponse, "put_key_policy", put)


def _ecr_repository_policy_principals_exist() -> None:
    from moto.ecr.exceptions import InvalidParameterException
    from moto.ecr.models import ECRBackend

    set_policy = ECRBackend.set_repository_policy

    def put(self: ECRBackend, registry_id: str, repository_name: str, policy_text: str) -> dict[str, Any]:
        if missing_principals(policy_text):
            raise InvalidParameterException("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'")
        return set_policy(self, registry_id, repository_name, policy_text)

    _patch(ECRBackend, "set_repository_policy", put)


def _events_bus_policy_principals_exist() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.events.models import EventsBackend

    put_permission = EventsBackend.put_permission

    def put(self: EventsBackend, event_bus_name: str, action: str, principal: str, statement_id: str, condition: dict[str, str], policy: str) -> None:
        for arn in missing_principals(policy) if policy else []:
            raise JsonRESTError("InvalidParameterException", f"Invalid principal in policy: {arn}")
        return put_permission(self, event_bus_name, action, principal, statement_id, condition, policy)

    _patch(EventsBackend, "put_permission", put)


EXTENSIONS: tuple[Extension, ...] = (
    Extension("sagemaker", "UpdateEndpoint", "missing", "the deploy function rolls out each approved model with a blue/green canary; with a BlueGreenUpdatePolicy the endpoint stays Updating until its bakes end (see the advance route), without one the update completes at once", _sagemaker_update_endpoint),
    Extension("sagemaker", "CreateDomain", "fix", "the reply lacks DomainId, so the provider reads domain ''", _sagemaker_create_domain_id),
    Extension("sagemaker", "Create/Describe/Update/Delete/ListUserProfile(s)", "missing", "Studio user profiles of the dev module; tags on their ARNs", _sagemaker_user_profiles),
    Extension("sagemaker", "AddTags", "fix", "moto appends a second tag with the same key instead of replacing it", _sagemaker_add_tags_overwrites),
    Extension("sagemaker", "DeleteModelPackage(Group)", "missing", "`terraform destroy` of the model registry, after its versions are deleted (as on AWS)", _sagemaker_delete_model_package_group),
    Extension("s3", "bucket policy evaluation", "fix", "moto evaluates StringEquals only (any other operator counts as met), denies when a condition does not hold, and gives conditions no request context, so the TLS-only and KMS-upload denies deny everything; evaluates String(Not)Equals/Like, Arn(Not)Like, Bool, Null and IfExists as IAM does, skips statements whose condition does not hold, and supplies aws:SecureTransport=true (the emulator serves TLS only) and the request's SSE headers", _s3_secure_transport_context),
    Extension("sagemaker", "DescribeDomain", "fix", "the reply lacks TagPropagation (a perpetual diff), and a missing domain is ValidationException instead of ResourceNotFound (destroy waits forever)", _sagemaker_domain_tag_propagation),
    Extension("kms", "EnableKeyRotation/GetKeyRotationStatus", "fix", "RotationPeriodInDays is dropped, a perpetual diff", _kms_rotation_period),
    Extension("lambda", "GetFunction", "fix", "DeadLetterConfig is dropped, a perpetual diff", _lambda_dead_letter_config),
    Extension("ec2", "DescribeSecurityGroupRules", "fix", "descriptions of rules that reference a security group or prefix list are dropped, a perpetual diff", _ec2_rule_descriptions),
    Extension("events", "TestEventPattern", "missing", "tests prove the deployed approval rule matches an approval event (uses moto's own rule matcher)", _events_test_event_pattern),
    Extension("ec2", "DeleteVpcEndpoints", "fix", "a retried delete of a gateway endpoint fails with InvalidRoute.NotFound (its route is already gone); AWS treats it as done", _ec2_delete_vpc_endpoints_idempotent),
    Extension("sagemaker", "Create/Describe/Update/Delete/ListMonitoringSchedule(s), tags", "missing", "Model Monitor schedules of the serving stages (listed unfiltered: a filter is refused with a reason)", _sagemaker_monitoring_schedules),
    Extension("sagemaker", "Put/Get/DeleteModelPackageGroupPolicy", "missing", "the registry's cross-account resource policy (medium and large tiers); a policy naming a role or user that does not exist is refused, as AWS resolves principals when a policy is set", _sagemaker_model_package_group_policy),
    Extension("codebuild", "CreateProject", "fix", "a CODEPIPELINE source or artifact is refused without a location, which AWS does not require (the pipeline supplies it)", _codebuild_pipeline_sources),
    Extension("codepipeline", "GetPipeline/ListPipelines", "fix", "created/updated are ISO strings where the JSON protocol has epoch numbers, so the SDK cannot read a pipeline", _codepipeline_timestamps),
    Extension("codebuild", "CreateProject", "fix", "the project's encryptionKey is dropped (read back as alias/aws/s3), a perpetual diff", _codebuild_encryption_key),
    Extension("s3", "GetBucketReplication", "fix", "SourceSelectionCriteria and the stored DeleteMarkerReplication are dropped from the rules, a perpetual diff", _s3_replication_rules),
    Extension("sagemaker", "StartPipelineExecution, ListPipelineExecutionSteps", "missing", "moto records every execution as Succeeded and runs nothing; the emulator runs the retraining pipeline's steps (emulator/pipelines.py): the project's scripts on the local Python in place of the container image, Model Monitor's baseline by the project's own analyzer (emulator/model_monitor.py); a job's image must be pullable (a tier image at its tag in the emulator's ECR, from another account only if its repository policy lets the job's role pull it; AWS's sagemaker-* images as given: emulator/images.py), and its SDK calls get the job role's credentials", _sagemaker_pipeline_executions),
    Extension("sagemaker-runtime", "InvokeEndpoint", "fix", "moto answers every endpoint with canned data (kept when a test queues results through moto's API) and captures nothing; the emulator serves the variant's model artifact through its inference script (emulator/serving.py, on the local Python in place of the image) and writes SageMaker's data-capture records, once the model's image is pullable as a job's is (checked when the model first answers, where AWS checks as the instances start); during a blue/green update the fleet emulator/deployments.py routes to answers, and every request publishes the endpoint's AWS/SageMaker metrics", _sagemaker_runtime_invoke_endpoint),
    Extension("sagemaker", "end a blue/green deployment's bake (POST /moto-api/mlops/endpoints/deployments/advance)", "missing", "nothing moves traffic or evaluates rollback alarms on the emulator; an UpdateEndpoint with a BlueGreenUpdatePolicy keeps the endpoint Updating on its old configuration while the new one takes the policy's share of the traffic (CANARY, LINEAR, ALL_AT_ONCE); each call ends one bake, evaluates the rollback alarms over the endpoint's metrics since the bake began (that traffic counts as every period the alarm evaluates), and rolls back (InService, FailureReason), shifts more traffic, or completes, putting the endpoint state change on the bus (emulator/deployments.py)", _sagemaker_deployment_advance),
    Extension("sagemaker-runtime", "inject a model fault (POST /moto-api/mlops/endpoints/faults)", "missing", "to exercise a rollback: every request a named model serves fails as a model's server error (ModelError 424 to the caller, an Invocation5XXErrors datapoint) until the fault is cleared", _sagemaker_runtime_model_faults),
    Extension("sagemaker", "run a monitoring schedule now (POST /moto-api/mlops/monitoring-schedules/run)", "missing", "nothing runs monitoring schedules on the emulator; `make monitor` runs one data-quality run as the schedule would: the endpoint's captures since the last run through the job definition's record preprocessor, the project's analyzer against the baseline (emulator/model_monitor.py), reports under <output>/<endpoint>/<schedule>/yyyy/mm/dd/hh, LastMonitoringExecutionSummary, and the processing-job state change event on the account's bus", _sagemaker_monitoring_run_now),
    Extension("cloudformation", "DescribeStacks (List parameters)", "fix", "a List<...> or CommaDelimitedList parameter's value comes back as the Python repr of a list (['a', 'b']) where AWS returns the string given (a,b), so every plan of a stack with one (the monitor stacks' network) shows a change", _cloudformation_list_parameters),
    Extension("events", "PutEvents (rule targets)", "fix", "an event matching a rule with a Lambda (or any other target moto cannot deliver to) fails the whole PutEvents with NotImplementedError; the emulator delivers to the targets moto implements (logs, SQS, event buses) and logs the others as not invoked", _events_targets_moto_cannot_invoke),
    Extension("codestar-connections", "Create/Get/Delete/ListConnection(s), tags", "missing", "the dev module's external Git connection (the service is absent from moto)", _codestar_connections),
    Extension("sagemaker", "CreateModel", "fix", "EnableNetworkIsolation is dropped (always false), so a test cannot see that served models run isolated", _sagemaker_model_network_isolation),
    Extension("codepipeline", "StartPipelineExecution", "fix", "a repeated clientRequestToken starts a second execution; AWS returns the first (the release function relies on it for duplicate approval events)", _codepipeline_client_request_token),
    Extension("sagemaker", "Describe/Update/DeletePipeline, DeleteDomain, DescribeFeatureGroup", "fix", "a missing resource is ValidationException (or a 500) where AWS answers ResourceNotFound, so Terraform cannot drop what an emulator restart lost from its state", _sagemaker_missing_resources),
    Extension("sagemaker", "CreateEndpoint", "fix", "a second endpoint of the same name replaces the first; AWS refuses it, which the deploy function's duplicate events rely on", _sagemaker_create_endpoint_exists),
    Extension("organizations", "InviteAccountToOrganization", "missing", "the multi-account tiers' existing accounts join the emulated organization (accepted at once, with their own IDs), so SCPs and RCPs attach to them", _organizations_invite_account),
    Extension("iam", "CreateRole/UpdateAssumeRolePolicy", "fix", "a trust policy naming a role or user that does not exist is accepted; AWS answers MalformedPolicyDocument, which is why a tier must create every principal before a policy names it", _iam_trust_principals_exist),
    Extension("s3", "PutBucketPolicy", "fix", "a bucket policy naming a role or user that does not exist is accepted; AWS answers MalformedPolicy (Invalid principal in policy)", _s3_bucket_policy_principals_exist),
    Extension("kms", "CreateKey/PutKeyPolicy", "fix", "a key policy naming a missing role or user, or one that would lock its creator out (no kms:PutKeyPolicy for the caller or the account), is accepted; AWS answers MalformedPolicyDocumentException unless BypassPolicyLockoutSafetyCheck", _kms_key_policy_checks),
    Extension("ecr", "SetRepositoryPolicy", "fix", "a repository policy naming a role or user that does not exist is accepted; AWS answers InvalidParameterException (Invalid repository policy provided)", _ecr_repository_policy_principals_exist),
    Extension("events", "PutPermission", "fix", "an event-bus policy naming a role or user that does not exist is accepted; the emulator answers InvalidParameterException, as AWS resolves principals when a resource policy is set", _events_bus_policy_principals_exist),
    Extension("sagemaker", "UpdateModelPackage", "fix", "an update drops the customer metadata and approval description it does not name (an approval erased a version's hyperparameters and its migration marker); AWS keeps them", _sagemaker_update_model_package_keeps_metadata),
    Extension("sagemaker", "AddTags/ListTags/DeleteTags on a feature group", "fix", "a feature group's ARN is unknown to the tagging calls (a 500), so the provider's create never finishes (large tier, Feature Store)", _sagemaker_feature_group_tags),
    Extension("ram", "Associate/DisassociateResourceShare, ListResourceSharePermissions", "missing", "the large tier shares its Feature Store groups with dev and ops through RAM (feature groups become shareable)", _ram_associations),
    Extension("lakeformation", "ListPermissions", "fix", "a table's column-level grants (TableWithColumns) are not listed when filtering by the table, as AWS does, so the provider never finds the data lake's column grants (large tier)", _lakeformation_column_grants),
    Extension("lakeformation", "RevokePermissions", "fix", "revoking a permission the grantee does not hold succeeds; AWS answers InvalidInputException (No permissions revoked), the answer the provider's destroy waits for (large tier)", _lakeformation_revoke_nothing_held),
    Extension("s3", "PutObjectLockConfiguration", "fix", "a bucket holding objects cannot change or drop its default retention (InvalidBucket: Bucket needs to be empty), so a destroy fails on a model bucket with versions in it; AWS allows it on any versioned bucket", _s3_object_lock_on_a_bucket_with_objects),
    Extension("glue", "DeleteDatabase", "fix", "a deleted database's tags stay listed by the tagging API, so the leftovers sweep reports a database that no longer exists (large tier)", _glue_delete_database_drops_tags),
    Extension("sagemaker", "DescribeFeatureGroup, DeleteFeatureGroup", "fix", "the online store (with its KMS key) and the description are dropped, so the provider replaces the group on every plan, and a group cannot be deleted (large tier)", _sagemaker_feature_group_settings),
    Extension("sagemaker-featurestore-runtime", "PutRecord, GetRecord, DeleteRecord, BatchGetRecord", "missing", "the documented ingest step (`make ingest-features`) writes a feature group's records, and the retraining pipeline reads them from its offline store; the runtime is absent from moto. The online store keeps each record's latest event time; every write also lands at once in the offline store as a Parquet object under the group's ResolvedOutputS3Uri, partitioned by event time, with write_time, api_invocation_time and is_deleted, where AWS batches them within about 15 minutes (emulator/featurestore.py). DescribeFeatureGroup also takes a shared group's ARN, and the offline store's location follows AWS's layout", _sagemaker_featurestore_runtime),
    Extension("ram", "CreateResourceShare/GetResourceShares", "fix", "a share's tags are dropped, a perpetual diff (large tier)", _ram_share_tags),
    Extension("codebuild", "DeleteProject", "fix", "a project named by its ARN (the provider's resource id) is left in place while the call succeeds, so a destroyed tier cannot be applied again", _codebuild_delete_project_by_arn),
)


def install() -> None:
    _restore()
    for extension in EXTENSIONS:
        extension.install()
