"""Every finding a rule can report has a fixture here that reaches it and asserts its message, and
`test_every_finding_is_reached` proves it: it traces the rules while these fixtures run and names each
`yield` of a rule that none reaches. test_rules.py asserts whole plans (every rule, exact addresses);
these fixtures evaluate only the rule they target, on a tier plan with one change or a tiny
synthetic plan. One traced pass checks both (half the time of a parametrized run plus a traced one)."""
from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

from fixtures import DEV, change, deleter, policy_edit, remove_resource, role, setter, synthetic, tier_raw, trust, write
import policy.rules as rules_package
from policy.rules import organization, platform, separation, serving, storage
from policy.rules import evaluate
from test_rules import (BOUNDARY, DEPLOY_FN, DOMAIN, DS_ROLE, GOOD_DEFINITION, IN_VPC, KEY, LOGS, METHOD, MODELS, PIPELINE_POLICY, REGISTRY_POLICY, REPO, SCHEDULER_ROLE, SMALL,
                        STAGING_DEPLOYER, add_statement, both, clarify_stack, detach, drop_statement, edit_statement, known_pipeline_definition, registering, spec_edit, widen_ceiling)

pytestmark = pytest.mark.xdist_group("small")

RULES_DIR = Path(rules_package.__file__).parent
BUCKET_POLICY = f"{MODELS}.aws_s3_bucket_policy.this"
MODELS_ARN = f"arn:aws:s3:::mlops-{SMALL}-us-east-1-models"
ORG_POLICY = 'module.tier.module.org[0].aws_organizations_policy.this["{}"]'
MEDIUM_JOB = "module.tier.module.prod.aws_sagemaker_data_quality_job_definition.this[0]"
STAGING_OF_MEDIUM = "222222222222"


def plan_of(*resources):
    return lambda: synthetic(list(resources))


def unknown_after_plan(role: str, rtype: str, name: str, values: dict, unknown: dict):
    def build():
        raw = synthetic([(role, rtype, name, values)])
        raw["resource_changes"][0]["change"]["after_unknown"] = unknown
        return raw
    return build


def spec(**fields) -> dict:
    return {"environment": [{"variables": {"DEPLOYMENT_SPEC": json.dumps({"kms_key_arn": "k", "network_isolation": True, "data_capture": {"enabled": True, "kms_key_arn": "k"}, **fields})}}]}


def rcp_edit(name, edit):
    return policy_edit(ORG_POLICY.format(name), "content", lambda d: edit(d["Statement"][0]))


TRAINING_OUTSIDE_VPC = {"Name": "Train", "Type": "Training", "Arguments": {"EnableInterContainerTrafficEncryption": True, "ResourceConfig": {"VolumeKmsKeyId": "alias/k"}, "OutputDataConfig": {"KmsKeyId": "alias/k"}}}
NO_HEADERS_DENIED = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{MODELS_ARN}/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}

