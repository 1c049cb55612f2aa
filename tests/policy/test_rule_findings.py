"""Every finding a rule can report has a fixture here that reaches it and asserts exactly the messages
the rule reports, and `test_every_finding_is_reported_and_reached` proves it: it traces the rules while these fixtures run and names each
`yield` of a rule that none reaches. test_rules.py asserts whole plans (every rule, exact addresses);
these fixtures evaluate only the rule they target, on a tier plan with one change or a tiny
synthetic plan. One traced pass checks both (half the time of a parametrized run plus a traced one)."""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

from fixtures import DEV, ORG, PROD, change, deleter, policy_edit, remove_resource, role, setter, synthetic, tier_raw, trust, write
import policy.rules as rules_package
from policy.rules import organization, platform, separation, serving, storage
from policy.rules import evaluate
from test_rules import (BOUNDARY, DEPLOY_FN, DOMAIN, DS_ROLE, GOOD_DEFINITION, IN_VPC, KEY, LOGS, METHOD, MODELS, PIPELINE_POLICY, REGISTRY_POLICY, REPO, SCHEDULER_ROLE, SMALL,
                        CARE_POLICY, STAGING_DEPLOYER, add_statement, both, clarify_stack, detach, drop_statement, edit_statement, known_pipeline_definition, registering, spec_edit, widen_ceiling)

pytestmark = pytest.mark.xdist_group("small")

RULES_DIR = Path(rules_package.__file__).parent
BUCKET_POLICY = f"{MODELS}.aws_s3_bucket_policy.this"
MODELS_BUCKET = f"mlops-{SMALL}-us-east-1-models"
MODELS_ARN = f"arn:aws:s3:::{MODELS_BUCKET}"
SCIENTIST = f"arn:aws:iam::{SMALL}:role/mlops/data-science/mlops-dev-data-scientist"
SAGEMAKER = f"arn:aws:sagemaker:us-east-1:{SMALL}:"
ORG_POLICY = 'module.tier.module.org[0].aws_organizations_policy.this["{}"]'
PROFILE = 'module.tier.module.dev.aws_sagemaker_user_profile.this["{}"]'
MEDIUM_JOB = "module.tier.module.prod.aws_sagemaker_data_quality_job_definition.this[\"model\"]"
STAGING_OF_MEDIUM = "222222222222"
CARE = "arn:aws:iam::111111111111:role/mlops/data-science/mlops-dev-data-scientist-care"
MEDIUM_RAW = "mlops-111111111111-us-east-1-raw"


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


def deploy_build(**fields) -> dict:
    """A CI/CD deploy build (CodeBuild's variable list) that deploys through a prod role."""
    spec_json = json.dumps({"kms_key_arn": "k", "network_isolation": True, "data_capture": {"enabled": False}, **fields})
    return {"encryption_key": "k", "environment": [{"environment_variable": [{"name": "DEPLOYMENT_SPEC", "value": spec_json}, {"name": "DEPLOY_ROLE_ARN", "value": f"arn:aws:iam::{PROD}:role/mlops/deploy"}]}]}


def organization_without_attachments(**accounts: str):
    """An organization policy the plan manages but attaches nowhere; accounts override the tier's roles."""
    def build():
        raw = synthetic([("cicd", "aws_organizations_policy", "p", {"name": "p", "type": "SERVICE_CONTROL_POLICY", "content": json.dumps({"Version": "2012-10-17", "Statement": []})})], organization_id=ORG)
        raw["planned_values"]["outputs"]["account_roles"]["value"].update(accounts)
        return raw
    return build


TRAINING_OUTSIDE_VPC = {"Name": "Train", "Type": "Training", "Arguments": {"EnableInterContainerTrafficEncryption": True, "ResourceConfig": {"VolumeKmsKeyId": "alias/k"}, "OutputDataConfig": {"KmsKeyId": "alias/k"}}}
NO_HEADERS_DENIED = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{MODELS_ARN}/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}

