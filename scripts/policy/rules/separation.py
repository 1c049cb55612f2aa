"""Who may do what, along every path: data scientists, automation roles and the protected capabilities."""
from __future__ import annotations

import re
from typing import Iterator

from policy.documents import listify, principals, statements
from policy.duties import CAPABILITIES, Duties, Probe, explain
from policy.graph import REWRITE
from policy.iam import Principal, authorized
from policy.model import FULL_ACCESS, Identity, Model
from policy.rules import rule


def data_scientists(model: Model) -> list[Identity]:
    arns = model.duties.kinds["data-scientist"]
    return [i for i in model.duties.reach.identities if i.arn in arns]


TEAM = "mlops:team"


def own_team(ds: Identity) -> tuple[tuple[str, str], ...]:
    """The request tag a data scientist's creates must carry: its own team (modules/dev teams)."""
    return (("aws:RequestTag/mlops:team", ds.tags[TEAM]),) if TEAM in ds.tags else ()


def where(identity: Identity, duties: Duties, via: Identity | None = None) -> str:
    """The resource block a violation points at: the principal's; for a principal the plan does not
    manage, the policy that names it."""
    if identity.resource:
        return identity.resource.address
    return identity.named_by or (via.address if via else identity.arn)


# --- MLOPS-002: the data-scientist boundary -------------------------------------------------------

VPC = {"sagemaker:VpcSubnets": ["subnet-probe"], "sagemaker:VpcSecurityGroupIds": ["sg-probe"]}
KMS = {"sagemaker:VolumeKmsKey": "arn:aws:kms:{region}:{account}:key/probe", "sagemaker:OutputKmsKey": "arn:aws:kms:{region}:{account}:key/probe"}
BOUNDARY_MUST_DENY = [
    ("iam:CreateUser", "arn:aws:iam::{account}:user/x", {}),
    ("iam:CreateAccessKey", "arn:aws:iam::{account}:user/x", {}),
    ("iam:DeleteRolePermissionsBoundary", "arn:aws:iam::{account}:role/any", {}),
    ("iam:PutRolePermissionsBoundary", "arn:aws:iam::{account}:role/any", {"iam:PermissionsBoundary": "arn:aws:iam::{account}:policy/other"}),
    ("iam:CreatePolicyVersion", "{boundary}", {}),
    ("iam:CreateRole", "arn:aws:iam::{account}:role/new", {}),
    ("iam:CreateRole", "arn:aws:iam::{account}:role/new", {"iam:PermissionsBoundary": "arn:aws:iam::{account}:policy/other"}),
    ("sagemaker:CreateModelPackage", "arn:aws:sagemaker:{region}:{account}:model-package/any/1", {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}),
    ("sagemaker:UpdateModelPackage", "arn:aws:sagemaker:{region}:{account}:model-package/any/1", {"sagemaker:ModelApprovalStatus": "Approved"}),
    ("sagemaker:CreateTrainingJob", "arn:aws:sagemaker:{region}:{account}:training-job/x", KMS),
    ("sagemaker:CreateNotebookInstance", "arn:aws:sagemaker:{region}:{account}:notebook-instance/x", {**VPC, **KMS, "sagemaker:DirectInternetAccess": "Enabled"}),
    ("sagemaker:CreatePresignedDomainUrl", "arn:aws:sagemaker:{region}:{account}:user-profile/d-probe/someone-else", {"aws:SourceIdentity": "me"}),
    ("kms:CreateGrant", "arn:aws:kms:{region}:{account}:key/x", {"kms:GrantIsForAWSResource": "false"}),
]


def boundaries(model: Model) -> Iterator[tuple[str, str]]:
    for role in data_scientists(model):
        if role.external:
            continue
        arn = role.boundary_arn
        if not arn:
            yield role.address, "data-scientist role has no permissions boundary"
            continue
        if role.boundary is None or not re.search(r"data-scientist-boundary$", arn):
            yield role.address, f"boundary {arn} is not the approved data-scientist boundary defined in this plan"
            continue
        unbounded = Principal(role.arn, role.account, [FULL_ACCESS], role.boundary, arn)
        fill = {"account": role.account, "boundary": arn, "region": model.region}
        for action, resource, context in BOUNDARY_MUST_DENY:
            ctx = {"aws:ResourceAccount": role.account, **{k: (v.format(**fill) if isinstance(v, str) else v) for k, v in context.items()}}
            if authorized(unbounded, action, resource.format(**fill), context=ctx):
                yield role.address, f"the boundary does not deny {action}" + (f" with {context}" if context else "")
        ordinary = {**VPC, **{k: v.format(**fill) for k, v in KMS.items()}, "aws:ResourceAccount": role.account}
        if not authorized(unbounded, "sagemaker:CreateTrainingJob", f"arn:aws:sagemaker:{model.region}:{role.account}:training-job/x", context=ordinary):
            yield role.address, "the boundary denies ordinary work in dev (a training job in the VPC with KMS); it would be removed in practice"


