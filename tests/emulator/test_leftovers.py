"""The sweep deletes exactly what carries a run's tags and is unknown to its state (in-process moto)."""
from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

import leftovers
import tier

TAGS = {"mlops:tier": "small", "mlops:prefix": "mlops", "mlops:state": "small-abc"}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def account(aws_credentials):
    with mock_aws():
        yield tier.Account({"AWS_DEFAULT_REGION": "us-east-1"})


def tagged_resources(tags: dict[str, str], name: str) -> dict[str, str]:
    """One resource of each kind a killed small-tier run can leave, tagged like the run."""
    pairs = [{"Key": k, "Value": v} for k, v in tags.items()]
    ec2, kms, s3, iam, sqs = (boto3.client(s) for s in ("ec2", "kms", "s3", "iam", "sqs"))
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": pairs}])["Vpc"]["VpcId"]
    key = kms.create_key(Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()])["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=f"alias/{name}", TargetKeyId=key)
    s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": pairs})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=name, Key="a", Body=b"1")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, Tags=pairs)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    queue = sqs.create_queue(QueueName=name, tags=tags)["QueueUrl"]
    return {"vpc": vpc, "key": key, "bucket": name, "role": role, "queue": sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]}


def state_of(resources: dict[str, str]) -> dict:
    return {"values": {"root_module": {"resources": [{"values": {"id": value, "arn": value}} for value in resources.values()]}}}


def test_only_what_the_state_does_not_know_is_deleted(account):
    recorded = tagged_resources(TAGS, "recorded")
    leaked = tagged_resources(TAGS, "leaked")
    other_run = tagged_resources({**TAGS, "mlops:state": "small-other"}, "other-run")
    messages: list[str] = []

    assert leftovers.sweep([account], TAGS, state_of(recorded), dry_run=True, say=messages.append) == []
    assert "5 leftover(s)" in messages[-1] and "dry run" in messages[-1]
    assert boto3.client("iam").get_role(RoleName="leaked")  # a dry run deletes nothing

    assert leftovers.sweep([account], TAGS, state_of(recorded), dry_run=False, say=messages.append) == []
    remaining = {l.arn for l in leftovers.tagged(account, {"mlops:tier": "small"}) if not leftovers.gone(l)}
    assert not any("leaked" in arn or leaked["vpc"] in arn for arn in remaining), remaining
    assert {recorded["role"], other_run["role"], recorded["queue"], other_run["queue"]} <= remaining
    kms = boto3.client("kms")
    assert kms.describe_key(KeyId=leaked["key"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert [a["AliasName"] for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/leaked"] == []

    assert leftovers.sweep([account], TAGS, state_of(recorded), dry_run=False, say=messages.append) == []
    assert messages[-1].startswith("no leftovers tagged")


def test_a_kind_it_cannot_delete_is_named_and_fails_the_sweep(account):
    boto3.client("sns").create_topic(Name="t", Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()])
    boto3.client("secretsmanager").create_secret(Name="s", SecretString="x", Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()])
    failed = leftovers.sweep([account], TAGS, {"values": {}}, dry_run=False, say=lambda _: None)
    assert len(failed) == 1 and ":secretsmanager:" in failed[0]


def test_known_means_the_state_holds_its_arn_or_id():
    known = leftovers.known_values(state_of({"vpc": "vpc-123", "role": "arn:aws:iam::1:role/mlops/r"}))
    assert leftovers.is_known("arn:aws:ec2:us-east-1:1:vpc/vpc-123", known)
    assert leftovers.is_known("arn:aws:iam::1:role/mlops/r", known)
    assert not leftovers.is_known("arn:aws:ec2:us-east-1:1:vpc/vpc-456", known)
