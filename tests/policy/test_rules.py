"""Every rule: the real plan passes; a misconfigured and an omitted setting fail with the exact
rule ID and resource address."""
from __future__ import annotations

import json

import pytest

from policy.rules import RULES, evaluate
from fixtures import (CICD, DEV, ORG, PROD, deleter, inline, policy_edit, remove_resource, role, setter,
                      small_raw, synthetic, tier_raw, trust, write)

pytestmark = pytest.mark.xdist_group("small")

DOMAIN = "module.dev.aws_sagemaker_domain.this"
DS_ROLE = "module.dev.aws_iam_role.data_scientist"
BOUNDARY = "module.dev.aws_iam_policy.boundary"
MODELS = "module.artifact.module.models_bucket"
REPO = 'module.artifact.aws_ecr_repository.this["inference"]'
KEY = "module.ops.module.kms.aws_kms_key.this"
DEPLOY_FN = "module.prod.module.deploy_function[0]"
SCHEDULER_ROLE = "module.ops.aws_iam_role.scheduler[0]"
METHOD = "module.prod.aws_api_gateway_method.predict[0]"
LOGS = "module.prod.aws_cloudwatch_log_group.api[0]"


def found(plan) -> set[tuple[str, str]]:
    return {(v.rule, v.address) for v in evaluate(plan)}


def test_the_small_tier_passes_every_rule(tmp_path):
    assert found(write(small_raw(), tmp_path)) == set()


def drop_statement(sid):
    return lambda doc: doc.__setitem__("Statement", [s for s in doc["Statement"] if s.get("Sid") != sid])


def widen_ceiling(*drop: str):
    """The ceiling statement allows every action; the named Deny statements are removed."""
    def edit(doc):
        doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") not in drop]
        next(s for s in doc["Statement"] if s.get("Sid") == "CeilingForDataScience")["Action"] = "*"
    return edit


def spec_edit(edit):
    def apply(raw):
        from fixtures import change
        variables = change(raw, f"{DEPLOY_FN}.aws_lambda_function.this")["after"]["environment"][0]["variables"]
        spec = json.loads(variables["DEPLOYMENT_SPEC"])
        edit(spec)
        variables["DEPLOYMENT_SPEC"] = json.dumps(spec)
    return apply