rule("MLOPS-002", "Every data-scientist role has the approved permissions boundary, and it holds",
     "A boundary caps what any policy attached later can grant; without its denies, a data scientist can mint users, keys or unbounded roles, register or approve models, leave the VPC or open other people's Studio.",
     "IAM User Guide, 'Permissions boundaries for IAM entities' (delegation example); AWS Security Blog, 'When and where to use IAM permissions boundaries'",
     "attach the data-scientist boundary of modules/dev (permissions_boundary) and keep its Deny statements", boundaries)


# --- MLOPS-003: data scientists -------------------------------------------------------------------

def escapes(model: Model, ds: Identity) -> list[tuple[str, Probe]]:
    """(what, probe): requests that must be denied to a data scientist and to everyone it can become."""
    account, region = ds.account, model.region
    kms = {k: v.format(region=region, account=account) for k, v in KMS.items()}
    profiles = sorted(r.get("user_profile_name") for r in model.plan.of_type("aws_sagemaker_user_profile")) or ["me"]
    me, other = profiles[0], (profiles[1] if len(profiles) > 1 else "someone-else")
    arn, team = f"arn:aws:sagemaker:{region}:{account}", own_team(ds)  # tagged for its team: only the named deny may stop each
    return [
        ("run a training job outside the VPC", Probe("sagemaker:CreateTrainingJob", f"{arn}:training-job/probe", tuple(kms.items()) + team)),
        ("run a processing job outside the VPC", Probe("sagemaker:CreateProcessingJob", f"{arn}:processing-job/probe", tuple(kms.items()) + team)),
        ("create a model outside the VPC", Probe("sagemaker:CreateModel", f"{arn}:model/probe", team)),
        ("run a training job without a KMS key", Probe("sagemaker:CreateTrainingJob", f"{arn}:training-job/probe", tuple(VPC.items()) + team)),
        ("open a notebook instance with direct internet access", Probe("sagemaker:CreateNotebookInstance", f"{arn}:notebook-instance/probe", tuple({**VPC, **kms, "sagemaker:DirectInternetAccess": "Enabled"}.items()) + team)),
        ("attach a job to a subnet outside the tier's VPC", Probe("ec2:CreateNetworkInterface", f"arn:aws:ec2:{region}:{account}:subnet/subnet-probe", (("aws:ResourceTag/mlops:network", "another-network"),))),
        ("administer Studio (domains and user profiles)", Probe("sagemaker:CreateUserProfile", f"{arn}:user-profile/d-probe/probe")),
        (f"open another user's Studio ({other}, as {me})", Probe("sagemaker:CreatePresignedDomainUrl", f"{arn}:user-profile/d-probe/{other}", (("aws:SourceIdentity", me),))),
    ]


def ds_duties(model: Model, ds: Identity) -> list[tuple[str, Probe]]:
    """What a data scientist must still be able to do (MLOPS-017)."""
    account, region = ds.account, model.region
    kms = {k: v.format(region=region, account=account) for k, v in KMS.items()}
    profiles = sorted(r.get("user_profile_name") for r in model.plan.of_type("aws_sagemaker_user_profile")) or ["me"]
    arn = f"arn:aws:sagemaker:{region}:{account}"
    duties = [
        ("run a training job in the VPC with KMS", Probe("sagemaker:CreateTrainingJob", f"{arn}:training-job/probe", tuple({**VPC, **kms}.items()) + own_team(ds))),
        ("open their own Studio", Probe("sagemaker:CreatePresignedDomainUrl", f"{arn}:user-profile/d-probe/{profiles[0]}", (("aws:SourceIdentity", profiles[0]),))),
    ]
    if TEAM in ds.tags:
        duties.append(("see their own team's jobs", Probe("sagemaker:DescribeTrainingJob", f"{arn}:training-job/probe", (("aws:ResourceTag/mlops:team", ds.tags[TEAM]),))))
    return duties


