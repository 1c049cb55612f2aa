"""Blue/green endpoint updates on the emulator, with their rollback alarms (moto completes every
UpdateEndpoint at once and publishes no endpoint metrics).

UpdateEndpoint with a BlueGreenUpdatePolicy keeps the endpoint Updating on its old configuration
(blue) while traffic moves to the new one (green) in the policy's steps: CANARY (the canary's share,
then all), LINEAR (step by step) or ALL_AT_ONCE. Each step bakes; at the end of a bake every rollback
alarm is evaluated, and one in breach puts all traffic back on blue (InService, FailureReason set).
After the last bake green serves alone and the update completes. Every invocation publishes the
endpoint's AWS/SageMaker metrics (Invocations, Invocation4XXErrors, Invocation5XXErrors,
ModelLatency) per EndpointName and VariantName, as SageMaker does for both fleets.

The emulator's clock for a bake is explicit: a bake ends when `advance` is called (the route
POST /moto-api/mlops/endpoints/deployments/advance), not after WaitIntervalInSeconds, and its
traffic counts as each of the periods an alarm evaluates (hand-written: AWS's alarm evaluation is a
service, not a library). Faults are injected per model (POST /moto-api/mlops/endpoints/faults): every
request the model serves then fails as a model's server error does.
Runs inside a request: the server's lock is held.
"""
from __future__ import annotations

import json
import math
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.utils import utcnow  # naive UTC, as moto keeps every timestamp

NAMESPACE = "AWS/SageMaker"
COMPARE = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


class DeploymentError(Exception):
    pass


@dataclass
class Deployment:
    blue: str
    green: str
    config: dict[str, Any]
    shares: list[int]  # green's share of the traffic in each bake, in percent; the last is 100
    step: int = 0
    bake_began: datetime = field(default_factory=utcnow)
    served: dict[str, int] = field(default_factory=lambda: {"blue": 0, "green": 0})

    @property
    def share(self) -> int:
        return self.shares[self.step]


_deployments: "weakref.WeakKeyDictionary[Any, Deployment]" = weakref.WeakKeyDictionary()  # dies with its endpoint


def shares(policy: dict[str, Any], green_instances: int) -> list[int]:
    routing = policy.get("TrafficRoutingConfiguration") or {"Type": "ALL_AT_ONCE"}
    kind = routing.get("Type", "ALL_AT_ONCE")

    def percent(size: dict[str, Any]) -> int:
        value = int(size.get("Value", 0))
        share = value if size.get("Type") == "CAPACITY_PERCENT" else math.ceil(100 * value / max(green_instances, 1))
        if not 0 < share <= 100:
            raise DeploymentError(f"{kind} size {size} is not a share of the new fleet between 1 and 100 percent")
        return share

    if kind == "ALL_AT_ONCE":
        return [100]
    if kind == "CANARY":
        canary = percent(routing.get("CanarySize") or {})
        return [canary, 100] if canary < 100 else [100]
    if kind == "LINEAR":
        step = percent(routing.get("LinearStepSize") or {})
        return [min(step * i, 100) for i in range(1, math.ceil(100 / step) + 1)]
    raise DeploymentError(f"TrafficRoutingConfiguration Type {kind!r} is not ALL_AT_ONCE, CANARY or LINEAR")


def begin(backend: Any, endpoint: Any, config_name: str, deployment_config: dict[str, Any]) -> None:
    """Start a blue/green update: the endpoint is Updating and still serves blue."""
    green = backend.describe_endpoint_config(config_name)
    instances = sum(int(v.get("InitialInstanceCount", 1)) for v in green["ProductionVariants"])
    _deployments[endpoint] = Deployment(endpoint.endpoint_config_name, config_name, deployment_config,
                                        shares(deployment_config["BlueGreenUpdatePolicy"], instances))
    endpoint.endpoint_status = "Updating"
    endpoint.failure_reason = None
    endpoint.last_deployment_config = deployment_config
    endpoint.pending_deployment_summary = {"EndpointConfigName": config_name, "StartTime": utcnow()}


def in_progress(endpoint: Any) -> Deployment | None:
    return _deployments.get(endpoint)


def route(endpoint: Any) -> str:
    """The configuration that serves the next request: green takes its share of the traffic, spread
    evenly (request n goes to green when the share's running total passes a whole request)."""
    deployment = _deployments.get(endpoint)
    if deployment is None:
        return endpoint.endpoint_config_name
    total = deployment.served["blue"] + deployment.served["green"]
    fleet = "green" if (total + 1) * deployment.share // 100 > total * deployment.share // 100 else "blue"
    deployment.served[fleet] += 1
    return deployment.green if fleet == "green" else deployment.blue


def _faults(backend: Any) -> dict[str, str]:
    """Model name -> the error its requests fail with; kept on the account's backend, reset with it."""
    if not hasattr(backend, "mlops_model_faults"):
        backend.mlops_model_faults = {}
    return backend.mlops_model_faults


def fault(backend: Any, model: str) -> str | None:
    return _faults(backend).get(model)


def inject(backend: Any, model: str, error: str | None) -> None:
    if error:
        _faults(backend)[model] = error
    else:
        _faults(backend).pop(model, None)


def publish(account: str, region: str, endpoint: str, variant: str, status: int, latency_us: float) -> None:
    from moto.cloudwatch.models import cloudwatch_backends

    dimensions = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}]
    now = utcnow()
    values = {"Invocations": 1.0, "Invocation4XXErrors": float(400 <= status < 500), "Invocation5XXErrors": float(status >= 500), "ModelLatency": latency_us}
    cloudwatch_backends[account][region].put_metric_data(NAMESPACE, [
        {"MetricName": name, "Value": value, "Dimensions": dimensions, "Timestamp": now, "Unit": "Microseconds" if name == "ModelLatency" else "None"}
        for name, value in values.items()])


