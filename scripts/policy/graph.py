"""Who can become whom: a PMapper graph of every principal in a plan, searched with PMapper.

Nodes are the plan's roles and users plus the principals its policies name but it does not manage
(model.Identity.external). Edges come from PMapper's own edge checkers (sts, iam, lambda, codebuild,
cloudformation; cross-account sts:AssumeRole with get_edges_between_graphs) and from the checkers
below, which PMapper lacks. Paths are PMapper's get_interaccount_search_list.

Hand-written checkers, and why:
- PassRole to services that run code: PMapper's SageMaker checker probes CreateTrainingJob with no
  request context, so any VPC or KMS guard in a policy hides the path; here each create call is probed
  with the best-behaved request (in a VPC, encrypted, isolated), and pipelines, models, EventBridge
  targets, schedules, Glue jobs, state machines and CodePipeline are covered too.
- Writes to what another role runs: an S3 object that a pipeline, build or function executes, or a
  pipeline definition; PMapper has no notion of it.
- Rewriting another role's permissions (PutRolePolicy, AttachRolePolicy, boundaries): PMapper only
  marks self-modification (is_admin).
- Invoking a function acts with its role, within its code: counted as reaching that role.
RCPs are applied to every cross-account edge (PMapper does not know them).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from principalmapper.common import Edge, Graph, Node, Policy
from principalmapper.graphing import cloudformation_edges, codebuild_edges, iam_edges, lambda_edges, sts_edges
from principalmapper.graphing.cross_account_edges import get_edges_between_graphs
from principalmapper.graphing.gathering import update_admin_status
from principalmapper.querying.query_utils import get_interaccount_search_list

from policy.documents import listify
from policy.iam import Principal, authorized, rcp_denies
from policy.model import FULL_ACCESS, OUTSIDE_ACCOUNT, OUTSIDE_ORG, Identity, Model

logging.getLogger("principalmapper").setLevel(logging.ERROR)

# The best-behaved request each create call can make: guards on VPC, KMS or isolation do not hide it.
WELL_BEHAVED = {
    "sagemaker:VpcSubnets": ["subnet-00000000"], "sagemaker:VpcSecurityGroupIds": ["sg-00000000"],
    "sagemaker:VolumeKmsKey": "arn:aws:kms:*:*:key/any", "sagemaker:OutputKmsKey": "arn:aws:kms:*:*:key/any",
    "sagemaker:NetworkIsolation": "true", "sagemaker:InterContainerTrafficEncryption": "true",
    "sagemaker:DirectInternetAccess": "Disabled", "sagemaker:RootAccess": "Disabled",
}
# service principal -> the calls that make that service run code with a passed role
RUNS_CODE_WITH_ROLE = {
    "sagemaker.amazonaws.com": ["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePipeline", "sagemaker:UpdatePipeline", "sagemaker:CreateModel"],
    "events.amazonaws.com": ["events:PutTargets"],
    "scheduler.amazonaws.com": ["scheduler:CreateSchedule", "scheduler:UpdateSchedule"],
    "glue.amazonaws.com": ["glue:CreateJob", "glue:UpdateJob"],
    "states.amazonaws.com": ["states:CreateStateMachine", "states:UpdateStateMachine"],
    "codepipeline.amazonaws.com": ["codepipeline:CreatePipeline", "codepipeline:UpdatePipeline"],
}
REWRITE = "Rewrite"  # an edge after which the destination acts with any permission its boundary allows
REWRITES = ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:UpdateRole"]


SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths")


def service_trust(trust: dict[str, Any] | None) -> dict[str, Any]:
    """The trust as PMapper's edge checkers should see it: a service's confused-deputy conditions
    (aws:SourceAccount and the like) hold for requests the service makes on this account's behalf,
    and PMapper, which probes with no context, would otherwise see no service edge at all."""
    statements = []
    for statement in listify((trust or {}).get("Statement")):
        principal = statement.get("Principal")
        if isinstance(principal, dict) and set(principal) == {"Service"} and statement.get("Condition"):
            condition = {op: {k: v for k, v in block.items() if k.lower() not in SOURCE_KEYS} for op, block in statement["Condition"].items()}
            statement = {**statement, "Condition": {op: block for op, block in condition.items() if block}}
            if not statement["Condition"]:
                statement.pop("Condition")
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


def trusts_service(identity: Identity, service: str) -> bool:
    from principalmapper.querying.local_policy_simulation import ResourcePolicyEvalResult, resource_policy_authorization

    if not identity.trust or ":role/" not in identity.arn:
        return False
    return resource_policy_authorization(service, identity.account, service_trust(identity.trust), "sts:AssumeRole", identity.arn, {}) == ResourcePolicyEvalResult.SERVICE_MATCH


@dataclass
class Executed:
    """Something a role runs that others could write: an S3 object (pattern) or an image repository."""

    arn: str  # an S3 object ARN (may end in a probe name under a prefix), or an ECR repository ARN
    runners: list[str]  # role ARNs that run it
    what: str  # e.g. "the deploy kit of mlops-model-deployment"
    write: str = "s3:PutObject"  # the action that changes it (ecr:PutImage for a repository)


@dataclass
class Reach:
    model: Model
    identities: list[Identity]
    executed: list[Executed] = field(default_factory=list)
    extra_edges: list[tuple[str, str, str]] = field(default_factory=list)  # (source, destination, reason)

    def __post_init__(self) -> None:
        self.org = self.model.organization_id()
        self.by_arn = {i.arn: i for i in self.identities}
        self.nodes: dict[str, Node] = {}
        for identity in self.identities:
            principal = self.principal(identity)
            principal.trust_policy = service_trust(identity.trust) if identity.trust else None
            self.nodes[identity.arn] = principal.node()
        self.graphs: dict[str, Graph] = {}
        for account in sorted({i.account for i in self.identities}):
            members = [self.nodes[i.arn] for i in self.identities if i.account == account]
            metadata = {"account_id": account, "pmapper_version": "1.1.5", **({"org-id": self.org} if self.org and account != OUTSIDE_ACCOUNT else {"org-id": OUTSIDE_ORG})}
            self.graphs[account] = Graph(members, [], [], [], metadata)
        self.inter_account: list[Edge] = []
        self._edges()

    # --- principals as PMapper sees them ---------------------------------------------------------

    def policies_of(self, identity: Identity) -> list[dict[str, Any]]:
        if not identity.external:
            return identity.policies
        if identity.account == OUTSIDE_ACCOUNT:
            return [FULL_ACCESS]
        # unmanaged here: everything its account could give it, except in its own account, where only
        # what a policy names it for counts (its own IAM policies are not in this plan)
        own = [f"arn:*:*:*:{identity.account}:*", f"arn:*:iam::{identity.account}:*"]
        own += [f"arn:aws:s3:::{b}" for b, a in self.model.bucket_accounts.items() if a == identity.account]
        own += [f"arn:aws:s3:::{b}/*" for b, a in self.model.bucket_accounts.items() if a == identity.account]
        return [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "NotResource": own}]}]

    def principal(self, identity: Identity, escalated: bool = False) -> Principal:
        policies = self.policies_of(identity) + ([FULL_ACCESS] if escalated else [])
        return identity.principal(policies)

    def scp_groups(self, account: str) -> list[list[Policy]] | None:
        levels = self.model.scps(account)
        return [[Policy(f"scp-{account}-{i}-{j}", "scp", doc) for j, doc in enumerate(level)] for i, level in enumerate(levels)] if levels else None

    def context(self, identity: Identity, resource_account: str | None) -> dict[str, Any]:
        org = OUTSIDE_ORG if identity.account == OUTSIDE_ACCOUNT else self.org
        return {"aws:SecureTransport": "true", "aws:RequestedRegion": self.model.region, **({"aws:PrincipalOrgID": org} if org else {}), **({"aws:ResourceAccount": resource_account} if resource_account else {})}

    def allowed(self, identity: Identity, action: str, resource: str, context: dict[str, Any] | None = None, escalated: bool = False) -> bool:
        """Would AWS allow it, with every layer the plan states (resource policy, SCPs, RCPs)?"""
        account = self.model.account_of(resource)
        policy = self.model.policy_of(resource)
        document = policy.document if policy else (self.model.function_policies.get(resource) if ":lambda:" in resource else None)
        if action.lower().startswith("sts:") and resource in self.by_arn:
            document = self.by_arn[resource].trust or {"Statement": []}
        if account and account != identity.account and document is None and resource != "*":
            return False  # across accounts, only a resource policy lets a principal in
        keys = {**self.context(identity, account), **(context or {})}
        if policy and policy.aliases:
            keys.setdefault("kms:ResourceAliases", list(policy.aliases))
        return authorized(self.principal(identity, escalated), action, resource,
                          resource_policy=document, resource_account=account if document is not None else None,
                          context=keys, scps=self.model.scps(identity.account), rcps=self.model.rcps(account) if account else None)

    # --- edges ------------------------------------------------------------------------------------

    def _edges(self) -> None:
        functions = [{"FunctionArn": self.model.attribute_of(r.address, "arn"), "Role": r.get("role")} for r in self.model.plan.of_type("aws_lambda_function")]
        projects = [{"project_arn": self.model.attribute_of(r.address, "arn"), "project_role": r.get("service_role"), "project_tags": []} for r in self.model.plan.of_type("aws_codebuild_project")]
        stacks = [{"StackId": r.address, "StackName": r.get("name"), "RoleARN": r.get("iam_role_arn"), "StackStatus": "CREATE_COMPLETE"} for r in self.model.plan.of_type("aws_cloudformation_stack") if r.get("iam_role_arn")]
        for account, graph in self.graphs.items():
            scps = self.scp_groups(account)
            update_admin_status(graph.nodes, scps)
            for node in graph.nodes:  # what unmanaged principals may do in their own account is not this plan's
                node.is_admin = node.is_admin and not self.by_arn[node.arn].external
            nodes = graph.nodes
            graph.edges.extend(sts_edges.generate_edges_locally(nodes, scps))
            graph.edges.extend(iam_edges.generate_edges_locally(nodes, scps))
            graph.edges.extend(lambda_edges.generate_edges_locally(nodes, [f for f in functions if f["Role"]], scps))
            graph.edges.extend(codebuild_edges.generate_edges_locally(nodes, scps, [p for p in projects if p["project_role"]]))
            graph.edges.extend(cloudformation_edges.generate_edges_locally(nodes, stacks, scps))
        accounts = sorted(self.graphs)
        for i, a in enumerate(accounts):
            for b in accounts[i + 1:]:
                for edge in get_edges_between_graphs(self.graphs[a], self.graphs[b], self.scp_groups(a), self.scp_groups(b)):
                    if not self._rcp_blocks(edge.source.arn, edge.destination.arn):
                        self.inter_account.append(edge)
        self._rewrites()
        self._pass_role_to_services()
        self._writes_what_others_run()
        self._invocations()
        for source, destination, reason in self.extra_edges:
            self._add(source, destination, reason, "Runs")

    def _rcp_blocks(self, source: str, destination: str) -> bool:
        identity = self.by_arn[source]
        account = self.by_arn[destination].account
        keys = self.context(identity, account)
        return rcp_denies(self.principal(identity), "sts:AssumeRole", destination, keys, self.model.rcps(account))

    def _add(self, source: str, destination: str, reason: str, short: str) -> None:
        if source == destination or source not in self.nodes or destination not in self.nodes:
            return
        edge = Edge(self.nodes[source], self.nodes[destination], reason, short)
        if self.by_arn[source].account == self.by_arn[destination].account:
            self.graphs[self.by_arn[source].account].edges.append(edge)
        else:
            self.inter_account.append(edge)

    def _rewrites(self) -> None:
        for target in self.identities:
            if target.external or ":role/" not in target.arn:
                continue
            for source in self.identities:
                if source.arn == target.arn or source.account != target.account:
                    continue
                action = next((a for a in REWRITES if self.allowed(source, a, target.arn, {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"})), None)
                if action:
                    self._add(source.arn, target.arn, f"can rewrite the permissions of ({action}), so whatever runs as it may do anything, as", REWRITE)

    def _pass_role_to_services(self) -> None:
        for target in self.identities:
            if target.external:
                continue
            for service, calls in RUNS_CODE_WITH_ROLE.items():
                if not trusts_service(target, service):
                    continue
                for source in self.identities:
                    if source.arn == target.arn or not self.allowed(source, "iam:PassRole", target.arn, {"iam:PassedToService": service}):
                        continue
                    call = next((c for c in calls if self.allowed(source, c, "*", WELL_BEHAVED) or self.allowed(source, c, f"arn:aws:{c.split(':')[0]}:{self.model.region}:{target.account}:*", WELL_BEHAVED)), None)
                    if call:
                        self._add(source.arn, target.arn, f"can pass it to {service.split('.')[0]} ({call}) and run code as", "PassRole")

    def _writes_what_others_run(self) -> None:
        for item in self.executed:
            writers = [i for i in self.identities if self.allowed(i, item.write, item.arn)]
            for runner in item.runners:
                for writer in writers:
                    if writer.arn not in item.runners:
                        self._add(writer.arn, runner, f"can write {item.what} ({item.arn}), which runs as", "Writes")
        for r in self.model.plan.of_type("aws_sagemaker_pipeline"):
            role, _ = self.model.value(r, "role_arn")
            arn = self.model.attribute_of(r.address, "arn")
            for source in self.identities:
                if role and source.arn != role and self.allowed(source, "sagemaker:UpdatePipeline", arn, WELL_BEHAVED):
                    self._add(source.arn, role, f"can rewrite the pipeline {r.get('pipeline_name')} (sagemaker:UpdatePipeline), which runs as", "Pipeline")

    def _invocations(self) -> None:
        for r in self.model.plan.of_type("aws_lambda_function"):
            arn, role = self.model.attribute_of(r.address, "arn"), r.get("role")
            for source in self.identities:
                if role and source.arn != role and self.allowed(source, "lambda:InvokeFunction", arn):
                    self._add(source.arn, role, f"can invoke {r.get('function_name')}, which acts as", "Invoke")

    # --- search -----------------------------------------------------------------------------------

    def paths(self, arn: str) -> list[list[Edge]]:
        """Every principal `arn` can become, each with one shortest path (PMapper's search)."""
        node = self.nodes[arn]
        return get_interaccount_search_list(list(self.graphs.values()), self.inter_account, node)

    def all_edges(self) -> list[Edge]:
        return [e for g in self.graphs.values() for e in g.edges] + self.inter_account

    def is_admin(self, arn: str) -> bool:
        return self.nodes[arn].is_admin