def chains(duties: Duties, ds: Identity) -> list[tuple[list, str]]:
    """(edges, actor): the principal itself, then every principal it can become."""
    return [([], ds.arn)] + [(edges, target) for target, edges in duties.paths[ds.arn].items()]


def allowed_along(duties: Duties, ds: Identity, probe: Probe) -> str | None:
    """How `ds` gets `probe` allowed, hop by hop, along the first chain that does; None if none does."""
    for edges, actor in chains(duties, ds):
        if duties.allowed(duties.reach.by_arn[actor], probe, escalated=bool(edges) and edges[-1].short_reason == REWRITE):
            return explain(ds, edges, duties.reach.by_arn[actor], probe)
    return None


def data_scientist_reach(model: Model) -> Iterator[tuple[str, str]]:
    duties = model.duties
    for ds in data_scientists(model):
        for capability in CAPABILITIES:
            for edges, actor in chains(duties, ds):
                probe = duties.acts(edges, actor, capability.id)
                if probe:
                    yield where(ds, duties), f"can {capability.title} ({capability.why}): {explain(ds, edges, duties.reach.by_arn[actor], probe)}"
                    break
        for what, probe in escapes(model, ds):
            path = allowed_along(duties, ds, probe)
            if path:
                yield where(ds, duties), f"can {what}: {path}"


rule("MLOPS-003", "No data-scientist principal holds a protected capability, leaves the VPC or opens another user's Studio, directly or through any chain",
     "Data scientists move fast in dev; only the tested, approved path may change what serves customers. Every role a data scientist can become, pass, rewrite or feed code to counts as the data scientist.",
     "AWS Summit ANZ 2022, 'End-to-end MLOps for architects'; SageMaker Developer Guide, 'Control root access / network isolation / user profile access'; PMapper's graph model",
     "remove the grant or the edge named in the path: trust, PassRole, write access to what another role runs, or the capability itself", data_scientist_reach)


# --- MLOPS-019: teams ---------------------------------------------------------------------------

def team_assets(model: Model) -> list[tuple[str, Probe]]:
    """(team, probe): requests on what each team owns, by the resources' mlops:team tags: its registry
    groups and their versions, its pipelines and their training data, its feature groups, and any
    SageMaker resource tagged for it."""
    region, found = model.region, []
    teams = {i.tags[TEAM] for i in data_scientists(model) if TEAM in i.tags}
    for r in model.plan.of_type("aws_sagemaker_model_package_group", "aws_sagemaker_pipeline", "aws_sagemaker_feature_group"):
        tags = r.get("tags_all") or r.get("tags") or {}
        team = tags.get(TEAM)
        if not team:
            continue
        teams.add(team)
        owned = (("aws:ResourceTag/mlops:team", team),)
        if r.type == "aws_sagemaker_model_package_group":
            name = r.get("model_package_group_name")
            found += [(team, Probe("sagemaker:DescribeModelPackageGroup", f"arn:aws:sagemaker:{region}:{r.account_id}:model-package-group/{name}", owned, f"registry group {name}")),
                      (team, Probe("sagemaker:DescribeModelPackage", f"arn:aws:sagemaker:{region}:{r.account_id}:model-package/{name}/1", (), f"version 1 of {name} (versions carry no tags)"))]
        elif r.type == "aws_sagemaker_feature_group":
            name = r.get("feature_group_name")
            arn = f"arn:aws:sagemaker:{region}:{r.account_id}:feature-group/{name}"
            found += [(team, Probe(a, arn, owned, f"feature group {name}")) for a in ("sagemaker:DescribeFeatureGroup", "sagemaker:GetRecord")]
        else:
            name, data = r.get("pipeline_name"), tags.get("mlops:training-data")
            arn = f"arn:aws:sagemaker:{region}:{r.account_id}:pipeline/{name}"
            found += [(team, Probe(a, arn, owned, f"pipeline {name}")) for a in ("sagemaker:DescribePipeline", "sagemaker:StartPipelineExecution")]
            if not data:
                model.unresolved.append((r.address, "a team's pipeline without an mlops:training-data tag: whether other teams can reach its training data is not evaluated"))
            elif data.startswith("s3://"):
                bucket, _, key = data[5:].partition("/")
                found += [(team, Probe(a, f"arn:aws:s3:::{bucket}/{key}probe", what=f"training data {data}")) for a in ("s3:GetObject", "s3:PutObject")]
                found.append((team, Probe("s3:ListBucket", f"arn:aws:s3:::{bucket}", (("s3:prefix", key),), f"training data {data}")))
    for team in sorted(teams):  # anything tagged for a team, and creating for a team (tag spoofing), where data scientists work
        for account in sorted({ds.account for ds in data_scientists(model)}):
            arn, kms = f"arn:aws:sagemaker:{region}:{account}", {k: v.format(region=region, account=account) for k, v in KMS.items()}
            found.append((team, Probe("sagemaker:DescribeTrainingJob", f"{arn}:training-job/probe", (("aws:ResourceTag/mlops:team", team),), "a training job tagged for the team")))
            found.append((team, Probe("sagemaker:CreateTrainingJob", f"{arn}:training-job/probe", (("aws:RequestTag/mlops:team", team), *VPC.items(), *kms.items()), "a training job created as the team's")))
    return found