CASES = [
    # id, mutation of the small plan, expected (rule, address) pairs
    ("studio public internet", setter(DOMAIN, ["app_network_access_type"], "PublicInternetOnly"), {("MLOPS-001", DOMAIN)}),
    ("studio network omitted", deleter(DOMAIN, ["app_network_access_type"]), {("MLOPS-001", DOMAIN)}),
    ("studio key omitted", deleter(DOMAIN, ["kms_key_id"]), {("MLOPS-001", DOMAIN)}),
    ("boundary omitted", deleter(DS_ROLE, ["permissions_boundary"]), {("MLOPS-002", DS_ROLE)}),
    ("boundary ceiling widened, denies kept", policy_edit(BOUNDARY, "policy", widen_ceiling()), set()),
    ("boundary lets users be created", policy_edit(BOUNDARY, "policy", widen_ceiling("DenyIdentityCreationAndEscalation")), {("MLOPS-002", DS_ROLE)}),
    ("boundary lets roles skip it", policy_edit(BOUNDARY, "policy", widen_ceiling("DenyRolesWithoutThisBoundary")), {("MLOPS-002", DS_ROLE)}),
    ("boundary lets it be removed", policy_edit(BOUNDARY, "policy", widen_ceiling("DenyRemovingOrChangingBoundaries")), {("MLOPS-002", DS_ROLE)}),
    ("boundary can be rewritten", policy_edit(BOUNDARY, "policy", widen_ceiling("DenyChangingThisBoundary")), {("MLOPS-002", DS_ROLE)}),
    ("bucket versioning suspended", setter(f"{MODELS}.aws_s3_bucket_versioning.this", ["versioning_configuration", 0, "status"], "Suspended"), {("MLOPS-006", f"{MODELS}.aws_s3_bucket.this")}),
    ("bucket encryption omitted", remove_resource(f"{MODELS}.aws_s3_bucket_server_side_encryption_configuration.this"), {("MLOPS-006", f"{MODELS}.aws_s3_bucket.this")}),
    ("bucket SSE-S3", setter(f"{MODELS}.aws_s3_bucket_server_side_encryption_configuration.this", ["rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"], "AES256"), {("MLOPS-006", f"{MODELS}.aws_s3_bucket.this")}),
    ("bucket public policy allowed", setter(f"{MODELS}.aws_s3_bucket_public_access_block.this", ["block_public_policy"], False), {("MLOPS-006", f"{MODELS}.aws_s3_bucket.this")}),
    ("bucket TLS deny as a list value", policy_edit(f"{MODELS}.aws_s3_bucket_policy.this", "policy", lambda d: d["Statement"][0]["Condition"]["Bool"].__setitem__("aws:SecureTransport", ["false"])), set()),
    ("bucket TLS deny on the bucket only", policy_edit(f"{MODELS}.aws_s3_bucket_policy.this", "policy", lambda d: d["Statement"][0].__setitem__("Resource", d["Statement"][0]["Resource"][0] if d["Statement"][0]["Resource"][0].count("/") == 0 else d["Statement"][0]["Resource"][1])), {("MLOPS-006", f"{MODELS}.aws_s3_bucket.this")}),
    ("bucket TLS deny of reads only", policy_edit(f"{MODELS}.aws_s3_bucket_policy.this", "policy", lambda d: d["Statement"][0].__setitem__("Action", "s3:Get*")), {("MLOPS-006", f"{MODELS}.aws_s3_bucket.this")}),
    ("bucket TLS deny dropped", policy_edit(f"{MODELS}.aws_s3_bucket_policy.this", "policy", drop_statement("DenyInsecureTransport")), {("MLOPS-006", f"{MODELS}.aws_s3_bucket.this")}),
    ("ecr mutable", setter(REPO, ["image_tag_mutability"], "MUTABLE"), {("MLOPS-009", REPO)}),
    ("ecr scanning omitted", setter(REPO, ["image_scanning_configuration"], []), {("MLOPS-009", REPO)}),
    ("ecr AES256", setter(REPO, ["encryption_configuration", 0, "encryption_type"], "AES256"), {("MLOPS-009", REPO)}),
    ("kms rotation off", setter(KEY, ["enable_key_rotation"], False), {("MLOPS-010", KEY)}),
    ("kms rotation omitted", deleter(KEY, ["enable_key_rotation"]), {("MLOPS-010", KEY)}),
    ("kms wildcard principal", policy_edit(KEY, "policy", lambda d: d["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"})), {("MLOPS-010", KEY), ("MLOPS-005", KEY)}),
    ("trust to anyone", policy_edit(SCHEDULER_ROLE, "assume_role_policy", lambda d: d["Statement"].append({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})), {("MLOPS-005", SCHEDULER_ROLE)}),
    ("service trust without source", policy_edit(SCHEDULER_ROLE, "assume_role_policy", lambda d: d["Statement"][0].pop("Condition")), {("MLOPS-005", SCHEDULER_ROLE)}),
    ("foreign root without org", policy_edit(SCHEDULER_ROLE, "assume_role_policy", lambda d: d["Statement"].append({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::999999999999:root"]}, "Action": "sts:AssumeRole"})), {("MLOPS-005", SCHEDULER_ROLE)}),
    ("alarm topic open to anyone", setter("module.prod.aws_sns_topic.alarms", ["policy"], json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "*"}]})), {("MLOPS-005", "module.prod.aws_sns_topic.alarms")}),
    ("lambda permission without source", deleter("module.prod.aws_lambda_permission.api[0]", ["source_arn"]), set()),  # source_account still holds
    ("canary without alarms", spec_edit(lambda s: s.__setitem__("rollback_alarm_names", [])), {("MLOPS-008", f"{DEPLOY_FN}.aws_lambda_function.this")}),
    ("canary on a missing alarm", spec_edit(lambda s: s.__setitem__("rollback_alarm_names", ["nope"])), {("MLOPS-008", f"{DEPLOY_FN}.aws_lambda_function.this")}),
    ("capture off in prod", spec_edit(lambda s: s["data_capture"].__setitem__("enabled", False)), {("MLOPS-007", f"{DEPLOY_FN}.aws_lambda_function.this")}),
    ("endpoint key omitted", spec_edit(lambda s: s.pop("kms_key_arn")), {("MLOPS-007", f"{DEPLOY_FN}.aws_lambda_function.this")}),
    ("star action", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", lambda d: d["Statement"].append({"Effect": "Allow", "Action": "*", "Resource": "*"})), {("MLOPS-011", f"{DEPLOY_FN}.aws_iam_role.this")}),
    ("allow with NotAction", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", lambda d: d["Statement"].append({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})), {("MLOPS-011", f"{DEPLOY_FN}.aws_iam_role.this")}),
    ("pass any role by wildcard", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", lambda d: d["Statement"].append({"Effect": "Allow", "Action": "iam:Pass*", "Resource": ["*"]})), {("MLOPS-011", f"{DEPLOY_FN}.aws_iam_role.this")}),
    ("pass any role", policy_edit(f"{DEPLOY_FN}.aws_iam_role_policy.this", "policy", lambda d: d["Statement"].append({"Effect": "Allow", "Action": ["IAM:PassRole"], "Resource": "*"})), {("MLOPS-011", f"{DEPLOY_FN}.aws_iam_role.this")}),
    ("open API", setter(METHOD, ["authorization"], "NONE"), {("MLOPS-012", METHOD)}),
    ("API auth omitted", deleter(METHOD, ["authorization"]), {("MLOPS-012", METHOD)}),
    ("log retention omitted", deleter(LOGS, ["retention_in_days"]), {("MLOPS-015", LOGS)}),
    ("log key omitted", deleter(LOGS, ["kms_key_id"]), {("MLOPS-015", LOGS)}),
    ("policy unknown at plan", lambda raw: [next(c for c in raw["resource_changes"] if c["address"] == f"{DEPLOY_FN}.aws_iam_role_policy.this")["change"]["after"].pop("policy"),
                                            next(c for c in raw["resource_changes"] if c["address"] == f"{DEPLOY_FN}.aws_iam_role_policy.this")["change"]["after_unknown"].__setitem__("policy", True)],
     {("MLOPS-016", f"{DEPLOY_FN}.aws_iam_role_policy.this")}),
]


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_small_plan_misconfiguration(tmp_path, mutate, expected):
    raw = small_raw()
    mutate(raw)
    assert found(write(raw, tmp_path)) == expected


DS_ARN = f"arn:aws:iam::{DEV}:role/mlops/data-science/ds"
CICD_ARN = f"arn:aws:iam::{CICD}:role/mlops/pipeline"
DEPLOY = "module.prod.aws_iam_role.deploy"
DS_WORK = inline("ds", {"Effect": "Allow", "Action": ["sts:AssumeRole", "s3:*", "sagemaker:*"], "Resource": "*"})
CICD_WORK = inline("pipeline", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{PROD}:role/mlops/deploy"})
SAGEMAKER_TRUST = trust({"Service": "sagemaker.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": DEV}})
CODEPIPELINE_TRUST = trust({"Service": "codepipeline.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": CICD}})


def approved_boundary() -> dict:
    from fixtures import change
    policy = change(small_raw(), BOUNDARY)["after"]
    return {**policy, "policy": policy["policy"].replace("123456789012", DEV)}


def accounts_plan(deploy_trust: dict, extra: list | None = None, org: str | None = ORG, bounded: bool = True) -> dict:
    boundary = approved_boundary()
    ds = role("ds", SAGEMAKER_TRUST, "data-scientist", "/mlops/data-science/")
    if bounded:
        ds["permissions_boundary"] = f"arn:aws:iam::{DEV}:policy{boundary['path']}{boundary['name']}"
    return synthetic([
        ("dev", "aws_iam_policy", "boundary", boundary),
        ("dev", "aws_iam_role", "ds", ds),
        ("dev", "aws_iam_role_policy", "ds", DS_WORK),
        ("cicd", "aws_iam_role", "pipeline", role("pipeline", CODEPIPELINE_TRUST, "cicd-pipeline")),
        ("cicd", "aws_iam_role_policy", "pipeline", CICD_WORK),
        ("prod", "aws_iam_role", "deploy", role("deploy", deploy_trust, "deploy")),
        *(extra or []),
    ], organization_id=org)


EXACT = trust({"AWS": CICD_ARN}, Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})