# id, plan ("small", "medium", "large" or a synthetic plan), change, rule, the messages it must report (regular expressions; none: it reports nothing)
FINDINGS = [
    ("studio outside the VPC", "small", setter(DOMAIN, ["app_network_access_type"], "PublicInternetOnly"), "MLOPS-001", [r"app_network_access_type is 'PublicInternetOnly'"]),
    ("studio without a key", "small", deleter(DOMAIN, ["kms_key_id"]), "MLOPS-001", [r"no customer KMS key"]),
    ("studio without source identity", "small", deleter(DOMAIN, ["domain_settings", 0, "execution_role_identity_config"]), "MLOPS-001", [r"source identity"]),
    ("no boundary", "small", deleter(DS_ROLE, ["permissions_boundary"]), "MLOPS-002", [r"has no permissions boundary"]),
    ("another boundary", "small", setter(DS_ROLE, ["permissions_boundary"], f"arn:aws:iam::{SMALL}:policy/other"), "MLOPS-002", [r"boundary arn:aws:iam::\d+:policy/other is not the approved"]),
    ("a boundary that lets users be created", "small", policy_edit(BOUNDARY, "policy", widen_ceiling("DenyIdentityCreationAndEscalation")), "MLOPS-002", [r"the boundary does not deny iam:CreateUser"]),
    ("a boundary that blocks ordinary work", "small", policy_edit(BOUNDARY, "policy", add_statement(Effect="Deny", Action="sagemaker:CreateTrainingJob", Resource="*")), "MLOPS-002", [r"denies ordinary work"]),
    ("data scientists may approve", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyRegistryWrites")), "MLOPS-003", [r"^can approve a model version in the registry \(approval starts the release to customers\): .*allowed sagemaker:UpdateModelPackage"]),
    ("data scientists may leave the VPC", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyJobsOutsideVpc")), "MLOPS-003",
     [r"^can run a training job outside the VPC: ", r"^can run a processing job outside the VPC: ", r"^can create a model outside the VPC: "]),
    ("data scientists may skip the key", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyJobsWithoutKms")), "MLOPS-003", [r"^can run a training job without a KMS key: "]),
    ("data scientists may open notebooks to the internet", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyNotebookInternet")), "MLOPS-003", [r"^can open a notebook instance with direct internet access: "]),
    ("data scientists may use other subnets", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyInterfacesOutsideTheTierVpc")), "MLOPS-003", [r"^can attach a job to a subnet outside the tier's VPC: "]),
    ("data scientists may administer Studio", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyStudioAdministration")), "MLOPS-003", [r"^can administer Studio \(domains and user profiles\): "]),
    ("data scientists may open others' Studio", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyOtherUsersStudio")), "MLOPS-003", [r"^can open another user's Studio \([\w-]+, as [\w-]+\): "]),
    ("the pipeline may register as approved", "small", policy_edit(PIPELINE_POLICY, "policy", edit_statement("RegisterModelVersionsForApproval", lambda s: s.pop("Condition"))), "MLOPS-004", [r"mlops-ops-pipeline can register a model version as already approved \(it would skip the approver; the duty of: no principal of the plan\)"]),
    ("nobody can approve", "small", policy_edit("module.artifact.module.model_approver.aws_iam_role_policy.this", "policy", drop_statement("ApproveOrRejectVersions")), "MLOPS-017", [r"^nobody whose duty it is \(model-approver\) can approve a model version"]),
    ("data scientists cannot train", "small", policy_edit(BOUNDARY, "policy", add_statement(Effect="Deny", Action="sagemaker:CreateTrainingJob", Resource="*")), "MLOPS-017", [r"^the data scientist cannot .*sagemaker:CreateTrainingJob"]),
    ("every action", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(Action="*", Resource="*")), "MLOPS-011", [r"allows every action \('\*'\)", r"can change IAM"]),
    ("NotAction", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(NotAction="iam:*", Resource="*")), "MLOPS-011", [r"^a policy allows with NotAction$"]),
    ("NotAction that leaves PassRole", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(NotAction="s3:*", Resource="*")), "MLOPS-011", [r"iam:PassRole is allowed on \*"]),
    ("PassRole on a wildcard", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(Action="iam:Pass*", Resource="arn:aws:iam::*:role/*")), "MLOPS-011", [r"iam:PassRole is allowed on arn:aws:iam::\*:role/\*"]),
    ("IAM changes", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(Action="iam:AttachRolePolicy", Resource=f"arn:aws:iam::{SMALL}:role/*")), "MLOPS-011", [r"it can change IAM \(iam:AttachRolePolicy\)"]),
    ("registry NotAction", "large", policy_edit(REGISTRY_POLICY, "resource_policy", edit_statement("NamedPrincipalsReadRegistry", lambda s: s.__setitem__("NotAction", s.pop("Action")))), "MLOPS-014", [r"grants with NotAction"]),
    ("registry registration by a deploy role", "large", registering(lambda s: s["Principal"].__setitem__("AWS", [s["Principal"]["AWS"], STAGING_DEPLOYER])), "MLOPS-014", [r"grants sagemaker:CreateModelPackage to .*mlops-staging-cicd-deploy, which is not the retraining pipeline's role"]),
    ("registry registration in any status", "large", registering(lambda s: s.pop("Condition")), "MLOPS-014", [r"without requiring sagemaker:ModelApprovalStatus = PendingManualApproval"]),
    ("registry writes to readers", "large", policy_edit(REGISTRY_POLICY, "resource_policy", edit_statement("NamedPrincipalsReadRegistry", lambda s: s.__setitem__("Action", ["sagemaker:UpdateModelPackage"]))), "MLOPS-014", [r"grants sagemaker:UpdateModelPackage, which is not read-only"]),
    ("registry grants to an account", "large", policy_edit(REGISTRY_POLICY, "resource_policy", edit_statement("NamedPrincipalsReadRegistry", lambda s: s.__setitem__("Principal", {"AWS": f"arn:aws:iam::{STAGING_OF_MEDIUM}:root"}))), "MLOPS-014", [r"grants to arn:aws:iam::\d+:root, not an exact role"]),
    ("an account without SCPs", "medium", detach(*(f"{name}/staging" for name in ("deny-leaving-organization", "deny-audit-tampering", "deny-regions", "deny-data-scientists"))), "MLOPS-013", [rf"account {STAGING_OF_MEDIUM} has no service control policy"]),
    ("an account that may leave", "medium", detach("deny-leaving-organization/staging"), "MLOPS-013", [r"do not deny leaving the organization \(organizations:LeaveOrganization\)"]),
    ("data scientists in prod", "medium", detach("deny-data-scientists/prod"), "MLOPS-013", [r"do not deny data-scientist principals"]),
    ("prod open to outsiders", "medium", detach("deny-access-from-outside-organization/prod"), "MLOPS-013", [r"^prod \(\d+\): no resource control policy keeps principals outside the organization"]),
    ("prod roles open to members", "medium", detach("deny-role-assumption-outside-cicd/prod"), "MLOPS-013", [r"^prod \(\d+\): no resource control policy keeps its roles from principals outside the CI/CD account"]),
    ("an RCP that denies CI/CD", "medium", rcp_edit("deny-role-assumption-outside-cicd", lambda s: s["Condition"]["StringNotEqualsIfExists"].__setitem__("aws:PrincipalAccount", ["999999999999"])), "MLOPS-013", [r"deny the CI/CD account too"]),
    ("an RCP that denies AWS services", "medium", rcp_edit("deny-access-from-outside-organization", lambda s: s["Condition"].pop("BoolIfExists")), "MLOPS-013", [r"deny AWS services"]),
    ("NotPrincipal", "small", policy_edit(BUCKET_POLICY, "policy", add_statement(NotPrincipal={"AWS": f"arn:aws:iam::{SMALL}:role/x"}, Action="s3:GetObject", Resource=f"{MODELS_ARN}/*")), "MLOPS-005", [r"policy: Allow with NotPrincipal"]),
    ("trust to anyone", "small", policy_edit(SCHEDULER_ROLE, "assume_role_policy", add_statement(Principal="*", Action="sts:AssumeRole")), "MLOPS-005", [r"Allow to any principal \('\*'\) without a limiting condition"]),
    ("trust to a foreign role", "small", policy_edit(SCHEDULER_ROLE, "assume_role_policy", add_statement(Principal={"AWS": "arn:aws:iam::999999999999:role/x"}, Action="sts:AssumeRole")), "MLOPS-005", [r"of account 999999999999 outside this tier, without aws:PrincipalOrgID"]),
    ("trust to every principal of a tier account", plan_of(("staging", "aws_iam_role", "r", role("r", trust({"AWS": f"arn:aws:iam::{DEV}:root"})))), None, "MLOPS-005", [rf"Allow to every principal of account {DEV}"]),
    ("a tier account's role is trusted", plan_of(("staging", "aws_iam_role", "r", role("r", trust({"AWS": f"arn:aws:iam::{DEV}:role/x"})))), None, "MLOPS-005", []),
    ("service trust without source", "small", policy_edit(SCHEDULER_ROLE, "assume_role_policy", lambda d: d["Statement"][0].pop("Condition")), "MLOPS-005", [r"service principal scheduler.amazonaws.com without aws:SourceAccount"]),
    ("lambda permission without source", "small", both(deleter("module.prod.aws_lambda_permission.api[0]", ["source_arn"]), deleter("module.prod.aws_lambda_permission.api[0]", ["source_account"])), "MLOPS-005", [r"lambda permission for apigateway.amazonaws.com without source_arn or source_account"]),
    ("bucket without SSE-KMS", "small", remove_resource(f"{MODELS}.aws_s3_bucket_server_side_encryption_configuration.this"), "MLOPS-006", [r"is not encrypted with SSE-KMS"]),
    ("bucket public", "small", setter(f"{MODELS}.aws_s3_bucket_public_access_block.this", ["ignore_public_acls"], False), "MLOPS-006", [r"does not block all public access"]),
    ("bucket without TLS", "small", policy_edit(BUCKET_POLICY, "policy", drop_statement("DenyInsecureTransport")), "MLOPS-006", [r"without TLS .* are not denied"]),
    ("bucket takes SSE-S3", "small", policy_edit(BUCKET_POLICY, "policy", drop_statement("DenyUploadsWithoutKms")), "MLOPS-006", [r"ask for SSE-S3 \(AES256\)"]),
    ("bucket takes foreign keys", "small", policy_edit(BUCKET_POLICY, "policy", drop_statement("DenyUploadsWithForeignKeys")), "MLOPS-006", [r"another account's KMS key are not denied"]),
    ("bucket refuses default encryption", "small", policy_edit(BUCKET_POLICY, "policy", lambda d: d["Statement"].append(NO_HEADERS_DENIED)), "MLOPS-006", [r"uploads without encryption headers \(default encryption\) are denied"]),
    ("bucket unversioned", "small", setter(f"{MODELS}.aws_s3_bucket_versioning.this", ["versioning_configuration", 0, "status"], "Suspended"), "MLOPS-006", [r"is not versioned"]),
    ("key rotation off", "small", setter(KEY, ["enable_key_rotation"], False), "MLOPS-010", [r"key rotation is off"]),
    ("key to anyone", "small", policy_edit(KEY, "policy", add_statement(Principal={"AWS": "*"}, Action="kms:Decrypt", Resource="*")), "MLOPS-010", [r"allows a wildcard principal"]),
    ("mutable images", "small", setter(REPO, ["image_tag_mutability"], "MUTABLE"), "MLOPS-009", [r"image tags are mutable"]),
    ("unscanned images", "small", setter(REPO, ["image_scanning_configuration"], []), "MLOPS-009", [r"not scanned on push"]),
    ("images without KMS", "small", setter(REPO, ["encryption_configuration", 0, "encryption_type"], "AES256"), "MLOPS-009", [r"not encrypted with KMS"]),
    ("a processing step outside the VPC", "small", known_pipeline_definition({**GOOD_DEFINITION, "Steps": [{"Name": "P", "Type": "Processing", "Arguments": {**IN_VPC, "NetworkConfig": {"EnableInterContainerTrafficEncryption": True}}}]}), "MLOPS-015", [r"^step P: no VPC config$"]),
    ("a training step outside the VPC", "small", known_pipeline_definition({**GOOD_DEFINITION, "Steps": [TRAINING_OUTSIDE_VPC]}), "MLOPS-015", [r"^step Train: no VPC config$"]),
    ("a training step inside", "small", known_pipeline_definition({**GOOD_DEFINITION, "Steps": [{**TRAINING_OUTSIDE_VPC, "Arguments": {**TRAINING_OUTSIDE_VPC["Arguments"], "VpcConfig": {"Subnets": ["s"]}}}]}), "MLOPS-015", []),
    ("a monitor job without isolation or keys", plan_of(("prod", "aws_sagemaker_data_quality_job_definition", "q", {})), None, "MLOPS-015",
     [r"^no inter-container traffic encryption$", r"^no VPC config$", r"^no volume KMS key$", r"^no output KMS key$"]),
    ("a monitor job of the plan without a VPC", "medium", deleter(MEDIUM_JOB, ["network_config", 0, "vpc_config"]), "MLOPS-015", [r"^no VPC config$"]),
    ("a Clarify monitor without isolation or keys", plan_of(("prod", "aws_cloudformation_stack", "clarify", clarify_stack(encryption=True, vpc=True, volume_key=True, output_key=True))), None, "MLOPS-015",
     [r"^Bias: no inter-container traffic encryption$", r"^Bias: no VPC config$", r"^Bias: no volume KMS key$", r"^Bias: no output KMS key$"]),
    ("feature stores without keys", plan_of(("artifact", "aws_sagemaker_feature_group", "f", {"online_store_config": [{"enable_online_store": True}], "offline_store_config": [{"s3_storage_config": [{"s3_uri": "s3://x"}]}]})), None, "MLOPS-015",
     [r"^online store without KMS$", r"^offline store without KMS$"]),
    ("a build without a key", plan_of(("cicd", "aws_codebuild_project", "b", {})), None, "MLOPS-015", [r"build artifacts without a customer KMS key"]),
    ("a pipeline without a key", plan_of(("cicd", "aws_codepipeline", "p", {"artifact_store": [{"location": "b"}]})), None, "MLOPS-015", [r"pipeline artifacts without a customer KMS key"]),
    ("logs without a key", "small", deleter(LOGS, ["kms_key_id"]), "MLOPS-015", [r"log group without a KMS key"]),
    ("logs forever", "small", deleter(LOGS, ["retention_in_days"]), "MLOPS-015", [r"keeps logs forever"]),
    ("a run may choose its threshold", "small", known_pipeline_definition({**GOOD_DEFINITION, "Parameters": [{"Name": "MinAccuracy"}]}), "MLOPS-018", [r"parameter MinAccuracy lets a run choose the quality threshold"]),
    ("registers as approved", "small", known_pipeline_definition({"Steps": [{**GOOD_DEFINITION["Steps"][1], "Arguments": {"IfSteps": [{"Name": "R", "Type": "RegisterModel", "Arguments": {"ModelApprovalStatus": "Approved"}}]}}]}), "MLOPS-018", [r"step R registers versions as 'Approved'"]),
    ("a model with network access", plan_of(("prod", "aws_sagemaker_model", "m", {})), None, "MLOPS-007", [r"the model runs without network isolation"]),
    ("an endpoint configuration without keys", plan_of(("prod", "aws_sagemaker_endpoint_configuration", "c", {"data_capture_config": [{"enable_capture": True}]})), None, "MLOPS-007",
     [r"endpoint volumes are not encrypted", r"captured data is not encrypted"]),
    ("an endpoint configuration without capture in prod", plan_of(("prod", "aws_sagemaker_endpoint_configuration", "c", {"kms_key_arn": "k"})), None, "MLOPS-007", [r"^data capture is off in prod$"]),
    ("an endpoint configuration without capture in dev", plan_of(("dev", "aws_sagemaker_endpoint_configuration", "c", {"kms_key_arn": "k"})), None, "MLOPS-007", []),
    ("an endpoint configuration that captures with keys by default", plan_of(("prod", "aws_sagemaker_endpoint_configuration", "c", {"kms_key_arn": "k", "data_capture_config": [{"kms_key_id": "k"}]})), None, "MLOPS-007", []),
    ("a function whose environment is unknown at plan", unknown_after_plan("prod", "aws_lambda_function", "f", {}, {"environment": [{"variables": True}]}), None, "MLOPS-007", [r"deployment spec is unknown at plan time"]),
    ("a canary after a spec without one", plan_of(("prod", "aws_lambda_function", "a", spec(canary={"percent": 0})), ("prod", "aws_lambda_function", "b", spec(canary={"percent": 10}))), None, "MLOPS-008", [r"^deployment spec: canary without rollback alarms$"]),
    ("methods with IAM, Cognito, a Lambda authorizer, API keys, and CORS", plan_of(*[("prod", "aws_api_gateway_method", f"m{i}", m) for i, m in enumerate([
        {"http_method": "POST", "authorization": "AWS_IAM"}, {"http_method": "POST", "authorization": "COGNITO_USER_POOLS"}, {"http_method": "POST", "authorization": "CUSTOM"},
        {"http_method": "POST", "authorization": "NONE", "api_key_required": True}, {"http_method": "OPTIONS", "authorization": "NONE"}])], ("prod", "aws_api_gateway_usage_plan", "u", {"api_stages": [{"api_id": "a"}]})), None, "MLOPS-012", []),
    ("an API key without a usage plan", plan_of(("prod", "aws_api_gateway_method", "m", {"http_method": "POST", "authorization": "NONE", "api_key_required": True})), None, "MLOPS-012", [r"method POST has authorization 'NONE' and no API key with a usage plan"]),
    ("a spec unknown at plan", plan_of(("prod", "aws_lambda_function", "f", {"environment": [{"variables": {"DEPLOYMENT_SPEC": ""}}]})), None, "MLOPS-007", [r"deployment spec is unknown at plan time"]),
    ("a spec without a key", "small", spec_edit(lambda s: s.pop("kms_key_arn")), "MLOPS-007", [r"deployment spec: endpoint volumes have no customer key"]),
    ("a spec that captures without a key", "small", spec_edit(lambda s: s["data_capture"].pop("kms_key_arn")), "MLOPS-007", [r"deployment spec: captured data has no customer key"]),
    ("a spec without capture", "small", spec_edit(lambda s: s["data_capture"].__setitem__("enabled", False)), "MLOPS-007", [r"deployment spec: data capture is off in prod"]),
    ("a spec without isolation", "small", spec_edit(lambda s: s.pop("network_isolation")), "MLOPS-007", [r"network_isolation is not true"]),
    ("blue/green without alarms", plan_of(("prod", "aws_sagemaker_endpoint", "e", {"deployment_config": [{"blue_green_update_policy": [{}]}]})), None, "MLOPS-008", [r"blue/green deployment without auto-rollback alarms"]),
    ("blue/green with alarms", plan_of(("prod", "aws_sagemaker_endpoint", "e", {"deployment_config": [{"auto_rollback_configuration": [{"alarms": [{"alarm_name": "a"}]}]}]})), None, "MLOPS-008", []),
    ("a canary without alarms", "small", spec_edit(lambda s: s.__setitem__("rollback_alarm_names", [])), "MLOPS-008", [r"canary without rollback alarms"]),
    ("a canary on a missing alarm", "small", spec_edit(lambda s: s.__setitem__("rollback_alarm_names", ["nope"])), "MLOPS-008", [rf"rollback alarm nope is not defined in account {SMALL}"]),
    ("an open method", "small", setter(METHOD, ["authorization"], "NONE"), "MLOPS-012", [r"method POST has authorization 'NONE' and no API key"]),
    ("an open HTTP API route", plan_of(("prod", "aws_apigatewayv2_route", "r", {"route_key": "POST /invocations"})), None, "MLOPS-012", [r"route has no authorizer"]),
    ("an HTTP API route with a JWT authorizer", plan_of(("prod", "aws_apigatewayv2_route", "r", {"route_key": "POST /invocations", "authorization_type": "JWT"})), None, "MLOPS-012", []),
    ("a policy unknown at plan", "small", lambda raw: [change(raw, f"{DEPLOY_FN}.aws_iam_role_policy.this")["after"].pop("policy"), change(raw, f"{DEPLOY_FN}.aws_iam_role_policy.this")["after_unknown"].__setitem__("policy", True)],
     "MLOPS-016", [r"^not evaluated: "]),
]


def reported(base, mutate, rule: str, tmp_path: Path) -> list[str]:
    raw = base() if callable(base) else tier_raw(base)
    if mutate:
        mutate(raw)
    return [v.message for v in evaluate(write(raw, tmp_path), only={rule})]


def wrong(messages: list[str], expected: list[str]) -> list[str]:
    if not expected:
        return [f"expected no finding, got {messages}"] if messages else []
    return [f"no message matches {p!r} in {messages}" for p in expected if not any(re.search(p, m) for m in messages)]


def finding_lines() -> dict[tuple[str, int], str]:
    """(file, line) -> source of each `yield` in a function registered with rule(..., check)."""
    lines = {}
    for path in sorted(RULES_DIR.glob("*.py")):
        source = path.read_text()
        tree = ast.parse(source)
        checks = {call.args[-1].id for call in ast.walk(tree) if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "rule" and isinstance(call.args[-1], ast.Name)}
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef) and function.name in checks:
                for node in ast.walk(function):
                    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Yield):
                        lines[(str(path), node.lineno)] = ast.get_source_segment(source, node)
    return lines