def team_isolation(model: Model) -> Iterator[tuple[str, str]]:
    duties, assets = model.duties, team_assets(model)
    for ds in data_scientists(model) if assets else []:
        team = ds.tags.get(TEAM)
        for owner, probe in assets:
            path = allowed_along(duties, ds, probe) if owner != team else None
            if path:
                yield where(ds, duties), f"team {team or '(no mlops:team tag)'} can use what team {owner} owns: {path}"


rule("MLOPS-019", "No data scientist uses another team's training data, registry groups, pipelines, features or SageMaker resources",
     "Teams own use cases; a team that reads another's training data or registry metadata, starts its pipelines or creates resources as that team crosses a boundary the business drew. Team membership is the role's mlops:team tag and ownership the resource's: attribute-based access control.",
     "IAM User Guide, 'What is ABAC for AWS?' and 'Policy variables'; SageMaker Developer Guide, 'Control access to SageMaker AI resources by using tags'",
     "give each team's use cases a team (modules/tier use_cases.*.team) and keep modules/dev's team statements (DenyOtherTeams*, DenyTaggingForOtherTeams, DenyJobsWithoutTeam)", team_isolation)


# --- MLOPS-004: every protected capability, for every principal -------------------------------------

def capabilities(model: Model) -> Iterator[tuple[str, str]]:
    duties = model.duties
    ds = {i.arn for i in data_scientists(model)}
    for capability in CAPABILITIES:
        for who, edges, actor, probe in duties.holders(capability.id):
            if who.arn in ds or duties.may(who, capability):
                continue  # data scientists: MLOPS-003
            allowed = ", ".join(capability.allowed) or "no principal of the plan"
            yield where(who, duties, actor), f"{who.arn} can {capability.title} ({capability.why}; the duty of: {allowed}): {explain(who, edges, actor, probe)}"


rule("MLOPS-004", "Each protected capability is held only by the principals whose duty it is, along every path",
     "Approving, registering, releasing, deploying and reading customers' data are separate duties; anyone else who reaches one, directly or by becoming another role, breaks the separation.",
     "AWS Summit ANZ 2022, 'End-to-end MLOps for architects'; IAM User Guide, 'Cross-account access using roles'; AWS whitepaper 'Building a data perimeter'",
     "make the trust, resource and identity policies name only the principals the duties table (policies/README.md) allows", capabilities)


# --- MLOPS-017: every duty can still be done ------------------------------------------------------

def duties_hold(model: Model) -> Iterator[tuple[str, str]]:
    duties = model.duties
    for capability in CAPABILITIES:
        members = [i for i in duties.reach.identities if duties.may(i, capability) and not i.external and i.arn not in model.incomplete]  # incomplete: MLOPS-016
        if not capability.allowed or not members or not duties.probes[capability.id]:
            continue
        if not any(who.arn in {m.arn for m in members} for who, *_ in duties.holders(capability.id)):
            yield members[0].address, f"nobody whose duty it is ({', '.join(capability.allowed)}) can {capability.title}: e.g. {duties.probes[capability.id][0].action} on {duties.probes[capability.id][0].resource}"
    for ds in data_scientists(model):
        if ds.external:
            continue
        for what, probe in ds_duties(model, ds):
            if not duties.allowed(ds, probe):
                yield ds.address, f"the data scientist cannot {what} ({probe.action} on {probe.resource})"


rule("MLOPS-017", "Every duty can still be performed by the principals whose duty it is",
     "A boundary that blocks the duty it protects gets removed in practice: approvers must approve, the pipeline must register, the release must deploy, data scientists must train in the VPC.",
     "This project's separation of duties (policies/README.md, 'Personas and duties')",
     "grant the duty to its principals: the identity policy, and the resource policy where the resource is in another account", duties_hold)


