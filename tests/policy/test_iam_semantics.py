"""Pins the IAM evaluator (PMapper) to AWS's documented evaluation logic, case by case:
principal, action, resource, context, expected."""
from __future__ import annotations

import pytest

from policy.iam import Principal, authorized

DEV, PROD, OTHER = "111111111111", "333333333333", "999999999999"
ORG = "o-abc123"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def role(name: str, account: str = DEV, policies=(), boundary=None, tags=None) -> Principal:
    return Principal(f"arn:aws:iam::{account}:role/{name}", account, list(policies), boundary, tags=tags or {})


# ABAC: a role may use only resources tagged for its own team (modules/dev's DenyOtherTeamsResources).
OTHER_TEAMS = deny("sagemaker:*", Condition={"Null": {"aws:ResourceTag/team": "false"}, "StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})
TEAM_POLICIES = [doc(allow("sagemaker:*"), OTHER_TEAMS)]
GROUP = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/g"


DS = role("ds", policies=[doc(allow("s3:*"), allow("sts:AssumeRole"))])
PROD_ROLE = f"arn:aws:iam::{PROD}:role/deploy"
BUCKET = "arn:aws:s3:::prod-bucket/key"
TRUST_DS = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/ds"}, "Action": "sts:AssumeRole"})
TRUST_OTHER = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/cicd"}, "Action": "sts:AssumeRole"})
TRUST_ROOT_ORG = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}})

