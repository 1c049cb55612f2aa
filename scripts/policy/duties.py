"""Separation of duties: who is who, which capabilities are protected, and who may hold each.

Principals are recognised by what they are, never by tags: the execution role of a Studio domain is
a data scientist; the role of a SageMaker pipeline is the retraining pipeline; the service role of a
build that the deployment pipeline runs is a release build; ... (KINDS). Two conventions of this
project complete the picture: roles under /mlops/data-science/ are data scientists (the SCPs use the
same pattern), and roles under /mlops/approval/ are model approvers (components/human-role).

Each protected capability (CAPABILITIES) is a set of probes, requests with their resource, resource
policy and context, evaluated with real IAM semantics (model/iam). A principal holds a capability
when it, or any principal it can become (graph.Reach, PMapper's search), is allowed one probe.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator

from policy.documents import listify, principals, statements
from policy.graph import REWRITE, Executed, Reach, trusts_service
from policy.iam import authorized
from policy.model import Identity, Model
from policy.resolve import as_document

APPROVAL_EVENT = "SageMaker Model Package State Change"
DATA_SCIENCE_PATH = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/mlops/data-science/")
APPROVAL_PATH = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/mlops/approval/")
REPOSITORY_SOURCES = {"CodeStarSourceConnection", "CodeCommit", "GitHub", "Bitbucket", "GitLab"}


@dataclass(frozen=True)
class Probe:
    action: str
    resource: str
    context: tuple[tuple[str, Any], ...] = ()
    what: str = ""

    def keys(self) -> dict[str, Any]:
        return dict(self.context)


@dataclass(frozen=True)
class Capability:
    id: str
    title: str
    allowed: tuple[str, ...]  # kinds of principal whose duty it is; () means no principal of the plan
    why: str


CAPABILITIES = (
    Capability("approve-version", "approve a model version in the registry", ("model-approver",), "approval starts the release to customers"),
    Capability("register-version", "register a model version for approval", ("retraining-pipeline",), "only the tested pipeline produces candidates"),
    Capability("register-approved", "register a model version as already approved", (), "it would skip the approver"),
    Capability("alter-retraining", "change the retraining pipeline or the code it runs", (), "its role registers versions"),
    Capability("start-release", "start a release of a model version", ("approval-handler",), "only an approval starts one"),
    Capability("alter-release", "change the deployment pipeline", (), "it decides what reaches prod"),
    Capability("approve-release", "give the manual approval before prod", ("model-approver",), "the human gate between staging and prod"),
    Capability("write-release-kit", "write what the deployment builds run", ("release-orchestrator",), "the builds run it as the roles that deploy"),
    Capability("write-model-artifacts", "write the model artifacts that serving runs", ("retraining-pipeline",), "served models run the code inside them"),
    Capability("update-serving", "change what a serving endpoint runs", ("deployer", "release-build", "release-orchestrator"), "only the canary with alarm rollback changes serving"),
    Capability("assume-deploy-role", "assume a deploy role", ("release-build", "release-orchestrator"), "deploy roles are the only way into staging and prod"),
    Capability("read-captured-data", "read captured requests and responses", ("monitor", "replication"), "captured data is customers' data"),
    Capability("write-labels", "write the labels the model-quality and bias monitors judge a model by", (), "labels decide whether a served model looks good enough; they come from the labelling process, outside the plan"),
    Capability("grant-keys", "grant a KMS key to another principal", (), "a grant outlives any policy review"),
)
BY_ID = {c.id: c for c in CAPABILITIES}


def _spec_sources(model: Model) -> Iterator[tuple[Any, dict[str, Any], dict[str, str]]]:
    """(resource, deployment spec, environment) of every deploy function and CI/CD deploy build."""
    for r in model.plan.of_type("aws_lambda_function", "aws_codebuild_project"):
        env = dict(r.get("environment", 0, "variables") or {})
        for item in listify(r.get("environment", 0, "environment_variable")):
            env[item.get("name")] = item.get("value")
        if env.get("DEPLOYMENT_SPEC"):
            try:
                spec = json.loads(env["DEPLOYMENT_SPEC"])
            except ValueError:
                spec = None
            if isinstance(spec, dict):
                yield r, spec, env
            else:
                model.unresolved.append((r.address, "DEPLOYMENT_SPEC is not a JSON object"))


@dataclass
class Duties:
    model: Model
    reach: Reach = field(init=False)

    def __post_init__(self) -> None:
        identities = list(self.model.principals.values()) + self.model.external
        self.reach = Reach(self.model, identities, self.executed(), self.repository_edges(identities))

    # --- who is who -------------------------------------------------------------------------------

    def _role_value(self, r: Any, attribute: str) -> str | None:
        value, _ = self.model.value(r, attribute)
        return value if isinstance(value, str) else None

    @cached_property
    def approval_rules(self) -> set[str]:
        found = set()
        for r in self.model.plan.of_type("aws_cloudwatch_event_rule"):
            pattern = as_document(r.get("event_pattern")) or {}
            if APPROVAL_EVENT in listify(pattern.get("detail-type")):
                found.add(r.get("name"))
        return found

    @cached_property
    def pipelines(self) -> dict[str, dict[str, Any]]:
        """CodePipeline ARN -> its role, projects, sources, artifact store, approval actions."""
        found = {}
        for r in self.model.plan.of_type("aws_codepipeline"):
            arn = self.model.attribute_of(r.address, "arn")
            info: dict[str, Any] = {"resource": r, "name": r.get("name"), "role": self._role_value(r, "role_arn"), "projects": [], "s3_sources": [], "repository": False, "approvals": []}
            for stage in listify(r.get("stage")):
                for action in listify(stage.get("action")):
                    config = action.get("configuration") or {}
                    if action.get("category") == "Build" and config.get("ProjectName"):
                        info["projects"].append(config["ProjectName"])
                    if action.get("category") == "Source" and action.get("provider") == "S3":
                        info["s3_sources"].append(f"arn:aws:s3:::{config.get('S3Bucket')}/{config.get('S3ObjectKey')}")
                    if action.get("category") == "Source" and action.get("provider") in REPOSITORY_SOURCES:
                        info["repository"] = True
                    if action.get("category") == "Approval":
                        info["approvals"].append(f"{arn}/{stage.get('name')}/{action.get('name')}")
            stores = listify(r.get("artifact_store"))
            location = stores[0].get("location") if stores else None
            if not location:
                targets, _ = self.model.resolver.targets(r.address, self.model.configuration.expression(r.address, "artifact_store", 0, "location"))
                location = self.model.attribute_of(targets[0].address, targets[0].attribute or "id") if targets else None
            if not location:
                self.model.unresolved.append((r.address, "its artifact store bucket is unknown until apply"))
            info["store"] = location
            found[arn] = info
        return found

    @cached_property
    def projects(self) -> dict[str, Any]:
        return {r.get("name"): r for r in self.model.plan.of_type("aws_codebuild_project")}

    @cached_property
    def approval_handlers(self) -> set[str]:
        """Roles that act on approval events: functions an approval rule invokes, roles it passes."""
        handlers = set()
        functions = {self.model.attribute_of(r.address, "arn"): r.get("role") for r in self.model.plan.of_type("aws_lambda_function")}
        for r in self.model.plan.of_type("aws_cloudwatch_event_target"):
            if r.get("rule") not in self.approval_rules:
                continue
            target = self._role_value(r, "arn") or ""
            if functions.get(target):
                handlers.add(functions[target])
            if r.get("role_arn"):
                handlers.add(r.get("role_arn"))
        return handlers

    @cached_property
    def release_pipelines(self) -> set[str]:
        """Pipelines that approvals start: the deployment path to staging and prod."""
        found = set()
        for arn in self.pipelines:
            if any(self.reach.allowed(self.reach.by_arn[h], "codepipeline:StartPipelineExecution", arn) for h in self.approval_handlers if h in self.reach.by_arn):
                found.add(arn)
        return found

    @cached_property
    def kinds(self) -> dict[str, set[str]]:
        plan, model = self.model.plan, self.model
        ds: set[str] = set()
        for r in plan.of_type("aws_sagemaker_domain"):
            for block in ("default_user_settings", "default_space_settings"):
                role = r.get(block, 0, "execution_role")
                ds.add(role) if role else None
        for r in plan.of_type("aws_sagemaker_user_profile", "aws_sagemaker_space"):
            role = r.get("user_settings", 0, "execution_role") or r.get("space_settings", 0, "execution_role")
            ds.add(role) if role else None
        for r in plan.of_type("aws_sagemaker_notebook_instance"):
            ds.add(self._role_value(r, "role_arn") or "")
        ds |= {arn for arn in self.reach.by_arn if DATA_SCIENCE_PATH.match(arn)}
        approvers = {arn for arn in self.reach.by_arn if APPROVAL_PATH.match(arn)}
        approvers |= {value for arn in list(approvers) for st in statements(self.reach.by_arn[arn].trust) for kind, value in principals(st) if kind == "AWS" and value not in model.principals}
        builds = lambda arns: {self.projects[p].get("service_role") for a in arns for p in self.pipelines[a]["projects"] if p in self.projects}
        deployers = {env["DEPLOY_ROLE_ARN"] for _, _, env in _spec_sources(model) if env.get("DEPLOY_ROLE_ARN")}
        deployers |= {r.get("role") for r, _, env in _spec_sources(model) if r.type == "aws_lambda_function"}
        monitors = {self._role_value(r, "role_arn") for kind in ("data_quality", "model_quality", "model_bias", "model_explainability") for r in plan.of_type(f"aws_sagemaker_{kind}_job_definition")}
        for r in plan.of_type("aws_cloudformation_stack"):
            template = as_document(r.get("template_body")) or {}
            monitors |= {str((res.get("Properties") or {}).get("RoleArn")) for res in (template.get("Resources") or {}).values() if str(res.get("Type", "")).startswith("AWS::SageMaker::")}
        return {
            "data-scientist": {a for a in ds if a},
            "model-approver": approvers - ds,
            "retraining-pipeline": {self._role_value(r, "role_arn") for r in plan.of_type("aws_sagemaker_pipeline")} - {None},
            "approval-handler": self.approval_handlers,
            "release-orchestrator": {self.pipelines[a]["role"] for a in self.release_pipelines} - {None},
            "release-build": builds(self.release_pipelines) - {None},
            "source-build": builds({a for a, p in self.pipelines.items() if p["repository"]}) - {None},
            "deployer": {d for d in deployers if d},
            "serving-model": {spec.get("execution_role_arn") for _, spec, _ in _spec_sources(model)} | {self._role_value(r, "execution_role_arn") for r in plan.of_type("aws_sagemaker_model")} - {None},
            "monitor": {m for m in monitors if m},
            "replication": {self._role_value(r, "role") for r in plan.of_type("aws_s3_bucket_replication_configuration")} - {None},
        }

    def kinds_of(self, arn: str) -> set[str]:
        return {kind for kind, members in self.kinds.items() if arn in members}

    # --- what other roles run -------------------------------------------------------------------

    def executed(self) -> list[Executed]:
        found = []
        pipelines = self.pipelines
        for arn, info in pipelines.items():
            runners = [self.projects[p].get("service_role") for p in info["projects"] if p in self.projects and self.projects[p].get("service_role")]
            for source in info["s3_sources"]:
                found.append(Executed(source, runners, f"the source of {info['name']}"))
            if info["store"]:
                found.append(Executed(f"arn:aws:s3:::{info['store']}/{info['name'][:20]}/probe", runners, f"the artifacts of {info['name']}"))
        for r in self.model.plan.of_type("aws_codebuild_project"):
            if r.get("source", 0, "type") == "S3" and r.get("service_role"):
                found.append(Executed(f"arn:aws:s3:::{r.get('source', 0, 'location')}", [r.get("service_role")], f"the source of build {r.get('name')}"))
        for r in self.model.plan.of_type("aws_lambda_function"):
            if r.get("s3_bucket") and r.get("role"):
                found.append(Executed(f"arn:aws:s3:::{r.get('s3_bucket')}/{r.get('s3_key')}", [r.get("role")], f"the code of {r.get('function_name')}"))
        # Objects this plan uploads are code or configuration: whoever reads them may run them.
        objects = [(r, self._role_value(r, "bucket"), r.get("key")) for r in self.model.plan.of_type("aws_s3_object")]
        for identity in self.model.principals.values():
            readers = [f"arn:aws:s3:::{bucket}/{key}" for r, bucket, key in objects if bucket and key and self._reads(identity, f"arn:aws:s3:::{bucket}/{key}")]
            for arn in readers:
                found.append(Executed(arn, [identity.arn], "code this plan uploads"))
        # A SageMaker execution role that may pull a repository's images runs them (pipeline steps, served models).
        repositories = []
        for r in self.model.plan.of_type("aws_ecr_repository"):
            name, why = self.model.value(r, "name")
            if name is None:  # a repository whose images cannot be named cannot be proven unwritable: say so
                self.model.unresolved.append((r.address, why or "name is unknown until apply"))
                continue
            repositories.append(f"arn:aws:ecr:{self.model.region}:{r.account_id}:repository/{name}")
        for identity in self.model.principals.values():
            if trusts_service(identity, "sagemaker.amazonaws.com"):
                for repository in repositories:
                    if authorized(identity.principal(), "ecr:BatchGetImage", repository):
                        found.append(Executed(repository, [identity.arn], f"the images of {repository.split('/', 1)[1]}", "ecr:PutImage"))
        # What a served model reads from S3 is its model artifact, which holds its inference code.
        for spec_role in {spec.get("execution_role_arn") for _, spec, _ in _spec_sources(self.model)}:
            identity = self.model.principals.get(spec_role)
            for pattern in self._readable_s3(identity) if identity else []:
                found.append(Executed(pattern, [spec_role], "model artifacts"))
        merged: dict[str, Executed] = {}
        for item in found:  # one entry per object, named by what it is first (a pipeline's source before "code")
            known = merged.setdefault(item.arn, Executed(item.arn, [], item.what, item.write))
            known.runners.extend(r for r in item.runners if r not in known.runners)
        return list(merged.values())

    def _reads(self, identity: Identity, arn: str) -> bool:
        return authorized(identity.principal(), "s3:GetObject", arn)

    def _readable_s3(self, identity: Identity) -> list[str]:
        return self._s3_patterns(identity, "s3:GetObject")

    @staticmethod
    def _s3_patterns(identity: Identity, action: str) -> list[str]:
        """Object keys an identity policy allows `action` on, each as a probe ARN (* -> probe)."""
        probes = []
        for document in identity.policies:
            for st in statements(document):
                if st.get("Effect") == "Allow" and any(re.fullmatch(a.replace("*", ".*"), action, re.I) for a in listify(st.get("Action"))):
                    probes += [re.sub(r"\*.*$", "probe", res) for res in listify(st.get("Resource")) if res.startswith("arn:aws:s3:::") and "/" in res]
        return sorted(set(probes))

    def repository_edges(self, identities: list[Identity]) -> list[tuple[str, str, str]]:
        """Data scientists push the code that builds from a repository run (image builds)."""
        edges = []
        for info in self.pipelines.values():
            if not info["repository"]:
                continue
            for p in info["projects"]:
                role = self.projects.get(p, {}).get("service_role") if p in self.projects else None
                for ds in self.kinds_for_edges(identities):
                    if role:
                        edges.append((ds, role, f"pushes the repository code that {info['name']} builds and runs as"))
        return edges

    def kinds_for_edges(self, identities: list[Identity]) -> set[str]:
        ds = {r.get("default_user_settings", 0, "execution_role") for r in self.model.plan.of_type("aws_sagemaker_domain")}
        ds |= {r.get("user_settings", 0, "execution_role") for r in self.model.plan.of_type("aws_sagemaker_user_profile")}
        return {a for a in ds if a} | {i.arn for i in identities if DATA_SCIENCE_PATH.match(i.arn)}

    # --- the probes of each capability -----------------------------------------------------------

    @cached_property
    def probes(self) -> dict[str, list[Probe]]:
        m, region = self.model, self.model.region
        p: dict[str, list[Probe]] = {c.id: [] for c in CAPABILITIES}
        for r in m.plan.of_type("aws_sagemaker_model_package_group"):
            group, name = f"arn:aws:sagemaker:{region}:{r.account_id}:model-package-group/{r.get('model_package_group_name')}", r.get("model_package_group_name")
            package = f"arn:aws:sagemaker:{region}:{r.account_id}:model-package/{name}/1"
            p["approve-version"].append(Probe("sagemaker:UpdateModelPackage", package, (("sagemaker:ModelApprovalStatus", "Approved"),), f"version 1 of {name}"))
            for target in (group, package):
                p["register-version"].append(Probe("sagemaker:CreateModelPackage", target, (("sagemaker:ModelApprovalStatus", "PendingManualApproval"),), name))
                p["register-approved"].append(Probe("sagemaker:CreateModelPackage", target, (("sagemaker:ModelApprovalStatus", "Approved"),), name))
        for r in m.plan.of_type("aws_sagemaker_pipeline"):
            arn = m.attribute_of(r.address, "arn")
            p["alter-retraining"] += [Probe(a, arn, what=r.get("pipeline_name")) for a in ("sagemaker:UpdatePipeline", "sagemaker:DeletePipeline")]
            role = self._role_value(r, "role_arn")
            p["alter-retraining"] += [Probe(e.write, e.arn, what=f"code of {r.get('pipeline_name')}") for e in self.reach.executed if role in e.runners]
        for arn in sorted(self.release_pipelines):
            info = self.pipelines[arn]
            p["start-release"].append(Probe("codepipeline:StartPipelineExecution", arn, what=info["name"]))
            p["alter-release"] += [Probe(a, arn, what=info["name"]) for a in ("codepipeline:UpdatePipeline", "codepipeline:DeletePipeline")]
            p["approve-release"] += [Probe("codepipeline:PutApprovalResult", a, what=a.split(":")[-1]) for a in info["approvals"]]
            runners = set(self.kinds["release-build"])
            p["write-release-kit"] += [Probe(e.write, e.arn, what=e.what) for e in self.reach.executed if runners & set(e.runners)]
        artifacts = [e for e in self.reach.executed if e.what == "model artifacts"]
        writes = [w for arn in self.kinds["retraining-pipeline"] if arn in m.principals for w in self._s3_patterns(m.principals[arn], "s3:PutObject")]
        for e in artifacts:  # any key the served model reads, and the keys the pipeline writes among them
            inside = [w for w in writes if re.fullmatch(re.escape(e.arn[:-len("probe")]).replace(r"\*", ".*") + ".*", w)]
            p["write-model-artifacts"] += [Probe("s3:PutObject", arn, what=e.what) for arn in sorted({e.arn, *inside})]
        endpoints, captures = set(), set()
        for r, spec, env in _spec_sources(m):
            account = (env.get("DEPLOY_ROLE_ARN") or "").split(":")[4] if env.get("DEPLOY_ROLE_ARN") else r.account_id
            if spec.get("endpoint_name"):
                endpoints.add(f"arn:aws:sagemaker:{region}:{account}:endpoint/{spec['endpoint_name']}")
            uri = (spec.get("data_capture") or {}).get("destination_s3_uri")
            if uri:
                captures.add(f"arn:aws:s3:::{uri[5:].rstrip('/')}/probe")
        for r in m.plan.of_type("aws_sagemaker_endpoint"):
            endpoints.add(f"arn:aws:sagemaker:{region}:{r.account_id}:endpoint/{r.get('name')}")
        for r in m.plan.of_type("aws_sagemaker_endpoint_configuration"):
            uri = r.get("data_capture_config", 0, "destination_s3_uri")
            if uri:
                captures.add(f"arn:aws:s3:::{uri[5:].rstrip('/')}/probe")
        for r in m.plan.of_type("aws_s3_bucket_replication_configuration"):
            for rule in listify(r.get("rule")):
                destination = rule.get("destination", [{}])[0].get("bucket") if rule.get("destination") else None
                if destination:
                    captures.add(f"{destination}/probe")
        for arn in sorted(endpoints):
            p["update-serving"] += [Probe(a, arn, what=arn.rsplit("/", 1)[1]) for a in ("sagemaker:UpdateEndpoint", "sagemaker:DeleteEndpoint", "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpointWeightsAndCapacities")]
        for arn in sorted(self.kinds["deployer"]):
            identity = m.principals.get(arn)
            if identity and any(kind == "AWS" for st in statements(identity.trust) for kind, _ in principals(st)):
                p["assume-deploy-role"].append(Probe("sts:AssumeRole", arn, what=identity.name))
        p["read-captured-data"] = [Probe("s3:GetObject", arn, what="captured data") for arn in sorted(captures)]
        p["write-labels"] = [Probe("s3:PutObject", arn, what="labels") for arn in sorted(self._label_prefixes())]
        for policy in m.resource_policies:
            if policy.kind == "key":
                p["grant-keys"].append(Probe("kms:CreateGrant", policy.arn, (("kms:GrantIsForAWSResource", "false"),), f"key {policy.resource.address}"))
        return p

    def _label_prefixes(self) -> set[str]:
        """Where the monitors of the plan's CloudFormation stacks read ground truth (GroundTruthS3Input)."""
        found = set()
        for r in self.model.plan.of_type("aws_cloudformation_stack"):
            for resource in ((r.json("template_body") or {}).get("Resources") or {}).values():
                for job_input in (v for k, v in (resource.get("Properties") or {}).items() if k.endswith("JobInput") and isinstance(v, dict)):
                    uri = (job_input.get("GroundTruthS3Input") or {}).get("S3Uri")
                    if isinstance(uri, str) and uri.startswith("s3://"):
                        found.add(f"arn:aws:s3:::{uri[5:].rstrip('/')}/probe")
        return found

    # --- evaluation -------------------------------------------------------------------------------

    def allowed(self, identity: Identity, probe: Probe, escalated: bool = False) -> bool:
        escalated = escalated or self.reach.is_admin(identity.arn)
        return self.reach.allowed(identity, probe.action, probe.resource, probe.keys(), escalated=escalated)

    def _holdings(self, escalated: bool) -> dict[tuple[str, str], Probe]:
        found = {}
        for capability in CAPABILITIES:
            for identity in self.reach.identities:
                probe = next((pr for pr in self.probes[capability.id] if self.allowed(identity, pr, escalated)), None)
                if probe:
                    found[(identity.arn, capability.id)] = probe
        return found

    @cached_property
    def direct(self) -> dict[tuple[str, str], Probe]:
        """(principal ARN, capability) -> the first probe that principal is allowed itself."""
        return self._holdings(escalated=False)

    @cached_property
    def rewritten(self) -> dict[tuple[str, str], Probe]:
        """The same for principals whose permissions someone can rewrite (any permission in their boundary)."""
        return self._holdings(escalated=True) if any(e.short_reason == REWRITE for e in self.reach.all_edges()) else {}

    def acts(self, edges: list[Any], actor: str, capability: str) -> Probe | None:
        """The probe `actor` is allowed at the end of `edges` (escalated when the last hop rewrote it)."""
        return (self.rewritten if edges and edges[-1].short_reason == REWRITE else self.direct).get((actor, capability))

    @cached_property
    def paths(self) -> dict[str, dict[str, list[Any]]]:
        """Principal -> {principal it can become -> the path's edges}."""
        return {arn: {edges[-1].destination.arn: edges for edges in self.reach.paths(arn)} for arn in self.reach.by_arn}

    def holders(self, capability: str) -> Iterator[tuple[Identity, list[Any], Identity, Probe]]:
        """(who, path, who acts, probe): every principal that holds the capability, directly or not."""
        for identity in self.reach.identities:
            chains = [([], identity.arn)] + [(edges, target) for target, edges in self.paths[identity.arn].items()]
            for edges, actor in chains:
                probe = self.acts(edges, actor, capability)
                if probe:
                    yield identity, edges, self.reach.by_arn[actor], probe
                    break

    def may(self, identity: Identity, capability: Capability) -> bool:
        return bool(self.kinds_of(identity.arn) & set(capability.allowed))


def explain(identity: Identity, edges: list[Any], actor: Identity, probe: Probe) -> str:
    hops = "".join(f" -> [{e.reason}] {e.destination.arn}" for e in edges)
    return f"{identity.arn}{hops}: allowed {probe.action} on {probe.resource}" + (f" ({probe.what})" if probe.what else "")
