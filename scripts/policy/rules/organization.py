"""The organization: SCPs on every account, and the data perimeter (RCPs) around staging and prod."""
from __future__ import annotations

from typing import Iterator

from policy.iam import Principal, authorized, rcp_denies
from policy.model import FULL_ACCESS, Model
from policy.rules import rule

SCP_MUST_DENY = [
    ("organizations:LeaveOrganization", {}, "leaving the organization"),
    ("cloudtrail:StopLogging", {}, "stopping CloudTrail"),
    ("cloudtrail:DeleteTrail", {}, "deleting CloudTrail"),
    ("config:StopConfigurationRecorder", {}, "stopping AWS Config"),
    ("config:DeleteConfigurationRecorder", {}, "deleting AWS Config"),
    ("sagemaker:CreateEndpoint", {"aws:RequestedRegion": "xx-nowhere-1"}, "regions outside the allowed list"),
]
OUTSIDER, OTHER_MEMBER = "000000000009", "000000000008"  # an account outside the organization; a member that is not CI/CD


def organization(model: Model) -> Iterator[tuple[str, str]]:
    attachments = list(model.plan.of_type("aws_organizations_policy_attachment"))
    if not list(model.plan.of_type("aws_organizations_policy")):
        return  # this plan manages no organization (the small tier's single account)
    where = attachments[0].address if attachments else next(model.plan.of_type("aws_organizations_policy")).address
    roles = model.plan.account_roles
    management = roles.get("management")
    region = {"aws:RequestedRegion": model.region}
    for account in sorted(model.accounts() - {management}):
        levels = model.scps(account)
        if not levels:
            yield where, f"account {account} has no service control policy of this plan attached"
            continue
        admin = Principal(f"arn:aws:iam::{account}:role/admin", account, [FULL_ACCESS])
        for action, context, what in SCP_MUST_DENY:
            if authorized(admin, action, "*", context={**region, **context}, scps=levels):
                yield where, f"the SCPs of account {account} do not deny {what} ({action})"
        if account != roles.get("dev"):
            ds = Principal(f"arn:aws:iam::{account}:role/mlops/data-science/someone", account, [FULL_ACCESS])
            if authorized(ds, "sagemaker:InvokeEndpoint", "*", context={**region, "aws:PrincipalArn": ds.arn}, scps=levels):
                yield where, f"the SCPs of account {account} do not deny data-scientist principals (it is not dev)"
    org = model.organization_id()
    for stage in ("staging", "prod"):
        account = roles.get(stage)
        if not account or account in (roles.get("dev"),):
            continue
        rcps = model.rcps(account)
        resource = f"arn:aws:iam::{account}:role/mlops/any"
        outsider = Principal(f"arn:aws:iam::{OUTSIDER}:role/outsider", OUTSIDER, [FULL_ACCESS])
        member = Principal(f"arn:aws:iam::{OTHER_MEMBER}:role/member", OTHER_MEMBER, [FULL_ACCESS])
        base = {"aws:PrincipalIsAWSService": "false", "aws:ResourceAccount": account}
        if not rcp_denies(outsider, "s3:GetObject", f"arn:aws:s3:::{stage}-bucket/object", {**base, "aws:PrincipalAccount": OUTSIDER}, rcps):
            yield where, f"{stage} ({account}): no resource control policy keeps principals outside the organization from its resources"
        if not rcp_denies(member, "sts:AssumeRole", resource, {**base, "aws:PrincipalAccount": OTHER_MEMBER, **({"aws:PrincipalOrgID": org} if org else {})}, rcps):
            yield where, f"{stage} ({account}): no resource control policy keeps its roles from principals outside the CI/CD account"
        cicd_account = roles.get("cicd")
        if cicd_account:  # a plan without a CI/CD account has nobody to keep deploying
            cicd = Principal(f"arn:aws:iam::{cicd_account}:role/mlops/build", cicd_account, [FULL_ACCESS])
            if rcp_denies(cicd, "sts:AssumeRole", resource, {**base, "aws:PrincipalAccount": cicd_account, **({"aws:PrincipalOrgID": org} if org else {})}, rcps):
                yield where, f"{stage} ({account}): the resource control policies deny the CI/CD account too, so nothing can deploy"
        if rcp_denies(outsider, "sts:AssumeRole", resource, {"aws:PrincipalIsAWSService": "true", "aws:ResourceAccount": account}, rcps):
            yield where, f"{stage} ({account}): the resource control policies deny AWS services, so service roles stop working"


rule("MLOPS-013", "Guardrails on every account: SCPs deny leaving, audit tampering, other regions and (outside dev) data scientists; RCPs keep staging and prod inside the organization and their roles for CI/CD",
     "SCPs hold even against account administrators, but only where they are attached to the account or an OU it sits in; an SCP cannot stop another account's principal that a resource policy lets in: resource control policies can (a data perimeter).",
     "AWS Organizations User Guide, 'SCP examples', 'Resource control policies'; AWS whitepaper 'Building a data perimeter on AWS'",
     "attach the documents of modules/org/policies/scp/ and rcp/ to the accounts with modules/org (it attaches to the accounts themselves)", organization)

