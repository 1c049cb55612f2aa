"""The deployment spec: everything about serving that Terraform decides, read from one JSON document.

Terraform renders it (module `prod`, variable-driven) into the function's DEPLOYMENT_SPEC environment
variable; the same document drives the CI/CD deploy step, so there is one deployment implementation.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


class SpecError(ValueError):
    """The deployment spec is missing or malformed."""


@dataclass(frozen=True)
class Canary:
    percent: int = 10
    wait_seconds: int = 300
    termination_wait_seconds: int = 300
    maximum_execution_timeout_seconds: int = 1800


@dataclass(frozen=True)
class Autoscaling:
    min_capacity: int = 1
    max_capacity: int = 2
    target_invocations_per_instance: int = 100
    scale_in_cooldown_seconds: int = 300
    scale_out_cooldown_seconds: int = 60


@dataclass(frozen=True)
class DataCapture:
    enabled: bool = False
    destination_s3_uri: str = ""
    kms_key_arn: str = ""
    sampling_percentage: int = 100


@dataclass(frozen=True)
class DeploymentSpec:
    endpoint_name: str
    model_package_group_name: str
    execution_role_arn: str
    kms_key_arn: str
    instance_type: str
    initial_instance_count: int
    variant_name: str = "AllTraffic"
    network_isolation: bool = True
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    rollback_alarm_names: tuple[str, ...] = ()
    canary: Canary = field(default_factory=Canary)
    autoscaling: Autoscaling = field(default_factory=Autoscaling)
    data_capture: DataCapture = field(default_factory=DataCapture)
    baseline_s3_uri: str = ""
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str | None, network: str | None = None) -> "DeploymentSpec":
        """The spec, plus the network (NETWORK: subnets and security groups, known only after apply)."""
        if not text:
            raise SpecError("DEPLOYMENT_SPEC is not set")
        try:
            raw: dict[str, Any] = {**json.loads(text), **json.loads(network or "{}")}
            spec = cls(
                endpoint_name=raw["endpoint_name"],
                model_package_group_name=raw["model_package_group_name"],
                execution_role_arn=raw["execution_role_arn"],
                kms_key_arn=raw["kms_key_arn"],
                instance_type=raw["instance_type"],
                initial_instance_count=int(raw["initial_instance_count"]),
                variant_name=raw.get("variant_name", "AllTraffic"),
                network_isolation=bool(raw.get("network_isolation", True)),
                subnet_ids=tuple(raw.get("subnet_ids") or ()),
                security_group_ids=tuple(raw.get("security_group_ids") or ()),
                rollback_alarm_names=tuple(raw.get("rollback_alarm_names") or ()),
                canary=Canary(**(raw.get("canary") or {})),
                autoscaling=Autoscaling(**(raw.get("autoscaling") or {})),
                data_capture=DataCapture(**(raw.get("data_capture") or {})),
                baseline_s3_uri=raw.get("baseline_s3_uri") or "",
                tags=dict(raw.get("tags") or {}),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SpecError(f"DEPLOYMENT_SPEC is malformed: {error!r}") from error
        if spec.canary.percent and not spec.rollback_alarm_names:
            raise SpecError("a canary rollout needs at least one rollback alarm")
        return spec

    def fingerprint(self) -> str:
        """Changes when a serving setting changes, so a new spec rolls out even for the same model."""
        settings = {
            "instance_type": self.instance_type,
            "initial_instance_count": self.initial_instance_count,
            "kms_key_arn": self.kms_key_arn,
            "data_capture": self.data_capture.__dict__,
            "network_isolation": self.network_isolation,
            "subnet_ids": self.subnet_ids,
            "security_group_ids": self.security_group_ids,
        }
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]