# id, plan ("small", "medium", "large" or a synthetic plan), change, rule, exactly the messages it must report (none: it reports nothing)
FINDINGS = [
    ("studio outside the VPC", "small", setter(DOMAIN, ["app_network_access_type"], "PublicInternetOnly"), "MLOPS-001", ["app_network_access_type is 'PublicInternetOnly', not 'VpcOnly'"]),
    ("studio without a key", "small", deleter(DOMAIN, ["kms_key_id"]), "MLOPS-001", ['storage has no customer KMS key (kms_key_id)']),
    ("studio without source identity", "small", deleter(DOMAIN, ["domain_settings", 0, "execution_role_identity_config"]), "MLOPS-001", ['sessions do not carry the user profile as source identity (execution_role_identity_config), so policies cannot keep users to their own profile']),
    ("no boundary", "small", deleter(DS_ROLE, ["permissions_boundary"]), "MLOPS-002", ['data-scientist role has no permissions boundary']),
    ("another boundary", "small", setter(DS_ROLE, ["permissions_boundary"], f"arn:aws:iam::{SMALL}:policy/other"), "MLOPS-002", [f'boundary arn:aws:iam::{SMALL}:policy/other is not the approved data-scientist boundary defined in this plan']),
    ("a boundary that lets users be created", "small", policy_edit(BOUNDARY, "policy", widen_ceiling("DenyIdentityCreationAndEscalation")), "MLOPS-002", ['the boundary does not deny iam:CreateAccessKey', 'the boundary does not deny iam:CreateUser']),
    ("a boundary that blocks ordinary work", "small", policy_edit(BOUNDARY, "policy", add_statement(Effect="Deny", Action="sagemaker:CreateTrainingJob", Resource="*")), "MLOPS-002", ['the boundary denies ordinary work in dev (a training job in the VPC with KMS); it would be removed in practice']),
    ("data scientists may approve", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyRegistryWrites")), "MLOPS-003", [f'can approve a model version in the registry (approval starts the release to customers): {SCIENTIST}: allowed sagemaker:UpdateModelPackage on {SAGEMAKER}model-package/mlops-model/1 (version 1 of mlops-model)', f'can register a model version as already approved (it would skip the approver): {SCIENTIST}: allowed sagemaker:CreateModelPackage on {SAGEMAKER}model-package-group/mlops-model (mlops-model)', f'can register a model version for approval (only the tested pipeline produces candidates): {SCIENTIST}: allowed sagemaker:CreateModelPackage on {SAGEMAKER}model-package-group/mlops-model (mlops-model)']),
    ("data scientists may leave the VPC", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyJobsOutsideVpc")), "MLOPS-003",
     [f'can create a model outside the VPC: {SCIENTIST}: allowed sagemaker:CreateModel on {SAGEMAKER}model/probe', f'can run a processing job outside the VPC: {SCIENTIST}: allowed sagemaker:CreateProcessingJob on {SAGEMAKER}processing-job/probe', f'can run a training job outside the VPC: {SCIENTIST}: allowed sagemaker:CreateTrainingJob on {SAGEMAKER}training-job/probe']),
    ("one team may use another's training data", "medium", policy_edit(CARE_POLICY, "policy", drop_statement("DenyOtherTeamsData")), "MLOPS-019", [
        f"team care can use what team default owns: {CARE}: allowed s3:{action} on arn:aws:s3:::{MEDIUM_RAW}/datasets/training/probe (training data s3://{MEDIUM_RAW}/datasets/training/)" for action in ("GetObject", "PutObject")]),
    ("data scientists may skip the key", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyJobsWithoutKms")), "MLOPS-003", [f'can run a training job without a KMS key: {SCIENTIST}: allowed sagemaker:CreateTrainingJob on {SAGEMAKER}training-job/probe']),
    ("data scientists may open notebooks to the internet", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyNotebookInternet")), "MLOPS-003", [f'can open a notebook instance with direct internet access: {SCIENTIST}: allowed sagemaker:CreateNotebookInstance on {SAGEMAKER}notebook-instance/probe']),
    ("data scientists may use other subnets", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyInterfacesOutsideTheTierVpc")), "MLOPS-003", [f"can attach a job to a subnet outside the tier's VPC: {SCIENTIST}: allowed ec2:CreateNetworkInterface on arn:aws:ec2:us-east-1:{SMALL}:subnet/subnet-probe"]),
    ("data scientists may administer Studio", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyStudioAdministration")), "MLOPS-003", [f'can administer Studio (domains and user profiles): {SCIENTIST}: allowed sagemaker:CreateUserProfile on {SAGEMAKER}user-profile/d-probe/probe']),
    ("data scientists may open others' Studio", "small", policy_edit(BOUNDARY, "policy", drop_statement("DenyOtherUsersStudio")), "MLOPS-003", [f"can open another user's Studio (bob, as alice): {SCIENTIST}: allowed sagemaker:CreatePresignedDomainUrl on {SAGEMAKER}user-profile/d-probe/bob"]),
    ("the pipeline may register as approved", "small", policy_edit(PIPELINE_POLICY, "policy", edit_statement("RegisterModelVersionsForApproval", lambda s: s.pop("Condition"))), "MLOPS-004", [f'arn:aws:iam::{SMALL}:role/mlops/mlops-ops-pipeline can register a model version as already approved (it would skip the approver; the duty of: no principal of the plan): arn:aws:iam::{SMALL}:role/mlops/mlops-ops-pipeline: allowed sagemaker:CreateModelPackage on {SAGEMAKER}model-package-group/mlops-model (mlops-model)']),
    ("nobody can approve", "small", policy_edit("module.tier.module.artifact.module.model_approver.aws_iam_role_policy.this", "policy", drop_statement("ApproveOrRejectVersions")), "MLOPS-017", [f'nobody whose duty it is (model-approver) can approve a model version in the registry: e.g. sagemaker:UpdateModelPackage on {SAGEMAKER}model-package/mlops-model/1']),
    ("data scientists cannot train", "small", policy_edit(BOUNDARY, "policy", add_statement(Effect="Deny", Action="sagemaker:CreateTrainingJob", Resource="*")), "MLOPS-017", [f'the data scientist cannot run a training job in the VPC with KMS (sagemaker:CreateTrainingJob on {SAGEMAKER}training-job/probe)']),
    ("every action", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(Action="*", Resource="*")), "MLOPS-011", ["a policy allows every action ('*')", 'iam:PassRole is allowed on *: any role matching it can be passed', 'it can change IAM (iam:PutRolePolicy), its own permissions included']),
    ("NotAction", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(NotAction="iam:*", Resource="*")), "MLOPS-011", ['a policy allows with NotAction']),
    ("NotAction that leaves PassRole", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(NotAction="s3:*", Resource="*")), "MLOPS-011", ['a policy allows with NotAction', 'iam:PassRole is allowed on *: any role matching it can be passed', 'it can change IAM (iam:PutRolePolicy), its own permissions included']),
    ("PassRole on a wildcard", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(Action="iam:Pass*", Resource="arn:aws:iam::*:role/*")), "MLOPS-011", ['iam:PassRole is allowed on arn:aws:iam::*:role/*: any role matching it can be passed']),
    ("IAM changes", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(Action="iam:AttachRolePolicy", Resource=f"arn:aws:iam::{SMALL}:role/*")), "MLOPS-011", ['it can change IAM (iam:AttachRolePolicy), its own permissions included']),
    ("registry NotAction", "large", policy_edit(REGISTRY_POLICY, "resource_policy", edit_statement("NamedPrincipalsReadRegistry", lambda s: s.__setitem__("NotAction", s.pop("Action")))), "MLOPS-014", ['grants with NotAction: every action but those listed']),
    ("registry registration by a deploy role", "large", registering(lambda s: s["Principal"].__setitem__("AWS", [s["Principal"]["AWS"], STAGING_DEPLOYER])), "MLOPS-014", [f"grants sagemaker:CreateModelPackage to arn:aws:iam::{STAGING_OF_MEDIUM}:role/mlops/mlops-staging-cicd-deploy, which is not the retraining pipeline's role"]),
    ("registry registration in any status", "large", registering(lambda s: s.pop("Condition")), "MLOPS-014", ['grants sagemaker:CreateModelPackage without requiring sagemaker:ModelApprovalStatus = PendingManualApproval']),
    ("registry writes to readers", "large", policy_edit(REGISTRY_POLICY, "resource_policy", edit_statement("NamedPrincipalsReadRegistry", lambda s: s.__setitem__("Action", ["sagemaker:UpdateModelPackage"]))), "MLOPS-014", ['grants sagemaker:UpdateModelPackage, which is not read-only']),
    ("registry grants to an account", "large", policy_edit(REGISTRY_POLICY, "resource_policy", edit_statement("NamedPrincipalsReadRegistry", lambda s: s.__setitem__("Principal", {"AWS": f"arn:aws:iam::{STAGING_OF_MEDIUM}:root"}))), "MLOPS-014", [f'grants to arn:aws:iam::{STAGING_OF_MEDIUM}:root, not an exact role']),
    ("an account without SCPs", "medium", detach(*(f"{name}/staging" for name in ("deny-leaving-organization", "deny-audit-tampering", "deny-regions", "deny-data-scientists"))), "MLOPS-013", [f'account {STAGING_OF_MEDIUM} has no service control policy of this plan attached']),
    ("an account that may leave", "medium", detach("deny-leaving-organization/staging"), "MLOPS-013", [f'the SCPs of account {STAGING_OF_MEDIUM} do not deny leaving the organization (organizations:LeaveOrganization)']),
    ("data scientists in prod", "medium", detach("deny-data-scientists/prod"), "MLOPS-013", [f'the SCPs of account {PROD} do not deny data-scientist principals (it is not dev)']),
    ("prod open to outsiders", "medium", detach("deny-access-from-outside-organization/prod"), "MLOPS-013", [f'prod ({PROD}): no resource control policy keeps principals outside the organization from its resources']),
    ("prod roles open to members", "medium", detach("deny-role-assumption-outside-cicd/prod"), "MLOPS-013", [f'prod ({PROD}): no resource control policy keeps its roles from principals outside the CI/CD account']),
    ("an RCP that denies CI/CD", "medium", rcp_edit("deny-role-assumption-outside-cicd", lambda s: s["Condition"]["StringNotEqualsIfExists"].__setitem__("aws:PrincipalAccount", ["999999999999"])), "MLOPS-013", [f'prod ({PROD}): the resource control policies deny the CI/CD account too, so nothing can deploy', f'staging ({STAGING_OF_MEDIUM}): the resource control policies deny the CI/CD account too, so nothing can deploy']),
    ("an RCP that denies AWS services", "medium", rcp_edit("deny-access-from-outside-organization", lambda s: s["Condition"].pop("BoolIfExists")), "MLOPS-013", [f'prod ({PROD}): the resource control policies deny AWS services, so service roles stop working', f'staging ({STAGING_OF_MEDIUM}): the resource control policies deny AWS services, so service roles stop working']),
    ("NotPrincipal", "small", policy_edit(BUCKET_POLICY, "policy", add_statement(NotPrincipal={"AWS": f"arn:aws:iam::{SMALL}:role/x"}, Action="s3:GetObject", Resource=f"{MODELS_ARN}/*")), "MLOPS-005", ['policy: Allow with NotPrincipal, that is to every principal but those named']),
    ("trust to anyone", "small", policy_edit(SCHEDULER_ROLE, "assume_role_policy", add_statement(Principal="*", Action="sts:AssumeRole")), "MLOPS-005", ["assume_role_policy: Allow to any principal ('*') without a limiting condition"]),
    ("trust to a foreign role", "small", policy_edit(SCHEDULER_ROLE, "assume_role_policy", add_statement(Principal={"AWS": "arn:aws:iam::999999999999:role/x"}, Action="sts:AssumeRole")), "MLOPS-005", ['assume_role_policy: Allow to arn:aws:iam::999999999999:role/x, of account 999999999999 outside this tier, without aws:PrincipalOrgID']),
    ("trust to every principal of a tier account", plan_of(("staging", "aws_iam_role", "r", role("r", trust({"AWS": f"arn:aws:iam::{DEV}:root"})))), None, "MLOPS-005", [f'assume_role_policy: Allow to every principal of account {DEV} (arn:aws:iam::{DEV}:root) without aws:PrincipalOrgID']),
    ("trust to anyone, limited to one principal ARN", plan_of(("staging", "aws_iam_role", "r", role("r", trust("*", Condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{DEV}:role/x"}})))), None, "MLOPS-005", []),
    ("a tier account's role is trusted", plan_of(("staging", "aws_iam_role", "r", role("r", trust({"AWS": f"arn:aws:iam::{DEV}:role/x"})))), None, "MLOPS-005", []),
    ("service trust without source", "small", policy_edit(SCHEDULER_ROLE, "assume_role_policy", lambda d: d["Statement"][0].pop("Condition")), "MLOPS-005", ['assume_role_policy: service principal scheduler.amazonaws.com without aws:SourceAccount or aws:SourceArn']),
    ("lambda permission without source", "small", both(deleter("module.tier.module.prod.aws_lambda_permission.api[\"predict\"]", ["source_arn"]), deleter("module.tier.module.prod.aws_lambda_permission.api[\"predict\"]", ["source_account"])), "MLOPS-005", ['lambda permission for apigateway.amazonaws.com without source_arn or source_account']),
    ("bucket without SSE-KMS", "small", remove_resource(f"{MODELS}.aws_s3_bucket_server_side_encryption_configuration.this"), "MLOPS-006", [f'bucket {MODELS_BUCKET} is not encrypted with SSE-KMS and a customer key']),
    ("bucket public", "small", setter(f"{MODELS}.aws_s3_bucket_public_access_block.this", ["ignore_public_acls"], False), "MLOPS-006", [f'bucket {MODELS_BUCKET} does not block all public access']),
    ("bucket without TLS", "small", policy_edit(BUCKET_POLICY, "policy", drop_statement("DenyInsecureTransport")), "MLOPS-006", [f'bucket {MODELS_BUCKET}: requests without TLS (aws:SecureTransport false) are not denied for the bucket and its objects']),
    ("bucket takes SSE-S3", "small", policy_edit(BUCKET_POLICY, "policy", drop_statement("DenyUploadsWithoutKms")), "MLOPS-006", [f'bucket {MODELS_BUCKET}: uploads that ask for SSE-S3 (AES256) instead of its KMS key are not denied']),
    ("bucket takes foreign keys", "small", policy_edit(BUCKET_POLICY, "policy", drop_statement("DenyUploadsWithForeignKeys")), "MLOPS-006", [f"bucket {MODELS_BUCKET}: uploads encrypted with another account's KMS key are not denied"]),
    ("bucket refuses default encryption", "small", policy_edit(BUCKET_POLICY, "policy", lambda d: d["Statement"].append(NO_HEADERS_DENIED)), "MLOPS-006", [f'bucket {MODELS_BUCKET}: uploads without encryption headers (default encryption) are denied, so ordinary writes fail']),
    ("bucket unversioned", "small", setter(f"{MODELS}.aws_s3_bucket_versioning.this", ["versioning_configuration", 0, "status"], "Suspended"), "MLOPS-006", [f'bucket {MODELS_BUCKET} is not versioned']),
    ("key rotation off", "small", setter(KEY, ["enable_key_rotation"], False), "MLOPS-010", ['key rotation is off']),
    ("key to anyone", "small", policy_edit(KEY, "policy", add_statement(Principal={"AWS": "*"}, Action="kms:Decrypt", Resource="*")), "MLOPS-010", ['key policy allows a wildcard principal']),
    ("mutable images", "small", setter(REPO, ["image_tag_mutability"], "MUTABLE"), "MLOPS-009", ['image tags are mutable']),
    ("unscanned images", "small", setter(REPO, ["image_scanning_configuration"], []), "MLOPS-009", ['images are not scanned on push']),
    ("images without KMS", "small", setter(REPO, ["encryption_configuration", 0, "encryption_type"], "AES256"), "MLOPS-009", ['images are not encrypted with KMS']),
    ("a processing step outside the VPC", "small", known_pipeline_definition({**GOOD_DEFINITION, "Steps": [{"Name": "P", "Type": "Processing", "Arguments": {**IN_VPC, "NetworkConfig": {"EnableInterContainerTrafficEncryption": True}}}]}), "MLOPS-015", ['step P: no VPC config']),
    ("a training step outside the VPC", "small", known_pipeline_definition({**GOOD_DEFINITION, "Steps": [TRAINING_OUTSIDE_VPC]}), "MLOPS-015", ['step Train: no VPC config']),
    ("a training step inside", "small", known_pipeline_definition({**GOOD_DEFINITION, "Steps": [{**TRAINING_OUTSIDE_VPC, "Arguments": {**TRAINING_OUTSIDE_VPC["Arguments"], "VpcConfig": {"Subnets": ["s"]}}}]}), "MLOPS-015", []),
    ("a monitor job without isolation or keys", plan_of(("prod", "aws_sagemaker_data_quality_job_definition", "q", {})), None, "MLOPS-015",
     ['no VPC config', 'no inter-container traffic encryption', 'no output KMS key', 'no volume KMS key']),
    ("a monitor job of the plan without a VPC", "medium", deleter(MEDIUM_JOB, ["network_config", 0, "vpc_config"]), "MLOPS-015", ['no VPC config']),
    ("a Clarify monitor without isolation or keys", plan_of(("prod", "aws_cloudformation_stack", "clarify", clarify_stack(encryption=True, vpc=True, volume_key=True, output_key=True))), None, "MLOPS-015",
     ['Bias: no VPC config', 'Bias: no inter-container traffic encryption', 'Bias: no output KMS key', 'Bias: no volume KMS key']),
    ("feature stores without keys", plan_of(("artifact", "aws_sagemaker_feature_group", "f", {"online_store_config": [{"enable_online_store": True}], "offline_store_config": [{"s3_storage_config": [{"s3_uri": "s3://x"}]}]})), None, "MLOPS-015",
     ['offline store without KMS', 'online store without KMS']),
    ("a build without a key", plan_of(("cicd", "aws_codebuild_project", "b", {})), None, "MLOPS-015", ['build artifacts without a customer KMS key']),
    ("a pipeline without a key", plan_of(("cicd", "aws_codepipeline", "p", {"artifact_store": [{"location": "b"}]})), None, "MLOPS-015", ['pipeline artifacts without a customer KMS key']),
    ("logs without a key", "small", deleter(LOGS, ["kms_key_id"]), "MLOPS-015", ['log group without a KMS key']),
    ("logs forever", "small", deleter(LOGS, ["retention_in_days"]), "MLOPS-015", ['log group keeps logs forever (no retention)']),
    ("a run may choose its threshold", "small", known_pipeline_definition({**GOOD_DEFINITION, "Parameters": [{"Name": "MinAccuracy"}]}), "MLOPS-018", ['parameter MinAccuracy lets a run choose the quality threshold']),
    ("registers as approved", "small", known_pipeline_definition({"Steps": [{**GOOD_DEFINITION["Steps"][1], "Arguments": {"IfSteps": [{"Name": "R", "Type": "RegisterModel", "Arguments": {"ModelApprovalStatus": "Approved"}}]}}]}), "MLOPS-018", ["step R registers versions as 'Approved', not 'PendingManualApproval'"]),
    ("a model with network access", plan_of(("prod", "aws_sagemaker_model", "m", {})), None, "MLOPS-007", ['the model runs without network isolation']),
    ("an endpoint configuration without keys", plan_of(("prod", "aws_sagemaker_endpoint_configuration", "c", {"data_capture_config": [{"enable_capture": True}]})), None, "MLOPS-007",
     ['captured data is not encrypted with a customer key', 'endpoint volumes are not encrypted with a customer key']),
    ("an endpoint configuration without capture in prod", plan_of(("prod", "aws_sagemaker_endpoint_configuration", "c", {"kms_key_arn": "k"})), None, "MLOPS-007", ['data capture is off in prod']),
    ("an endpoint configuration without capture in dev", plan_of(("dev", "aws_sagemaker_endpoint_configuration", "c", {"kms_key_arn": "k"})), None, "MLOPS-007", []),
    ("an endpoint configuration that captures with keys by default", plan_of(("prod", "aws_sagemaker_endpoint_configuration", "c", {"kms_key_arn": "k", "data_capture_config": [{"kms_key_id": "k"}]})), None, "MLOPS-007", []),
    ("a function whose environment is unknown at plan", unknown_after_plan("prod", "aws_lambda_function", "f", {}, {"environment": [{"variables": True}]}), None, "MLOPS-007", ['the deployment spec is unknown at plan time; build it from names and alias ARNs']),
    ("a canary after a spec without one", plan_of(("prod", "aws_lambda_function", "a", spec(canary={"percent": 0})), ("prod", "aws_lambda_function", "b", spec(canary={"percent": 10}))), None, "MLOPS-008", ['deployment spec: canary without rollback alarms']),
    ("methods with IAM, Cognito, a Lambda authorizer, API keys, and CORS", plan_of(*[("prod", "aws_api_gateway_method", f"m{i}", m) for i, m in enumerate([
        {"http_method": "POST", "authorization": "AWS_IAM"}, {"http_method": "POST", "authorization": "COGNITO_USER_POOLS"}, {"http_method": "POST", "authorization": "CUSTOM"},
        {"http_method": "POST", "authorization": "NONE", "api_key_required": True}, {"http_method": "OPTIONS", "authorization": "NONE"}])], ("prod", "aws_api_gateway_usage_plan", "u", {"api_stages": [{"api_id": "a"}]})), None, "MLOPS-012", []),
    ("an API key without a usage plan", plan_of(("prod", "aws_api_gateway_method", "m", {"http_method": "POST", "authorization": "NONE", "api_key_required": True})), None, "MLOPS-012", ["method POST has authorization 'NONE' and no API key with a usage plan"]),
    ("a spec unknown at plan", plan_of(("prod", "aws_lambda_function", "f", {"environment": [{"variables": {"DEPLOYMENT_SPEC": ""}}]})), None, "MLOPS-007", ['the deployment spec is unknown at plan time; build it from names and alias ARNs']),
    ("a spec without a key", "small", spec_edit(lambda s: s.pop("kms_key_arn")), "MLOPS-007", ['deployment spec: endpoint volumes have no customer key']),
    ("a spec that captures without a key", "small", spec_edit(lambda s: s["data_capture"].pop("kms_key_arn")), "MLOPS-007", ['deployment spec: captured data has no customer key']),
    ("a spec without capture", "small", spec_edit(lambda s: s["data_capture"].__setitem__("enabled", False)), "MLOPS-007", ['deployment spec: data capture is off in prod']),
    ("a spec without isolation", "small", spec_edit(lambda s: s.pop("network_isolation")), "MLOPS-007", ['deployment spec: served models run without network isolation (network_isolation is not true)']),
    ("blue/green without alarms", plan_of(("prod", "aws_sagemaker_endpoint", "e", {"deployment_config": [{"blue_green_update_policy": [{}]}]})), None, "MLOPS-008", ['blue/green deployment without auto-rollback alarms']),
    ("blue/green with alarms", plan_of(("prod", "aws_sagemaker_endpoint", "e", {"deployment_config": [{"auto_rollback_configuration": [{"alarms": [{"alarm_name": "a"}]}]}]})), None, "MLOPS-008", []),
    ("a canary without alarms", "small", spec_edit(lambda s: s.__setitem__("rollback_alarm_names", [])), "MLOPS-008", ['deployment spec: canary without rollback alarms']),
    ("a canary on a missing alarm", "small", spec_edit(lambda s: s.__setitem__("rollback_alarm_names", ["nope"])), "MLOPS-008", [f'deployment spec: rollback alarm nope is not defined in account {SMALL}, where it deploys']),
    ("an open method", "small", setter(METHOD, ["authorization"], "NONE"), "MLOPS-012", ["method POST has authorization 'NONE' and no API key with a usage plan"]),
    ("an open HTTP API route", plan_of(("prod", "aws_apigatewayv2_route", "r", {"route_key": "POST /invocations"})), None, "MLOPS-012", ['route has no authorizer']),
    ("an HTTP API route with a JWT authorizer", plan_of(("prod", "aws_apigatewayv2_route", "r", {"route_key": "POST /invocations", "authorization_type": "JWT"})), None, "MLOPS-012", []),
    ("a managed policy unknown at plan, attached nowhere", unknown_after_plan("prod", "aws_iam_policy", "p", {"name": "p"}, {"policy": True}), None, "MLOPS-016", ["not evaluated: policy is unknown until apply"]),
    ("a policy unknown at plan", "small", lambda raw: [change(raw, f"{DEPLOY_FN}.aws_iam_role_policy.this")["after"].pop("policy"), change(raw, f"{DEPLOY_FN}.aws_iam_role_policy.this")["after_unknown"].__setitem__("policy", True)],
     "MLOPS-016", ['not evaluated: policy is unknown until apply (data.aws_iam_policy_document.runtime names nothing in the plan)']),
    ("a spec that is not a JSON object", plan_of(("prod", "aws_lambda_function", "f", {"environment": [{"variables": {"DEPLOYMENT_SPEC": "[1]"}}]})), None, "MLOPS-007", ['the deployment spec is not a JSON object']),
    ("a CI/CD build that deploys to prod (by its tags) without capture", plan_of(("cicd", "aws_codebuild_project", "deploy", deploy_build(tags={"mlops:stage": "prod"}))), None, "MLOPS-007", ['deployment spec: data capture is off in prod']),
    ("a CI/CD build whose canary names an alarm of its own account", plan_of(("cicd", "aws_codebuild_project", "deploy", deploy_build(canary={"percent": 10}, rollback_alarm_names=["errors"])),
                                                                           ("cicd", "aws_cloudwatch_metric_alarm", "errors", {"alarm_name": "errors"})), None, "MLOPS-008", [f'deployment spec: rollback alarm errors is not defined in account {PROD}, where it deploys']),
    ("an endpoint configuration that captures by default, without a key", plan_of(("prod", "aws_sagemaker_endpoint_configuration", "c", {"kms_key_arn": "k", "data_capture_config": [{"destination_s3_uri": "s3://capture"}]})), None, "MLOPS-007", ['captured data is not encrypted with a customer key']),
    ("a pipeline with a key", plan_of(("cicd", "aws_codepipeline", "p", {"artifact_store": [{"location": "b", "encryption_key": [{"id": "k", "type": "KMS"}]}]})), None, "MLOPS-015", []),
    ("bare processing and training steps", "small", known_pipeline_definition({**GOOD_DEFINITION, "Steps": [{"Name": "P", "Type": "Processing", "Arguments": {}}, {"Name": "T", "Type": "Training", "Arguments": {}}]}), "MLOPS-015", ['step P: no VPC config', 'step P: no inter-container traffic encryption', 'step P: no output KMS key', 'step P: no volume KMS key', 'step T: no VPC config', 'step T: no inter-container traffic encryption', 'step T: no output KMS key', 'step T: no volume KMS key']),
    ("PassRole with NotResource", "small", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", add_statement(Action="iam:PassRole", NotResource="arn:aws:iam::*:role/none")), "MLOPS-011", ['iam:PassRole is allowed on NotResource: any role matching it can be passed']),
    ("Studio without user profiles, and others' Studio open", "small", both(remove_resource(PROFILE.format("alice")), remove_resource(PROFILE.format("bob")), policy_edit(BOUNDARY, "policy", drop_statement("DenyOtherUsersStudio"))), "MLOPS-003", [f"can open another user's Studio (someone-else, as me): {SCIENTIST}: allowed sagemaker:CreatePresignedDomainUrl on {SAGEMAKER}user-profile/d-probe/someone-else"]),
    ("an organization that attaches no policy", organization_without_attachments(), None, "MLOPS-013", [f'account {DEV} has no service control policy of this plan attached', f'account {STAGING_OF_MEDIUM} has no service control policy of this plan attached', f'account {PROD} has no service control policy of this plan attached', 'account 444444444444 has no service control policy of this plan attached', 'account 555555555555 has no service control policy of this plan attached', f'prod ({PROD}): no resource control policy keeps its roles from principals outside the CI/CD account', f'prod ({PROD}): no resource control policy keeps principals outside the organization from its resources', f'staging ({STAGING_OF_MEDIUM}): no resource control policy keeps its roles from principals outside the CI/CD account', f'staging ({STAGING_OF_MEDIUM}): no resource control policy keeps principals outside the organization from its resources']),
    ("staging in the dev account", organization_without_attachments(staging=DEV), None, "MLOPS-013", [f'account {DEV} has no service control policy of this plan attached', f'account {PROD} has no service control policy of this plan attached', 'account 444444444444 has no service control policy of this plan attached', 'account 555555555555 has no service control policy of this plan attached', f'prod ({PROD}): no resource control policy keeps its roles from principals outside the CI/CD account', f'prod ({PROD}): no resource control policy keeps principals outside the organization from its resources']),
]


def reported(base, mutate, rule: str, tmp_path: Path) -> list[str]:
    raw = base() if callable(base) else tier_raw(base)
    if mutate:
        mutate(raw)
    return [v.message for v in evaluate(write(raw, tmp_path), only={rule})]


def wrong(messages: list[str], expected: list[str]) -> list[str]:
    """Whole messages, every one: a finding's words are what a reader acts on."""
    return [f"reported {sorted(messages)}, expected {sorted(expected)}"] if sorted(messages) != sorted(expected) else []


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
        for name, base, mutate, rule, expected in FINDINGS:  # the first wrong one settles it: a mutant is caught
            problems = wrong(reported(base, mutate, rule, tmp_path), expected)
            assert not problems, f"{name} ({rule}): {problems}"
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