UNBOUNDED = {("MLOPS-002", "module.dev.aws_iam_role.ds")}
PROD_BUCKET = ("prod", "aws_s3_bucket_policy", "capture", {"bucket": "capture", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": DS_ARN}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::capture/*"}]})})
REGISTRY = ("artifact", "aws_sagemaker_model_package_group_policy", "registry", {"model_package_group_name": "m", "resource_policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": DS_ARN}, "Action": ["sagemaker:DescribeModelPackageGroup", "sagemaker:CreateModelPackage"], "Resource": "*"}]})})
READ_ONLY_REGISTRY = ("artifact", "aws_sagemaker_model_package_group_policy", "registry", {"model_package_group_name": "m", "resource_policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": DS_ARN}, "Action": ["sagemaker:DescribeModelPackageGroup"], "Resource": "*"}]})})

ACCOUNT_CASES = [
    # id, deploy role trust, extra resources, data scientist bounded?, expected
    ("exact cicd principal", EXACT, [], True, set()),
    ("cicd principal as a list, action case variant", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [CICD_ARN]}, "Action": ["STS:AssumeRole"]}]}, [], True, set()),
    ("data scientist named in the trust (boundary stops it)", trust({"AWS": [CICD_ARN, DS_ARN]}), [], True, {("MLOPS-004", DEPLOY)}),
    ("data scientist named, no boundary", trust({"AWS": [CICD_ARN, DS_ARN]}), [], False, UNBOUNDED | {("MLOPS-003", DEPLOY), ("MLOPS-004", DEPLOY)}),
    ("data scientist via sts:Assume*, no boundary", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": DS_ARN}, "Action": "sts:Assume*"}, EXACT["Statement"][0]]}, [], False, UNBOUNDED | {("MLOPS-003", DEPLOY), ("MLOPS-004", DEPLOY)}),
    ("dev account root with org condition, no boundary", trust({"AWS": f"arn:aws:iam::{DEV}:root"}, Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}), [], False, UNBOUNDED | {("MLOPS-003", DEPLOY), ("MLOPS-004", DEPLOY)}),
    ("dev account id without org condition", trust({"AWS": DEV}), [], True, {("MLOPS-004", DEPLOY), ("MLOPS-005", DEPLOY)}),
    ("a service may assume it", trust({"Service": "codebuild.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": CICD}}), [], True, {("MLOPS-004", DEPLOY)}),
    ("prod bucket grants data scientists (boundary stops it)", EXACT, [PROD_BUCKET], True, set()),
    ("prod bucket grants data scientists, no boundary", EXACT, [PROD_BUCKET], False, UNBOUNDED | {("MLOPS-003", "module.prod.aws_s3_bucket_policy.capture")}),
    ("artifact registry read-only to data scientists, no boundary", EXACT, [READ_ONLY_REGISTRY], False, UNBOUNDED),
    ("artifact registry writable by data scientists, no boundary", EXACT, [REGISTRY], False, UNBOUNDED | {("MLOPS-003", "module.artifact.aws_sagemaker_model_package_group_policy.registry"), ("MLOPS-014", "module.artifact.aws_sagemaker_model_package_group_policy.registry")}),
]


