"""The IAM picture of one plan: roles with their trust, inline and attached policies, boundaries,
and every resource policy, each placed in its account."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from policy.documents import statements
from policy.iam import Principal
from policy.plan import Plan, Resource

PURPOSE = "mlops:purpose"
PROTECTED_ALL = ("staging", "prod", "cicd")  # account roles no data scientist may touch
PROTECTED_WRITE = ("artifact",)  # readable, never writable by data scientists


@dataclass
class Role:
    resource: Resource
    arn: str
    name: str
    policies: list[dict[str, Any]] = field(default_factory=list)
    boundary: dict[str, Any] | None = None

    @property
    def account(self) -> str:
        return self.resource.account_id

    @property
    def purpose(self) -> str:
        return (self.resource.get("tags_all") or self.resource.get("tags") or {}).get(PURPOSE, "")

    @property
    def trust(self) -> dict[str, Any] | None:
        return self.resource.json("assume_role_policy")

    def principal(self) -> Principal:
        return Principal(self.arn, self.account, self.policies, self.boundary, self.resource.get("permissions_boundary"), self.trust)


@dataclass
class ResourcePolicy:
    resource: Resource
    arn: str  # the ARN requests name (for keys: a placeholder key ARN in the right account)
    kind: str  # bucket, key, repository, registry, ...
    document: dict[str, Any] | None
    attribute: str


class Model:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        partition = "aws"
        self.policies_by_arn = {
            f"arn:{partition}:iam::{r.account_id}:policy{r.get('path', default='/')}{r.get('name')}": r
            for r in plan.of_type("aws_iam_policy")
        }
        self.roles: dict[str, Role] = {}
        for r in plan.of_type("aws_iam_role"):
            arn = f"arn:{partition}:iam::{r.account_id}:role{r.get('path', default='/')}{r.get('name')}"
            boundary = self.policies_by_arn.get(r.get("permissions_boundary") or "")
            self.roles[arn] = Role(r, arn, r.get("name"), boundary=boundary.json("policy") if boundary else None)
        by_name = {(role.account, role.name): role for role in self.roles.values()}
        for r in plan.of_type("aws_iam_role_policy"):
            role = by_name.get((r.account_id, r.get("role")))
            if role and r.json("policy"):
                role.policies.append(r.json("policy"))
        for r in plan.of_type("aws_iam_role_policy_attachment"):
            role, policy = by_name.get((r.account_id, r.get("role"))), self.policies_by_arn.get(r.get("policy_arn") or "")
            if role and policy and policy.json("policy"):
                role.policies.append(policy.json("policy"))

    @cached_property
    def resource_policies(self) -> list[ResourcePolicy]:
        found: list[ResourcePolicy] = []
        for r in self.plan.of_type("aws_s3_bucket_policy"):
            found.append(ResourcePolicy(r, f"arn:aws:s3:::{r.get('bucket')}", "bucket", r.json("policy"), "policy"))
        for r in self.plan.of_type("aws_kms_key"):
            found.append(ResourcePolicy(r, f"arn:aws:kms:*:{r.account_id}:key/{r.address}", "key", r.json("policy"), "policy"))
        for r in self.plan.of_type("aws_ecr_repository_policy"):
            found.append(ResourcePolicy(r, f"arn:aws:ecr:*:{r.account_id}:repository/{r.get('repository')}", "repository", r.json("policy"), "policy"))
        for r in self.plan.of_type("aws_sagemaker_model_package_group_policy"):
            found.append(ResourcePolicy(r, f"arn:aws:sagemaker:*:{r.account_id}:model-package-group/{r.get('model_package_group_name')}", "registry", r.json("resource_policy"), "resource_policy"))
        for r in self.plan.of_type("aws_cloudwatch_event_bus_policy"):
            found.append(ResourcePolicy(r, f"arn:aws:events:*:{r.account_id}:event-bus/{r.get('event_bus_name') or 'default'}", "event bus", r.json("policy"), "policy"))
        for r in self.plan.of_type("aws_sns_topic_policy", "aws_sqs_queue_policy", "aws_sns_topic", "aws_sqs_queue"):
            if r.values.get("policy"):  # a policy on the topic or queue itself, or a separate policy resource
                found.append(ResourcePolicy(r, r.get("arn") or r.get("queue_url") or r.address, "topic/queue", r.json("policy"), "policy"))
        for r in self.plan.of_type("aws_api_gateway_rest_api"):
            if r.values.get("policy"):
                found.append(ResourcePolicy(r, f"arn:aws:execute-api:*:{r.account_id}:{r.get('name')}/*", "api", r.json("policy"), "policy"))
        return found

    def data_scientists(self) -> list[Role]:
        studio_roles = {
            r.get("default_user_settings", 0, "execution_role") for r in self.plan.of_type("aws_sagemaker_domain")
        } | {r.get("user_settings", 0, "execution_role") for r in self.plan.of_type("aws_sagemaker_user_profile")}
        return [
            role for role in self.roles.values()
            if role.purpose == "data-scientist" or "/data-science/" in role.arn or role.arn in studio_roles
        ]

    def accounts_of(self, *aliases: str) -> set[str]:
        return {account for alias, account in self.plan.account_roles.items() if alias in aliases}

    def organization_id(self) -> str | None:
        return self.plan.output("organization_id")


def trust_statements(role: Role) -> list[dict[str, Any]]:
    return list(statements(role.trust))
