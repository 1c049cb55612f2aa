"""The IAM picture of one plan: every principal with all its policies (inline, attached, managed by
ARN, AWS managed), boundaries, trust; every resource policy; the organization's SCPs and RCPs per
account. Each is placed in its account. What cannot be read at plan time is listed in `unresolved`
(MLOPS-016 reports it), never skipped in silence.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator

from policy import managed
from policy.documents import account_of_arn, listify, principals, statements
from policy.iam import Principal
from policy.plan import Plan, Resource, organization_attachments, region
from policy.resolve import Configuration, Resolver, as_document, config_address, render_policy_document

FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DOCUMENT_ATTRIBUTES = {"json", "policy", "assume_role_policy", "resource_policy", "content"}
NAME_ATTRIBUTES = {"arn", "id", "name", "bucket", "key_id", "function_name", "unique_id"}
LIST_ATTRIBUTES = {"managed_policy_arns", "roles", "users", "groups"}
OUTSIDE_ACCOUNT = "000000000001"  # where "anyone" (Principal "*") is evaluated from: no account of the plan
OUTSIDE_ORG = "o-outside00000"


@dataclass
class Identity:
    """A principal: a role or user of the plan, or one a policy names that the plan does not manage."""

    arn: str
    account: str
    resource: Resource | None = None
    trust: dict[str, Any] | None = None
    policies: list[dict[str, Any]] = field(default_factory=list)
    boundary: dict[str, Any] | None = None
    boundary_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)  # the principal's tags (aws:PrincipalTag/...)
    external: bool = False  # named in a policy, not managed by this plan: its own policies are unknown
    named_by: str | None = None  # for external principals: the first resource whose policy names it

    @property
    def address(self) -> str:
        return self.resource.address if self.resource else self.arn

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    def principal(self, policies: list[dict[str, Any]] | None = None) -> Principal:
        return Principal(self.arn, self.account, self.policies if policies is None else policies, self.boundary, self.boundary_arn, self.trust, self.tags)


@dataclass
class ResourcePolicy:
    resource: Resource
    arn: str  # the ARN requests name (for keys: a placeholder key ARN in the right account)
    kind: str  # bucket, key, repository, registry, event bus, topic/queue, api, function
    document: dict[str, Any] | None
    attribute: str
    aliases: tuple[str, ...] = ()  # for keys: the aliases that target it (kms:ResourceAliases)


class Model:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.partition = "aws"
        self.region = region(plan)
        self.configuration = Configuration(plan.raw)
        self.resolver = Resolver(self.configuration, (r.address for r in plan.resources + self._data_resources()))
        self.unresolved: list[tuple[str, str]] = []
        self.incomplete: set[str] = set()  # principals with a policy that could not be read
        self.by_address = {r.address: r for r in plan.resources}
        self.principals: dict[str, Identity] = {}
        self._build_principals()

    # --- values, resolved -----------------------------------------------------------------------

    def _data_resources(self) -> list[Resource]:
        return [Resource(a, a.split(".")[-2] if a.count(".") else a, c.get("after") or {}, c.get("after_unknown") or {}, "", "", self.plan.name) for a, c in self.plan.deferred_data.items()]

    def configured(self, r: Resource, attribute: str) -> bool:
        """Is the argument set in the configuration (not merely computed by the provider)?"""
        return attribute in (self.configuration.resource(r.address).get("expressions") or {})

    def value(self, r: Resource, attribute: str) -> tuple[Any, str]:
        """(value, "") of a resource argument, following references when it is unknown until apply.
        An argument the configuration does not set is the provider's to compute: None, no reason.
        A reference stands for the whole value only when it can: a document argument takes another
        document (a policy document's json), a name or ARN argument takes a name or ARN; anything
        else (jsonencode or a template around a reference) cannot be known at plan time."""
        known = r.values.get(attribute)
        if not r.is_unknown(attribute) or not self.configured(r, attribute):
            return known, ""
        expression = self.configuration.expression(r.address, attribute)
        if isinstance(known, list):
            return self._list_value(r, attribute, known, expression)
        if attribute in LIST_ATTRIBUTES:
            refs = ", ".join(t.address + "." + str(t.attribute) for t in self.resolver.all_targets(r.address, expression)) or "none"
            return None, f"the whole {attribute} list is unknown until apply: the plan records its references ({refs}) but not its constant elements; attach policies with aws_iam_role_policy_attachment or keep the list known"
        targets, why = self.resolver.targets(r.address, expression)
        if not targets:
            return None, f"{attribute} is unknown until apply ({why})"
        target = targets[0]
        wanted = DOCUMENT_ATTRIBUTES if attribute in DOCUMENT_ATTRIBUTES else NAME_ATTRIBUTES
        if (target.attribute or "id") not in wanted:
            return None, f"{attribute} is built at apply time around {target.address}.{target.attribute} (a template or function of it), so it is unknown at plan"
        value = self.attribute_of(target.address, target.attribute or "id")
        if value is None:
            return None, f"{attribute} refers to {target.address}, whose {target.attribute} is unknown until apply"
        return value, ""

    def _list_value(self, r: Resource, attribute: str, known: list[Any], expression: dict[str, Any] | None) -> tuple[Any, str]:
        """A list argument with unknown elements: each unknown element from the references, in order."""
        marks = r.unknown.get(attribute)
        unknown = [i for i, _ in enumerate(known) if isinstance(marks, list) and i < len(marks) and marks[i]] if isinstance(marks, list) else list(range(len(known)))
        targets = self.resolver.all_targets(r.address, expression)
        if len(targets) != len(unknown):
            return None, f"{attribute} has {len(unknown)} elements unknown until apply and {len(targets)} references to fill them"
        values = list(known)
        for index, target in zip(unknown, targets):
            values[index] = self.attribute_of(target.address, target.attribute or "id")
            if values[index] is None or (target.attribute or "id") not in NAME_ATTRIBUTES:
                return None, f"{attribute}: {target.address}.{target.attribute} is unknown until apply"
        return values, ""

    def attribute_of(self, address: str, attribute: str) -> Any:
        """An attribute of a planned resource, built from its known values where AWS derives it."""
        r = self.by_address.get(address)
        if r is None:
            return self._data_attribute(address, attribute)
        if attribute in r.values and not r.is_unknown(attribute) and r.values[attribute] not in (None, ""):
            return r.values[attribute]
        name, path, account = r.get("name"), r.get("path", default="/"), r.account_id
        built: dict[tuple[str, str], Any] = {
            ("aws_iam_role", "arn"): f"arn:{self.partition}:iam::{account}:role{path}{name}" if name else None,
            ("aws_iam_role", "id"): name, ("aws_iam_role", "name"): name,
            ("aws_iam_user", "arn"): f"arn:{self.partition}:iam::{account}:user{path}{name}" if name else None,
            ("aws_iam_user", "id"): name,
            ("aws_iam_policy", "arn"): f"arn:{self.partition}:iam::{account}:policy{path}{name}" if name else None,
            ("aws_iam_policy", "id"): f"arn:{self.partition}:iam::{account}:policy{path}{name}" if name else None,
            ("aws_s3_bucket", "arn"): f"arn:{self.partition}:s3:::{r.get('bucket')}" if r.get("bucket") else None,
            ("aws_s3_bucket", "id"): r.get("bucket"), ("aws_s3_bucket", "bucket"): r.get("bucket"),
            ("aws_kms_key", "arn"): self.key_arn(r), ("aws_kms_key", "key_id"): self.key_arn(r), ("aws_kms_key", "id"): self.key_arn(r),
            ("aws_lambda_function", "arn"): f"arn:{self.partition}:lambda:{self.region}:{account}:function:{r.get('function_name')}",
            ("aws_sagemaker_pipeline", "arn"): f"arn:{self.partition}:sagemaker:{self.region}:{account}:pipeline/{r.get('pipeline_name')}",
            ("aws_codepipeline", "arn"): f"arn:{self.partition}:codepipeline:{self.region}:{account}:{r.get('name')}",
            ("aws_codebuild_project", "arn"): f"arn:{self.partition}:codebuild:{self.region}:{account}:project/{r.get('name')}",
            ("aws_sns_topic", "arn"): f"arn:{self.partition}:sns:{self.region}:{account}:{r.get('name')}",
            ("aws_sqs_queue", "arn"): f"arn:{self.partition}:sqs:{self.region}:{account}:{r.get('name')}",
        }
        return built.get((r.type, attribute))

    def _data_attribute(self, address: str, attribute: str) -> Any:
        change = self.plan.deferred_data.get(address)
        if change is None or attribute != "json" or ".aws_iam_policy_document." not in f".{config_address(address)}":
            return None
        document, why = self.render(address, change)
        if document is None:
            self.unresolved.append((address, f"the policy document cannot be built at plan time: {why}"))
            return None
        return json.dumps(document)

    def render(self, address: str, change: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        def element(index: int, field_name: str) -> list[str] | None:
            targets, _ = self.resolver.targets(address, self.configuration.expression(address, "statement", index, field_name))
            values = [self.attribute_of(t.address, t.attribute or "arn") for t in targets]
            if not targets or any(not isinstance(v, str) for v in values):
                return None
            forms = sorted({form for v in values for form in (v, f"{v}/*")})  # the expression may append a path
            self.plan.notes.append(f"{address}: statement {index}'s {field_name} are unknown until apply, taken as {forms} (an Allow may so grant more than it will)")
            return forms
        return render_policy_document(change.get("after") or {}, change.get("after_unknown") or {}, element)

    def document(self, r: Resource, attribute: str) -> dict[str, Any] | None:
        """A policy document argument, resolved; None (and listed in `unresolved`) when it cannot be."""
        text, why = self.value(r, attribute)
        if text is None:
            if r.is_unknown(attribute):  # unset in the configuration, the provider computes it: still unknown
                self.unresolved.append((r.address, why or f"{attribute} is unknown until apply"))
            return None
        document = as_document(text)
        if document is None and text:
            self.unresolved.append((r.address, f"{attribute} is not a JSON policy document"))
        return document

    def key_arn(self, r: Resource) -> str:
        return f"arn:{self.partition}:kms:{self.region}:{r.account_id}:key/{r.address}"

    # --- principals -----------------------------------------------------------------------------

    def _policy_by_arn(self, arn: str, attached_to: str) -> dict[str, Any] | None:
        if managed.is_aws_managed(arn):
            document = managed.document(arn)
            if document is None:
                self.unresolved.append((attached_to, f"AWS managed policy {arn} is not in the offline snapshot ({managed.snapshot_label()})"))
            return document
        policy = self.customer_policies.get(arn)
        if policy is None:
            self.unresolved.append((attached_to, f"policy {arn} is not part of this plan"))
            return None
        return self.document(policy, "policy")

    @cached_property
    def customer_policies(self) -> dict[str, Resource]:
        return {self.attribute_of(r.address, "arn"): r for r in self.plan.of_type("aws_iam_policy") if self.attribute_of(r.address, "arn")}

    def _named(self, r: Resource, attribute: str, kind: str) -> Identity | None:
        """The role or user an attachment names, by name or ARN, resolved through references."""
        value, why = self.value(r, attribute)
        if value is None:
            self.unresolved.append((r.address, f"cannot tell which {kind} it attaches to: {why}"))
            return None
        value = str(value)
        for identity in self.principals.values():
            if identity.resource and identity.account == r.account_id and (identity.arn == value or identity.resource.get("name") == value):
                return identity
        for identity in self.principals.values():
            if identity.arn == value:
                return identity
        self.unresolved.append((r.address, f"{kind} {value} is not part of this plan"))
        return None

    def _build_principals(self) -> None:
        for r in self.plan.of_type("aws_iam_role", "aws_iam_user"):
            arn = self.attribute_of(r.address, "arn")
            if not arn:
                self.unresolved.append((r.address, "its name is unknown until apply"))
                continue
            identity = Identity(arn, r.account_id, r, tags=dict(r.get("tags_all") or r.get("tags") or {}))
            before = len(self.unresolved)
            if r.type == "aws_iam_role":
                identity.trust = self.document(r, "assume_role_policy")
                for block in listify(r.get("inline_policy")):
                    if block.get("policy"):
                        identity.policies.append(json.loads(block["policy"]))
                if r.is_unknown("inline_policy") and self.configured(r, "inline_policy"):
                    self.unresolved.append((r.address, "an inline_policy is unknown until apply"))
                managed_arns, why = self.value(r, "managed_policy_arns")
                if why:
                    self.unresolved.append((r.address, f"managed_policy_arns: {why}"))
                for policy_arn in managed_arns or []:
                    document = self._policy_by_arn(policy_arn, r.address)
                    if document:
                        identity.policies.append(document)
            boundary_arn, why = self.value(r, "permissions_boundary")
            if boundary_arn:
                identity.boundary_arn = boundary_arn
                boundary = self.customer_policies.get(boundary_arn)
                identity.boundary = self.document(boundary, "policy") if boundary else managed.document(boundary_arn)
                if identity.boundary is None:
                    self.plan.notes.append(f"{r.address}: permissions boundary {boundary_arn} is not in the plan; evaluated without it (a boundary only ever allows less)")
            if len(self.unresolved) > before:
                self.incomplete.add(arn)
            self.principals[arn] = identity
        for r in self.plan.of_type("aws_iam_role_policy", "aws_iam_user_policy"):
            target = self._named(r, "role" if r.type == "aws_iam_role_policy" else "user", r.type.split("_")[2])
            document = self.document(r, "policy")
            if target and document:
                target.policies.append(document)
            elif target:
                self.incomplete.add(target.arn)
        for r in self.plan.of_type("aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment"):
            target = self._named(r, "role" if r.type == "aws_iam_role_policy_attachment" else "user", r.type.split("_")[2])
            policy_arn, why = self.value(r, "policy_arn")
            if policy_arn is None:
                self.unresolved.append((r.address, f"policy_arn: {why}"))
            elif target:
                document = self._policy_by_arn(policy_arn, r.address)
                if document:
                    target.policies.append(document)
                else:
                    self.incomplete.add(target.arn)
        for r in self.plan.of_type("aws_iam_policy_attachment"):
            policy_arn, why = self.value(r, "policy_arn")
            document = self._policy_by_arn(policy_arn, r.address) if policy_arn else None
            if policy_arn is None:
                self.unresolved.append((r.address, f"policy_arn: {why}"))
            for kind in ("roles", "users"):
                names, why = self.value(r, kind)
                if why:
                    self.unresolved.append((r.address, f"{kind}: {why}"))
                for name in names or []:
                    target = next((i for i in self.principals.values() if i.resource and i.account == r.account_id and i.resource.get("name") == name), None)
                    if target is None:
                        self.unresolved.append((r.address, f"{kind[:-1]} {name} is not part of this plan"))
                    elif document:
                        target.policies.append(document)
            if r.get("groups"):
                self.unresolved.append((r.address, "group attachments are not evaluated; attach to roles"))
        for r in self.plan.of_type("aws_iam_group_policy", "aws_iam_group_policy_attachment", "aws_iam_user_group_membership", "aws_iam_group_membership"):
            self.unresolved.append((r.address, "IAM groups are not evaluated; attach policies to roles"))

    @cached_property
    def duties(self) -> Any:
        """Who may do what, and who can become whom (policy.duties); built once, on first use."""
        from policy.duties import Duties

        return Duties(self)

    def roles(self) -> Iterator[Identity]:
        return (i for i in self.principals.values() if ":role/" in i.arn and not i.external)

    # --- resource policies ----------------------------------------------------------------------

    @cached_property
    def key_aliases(self) -> dict[str, tuple[str, ...]]:
        """Key address -> the alias names that target it (kms:ResourceAliases)."""
        found: dict[str, list[str]] = {}
        for alias in self.plan.of_type("aws_kms_alias"):
            targets, _ = self.resolver.targets(alias.address, self.configuration.expression(alias.address, "target_key_id"))
            for target in targets:
                found.setdefault(target.address, []).append(alias.get("name"))
        return {k: tuple(sorted(v)) for k, v in found.items()}

    @cached_property
    def resource_policies(self) -> list[ResourcePolicy]:
        found: list[ResourcePolicy] = []
        for r in self.plan.of_type("aws_s3_bucket_policy"):
            bucket, _ = self.value(r, "bucket")
            found.append(ResourcePolicy(r, f"arn:aws:s3:::{bucket}", "bucket", self.document(r, "policy"), "policy"))
        for r in self.plan.of_type("aws_kms_key"):
            found.append(ResourcePolicy(r, self.key_arn(r), "key", self.document(r, "policy"), "policy", self.key_aliases.get(r.address, ())))
        for r in self.plan.of_type("aws_ecr_repository_policy"):
            found.append(ResourcePolicy(r, f"arn:aws:ecr:{self.region}:{r.account_id}:repository/{r.get('repository')}", "repository", self.document(r, "policy"), "policy"))
        for r in self.plan.of_type("aws_sagemaker_model_package_group_policy"):
            found.append(ResourcePolicy(r, f"arn:aws:sagemaker:{self.region}:{r.account_id}:model-package-group/{r.get('model_package_group_name')}", "registry", self.document(r, "resource_policy"), "resource_policy"))
        for r in self.plan.of_type("aws_cloudwatch_event_bus_policy"):
            found.append(ResourcePolicy(r, f"arn:aws:events:{self.region}:{r.account_id}:event-bus/{r.get('event_bus_name') or 'default'}", "event bus", self.document(r, "policy"), "policy"))
        for r in self.plan.of_type("aws_sns_topic_policy", "aws_sqs_queue_policy", "aws_sns_topic", "aws_sqs_queue"):
            if r.values.get("policy") or r.is_unknown("policy") and r.type.endswith("_policy"):
                found.append(ResourcePolicy(r, r.get("arn") or r.get("queue_url") or r.address, "topic/queue", self.document(r, "policy"), "policy"))
        for r in self.plan.of_type("aws_api_gateway_rest_api"):
            if r.values.get("policy"):
                found.append(ResourcePolicy(r, f"arn:aws:execute-api:{self.region}:{r.account_id}:{r.get('name')}/*", "api", self.document(r, "policy"), "policy"))
        return found

    def policy_of(self, arn: str) -> ResourcePolicy | None:
        """The resource policy that governs a request to `arn` (objects: their bucket's; model
        versions: their group's)."""
        if arn.startswith("arn:aws:s3:::"):
            arn = arn.split("/", 1)[0]
        elif ":model-package/" in arn:
            arn = re.sub(r":model-package/([^/]+)/.*$", r":model-package-group/\1", arn)
        return next((p for p in self.resource_policies if p.arn == arn), None)

    @cached_property
    def bucket_accounts(self) -> dict[str, str]:
        return {r.get("bucket"): r.account_id for r in self.plan.of_type("aws_s3_bucket") if r.get("bucket")}

    def account_of(self, arn: str) -> str | None:
        if arn.startswith("arn:aws:s3:::"):
            return self.bucket_accounts.get(arn[13:].split("/", 1)[0])
        return account_of_arn(arn)

    @cached_property
    def function_policies(self) -> dict[str, dict[str, Any]]:
        """Function ARN -> the resource policy its aws_lambda_permission resources make."""
        found: dict[str, list[dict[str, Any]]] = {}
        for r in self.plan.of_type("aws_lambda_permission"):
            function, why = self.value(r, "function_name")
            if function is None:
                self.unresolved.append((r.address, f"function_name: {why}"))
                continue
            arn = function if str(function).startswith("arn:") else f"arn:aws:lambda:{self.region}:{r.account_id}:function:{function}"
            who = r.get("principal") or ""
            principal = {"Service": who} if who.endswith(".amazonaws.com") else {"AWS": who if who.startswith("arn:") or who == "*" else f"arn:aws:iam::{who}:root"}
            condition: dict[str, Any] = {}
            source_arn, _ = self.value(r, "source_arn")
            if source_arn:
                condition["ArnLike"] = {"AWS:SourceArn": source_arn}
            if r.get("source_account"):
                condition["StringEquals"] = {"AWS:SourceAccount": r.get("source_account")}
            found.setdefault(arn, []).append({"Effect": "Allow", "Principal": principal, "Action": r.get("action") or "lambda:InvokeFunction", "Resource": arn, **({"Condition": condition} if condition else {})})
        return {arn: {"Version": "2012-10-17", "Statement": sts} for arn, sts in found.items()}

    def _permission_address(self, function_arn: str) -> str:
        name = function_arn.rsplit(":", 1)[-1]
        return next((r.address for r in self.plan.of_type("aws_lambda_permission") if str(self.value(r, "function_name")[0] or "").endswith(name)), function_arn)

    # --- the organization -----------------------------------------------------------------------

    def organization_id(self) -> str | None:
        return self.plan.output("organization_id")

    @cached_property
    def organization_policies(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Account -> {"SERVICE_CONTROL_POLICY": [...], "RESOURCE_CONTROL_POLICY": [...]} attached to it.
        Attachments are keyed "<policy>/<target>" because policy IDs are unknown until apply."""
        attached: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for attachment in organization_attachments(self.plan):
            policy, target = attachment.policy, attachment.target
            if policy is None or not target:
                self.unresolved.append((attachment.address, "cannot tell which policy it attaches to which target at plan time"))
                continue
            document = self.document(policy, "content")
            if document:
                attached.setdefault(target, {}).setdefault(policy.get("type", default="SERVICE_CONTROL_POLICY"), []).append(document)
        return attached

    def scps(self, account: str) -> list[list[dict[str, Any]]] | None:
        """The SCP levels that govern principals of `account` (None: no organization policy in the plan)."""
        docs = self.organization_policies.get(account, {}).get("SERVICE_CONTROL_POLICY")
        return [[FULL_ACCESS, *docs]] if docs else None

    def rcps(self, account: str) -> list[dict[str, Any]]:
        return self.organization_policies.get(account, {}).get("RESOURCE_CONTROL_POLICY", [])

    def accounts(self) -> set[str]:
        return set(self.plan.account_roles.values()) or {r.account_id for r in self.plan.resources}

    def accounts_of(self, *aliases: str) -> set[str]:
        return {account for alias, account in self.plan.account_roles.items() if alias in aliases}

    # --- principals named by policies but not managed here ----------------------------------------

    @cached_property
    def external(self) -> list[Identity]:
        """Principals that trust and resource policies name but this plan does not manage: their
        permissions in their own account are unknown, so they count only where a policy names them;
        in other accounts they are taken to hold every permission their account could give them."""
        seen: dict[str, Identity] = {}
        documents = [(i.address, i.trust) for i in self.principals.values()] + [(p.resource.address, p.document) for p in self.resource_policies]
        documents += [(self._permission_address(arn), doc) for arn, doc in self.function_policies.items()]
        for address, document in documents:
            for statement in statements(document):
                for kind, value in principals(statement) + [(k, v) for k, v in _not_principals(statement)]:
                    if kind != "AWS" or value in self.principals or value in seen:
                        continue
                    if value == "*":
                        seen["*"] = Identity(f"arn:aws:iam::{OUTSIDE_ACCOUNT}:role/anyone", OUTSIDE_ACCOUNT, external=True, named_by=address)
                        continue
                    account = account_of_arn(value) or (value if value.isdigit() else None)
                    if account is None:
                        continue
                    arn = value if ":role/" in value or ":user/" in value else f"arn:aws:iam::{account}:role/any-principal-of-the-account"
                    seen[value] = Identity(arn, account, external=True, named_by=address)
        return sorted(seen.values(), key=lambda i: i.arn)


def _not_principals(statement: dict[str, Any]) -> list[tuple[str, str]]:
    principal = statement.get("NotPrincipal")
    if not principal:
        return []
    return [("AWS", "*")]  # NotPrincipal: everyone but the named, so "anyone" must be probed
