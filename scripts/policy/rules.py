"""The guardrails: each rule has an ID, a title, a rationale with its source, and a remedy.

A rule gets one plan (a whole tier: every account) and returns its violations. Rules judge planned
values; values that are unknown until apply count as set only where they reference a resource the
plan creates (a key ARN, a subnet ID), never for policy documents, which must be known.
"""
from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from policy.documents import account_of_arn, condition_keys, listify, principals, statements
from policy.iam import Principal, authorized
from policy.model import PROTECTED_ALL, PROTECTED_WRITE, Model
from policy.plan import Plan, Resource


@dataclass(frozen=True)
class Violation:
    rule: str
    title: str
    plan: str
    address: str
    message: str
    remedy: str


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    rationale: str
    source: str
    remedy: str
    check: Callable[[Model], Iterator[tuple[str, str]]]


RULES: list[Rule] = []
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def rule(id: str, title: str, rationale: str, source: str, remedy: str):
    def register(check: Callable[[Model], Iterator[tuple[str, str]]]) -> Callable:
        RULES.append(Rule(id, title, rationale, source, remedy, check))
        return check
    return register


def evaluate(plan: Plan, only: set[str] | None = None) -> list[Violation]:
    """Violations of every rule, in both views of the plan (resource_changes and planned_values)."""
    found: set[Violation] = set()
    for view in filter(None, (plan, plan.planned_view)):
        model = Model(view)
        for r in RULES:
            if only and r.id not in only:
                continue
            for address, message in r.check(model):
                found.add(Violation(r.id, r.title, plan.name, address, message, r.remedy))
    return sorted(found, key=lambda v: (v.rule, v.address, v.message))


def is_set(resource: Resource, *path: Any) -> bool:
    """Configured: a non-empty known value, or a value known only after apply (a reference)."""
    return bool(resource.get(*path)) or resource.is_unknown(*path)


# --- Studio --------------------------------------------------------------------------------------

@rule("MLOPS-001", "Studio domain is VPC-only with a customer KMS key",
      "PublicInternetOnly Studio apps reach the internet around the VPC's controls; AWS-owned keys cannot be audited or revoked.",
      "AWS Well-Architected ML Lens MLSEC-10; SageMaker Developer Guide, 'Connect Studio notebooks in a VPC to external resources'",
      "set app_network_access_type = \"VpcOnly\" and kms_key_id on aws_sagemaker_domain (modules/dev does)")
def studio(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_sagemaker_domain"):
        if r.get("app_network_access_type") != "VpcOnly":
            yield r.address, f"app_network_access_type is {r.get('app_network_access_type')!r}, not 'VpcOnly'"
        if not is_set(r, "kms_key_id"):
            yield r.address, "storage has no customer KMS key (kms_key_id)"


# --- Data scientists -----------------------------------------------------------------------------

BOUNDARY_MUST_DENY = [
    ("iam:CreateUser", "arn:aws:iam::{account}:user/x", {}),
    ("iam:CreateAccessKey", "arn:aws:iam::{account}:user/x", {}),
    ("iam:DeleteRolePermissionsBoundary", "arn:aws:iam::{account}:role/any", {}),
    ("iam:PutRolePermissionsBoundary", "arn:aws:iam::{account}:role/any", {"iam:PermissionsBoundary": "arn:aws:iam::{account}:policy/other"}),
    ("iam:CreatePolicyVersion", "{boundary}", {}),
    ("iam:CreateRole", "arn:aws:iam::{account}:role/new", {}),
    ("iam:CreateRole", "arn:aws:iam::{account}:role/new", {"iam:PermissionsBoundary": "arn:aws:iam::{account}:policy/other"}),
]


@rule("MLOPS-002", "Every data-scientist role has the approved permissions boundary, and it holds",
      "A boundary caps what any policy attached later can grant; without the denies, a data scientist can mint users, keys or unbounded roles and escalate.",
      "IAM User Guide, 'Permissions boundaries for IAM entities' (delegation example); AWS Security Blog, 'When and where to use IAM permissions boundaries'",
      "attach the data-scientist boundary of modules/dev (permissions_boundary) and keep its Deny statements")
def boundaries(model: Model) -> Iterator[tuple[str, str]]:
    for role in model.data_scientists():
        arn = role.resource.get("permissions_boundary")
        if not arn:
            yield role.resource.address, "data-scientist role has no permissions boundary"
            continue
        if role.boundary is None or not re.search(r"data-scientist-boundary$", arn):
            yield role.resource.address, f"boundary {arn} is not the approved data-scientist boundary defined in this plan"
            continue
        unbounded = Principal(role.arn, role.account, [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}], role.boundary, arn)
        for action, resource, context in BOUNDARY_MUST_DENY:
            fill = {"account": role.account, "boundary": arn}
            ctx = {k: v.format(**fill) for k, v in context.items()}
            if authorized(unbounded, action, resource.format(**fill), context=ctx):
                what = f"{action}" + (f" with {ctx}" if ctx else " without the boundary" if action == "iam:CreateRole" else "")
                yield role.resource.address, f"the boundary does not deny {what}"
        if not authorized(unbounded, "sagemaker:CreateTrainingJob", f"arn:aws:sagemaker:*:{role.account}:training-job/x", context={"aws:ResourceAccount": role.account}):
            yield role.resource.address, "the boundary denies ordinary work in dev (sagemaker:CreateTrainingJob); it would be removed in practice"