def statistic(values: list[float], name: str) -> float:
    if name == "Sum":
        return sum(values)
    if name == "SampleCount":
        return float(len(values))
    if name == "Average":
        return sum(values) / len(values)
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    if name.startswith("p"):  # nearest-rank percentile
        ordered = sorted(values)
        return ordered[max(math.ceil(float(name[1:]) / 100 * len(ordered)) - 1, 0)]
    raise DeploymentError(f"statistic {name!r} is not one the emulator evaluates")


def evaluate(cloudwatch: Any, alarm: Any, since: datetime) -> tuple[str, str]:
    """(state, reason) of a metric alarm over the datapoints since `since`, taken as one period that
    repeats through the alarm's evaluation periods."""
    wanted = {(d.name, d.value) for d in alarm.dimensions}
    values = [m.value for m in cloudwatch.metric_data
              if m.namespace == alarm.namespace and m.name == alarm.metric_name and hasattr(m, "value")
              and {(d.name, d.value) for d in m.dimensions} == wanted and m.timestamp >= since]
    if not values:
        missing = alarm.treat_missing_data or "missing"
        return ("ALARM", "no datapoints, treated as breaching") if missing == "breaching" else ("OK", f"no datapoints ({missing})")
    stat = alarm.extended_statistic or alarm.statistic
    value = statistic(values, stat)
    if alarm.comparison_operator not in COMPARE:
        raise DeploymentError(f"alarm {alarm.name}: comparison {alarm.comparison_operator} is not one the emulator evaluates")
    breached = COMPARE[alarm.comparison_operator](value, float(alarm.threshold))
    return ("ALARM" if breached else "OK"), f"{stat} {value:g} {'crossed' if breached else 'within'} the threshold ({alarm.comparison_operator} {float(alarm.threshold):g})"


def advance(backend: Any, endpoint: Any) -> dict[str, Any]:
    """End the current bake: evaluate the rollback alarms, then roll back, shift more traffic, or complete."""
    from moto.cloudwatch.models import cloudwatch_backends

    deployment = _deployments.get(endpoint)
    if deployment is None:
        raise DeploymentError(f"Endpoint {endpoint.endpoint_name} has no deployment in progress")
    cloudwatch = cloudwatch_backends[backend.account_id][backend.region_name]
    alarms: dict[str, dict[str, str]] = {}
    for name in [a["AlarmName"] for a in (deployment.config.get("AutoRollbackConfiguration") or {}).get("Alarms", [])]:
        alarm = cloudwatch.alarms.get(name)
        if alarm is None:
            state, reason = "INSUFFICIENT_DATA", "the alarm does not exist"
        else:
            state, reason = evaluate(cloudwatch, alarm, deployment.bake_began)
            if alarm.state_value != state:
                alarm.update_state(f"Threshold Crossed: {reason}" if state == "ALARM" else reason, json.dumps({"emulated": True}), state)
        alarms[name] = {"state": state, "reason": reason}
    served = dict(deployment.served)
    share = deployment.share
    tripped = sorted(name for name, a in alarms.items() if a["state"] == "ALARM")
    if tripped:
        outcome = "rolled back"
        endpoint.failure_reason = f"Deployment rolled back: alarm(s) {', '.join(tripped)} in ALARM while {share}% of the traffic was on {deployment.green}."
        finish(backend, endpoint, deployment.blue)
    elif deployment.step + 1 < len(deployment.shares):
        deployment.step += 1
        deployment.bake_began, deployment.served = utcnow(), {"blue": 0, "green": 0}
        outcome = f"baking with {deployment.share}% of the traffic on {deployment.green}"
    else:
        outcome = "completed"
        config = backend.describe_endpoint_config(deployment.green)
        endpoint.production_variants = endpoint._process_production_variants(config["ProductionVariants"])
        endpoint.data_capture_config = config["DataCaptureConfig"]
        finish(backend, endpoint, deployment.green)
    return {"EndpointName": endpoint.endpoint_name, "EndpointStatus": endpoint.endpoint_status, "EndpointConfigName": endpoint.endpoint_config_name,
            "outcome": outcome, "bake": {"green_share": share, "served": served}, "alarms": alarms}


def finish(backend: Any, endpoint: Any, config_name: str) -> None:
    """The update is over: one fleet serves, the endpoint is InService, and SageMaker's state change is on the bus."""
    from moto.events.models import events_backends

    _deployments.pop(endpoint)
    endpoint.endpoint_config_name = config_name
    endpoint.endpoint_status = "InService"
    endpoint.last_modified_time = utcnow()
    if hasattr(endpoint, "pending_deployment_summary"):
        del endpoint.pending_deployment_summary
    detail = {"EndpointName": endpoint.endpoint_name, "EndpointStatus": "IN_SERVICE"}
    events_backends[backend.account_id][backend.region_name].put_events([
        {"Source": "aws.sagemaker", "DetailType": "SageMaker Endpoint State Change", "Detail": json.dumps(detail), "Resources": [endpoint.arn], "EventBusName": "default"}])


def endpoint_of(account: str, region: str, name: str) -> tuple[Any, Any]:
    from moto.sagemaker.models import sagemaker_backends

    backend = sagemaker_backends[account][region]
    endpoint = backend.endpoints.get(name)
    if endpoint is None:
        raise DeploymentError(f"Could not find endpoint {name} in account {account} ({region})")
    return backend, endpoint