@pytest.mark.parametrize(("deploy_trust", "extra", "bounded", "expected"), [c[1:] for c in ACCOUNT_CASES], ids=[c[0] for c in ACCOUNT_CASES])
def test_cross_account_boundaries(tmp_path, deploy_trust, extra, bounded, expected):
    assert found(write(accounts_plan(deploy_trust, extra, bounded=bounded), tmp_path)) == expected


def test_deploy_roles_need_a_pipeline_role(tmp_path):
    raw = synthetic([("prod", "aws_iam_role", "deploy", role("deploy", EXACT, "deploy"))], ORG)
    assert ("MLOPS-004", DEPLOY) in found(write(raw, tmp_path))


# --- The multi-account tiers: the real plans pass; cross-account settings changed fail ------------

REGISTRY_POLICY = "module.tier.module.artifact.aws_sagemaker_model_package_group_policy.this[0]"
DEPLOY_PROD = 'module.tier.module.cicd.aws_codebuild_project.deploy["deploy-prod"]'
PIPELINE_ROLE = "arn:aws:iam::555555555555:role/mlops/mlops-ops-pipeline"
STAGING_DEPLOYER = "arn:aws:iam::222222222222:role/mlops/mlops-staging-cicd-deploy"


def registering(edit):
    return policy_edit(REGISTRY_POLICY, "resource_policy", lambda d: edit(next(s for s in d["Statement"] if s["Sid"] == "RetrainingPipelineRegisters")))


