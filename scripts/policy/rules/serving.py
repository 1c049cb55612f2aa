"""Serving: endpoints, canaries, the inference API."""
from __future__ import annotations

import json
from typing import Any, Iterator

from policy.documents import account_of_arn, listify
from policy.model import Model
from policy.plan import Resource
from policy.rules import is_set, rule


UNKNOWN_SPEC = "the deployment spec is unknown at plan time; build it from names and alias ARNs"


def deployment_specs(model: Model) -> Iterator[tuple[Resource, dict[str, Any] | str]]:
    """(resource, spec), or (resource, why it cannot be read); a spec deployed through a role
    (DEPLOY_ROLE_ARN) targets that role's account."""
    for r in model.plan.of_type("aws_lambda_function", "aws_codebuild_project"):
        variables = r.get("environment", 0, "variables") or {}
        for env in listify(r.get("environment", 0, "environment_variable")):
            variables[env.get("name")] = env.get("value")
        if variables.get("DEPLOYMENT_SPEC"):
            try:
                spec = json.loads(variables["DEPLOYMENT_SPEC"])
            except ValueError:
                spec = None
            if not isinstance(spec, dict):
                yield r, "the deployment spec is not a JSON object"
                continue
            if variables.get("DEPLOY_ROLE_ARN"):
                spec["_account"] = account_of_arn(variables["DEPLOY_ROLE_ARN"])
            yield r, spec
        elif "DEPLOYMENT_SPEC" in variables or r.is_unknown("environment", 0, "variables"):
            yield r, UNKNOWN_SPEC


def endpoint_configs(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_sagemaker_model"):
        if not r.get("enable_network_isolation"):
            yield r.address, "the model runs without network isolation"
    for r in model.plan.of_type("aws_sagemaker_endpoint_configuration"):
        if not is_set(r, "kms_key_arn"):
            yield r.address, "endpoint volumes are not encrypted with a customer key"
        capture = r.get("data_capture_config", 0)
        if capture and capture.get("enable_capture", True) and not is_set(r, "data_capture_config", 0, "kms_key_id"):
            yield r.address, "captured data is not encrypted with a customer key"
        if r.account_role in ("staging", "prod") and not (capture and capture.get("enable_capture", True)):
            yield r.address, f"data capture is off in {r.account_role}"
    for r, spec in deployment_specs(model):
        if isinstance(spec, str):
            yield r.address, spec
            continue
        if not spec.get("kms_key_arn"):
            yield r.address, "deployment spec: endpoint volumes have no customer key"
        capture = spec.get("data_capture") or {}
        if capture.get("enabled") and not capture.get("kms_key_arn"):
            yield r.address, "deployment spec: captured data has no customer key"
        stage = (spec.get("tags") or {}).get("mlops:stage") or r.account_role
        if stage in ("staging", "prod") and not capture.get("enabled"):
            yield r.address, f"deployment spec: data capture is off in {stage}"
        if spec.get("network_isolation") is not True:
            yield r.address, "deployment spec: served models run without network isolation (network_isolation is not true)"


rule("MLOPS-007", "Endpoints: KMS for volumes and captured data; capture on in staging and prod; models network-isolated",
     "Endpoint volumes and captured requests hold customer data; Model Monitor needs captured data from the stages that matter; a served model with network access can send customers' data anywhere.",
     "Well-Architected ML Lens MLSEC-07, MLREL-09; SageMaker Developer Guide, 'Capture data from real-time endpoint', 'Run training and inference containers in internet-free mode'",
     "set kms_key_arn and data_capture_config.kms_key_id; keep data capture on for staging and prod (modules/serving data_capture); network_isolation = true in the deployment spec", endpoint_configs)


def canaries(model: Model) -> Iterator[tuple[str, str]]:
    alarms = {(r.account_id, r.get("alarm_name")) for r in model.plan.of_type("aws_cloudwatch_metric_alarm")}
    for r in model.plan.of_type("aws_sagemaker_endpoint"):
        if r.get("deployment_config") and not r.get("deployment_config", 0, "auto_rollback_configuration", 0, "alarms"):
            yield r.address, "blue/green deployment without auto-rollback alarms"
    for r, spec in deployment_specs(model):
        if isinstance(spec, str) or not (spec.get("canary") or {}).get("percent"):
            continue
        names = spec.get("rollback_alarm_names") or []
        if not names:
            yield r.address, "deployment spec: canary without rollback alarms"
        account = spec.get("_account") or r.account_id
        for name in names:
            if (account, name) not in alarms:
                yield r.address, f"deployment spec: rollback alarm {name} is not defined in account {account}, where it deploys"


rule("MLOPS-008", "Canary deployments carry auto-rollback alarms that exist",
     "A canary without alarms shifts all traffic to a bad model; SageMaker rolls back only on the alarms it is given.",
     "SageMaker Developer Guide, 'Deployment guardrails: auto-rollback configuration and monitoring'",
     "give every canary at least one CloudWatch alarm on the endpoint's errors or latency (modules/serving alarms)", canaries)


def api_auth(model: Model) -> Iterator[tuple[str, str]]:
    has_plans = any(True for _ in model.plan.of_type("aws_api_gateway_usage_plan"))
    for r in model.plan.of_type("aws_api_gateway_method"):
        if r.get("http_method") == "OPTIONS":
            continue
        if r.get("authorization") in ("AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM"):
            continue
        if r.get("api_key_required") and has_plans:
            continue
        yield r.address, f"method {r.get('http_method')} has authorization {r.get('authorization')!r} and no API key with a usage plan"
    for r in model.plan.of_type("aws_apigatewayv2_route"):
        if r.get("authorization_type", default="NONE") == "NONE":
            yield r.address, "route has no authorizer"


rule("MLOPS-012", "The inference API requires authentication",
     "An open endpoint lets anyone run (and be billed for) the model and probe it.",
     "API Gateway Developer Guide, 'Controlling and managing access to a REST API'; AWS FSBP APIGateway.x",
     "use AWS_IAM, a Cognito/JWT or Lambda authorizer, or API keys with a usage plan", api_auth)


# --- Automation roles ----------------------------------------------------------------------------