def test_every_finding_is_reported_and_reached(tmp_path):
    """One traced pass: each fixture reports what it names, and together they reach every finding of every rule.
    Under `make mutation` the rules are mutmut's rewritten copies, which only the messages can judge: the
    reach is proven on the source, by `make test`."""
    if any("__mutmut_" in name for module in (platform, separation, serving, storage, organization) for name in vars(module)):
        failures = [f"{name} ({rule}): {problem}" for name, base, mutate, rule, expected in FINDINGS for problem in wrong(reported(base, mutate, rule, tmp_path), expected)]
        assert not failures, "\n".join(failures)
        return
    lines = finding_lines()
    assert len(lines) > 50, "the rules were not found: nothing would be proven"
    files, reached, failures = {file for file, _ in lines}, set(), []

    def line(frame, event, _):
        if event == "line":
            reached.add((frame.f_code.co_filename, frame.f_lineno))
        return line

    sys.settrace(lambda frame, event, _: line if frame.f_code.co_filename in files else None)
    try:
        for name, base, mutate, rule, expected in FINDINGS:
            failures += [f"{name} ({rule}): {problem}" for problem in wrong(reported(base, mutate, rule, tmp_path), expected)]
    finally:
        sys.settrace(None)
    assert not failures, "\n".join(failures)
    missing = [f"{Path(file).name}:{number}: {text}" for (file, number), text in sorted(lines.items()) if (file, number) not in reached]
    assert not missing, "findings no fixture in FINDINGS reaches (add one):\n" + "\n".join(missing)