def deploy_role_of_prod_step(arn: str):
    def apply(raw):
        from fixtures import change
        variables = change(raw, DEPLOY_PROD)["after"]["environment"][0]["environment_variable"]
        next(v for v in variables if v["name"] == "DEPLOY_ROLE_ARN")["value"] = arn
    return apply


MULTI_ACCOUNT_CASES = [
    # id, tier, mutation, expected
    ("medium as planned", "medium", lambda raw: None, set()),
    ("large as planned", "large", lambda raw: None, set()),
    ("a deploy role may register versions", "large", registering(lambda st: st["Principal"]["AWS"].append(STAGING_DEPLOYER) if isinstance(st["Principal"]["AWS"], list) else st["Principal"].__setitem__("AWS", [st["Principal"]["AWS"], STAGING_DEPLOYER])), {("MLOPS-014", REGISTRY_POLICY)}),
    ("the pipeline may approve versions", "large", registering(lambda st: st["Action"].append("sagemaker:UpdateModelPackage")), {("MLOPS-014", REGISTRY_POLICY)}),
    ("prod's deploy step aimed at staging, where prod's rollback alarms do not exist", "medium", deploy_role_of_prod_step(STAGING_DEPLOYER), {("MLOPS-008", f"module.tier.module.cicd.aws_codebuild_project.deploy[\"deploy-prod\"]")}),
]


@pytest.mark.parametrize(("tier", "mutate", "expected"), [pytest.param(*c[1:], marks=pytest.mark.xdist_group(c[1]), id=c[0]) for c in MULTI_ACCOUNT_CASES])
def test_multi_account_plans(tmp_path, tier, mutate, expected):
    raw = tier_raw(tier)
    mutate(raw)
    assert found(write(raw, tmp_path)) == expected


def test_every_rule_has_a_failing_fixture():
    covered = {rule for *_, expected in CASES + ACCOUNT_CASES + SCP_CASES + MULTI_ACCOUNT_CASES for rule, _ in expected}
    assert {r.id for r in RULES} - covered == set(), "add a failing fixture for every rule"


def test_every_rule_is_documented():
    for r in RULES:
        assert r.title and r.rationale and r.source and r.remedy, r.id


def test_a_setting_changed_only_in_planned_values_is_caught(tmp_path):
    raw = small_raw()
    planned = next(r for m in raw["planned_values"]["root_module"]["child_modules"] for r in m.get("resources", []) if r["address"] == REPO)
    planned["values"]["image_tag_mutability"] = "MUTABLE"
    assert found(write(raw, tmp_path)) == {("MLOPS-009", REPO)}