# --- MLOPS-011: automation roles ------------------------------------------------------------------

IAM_WRITES = ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:CreateUser", "iam:CreateAccessKey"]


def automation(model: Model) -> Iterator[tuple[str, str]]:
    ds = model.duties.kinds["data-scientist"]
    for identity in model.principals.values():
        for document in identity.policies:
            for statement in statements(document):
                if statement.get("Effect") != "Allow":
                    continue
                actions = [a.lower() for a in listify(statement.get("Action"))]
                if "*" in actions and identity.arn not in ds:
                    yield identity.address, "a policy allows every action ('*')"
                if "NotAction" in statement and identity.arn not in ds:
                    yield identity.address, "a policy allows with NotAction"
                passes = any(re.fullmatch(a.replace("*", ".*"), "iam:passrole") for a in actions) or ("NotAction" in statement and not any(re.fullmatch(a.lower().replace("*", ".*"), "iam:passrole") for a in listify(statement.get("NotAction"))))
                wildcard = [r for r in listify(statement.get("Resource")) if "*" in r] + (["NotResource"] if "NotResource" in statement else [])
                if passes and wildcard:
                    yield identity.address, f"iam:PassRole is allowed on {wildcard[0]}: any role matching it can be passed"
        probe_role = f"arn:aws:iam::{identity.account}:role/any-role"
        for action in IAM_WRITES:
            if any(model.duties.reach.allowed(identity, action, target) for target in (identity.arn, probe_role)):
                yield identity.address, f"it can change IAM ({action}), its own permissions included"
                break


rule("MLOPS-011", "No '*' actions, no Allow with NotAction, no iam:PassRole on wildcard ARNs, no IAM changes",
     "Functions, pipelines and builds run unattended and data scientists run arbitrary code; a wildcard grant, a role that can pass any role, or one that can change IAM (its own policies included) turns one bug or injected input into account takeover.",
     "IAM User Guide, 'Grant least privilege'; 'Granting a user permissions to pass a role to an AWS service'; Rhino Security Labs, 'AWS IAM privilege escalation methods'",
     "list the actions; scope iam:PassRole to exact role ARNs with iam:PassedToService; leave IAM changes to Terraform", automation)


# --- MLOPS-014: the registry ------------------------------------------------------------------------

def registry_policies(model: Model) -> Iterator[tuple[str, str]]:
    pipelines = model.duties.kinds["retraining-pipeline"]
    for policy in model.resource_policies:
        if policy.kind != "registry":
            continue
        for statement in statements(policy.document):
            if statement.get("Effect") != "Allow":
                continue
            if "NotAction" in statement:
                yield policy.resource.address, "grants with NotAction: every action but those listed"
                continue
            named = [value for _, value in principals(statement)]
            for action in listify(statement.get("Action")):
                if re.fullmatch(action.lower().replace("*", ".*"), "sagemaker:createmodelpackage"):
                    for value in named:
                        if value not in pipelines:
                            yield policy.resource.address, f"grants {action} to {value}, which is not the retraining pipeline's role"
                    status = (statement.get("Condition") or {}).get("StringEquals", {}).get("sagemaker:ModelApprovalStatus")
                    if listify(status) != ["PendingManualApproval"]:
                        yield policy.resource.address, f"grants {action} without requiring sagemaker:ModelApprovalStatus = PendingManualApproval"
                elif not re.match(r"(?i)^sagemaker:(describe|list|get|batchdescribe)", action):
                    yield policy.resource.address, f"grants {action}, which is not read-only"
            for kind, value in principals(statement) + ([("NotPrincipal", "*")] if "NotPrincipal" in statement else []):
                if kind != "AWS" or ":role/" not in value or "*" in value:
                    yield policy.resource.address, f"grants to {value}, not an exact role"


rule("MLOPS-014", "Model package group policies: read-only to named roles, registration only to the retraining pipeline, only as PendingManualApproval",
     "Other accounts deploy from the registry and must not register, approve or delete versions; only the retraining pipeline registers, and only for approval; approval stays in the registry's account.",
     "SageMaker Developer Guide, 'Cross-account model registry'; Service Authorization Reference, sagemaker:ModelApprovalStatus",
     "grant Describe*/List* to exact role ARNs; grant sagemaker:CreateModelPackage only to the retraining pipeline's role, with StringEquals sagemaker:ModelApprovalStatus = PendingManualApproval", registry_policies)