DS_PROBES = {
    "bucket": (["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], ["s3:PutObject", "s3:DeleteObject"], "/probe"),
    "key": (["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], ["kms:Encrypt", "kms:GenerateDataKey"], ""),
    "repository": (["ecr:BatchGetImage", "ecr:PutImage"], ["ecr:PutImage", "ecr:InitiateLayerUpload"], ""),
    "registry": (["sagemaker:DescribeModelPackageGroup", "sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"], ["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage", "sagemaker:DeleteModelPackageGroup"], ""),
    "event bus": (["events:PutEvents"], ["events:PutEvents"], ""),
    "topic/queue": (["sns:Publish", "sqs:SendMessage"], ["sns:Publish", "sqs:SendMessage"], ""),
    "api": (["execute-api:Invoke"], ["execute-api:Invoke"], ""),
}


@rule("MLOPS-003", "No data-scientist principal reaches staging, prod, cicd, or writes to artifact",
      "Production must only change through the tested, approved pipeline; a data scientist who can assume a prod role or write the registry bypasses it.",
      "AWS Summit ANZ 2022, 'End-to-end MLOps for architects' (medium and large tiers); AWS Security Reference Architecture, workload isolation",
      "remove the grant: trust and resource policies in those accounts must name only their automation roles")
def reach(model: Model) -> Iterator[tuple[str, str]]:
    protected_all, protected_write = model.accounts_of(*PROTECTED_ALL), model.accounts_of(*PROTECTED_WRITE)
    org = model.organization_id()
    for ds in model.data_scientists():
        me = ds.principal()
        all_access = protected_all - {ds.account}
        write_only = protected_write - {ds.account} - all_access
        context = {"aws:SecureTransport": "true", **({"aws:PrincipalOrgID": org} if org else {})}
        for target in model.roles.values():
            if target.account in all_access and authorized(me, "sts:AssumeRole", target.arn, resource_policy=target.trust or {"Statement": []}, resource_account=target.account, context={**context, "aws:ResourceAccount": target.account}):
                yield target.resource.address, f"data-scientist role {ds.arn} can assume {target.arn}"
        for policy in model.resource_policies:
            account = policy.resource.account_id
            if account not in all_access | write_only:
                continue
            reads_and_writes, writes, suffix = DS_PROBES[policy.kind]
            for action in reads_and_writes if account in all_access else writes:
                if authorized(me, action, policy.arn + suffix, resource_policy=policy.document or {"Statement": []}, resource_account=account, context={**context, "aws:ResourceAccount": account}):
                    yield policy.resource.address, f"data-scientist role {ds.arn} is allowed {action} on {policy.kind} {policy.arn}"


@rule("MLOPS-004", "Only the CI/CD pipeline role can assume the staging and prod deploy roles",
      "The deploy roles are the only path to production; anyone else who can assume them can deploy untested models.",
      "AWS Summit ANZ 2022, 'End-to-end MLOps for architects'; IAM User Guide, 'Cross-account access using roles'",
      "make the deploy role's trust policy name exactly the cicd pipeline role ARN (and aws:PrincipalOrgID where an organization exists)")
def deployers(model: Model) -> Iterator[tuple[str, str]]:
    deploy_roles = [r for r in model.roles.values() if r.purpose == "deploy"]
    allowed = {r.arn for r in model.roles.values() if r.purpose == "cicd-pipeline"}
    org = model.organization_id()
    for target in deploy_roles:
        who: set[str] = set()
        for statement in listify((target.trust or {}).get("Statement")):
            if statement.get("Effect") == "Allow":  # every principal the trust names, evaluated or not
                who |= {value if kind == "AWS" and ":role/" in value else f"{kind}:{value}" for kind, value in principals(statement)}
        for candidate in model.roles.values():
            context = {"aws:ResourceAccount": target.account, **({"aws:PrincipalOrgID": org} if org else {})}
            if candidate.arn != target.arn and authorized(candidate.principal(), "sts:AssumeRole", target.arn, resource_policy=target.trust or {"Statement": []}, resource_account=target.account, context=context):
                who.add(candidate.arn)
        if not allowed:
            yield target.resource.address, "no role tagged mlops:purpose=cicd-pipeline exists to deploy"
        if who != allowed:
            yield target.resource.address, f"who can assume it: {sorted(who) or 'nobody'}; must be exactly {sorted(allowed)}"


# --- Trust and resource policies -----------------------------------------------------------------

SOURCE_KEYS = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"}


def policy_documents(model: Model) -> Iterator[tuple[Resource, str, dict[str, Any], str]]:
    """(resource, attribute, document, owner account) for every trust and resource policy."""
    for role in model.roles.values():
        if role.trust:
            yield role.resource, "assume_role_policy", role.trust, role.account
    for policy in model.resource_policies:
        if policy.document:
            yield policy.resource, policy.attribute, policy.document, policy.resource.account_id


@rule("MLOPS-005", "Trust and resource policies name exact principals",
      "'*' or a foreign account's root lets principals you do not control in; a service principal without aws:SourceAccount/SourceArn is a confused deputy.",
      "IAM User Guide, 'The confused deputy problem'; AWS Organizations, 'aws:PrincipalOrgID'",
      "name role ARNs; add aws:PrincipalOrgID to any other-account :root; add aws:SourceAccount or aws:SourceArn to service principals")
def exact_principals(model: Model) -> Iterator[tuple[str, str]]:
    for resource, attribute, document, owner in policy_documents(model):
        for statement in statements(document):
            if statement.get("Effect") != "Allow":
                continue
            keys = condition_keys(statement)
            for kind, value in principals(statement):
                if value == "*" and not keys & (SOURCE_KEYS | {"aws:principalorgid", "aws:principalarn"}):
                    yield resource.address, f"{attribute}: Allow to any principal ('*') without a limiting condition"
                elif kind == "AWS" and value.endswith(":root") and account_of_arn(value) != owner and "aws:principalorgid" not in keys:
                    yield resource.address, f"{attribute}: Allow to another account's root {value} without aws:PrincipalOrgID"
                elif kind == "AWS" and re.fullmatch(r"\d{12}", value) and value != owner and "aws:principalorgid" not in keys:
                    yield resource.address, f"{attribute}: Allow to another account {value} without aws:PrincipalOrgID"
                elif kind == "Service" and not keys & SOURCE_KEYS:
                    yield resource.address, f"{attribute}: service principal {value} without aws:SourceAccount or aws:SourceArn"
    for r in model.plan.of_type("aws_lambda_permission"):
        if r.get("principal", default="").endswith(".amazonaws.com") and not (is_set(r, "source_arn") or is_set(r, "source_account")):
            yield r.address, f"lambda permission for {r.get('principal')} without source_arn or source_account"


# --- Storage and keys ----------------------------------------------------------------------------

@rule("MLOPS-006", "Buckets: SSE-KMS with a customer key, public access blocked, TLS only, versioned",
      "Training data, models and captured inferences are sensitive and must be recoverable.",
      "AWS Foundational Security Best Practices S3.1/S3.5/S3.14/S3.17; Well-Architected ML Lens MLSEC-07",
      "use modules/components/bucket, which sets all four")
def buckets(model: Model) -> Iterator[tuple[str, str]]:
    plan = model.plan
    by_bucket: dict[str, dict[str, Resource]] = {}
    for r in plan.resources:
        if r.type.startswith("aws_s3_bucket"):
            name = r.get("bucket")
            by_bucket.setdefault(f"{r.account_id}/{name or r.address}", {})[r.type] = r
    for key, parts in by_bucket.items():
        bucket = parts.get("aws_s3_bucket")
        if bucket is None:
            continue
        name = bucket.get("bucket")
        sse = parts.get("aws_s3_bucket_server_side_encryption_configuration")
        default = sse.get("rule", 0, "apply_server_side_encryption_by_default", 0) if sse else None
        if not default or default.get("sse_algorithm") != "aws:kms" or not (default.get("kms_master_key_id") or sse.is_unknown("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")):
            yield bucket.address, f"bucket {name} is not encrypted with SSE-KMS and a customer key"
        block = parts.get("aws_s3_bucket_public_access_block")
        if not block or not all(block.get(k) for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")):
            yield bucket.address, f"bucket {name} does not block all public access"
        policy = parts.get("aws_s3_bucket_policy")
        document = policy.json("policy") if policy else None
        insecure = {"aws:SecureTransport": "false"}
        owner = Principal(f"arn:aws:iam::{bucket.account_id}:role/probe", bucket.account_id, [FULL_ACCESS])
        if document is None or any(
            authorized(owner, action, resource, resource_policy=document, resource_account=bucket.account_id, context=insecure)
            for action, resource in (("s3:GetObject", f"arn:aws:s3:::{name}/any"), ("s3:PutObject", f"arn:aws:s3:::{name}/any"), ("s3:ListBucket", f"arn:aws:s3:::{name}"))
        ):
            yield bucket.address, f"bucket {name}: requests without TLS (aws:SecureTransport false) are not denied for the bucket and its objects"
        versioning = parts.get("aws_s3_bucket_versioning")
        if not versioning or versioning.get("versioning_configuration", 0, "status") != "Enabled":
            yield bucket.address, f"bucket {name} is not versioned"


@rule("MLOPS-010", "KMS keys rotate and their policies name no wildcard principal",
      "Rotation limits what one key version protects; a '*' principal in a key policy hands the key to anyone IAM allows, in any account.",
      "AWS Foundational Security Best Practices KMS.4; KMS Developer Guide, 'Key policies'",
      "enable_key_rotation = true; name principals exactly (modules/components/kms-key)")
def keys(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_kms_key"):
        if not r.get("enable_key_rotation"):
            yield r.address, "key rotation is off"
        for statement in statements(r.json("policy")):
            if statement.get("Effect") == "Allow" and any(value == "*" for _, value in principals(statement)):
                yield r.address, "key policy allows a wildcard principal"


@rule("MLOPS-009", "ECR repositories: immutable tags, scan on push, KMS",
      "Mutable tags let a deployed image change under the same name; unscanned images ship known CVEs.",
      "AWS Foundational Security Best Practices ECR.1/ECR.2; ECR User Guide, 'Image tag mutability'",
      "image_tag_mutability = \"IMMUTABLE\", scan_on_push = true, encryption_type = \"KMS\" (modules/artifact)")
def repositories(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_ecr_repository"):
        if r.get("image_tag_mutability") != "IMMUTABLE":
            yield r.address, "image tags are mutable"
        if not r.get("image_scanning_configuration", 0, "scan_on_push"):
            yield r.address, "images are not scanned on push"
        if r.get("encryption_configuration", 0, "encryption_type") != "KMS":
            yield r.address, "images are not encrypted with KMS"


# --- Serving -------------------------------------------------------------------------------------

def deployment_specs(model: Model) -> Iterator[tuple[Resource, dict[str, Any]]]:
    """(resource, spec); a spec deployed through a role (DEPLOY_ROLE_ARN) targets that role's account."""
    for r in model.plan.of_type("aws_lambda_function", "aws_codebuild_project"):
        variables = r.get("environment", 0, "variables") or {}
        for env in listify(r.get("environment", 0, "environment_variable")):
            variables[env.get("name")] = env.get("value")
        if "DEPLOYMENT_SPEC" in variables:
            spec = json.loads(variables["DEPLOYMENT_SPEC"]) if variables["DEPLOYMENT_SPEC"] else {}
            if spec and variables.get("DEPLOY_ROLE_ARN"):
                spec["_account"] = account_of_arn(variables["DEPLOY_ROLE_ARN"])
            yield r, spec
        elif r.is_unknown("environment", 0, "variables"):
            yield r, {}


@rule("MLOPS-007", "Endpoint configurations: KMS for volumes and captured data; capture on in staging and prod",
      "Endpoint volumes and captured requests hold customer data; Model Monitor needs captured data from the stages that matter.",
      "Well-Architected ML Lens MLSEC-07, MLREL-09; SageMaker Developer Guide, 'Capture data from real-time endpoint'",
      "set kms_key_arn and data_capture_config.kms_key_id; keep data capture on for staging and prod (modules/prod data_capture)")
def endpoint_configs(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_sagemaker_endpoint_configuration"):
        if not is_set(r, "kms_key_arn"):
            yield r.address, "endpoint volumes are not encrypted with a customer key"
        capture = r.get("data_capture_config", 0)
        if capture and capture.get("enable_capture", True) and not is_set(r, "data_capture_config", 0, "kms_key_id"):
            yield r.address, "captured data is not encrypted with a customer key"
        if r.account_role in ("staging", "prod") and not (capture and capture.get("enable_capture", True)):
            yield r.address, f"data capture is off in {r.account_role}"
    for r, spec in deployment_specs(model):
        if not spec:
            yield r.address, "the deployment spec is unknown at plan time; build it from names and alias ARNs"
            continue
        if not spec.get("kms_key_arn"):
            yield r.address, "deployment spec: endpoint volumes have no customer key"
        capture = spec.get("data_capture") or {}
        if capture.get("enabled") and not capture.get("kms_key_arn"):
            yield r.address, "deployment spec: captured data has no customer key"
        stage = (spec.get("tags") or {}).get("mlops:stage") or r.account_role
        if stage in ("staging", "prod") and not capture.get("enabled"):
            yield r.address, f"deployment spec: data capture is off in {stage}"


@rule("MLOPS-008", "Canary deployments carry auto-rollback alarms that exist",
      "A canary without alarms shifts all traffic to a bad model; SageMaker rolls back only on the alarms it is given.",
      "SageMaker Developer Guide, 'Deployment guardrails: auto-rollback configuration and monitoring'",
      "give every canary at least one CloudWatch alarm on the endpoint's errors or latency (modules/prod alarms)")
def canaries(model: Model) -> Iterator[tuple[str, str]]:
    alarms = {(r.account_id, r.get("alarm_name")) for r in model.plan.of_type("aws_cloudwatch_metric_alarm")}
    for r in model.plan.of_type("aws_sagemaker_endpoint"):
        config = r.get("deployment_config", 0)
        if config and not r.get("deployment_config", 0, "auto_rollback_configuration", 0, "alarms"):
            yield r.address, "blue/green deployment without auto-rollback alarms"
    for r, spec in deployment_specs(model):
        if not spec or not (spec.get("canary") or {}).get("percent"):
            continue
        names = spec.get("rollback_alarm_names") or []
        if not names:
            yield r.address, "deployment spec: canary without rollback alarms"
        account = spec.get("_account") or r.account_id
        for name in names:
            if (account, name) not in alarms:
                yield r.address, f"deployment spec: rollback alarm {name} is not defined in account {account}, where it deploys"


@rule("MLOPS-012", "The inference API requires authentication",
      "An open endpoint lets anyone run (and be billed for) the model and probe it.",
      "API Gateway Developer Guide, 'Controlling and managing access to a REST API'; AWS FSBP APIGateway.x",
      "use AWS_IAM, a Cognito/JWT or Lambda authorizer, or API keys with a usage plan")
def api_auth(model: Model) -> Iterator[tuple[str, str]]:
    planned_apis = {u.get("api_stages", 0, "api_id") for u in model.plan.of_type("aws_api_gateway_usage_plan")}
    has_plans = any(True for _ in model.plan.of_type("aws_api_gateway_usage_plan"))
    for r in model.plan.of_type("aws_api_gateway_method"):
        if r.get("http_method") == "OPTIONS":
            continue
        if r.get("authorization") in ("AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM"):
            continue
        if r.get("api_key_required") and (has_plans or planned_apis):
            continue
        yield r.address, f"method {r.get('http_method')} has authorization {r.get('authorization')!r} and no API key with a usage plan"
    for r in model.plan.of_type("aws_apigatewayv2_route"):
        if r.get("authorization_type", default="NONE") == "NONE":
            yield r.address, "route has no authorizer"


# --- Automation roles ----------------------------------------------------------------------------

@rule("MLOPS-011", "Automation roles: no '*' actions, no Allow with NotAction, no iam:PassRole on '*'",
      "Functions, pipelines and builds run unattended; a wildcard grant turns one bug or injected input into account takeover.",
      "IAM User Guide, 'Grant least privilege'; 'Granting a user permissions to pass a role to an AWS service'",
      "list the actions; scope iam:PassRole to the exact role ARNs with iam:PassedToService")
def automation(model: Model) -> Iterator[tuple[str, str]]:
    data_scientists = {r.arn for r in model.data_scientists()}
    for role in model.roles.values():
        if role.arn in data_scientists:
            continue
        for document in role.policies:
            for statement in statements(document):
                if statement.get("Effect") != "Allow":
                    continue
                actions = [a.lower() for a in listify(statement.get("Action"))]
                if "*" in actions:
                    yield role.resource.address, "a policy allows every action ('*')"
                if "NotAction" in statement:
                    yield role.resource.address, "a policy allows with NotAction"
                passes = any(fnmatch.fnmatchcase("iam:passrole", a) for a in actions)
                if passes and "*" in listify(statement.get("Resource")):
                    yield role.resource.address, "iam:PassRole is allowed on every role ('*')"


REGISTRATION = {"sagemaker:createmodelpackage"}


@rule("MLOPS-014", "Model package group policies: read-only to named roles, registration only to the retraining pipeline",
      "Other accounts deploy from the registry and must not register, approve or delete versions; only the retraining pipeline registers (as PendingManualApproval), approval stays in the registry's account.",
      "SageMaker Developer Guide, 'Cross-account model registry'",
      "grant Describe*/List* to exact role ARNs; grant sagemaker:CreateModelPackage only to the role tagged mlops:purpose=retraining-pipeline")
def registry_policies(model: Model) -> Iterator[tuple[str, str]]:
    pipelines = {r.arn for r in model.roles.values() if r.purpose == "retraining-pipeline"}
    for r in model.plan.of_type("aws_sagemaker_model_package_group_policy"):
        for statement in statements(r.json("resource_policy")):
            if statement.get("Effect") != "Allow":
                continue
            named = [value for kind, value in principals(statement)]
            for action in listify(statement.get("Action")):
                if action.lower() in REGISTRATION:
                    for value in named:
                        if value not in pipelines:
                            yield r.address, f"grants {action} to {value}, which is not the retraining pipeline role"
                elif not re.match(r"(?i)^sagemaker:(describe|list|get|batchdescribe)", action):
                    yield r.address, f"grants {action}, which is not read-only"
            for kind, value in principals(statement):
                if kind != "AWS" or ":role/" not in value or "*" in value:
                    yield r.address, f"grants to {value}, not an exact role"


# --- Organization ---------------------------------------------------------------------------------

SCP_MUST_DENY = [
    ("organizations:LeaveOrganization", {}, "leaving the organization"),
    ("cloudtrail:StopLogging", {}, "stopping CloudTrail"),
    ("cloudtrail:DeleteTrail", {}, "deleting CloudTrail"),
    ("config:StopConfigurationRecorder", {}, "stopping AWS Config"),
    ("config:DeleteConfigurationRecorder", {}, "deleting AWS Config"),
    ("sagemaker:CreateEndpoint", {"aws:RequestedRegion": "xx-nowhere-1"}, "regions outside the allowed list"),
]


def unit_policies(model: Model) -> dict[str, tuple[Resource, list[dict[str, Any]]]]:
    """Organizational unit key -> (unit, SCP documents attached to it). Attachments are keyed
    "<policy>/<unit>" by modules/org, because their IDs are unknown until apply."""
    policies = {r.address.rsplit("[", 1)[-1].strip('"]'): r for r in model.plan.of_type("aws_organizations_policy") if r.get("type", default="SERVICE_CONTROL_POLICY") == "SERVICE_CONTROL_POLICY"}
    units = {r.address.rsplit("[", 1)[-1].strip('"]'): r for r in model.plan.of_type("aws_organizations_organizational_unit")}
    attached: dict[str, tuple[Resource, list[dict[str, Any]]]] = {key: (unit, [FULL_ACCESS]) for key, unit in units.items()}
    for r in model.plan.of_type("aws_organizations_policy_attachment"):
        policy_key, _, unit_key = r.address.rsplit("[", 1)[-1].strip('"]').partition("/")
        if unit_key in attached and policy_key in policies and policies[policy_key].json("content"):
            attached[unit_key][1].append(policies[policy_key].json("content"))
    return attached


@rule("MLOPS-013", "SCPs deny leaving the organization, audit tampering, other regions, and data scientists in prod",
      "Service control policies hold even against account administrators; they are the last line when IAM inside an account is wrong.",
      "AWS Organizations User Guide, 'SCP examples'; AWS Security Reference Architecture",
      "attach the documents in policies/scp/ with modules/org (deny_data_scientists on the prod unit)")
def scps(model: Model) -> Iterator[tuple[str, str]]:
    units = unit_policies(model)
    for key, (unit, documents) in units.items():
        probe = Principal("arn:aws:iam::000000000000:role/admin", "000000000000", [FULL_ACCESS])
        allowed_region = {"aws:RequestedRegion": next(iter(model.plan.output("allowed_regions") or []), "eu-west-1")}
        for action, context, what in SCP_MUST_DENY:
            if authorized(probe, action, "*", context={**allowed_region, **context}, scps=[documents]):
                yield unit.address, f"the SCPs on unit {key!r} do not deny {what} ({action})"
        if key == "prod" or "prod" in (unit.get("name") or ""):
            data_scientist = Principal("arn:aws:iam::000000000000:role/mlops/data-science/mlops-dev-data-scientist", "000000000000", [FULL_ACCESS])
            if authorized(data_scientist, "sagemaker:InvokeEndpoint", "*", context={**allowed_region, "aws:PrincipalArn": data_scientist.arn}, scps=[documents]):
                yield unit.address, f"the SCPs on unit {key!r} do not deny data-scientist principals"


# --- Jobs, builds, logs --------------------------------------------------------------------------

def pipeline_jobs(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for step in definition.get("Steps", []):
        if step.get("Type") in ("Processing", "Training"):
            yield step
        for branch in ("IfSteps", "ElseSteps"):
            yield from pipeline_jobs({"Steps": step.get("Arguments", {}).get(branch, [])})


@rule("MLOPS-015", "Jobs, monitors, feature stores, builds and logs are encrypted and isolated",
      "Jobs process raw data; they must run in the VPC with encrypted volumes, outputs and traffic. Logs carry payloads.",
      "Well-Architected ML Lens MLSEC-07/MLSEC-10; CloudWatch Logs 'Encrypt log data'",
      "set VPC config, KMS keys and inter-container encryption; KMS and retention on log groups")
def jobs(model: Model) -> Iterator[tuple[str, str]]:
    for r in model.plan.of_type("aws_sagemaker_pipeline"):
        definition = r.json("pipeline_definition")
        if definition is None:
            continue  # unknown until apply (it embeds key ARNs and subnet IDs); modules/ops tests assert it
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
    for r in model.plan.of_type("aws_cloudformation_stack"):  # Clarify monitors (no provider resources)
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


@rule("MLOPS-016", "Every IAM and resource policy is known at plan time",
      "A policy that is unknown until apply cannot be reviewed or analysed before it takes effect.",
      "This project's design: ARNs are built from account IDs and names (README, 'Policy suite')",
      "build ARNs from account IDs and names (locals), not from resource attributes")
def analysable(model: Model) -> Iterator[tuple[str, str]]:
    attributes = ("policy", "assume_role_policy", "resource_policy", "permissions_boundary", "content")
    for r in model.plan.resources:
        if not r.type.startswith(("aws_iam_", "aws_s3_bucket_policy", "aws_kms_key", "aws_ecr_repository_policy", "aws_sagemaker_model_package_group_policy", "aws_organizations_policy", "aws_cloudwatch_event_bus_policy", "aws_sns_topic_policy", "aws_sqs_queue_policy")):
            continue
        for name in attributes:
            if r.unknown.get(name) is True and r.values.get(name) is None:
                yield r.address, f"{name} is unknown until apply"
