"""Studio, trust and resource policies, jobs and logs, the retraining pipeline, and what could not be evaluated."""
from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from policy.documents import account_of_arn, condition_keys, listify, principals, statements
from policy.model import Model
from policy.plan import Resource
from policy.rules import is_set, rule

EXCEPTIONS = Path(__file__).resolve().parents[3] / "policies" / "not-evaluated.yaml"


def studio(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_sagemaker_domain"):
        if r.get("app_network_access_type") != "VpcOnly":
            yield r.address, f"app_network_access_type is {r.get('app_network_access_type')!r}, not 'VpcOnly'"
        if not is_set(r, "kms_key_id"):
            yield r.address, "storage has no customer KMS key (kms_key_id)"
        if r.get("domain_settings", 0, "execution_role_identity_config") != "USER_PROFILE_NAME":
            yield r.address, "sessions do not carry the user profile as source identity (execution_role_identity_config), so policies cannot keep users to their own profile"


rule("MLOPS-001", "Studio domain is VPC-only with a customer KMS key and per-user source identity",
     "PublicInternetOnly Studio apps reach the internet around the VPC's controls; AWS-owned keys cannot be audited or revoked; without the user profile as source identity, every user's notebook acts as every other user.",
     "AWS Well-Architected ML Lens MLSEC-10; SageMaker Developer Guide, 'Connect Studio notebooks in a VPC to external resources', 'Monitor user resource access from Studio'",
     "set app_network_access_type = \"VpcOnly\", kms_key_id and domain_settings.execution_role_identity_config = \"USER_PROFILE_NAME\" (modules/dev does)", studio)


SOURCE_KEYS = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"}


def policy_documents(model: Model) -> Iterator[tuple[Resource, str, dict[str, Any], str]]:
    """(resource, attribute, document, owner account) for every trust and resource policy."""
    for identity in model.principals.values():
        if identity.trust and identity.resource:
            yield identity.resource, "assume_role_policy", identity.trust, identity.account
    for policy in model.resource_policies:
        if policy.document:
            yield policy.resource, policy.attribute, policy.document, policy.resource.account_id


def exact_principals(model: Model) -> Iterator[tuple[str, str]]:
    accounts = model.accounts()
    for resource, attribute, document, owner in policy_documents(model):
        for statement in statements(document):
            if statement.get("Effect") != "Allow":
                continue
            keys = condition_keys(statement)
            if "NotPrincipal" in statement:
                yield resource.address, f"{attribute}: Allow with NotPrincipal, that is to every principal but those named"
            for kind, value in principals(statement):
                account = account_of_arn(value) or (value if re.fullmatch(r"\d{12}", value) else None)
                if value == "*" and not keys & (SOURCE_KEYS | {"aws:principalorgid", "aws:principalarn"}):
                    yield resource.address, f"{attribute}: Allow to any principal ('*') without a limiting condition"
                elif kind == "AWS" and account and account != owner and account not in accounts and "aws:principalorgid" not in keys:
                    yield resource.address, f"{attribute}: Allow to {value}, of account {account} outside this tier, without aws:PrincipalOrgID"
                elif kind == "AWS" and account and account != owner and (value.endswith(":root") or value == account) and "aws:principalorgid" not in keys:
                    yield resource.address, f"{attribute}: Allow to every principal of account {account} ({value}) without aws:PrincipalOrgID"
                elif kind == "Service" and not keys & SOURCE_KEYS:
                    yield resource.address, f"{attribute}: service principal {value} without aws:SourceAccount or aws:SourceArn"
    for r in model.plan.of_type("aws_lambda_permission"):
        if r.get("principal", default="").endswith(".amazonaws.com") and not (is_set(r, "source_arn") or is_set(r, "source_account")):
            yield r.address, f"lambda permission for {r.get('principal')} without source_arn or source_account"


rule("MLOPS-005", "Trust and resource policies name exact principals of the tier's accounts",
     "'*', NotPrincipal or another account's principal lets in principals you do not control; a service principal without aws:SourceAccount/SourceArn is a confused deputy.",
     "IAM User Guide, 'The confused deputy problem', 'NotPrincipal'; AWS Organizations, 'aws:PrincipalOrgID'",
     "name role ARNs of the tier's accounts; add aws:PrincipalOrgID to any other account's principal; add aws:SourceAccount or aws:SourceArn to service principals", exact_principals)


# --- Jobs, builds, logs --------------------------------------------------------------------------

def pipeline_steps(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for step in definition.get("Steps", []):
        yield step
        for branch in ("IfSteps", "ElseSteps"):
            yield from pipeline_steps({"Steps": step.get("Arguments", {}).get(branch, [])})


def pipeline_jobs(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return (s for s in pipeline_steps(definition) if s.get("Type") in ("Processing", "Training"))


def jobs(model: Model) -> Iterator[tuple[str, str]]:
    for r, definition in pipeline_definitions(model):
        for step in pipeline_jobs(definition):
            args, name = step.get("Arguments", {}), step.get("Name")
            if step["Type"] == "Processing":
                network = args.get("NetworkConfig") or {}
                vpc, encrypted = network.get("VpcConfig"), network.get("EnableInterContainerTrafficEncryption")
                volume, output = args.get("ProcessingResources", {}).get("ClusterConfig", {}).get("VolumeKmsKeyId"), args.get("ProcessingOutputConfig", {}).get("KmsKeyId")
            else:
                vpc, encrypted = args.get("VpcConfig"), args.get("EnableInterContainerTrafficEncryption")
                volume, output = args.get("ResourceConfig", {}).get("VolumeKmsKeyId"), args.get("OutputDataConfig", {}).get("KmsKeyId")
            for missing, what in ((vpc, "VPC config"), (encrypted, "inter-container traffic encryption"), (volume, "volume KMS key"), (output, "output KMS key")):
                if not missing:
                    yield r.address, f"step {name}: no {what}"
    for kind in ("data_quality", "model_quality", "model_bias", "model_explainability"):
        for r in model.plan.of_type(f"aws_sagemaker_{kind}_job_definition"):
            if not r.get("network_config", 0, "enable_inter_container_traffic_encryption"):
                yield r.address, "no inter-container traffic encryption"
            if not is_set(r, "network_config", 0, "vpc_config"):
                yield r.address, "no VPC config"
            if not is_set(r, "job_resources", 0, "cluster_config", 0, "volume_kms_key_id"):
                yield r.address, "no volume KMS key"
            outputs = f"{kind}_job_output_config"
            if not is_set(r, outputs, 0, "kms_key_id"):
                yield r.address, "no output KMS key"
    for r in model.plan.of_type("aws_cloudformation_stack"):  # model-quality and Clarify monitors (no provider resources)
        if r.is_unknown("template_body"):
            model.unresolved.append((r.address, "template_body is unknown until apply: its monitoring jobs' VPC, KMS and encryption are not evaluated"))
            continue
        template = r.json("template_body")
        for name, resource in ((template or {}).get("Resources") or {}).items():
            kind = re.fullmatch(r"AWS::SageMaker::(\w+)JobDefinition", resource.get("Type", ""))
            if not kind:
                continue
            props = resource.get("Properties") or {}
            network = props.get("NetworkConfig") or {}
            for ok, what in ((network.get("EnableInterContainerTrafficEncryption"), "inter-container traffic encryption"), (network.get("VpcConfig"), "VPC config"),
                             ((props.get("JobResources") or {}).get("ClusterConfig", {}).get("VolumeKmsKeyId"), "volume KMS key"),
                             ((props.get(f"{kind.group(1)}JobOutputConfig") or {}).get("KmsKeyId"), "output KMS key")):
                if not ok:
                    yield r.address, f"{name}: no {what}"
    for r in model.plan.of_type("aws_sagemaker_feature_group"):
        if r.get("online_store_config", 0) and not is_set(r, "online_store_config", 0, "security_config", 0, "kms_key_id"):
            yield r.address, "online store without KMS"
        if r.get("offline_store_config", 0) and not is_set(r, "offline_store_config", 0, "s3_storage_config", 0, "kms_key_id"):
            yield r.address, "offline store without KMS"
    for r in model.plan.of_type("aws_codebuild_project"):
        if not is_set(r, "encryption_key"):
            yield r.address, "build artifacts without a customer KMS key"
    for r in model.plan.of_type("aws_codepipeline"):
        for store in listify(r.get("artifact_store")):
            if not (store.get("encryption_key") or r.is_unknown("artifact_store")):
                yield r.address, "pipeline artifacts without a customer KMS key"
    for r in model.plan.of_type("aws_cloudwatch_log_group"):
        if not is_set(r, "kms_key_id"):
            yield r.address, "log group without a KMS key"
        if not r.get("retention_in_days"):
            yield r.address, "log group keeps logs forever (no retention)"


rule("MLOPS-015", "Jobs, monitors, feature stores, builds and logs are encrypted and isolated",
     "Jobs process raw data; they must run in the VPC with encrypted volumes, outputs and traffic. Logs carry payloads.",
     "Well-Architected ML Lens MLSEC-07/MLSEC-10; CloudWatch Logs 'Encrypt log data'",
     "set VPC config, KMS keys and inter-container encryption; KMS and retention on log groups", jobs)


def pipeline_definitions(model: Model) -> Iterator[tuple[Resource, dict[str, Any]]]:
    """Every SageMaker pipeline definition the plan knows; the others are recorded as not evaluated."""
    for r in model.plan.of_type("aws_sagemaker_pipeline"):
        definition = model.document(r, "pipeline_definition") if not r.is_unknown("pipeline_definition") else None
        if definition is None:
            model.unresolved.append((r.address, "pipeline_definition is unknown until apply: its jobs' VPC, KMS and parameters are not evaluated"))
            continue
        yield r, definition


OVERRIDES = {"ModelApprovalStatus": "the approval status", "MinAccuracy": "the quality threshold", "InputDataUrl": "the training data"}


def retraining_overrides(model: Model) -> Iterator[tuple[str, str]]:
    for r, definition in pipeline_definitions(model):
        names = {p.get("Name") for p in definition.get("Parameters") or []}
        for name in sorted(names & set(OVERRIDES)):
            yield r.address, f"parameter {name} lets a run choose {OVERRIDES[name]}"
        for step in pipeline_steps(definition):
            status = (step.get("Arguments") or {}).get("ModelApprovalStatus")
            if step.get("Type") == "RegisterModel" and status != "PendingManualApproval":
                yield r.address, f"step {step.get('Name')} registers versions as {status!r}, not 'PendingManualApproval'"


rule("MLOPS-018", "A retraining run cannot choose the approval status, the quality threshold or the training data",
     "Whoever may start the pipeline (data scientists, by hand) could otherwise register an unreviewed model as approved, lower the quality gate to zero, or train on data they wrote.",
     "This project's separation of duties; SageMaker Pipelines, 'Pipeline parameters'",
     "fix them in the definition (modules/ops does); keep parameters to instance types and the like", retraining_overrides)


def exceptions() -> list[dict[str, str]]:
    listed = yaml.safe_load(EXCEPTIONS.read_text()) if EXCEPTIONS.exists() else []
    bad = [e for e in listed or [] if not (isinstance(e, dict) and e.get("address") and e.get("because") and len(str(e["because"]).split()) >= 5)]
    if bad:
        raise ValueError(f"{EXCEPTIONS}: every entry needs an address pattern and a reason (because:): {bad}")
    return listed or []


def analysable(model: Model) -> Iterator[tuple[str, str]]:
    listed = exceptions()
    attributes = ("policy", "assume_role_policy", "resource_policy", "permissions_boundary", "content")
    for r in model.plan.resources:
        if r.type.startswith(("aws_iam_", "aws_s3_bucket_policy", "aws_kms_key", "aws_ecr_repository_policy", "aws_sagemaker_model_package_group_policy", "aws_organizations_policy", "aws_cloudwatch_event_bus_policy", "aws_sns_topic_policy", "aws_sqs_queue_policy")):
            for name in attributes:
                if r.unknown.get(name) is True:
                    model.document(r, name)  # resolves it, or records why it cannot be
    if model.organization_id() is None:
        for identity in model.principals.values():
            documents = [identity.trust, *identity.policies]
            if identity.resource and any("aws:principalorgid" in json.dumps(d or {}).lower() for d in documents):
                model.unresolved.append((identity.address, "a policy requires aws:PrincipalOrgID but the plan outputs no organization_id, so who is inside the organization is unknown"))
        for policy in model.resource_policies:
            if "aws:principalorgid" in json.dumps(policy.document or {}).lower():
                model.unresolved.append((policy.resource.address, "the policy requires aws:PrincipalOrgID but the plan outputs no organization_id, so who is inside the organization is unknown"))
    for address, why in sorted(set(model.unresolved)):
        if any(fnmatch.fnmatchcase(address, e["address"]) and str(e.get("what", "")) in why for e in listed):
            continue
        yield address, f"not evaluated: {why}"


rule("MLOPS-016", "Everything the rules need is known and evaluated at plan time",
     "A policy, principal or reference that cannot be read at plan time cannot be reviewed or proven before it takes effect; a check that skips it in silence passes anything.",
     "This project's design: ARNs are built from account IDs and names (README, 'Policy suite'); policies/not-evaluated.yaml lists the reviewed exceptions",
     "build ARNs and documents from names and data.aws_iam_policy_document (no values known only after apply), or list the item in policies/not-evaluated.yaml with the reason and what checks it instead", analysable)