def scp_plan(edit=lambda name, doc: doc, attach_ds_to_prod: bool = True) -> dict:
    """modules/org's resources as a plan: the documents of policies/scp/ rendered as Terraform would."""
    from support import ROOT
    documents = {}
    for path in sorted((ROOT / "policies" / "scp").iterdir()):
        text = path.read_text().replace("${jsonencode(allowed_regions)}", json.dumps(["eu-west-1"]))
        text = text.replace("${jsonencode(data_scientist_principal_patterns)}", json.dumps(["arn:aws:iam::*:role/mlops/data-science/*"]))
        name = path.name.split(".")[0]
        documents[name] = edit(name, json.loads(text))
    resources = [("org", "aws_organizations_organizational_unit", f'this["{u}"]', {"name": f"mlops-{u}"}) for u in ("sdlc", "prod")]
    resources += [("org", "aws_organizations_policy", f'this["{n}"]', {"type": "SERVICE_CONTROL_POLICY", "content": json.dumps(d)}) for n, d in documents.items()]
    for unit in ("sdlc", "prod"):
        for name in documents:
            if name != "deny-data-scientists" or (unit == "prod" and attach_ds_to_prod):
                resources.append(("org", "aws_organizations_policy_attachment", f'this["{name}/{unit}"]', {}))
    return synthetic(resources, ORG)


def without(sid):
    return lambda name, doc: {**doc, "Statement": [s for s in doc["Statement"] if s.get("Sid") != sid]}


SCP_CASES = [
    ("the project's SCPs", {}, set()),
    ("trail may be stopped", {"edit": without("DenyStoppingOrDeletingCloudTrail")}, {("MLOPS-013", 'module.org.aws_organizations_organizational_unit.this["sdlc"]'), ("MLOPS-013", 'module.org.aws_organizations_organizational_unit.this["prod"]')}),
    ("any region allowed", {"edit": without("DenyRegionsOutsideTheAllowedList")}, {("MLOPS-013", 'module.org.aws_organizations_organizational_unit.this["sdlc"]'), ("MLOPS-013", 'module.org.aws_organizations_organizational_unit.this["prod"]')}),
    ("data scientists not denied in prod", {"attach_ds_to_prod": False}, {("MLOPS-013", 'module.org.aws_organizations_organizational_unit.this["prod"]')}),
]


@pytest.mark.parametrize(("kwargs", "expected"), [c[1:] for c in SCP_CASES], ids=[c[0] for c in SCP_CASES])
def test_service_control_policies(tmp_path, kwargs, expected):
    assert found(write(scp_plan(**kwargs), tmp_path)) == expected


def clarify_stack(**drop: bool) -> dict:
    definition = {
        "Type": "AWS::SageMaker::ModelBiasJobDefinition",
        "Properties": {
            "NetworkConfig": {"EnableInterContainerTrafficEncryption": not drop.get("encryption"), **({} if drop.get("vpc") else {"VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}})},
            "JobResources": {"ClusterConfig": {"InstanceCount": 1, **({} if drop.get("volume_key") else {"VolumeKmsKeyId": "alias/k"})}},
            "ModelBiasJobOutputConfig": {"MonitoringOutputs": [], **({} if drop.get("output_key") else {"KmsKeyId": "alias/k"})},
        },
    }
    return {"name": "clarify", "template_body": json.dumps({"Resources": {"Bias": definition, "Schedule": {"Type": "AWS::SageMaker::MonitoringSchedule", "Properties": {}}}})}


@pytest.mark.parametrize(("drop", "expected"), [
    ({}, set()),
    ({"encryption": True}, {"Bias: no inter-container traffic encryption"}),
    ({"vpc": True, "volume_key": True, "output_key": True}, {"Bias: no VPC config", "Bias: no volume KMS key", "Bias: no output KMS key"}),
], ids=["encrypted and isolated", "traffic unencrypted", "outside the VPC, keys omitted"])
def test_clarify_job_definitions_in_cloudformation(tmp_path, drop, expected):
    plan = write(synthetic([("prod", "aws_cloudformation_stack", "clarify", clarify_stack(**drop))]), tmp_path)
    assert {v.message for v in evaluate(plan) if v.rule == "MLOPS-015"} == expected