CASES = [
    # (id, principal, action, resource, kwargs, expected)
    ("identity allow", DS, "s3:GetObject", "arn:aws:s3:::dev/key", {}, True),
    ("implicit deny", DS, "ec2:RunInstances", "*", {}, False),
    ("action case-insensitive", role("r", policies=[doc(allow("S3:getobject"))]), "s3:GetObject", "arn:aws:s3:::b/k", {}, True),
    ("action wildcard in the middle", role("r", policies=[doc(allow("s3:Get*Acl"))]), "s3:GetObjectAcl", "arn:aws:s3:::b/k", {}, True),
    ("explicit deny wins", role("r", policies=[doc(allow("s3:*"), deny("s3:DeleteObject"))]), "s3:DeleteObject", "arn:aws:s3:::b/k", {}, False),
    ("NotAction allow", role("r", policies=[doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]), "iam:CreateUser", "*", {}, False),
    ("NotResource deny", role("r", policies=[doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::ok/*"})]), "s3:GetObject", "arn:aws:s3:::other/k", {}, False),
    ("boundary caps identity", role("r", policies=[doc(allow("*"))], boundary=doc(allow("s3:*"))), "iam:CreateUser", "*", {}, False),
    ("boundary and identity both allow", role("r", policies=[doc(allow("s3:*"))], boundary=doc(allow("s3:*"))), "s3:PutObject", "arn:aws:s3:::b/k", {}, True),
    ("boundary deny with condition", role("r", policies=[doc(allow("iam:CreateRole"))], boundary=doc(allow("*"), deny("iam:CreateRole", Condition={"StringNotEquals": {"iam:PermissionsBoundary": "arn:aws:iam::111111111111:policy/b"}}))), "iam:CreateRole", "*", {"context": {"iam:PermissionsBoundary": "arn:aws:iam::111111111111:policy/b"}}, True),
    ("boundary deny without the boundary", role("r", policies=[doc(allow("iam:CreateRole"))], boundary=doc(allow("*"), deny("iam:CreateRole", Condition={"StringNotEquals": {"iam:PermissionsBoundary": "arn:aws:iam::111111111111:policy/b"}}))), "iam:CreateRole", "*", {}, False),
    ("StringEquals", role("r", policies=[doc(allow("s3:GetObject", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))]), "s3:GetObject", "arn:aws:s3:::b/k", {"context": {"aws:RequestedRegion": "us-east-1"}}, False),
    ("ArnLike", role("r", policies=[doc(allow("iam:PassRole", Condition={"ArnLike": {"iam:AssociatedResourceArn": "arn:aws:sagemaker:*:111111111111:*"}}))]), "iam:PassRole", "arn:aws:iam::111111111111:role/x", {"context": {"iam:AssociatedResourceArn": "arn:aws:sagemaker:eu-west-1:111111111111:model/m"}}, True),
    ("Bool false deny", role("r", policies=[doc(allow("s3:*"), deny("s3:*", Condition={"Bool": {"aws:SecureTransport": "false"}}))]), "s3:GetObject", "arn:aws:s3:::b/k", {"context": {"aws:SecureTransport": "false"}}, False),
    ("Bool true passes deny", role("r", policies=[doc(allow("s3:*"), deny("s3:*", Condition={"Bool": {"aws:SecureTransport": "false"}}))]), "s3:GetObject", "arn:aws:s3:::b/k", {"context": {"aws:SecureTransport": "true"}}, True),
    ("Null: key absent", role("r", policies=[doc(allow("s3:*"), deny("s3:PutObject", Condition={"Null": {"s3:x-amz-server-side-encryption": "true"}}))]), "s3:PutObject", "arn:aws:s3:::b/k", {}, False),
    ("IfExists: key absent passes", role("r", policies=[doc(allow("s3:*", Condition={"StringEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}))]), "s3:GetObject", "arn:aws:s3:::b/k", {}, True),
    ("ForAnyValue", role("r", policies=[doc(allow("kms:Decrypt", Condition={"ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/a"]}}))]), "kms:Decrypt", "arn:aws:kms:eu-west-1:111111111111:key/k", {"context": {"kms:ResourceAliases": ["alias/b", "alias/a"]}}, True),
    ("cross-account: trust names the role", DS, "sts:AssumeRole", PROD_ROLE, {"resource_policy": TRUST_DS, "resource_account": PROD}, True),
    ("cross-account: trust names someone else", DS, "sts:AssumeRole", PROD_ROLE, {"resource_policy": TRUST_OTHER, "resource_account": PROD}, False),
    ("cross-account: identity side missing", role("plain", policies=[doc(allow("s3:*"))]), "sts:AssumeRole", PROD_ROLE, {"resource_policy": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/plain"}, "Action": "sts:AssumeRole"}), "resource_account": PROD}, False),
    ("cross-account bucket without bucket policy grant", DS, "s3:PutObject", BUCKET, {"resource_policy": doc(), "resource_account": PROD}, False),
    ("PrincipalOrgID matches", DS, "sts:AssumeRole", PROD_ROLE, {"resource_policy": TRUST_ROOT_ORG, "resource_account": PROD, "context": {"aws:PrincipalOrgID": ORG}}, True),
    ("PrincipalOrgID differs", DS, "sts:AssumeRole", PROD_ROLE, {"resource_policy": TRUST_ROOT_ORG, "resource_account": PROD, "context": {"aws:PrincipalOrgID": "o-other"}}, False),
    ("SCP deny", DS, "s3:GetObject", "arn:aws:s3:::dev/key", {"scps": [[doc(allow("*"), deny("s3:*"))]]}, False),
    ("SCP without allow", DS, "s3:GetObject", "arn:aws:s3:::dev/key", {"scps": [[doc(allow("ec2:*"))]]}, False),
    ("principal tag in a condition: own team", role("a", policies=TEAM_POLICIES, tags={"team": "a"}), "sagemaker:DescribeModelPackageGroup", GROUP, {"context": {"aws:ResourceTag/team": "a"}}, True),
    ("principal tag in a condition: other team", role("a", policies=TEAM_POLICIES, tags={"team": "a"}), "sagemaker:DescribeModelPackageGroup", GROUP, {"context": {"aws:ResourceTag/team": "b"}}, False),
    ("principal tag in a condition: untagged resource", role("a", policies=TEAM_POLICIES, tags={"team": "a"}), "sagemaker:DescribeModelPackageGroup", GROUP, {}, True),
    ("principal tag in a condition: the principal has none, the deny never matches", role("a", policies=TEAM_POLICIES), "sagemaker:DescribeModelPackageGroup", GROUP, {"context": {"aws:ResourceTag/team": "b"}}, True),
    ("principal tag in a resource policy's condition: own team", role("a", policies=[doc(allow("s3:GetObject"))], tags={"team": "a"}), "s3:GetObject", BUCKET,
     {"resource_policy": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/a"}, "Action": "s3:GetObject", "Resource": BUCKET, "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}), "resource_account": PROD, "context": {"aws:ResourceTag/team": "a"}}, True),
    ("principal tag in a resource policy's condition: other team", role("a", policies=[doc(allow("s3:GetObject"))], tags={"team": "a"}), "s3:GetObject", BUCKET,
     {"resource_policy": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/a"}, "Action": "s3:GetObject", "Resource": BUCKET, "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}), "resource_account": PROD, "context": {"aws:ResourceTag/team": "b"}}, False),
    ("principal tag in a resource", role("a", policies=[doc(allow("s3:GetObject", "arn:aws:s3:::data/${aws:PrincipalTag/team}/*"))], tags={"team": "a"}), "s3:GetObject", "arn:aws:s3:::data/b/k", {}, False),
    ("boundary limits a cross-account assume", role("bounded", policies=[doc(allow("sts:AssumeRole"))], boundary=doc(deny("sts:AssumeRole", Condition={"StringNotEquals": {"aws:ResourceAccount": DEV}}), allow("*"))), "sts:AssumeRole", PROD_ROLE, {"resource_policy": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:role/bounded"}, "Action": "sts:AssumeRole"}), "resource_account": PROD, "context": {"aws:ResourceAccount": PROD}}, False),
]


@pytest.mark.parametrize(("principal", "action", "resource", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_aws_evaluation_semantics(principal, action, resource, kwargs, expected):
    assert authorized(principal, action, resource, **kwargs) is expected
