"""The sweep deletes exactly what carries a run's tags and is unknown to its state (in-process moto)."""
from __future__ import annotations

import io
import json
import zipfile

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
    return {"vpc": vpc, "key": key, "alias": f"alias/{name}", "bucket": name, "role": role, "queue": sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]}


def state_of(resources: dict[str, str]) -> dict:
    return {"values": {"root_module": {"resources": [{"values": {"id": value, "arn": value}} for value in resources.values()]}}}


def test_only_what_the_state_does_not_know_is_deleted(account):
    recorded = tagged_resources(TAGS, "recorded")
    leaked = tagged_resources(TAGS, "leaked")
    other_run = tagged_resources({**TAGS, "mlops:state": "small-other"}, "other-run")
    messages: list[str] = []

    assert leftovers.sweep([account], TAGS, state_of(recorded), dry_run=True, say=messages.append) == []
    assert "6 leftover(s)" in messages[-1] and "dry run" in messages[-1]
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


def test_a_name_only_a_data_source_or_output_holds_is_not_known():
    """A run killed after reading a policy document that names a resource, before recording the resource."""
    arn = "arn:aws:iam::1:policy/mlops/data-science/mlops-dev-data-scientist-boundary"
    read = {"values": {"outputs": {"boundary": {"value": arn}}, "root_module": {"child_modules": [{"resources": [
        {"mode": "data", "values": {"statement": [{"resources": [arn]}]}}]}]}}}
    assert not leftovers.is_known(arn, leftovers.known_values(read))
    created = {"values": {"root_module": {"child_modules": [{"resources": [
        {"mode": "managed", "values": {"permissions_boundary": arn}}]}]}}}
    assert leftovers.is_known(arn, leftovers.known_values(created))


def untagged_parts(tags: dict[str, str], recorded: list[str]) -> dict[str, str]:
    """Resources of a run with one recorded and one unrecorded part of each kind that carries no tags of its
    own (or, for security group rules, that the emulator's tagging API does not list). Appends what the
    state would record to `recorded`; returns the unrecorded parts."""
    pairs = [{"Key": k, "Value": v} for k, v in tags.items()]
    ec2, kms, iam, lam, apig, scheduler, org = (boto3.client(s) for s in ("ec2", "kms", "iam", "lambda", "apigateway", "scheduler", "organizations"))
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="g", Description="d", VpcId=vpc, TagSpecifications=[{"ResourceType": "security-group", "Tags": pairs}])["GroupId"]
    rule_tags = [{"ResourceType": "security-group-rule", "Tags": pairs}]
    rules = [ec2.authorize_security_group_egress(GroupId=group, TagSpecifications=rule_tags, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "10.8.0.0/16"}]}])["SecurityGroupRules"][0]["SecurityGroupRuleId"] for port in (443, 80)]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.8.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
    table = ec2.create_route_table(VpcId=vpc, TagSpecifications=[{"ResourceType": "route-table", "Tags": pairs}])["RouteTable"]["RouteTableId"]
    associations = [ec2.associate_route_table(RouteTableId=table, SubnetId=s)["AssociationId"] for s in subnets]
    key = kms.create_key(Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()])["KeyMetadata"]["Arn"]
    for alias in ("alias/recorded", "alias/leaked"):
        kms.create_alias(AliasName=alias, TargetKeyId=key)
    role = iam.create_role(RoleName="runner", AssumeRolePolicyDocument=TRUST, Tags=pairs)["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.py", "def h(event, context):\n    return 1\n")
    function = lam.create_function(FunctionName="f", Runtime="python3.12", Role=role, Handler="a.h", Code={"ZipFile": archive.getvalue()}, Tags=tags)["FunctionArn"]
    for sid in ("recorded", "leaked"):
        lam.add_permission(FunctionName="f", StatementId=sid, Action="lambda:InvokeFunction", Principal="events.amazonaws.com")
    api = apig.create_rest_api(name="api", tags=tags)["id"]
    root = apig.get_resources(restApiId=api)["items"][0]["id"]
    resources = [apig.create_resource(restApiId=api, parentId=root, pathPart=p)["id"] for p in ("recorded", "leaked")]
    for method in ("POST", "GET"):
        apig.put_method(restApiId=api, resourceId=resources[0], httpMethod=method, authorizationType="NONE")
        apig.put_integration(restApiId=api, resourceId=resources[0], httpMethod=method, type="MOCK")
    deployment = apig.create_deployment(restApiId=api)["id"]
    for stage in ("recorded", "leaked"):
        apig.create_stage(restApiId=api, stageName=stage, deploymentId=deployment)
    for name in ("recorded", "leaked"):
        scheduler.create_schedule(Name=name, ScheduleExpression="rate(1 day)", FlexibleTimeWindow={"Mode": "OFF"}, Target={"Arn": function, "RoleArn": role})
    org.create_organization(FeatureSet="ALL")
    policy = org.create_policy(Name="deny", Description="d", Type="SERVICE_CONTROL_POLICY", Tags=pairs, Content=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}))["Policy"]["PolicySummary"]["Id"]
    units = [org.create_organizational_unit(ParentId=org.list_roots()["Roots"][0]["Id"], Name=n)["OrganizationalUnit"]["Id"] for n in ("a", "b")]
    for unit in units:
        org.attach_policy(PolicyId=policy, TargetId=unit)
    recorded += [group, rules[0], table, associations[0], key, "alias/recorded", role, function, "recorded", api, resources[0],
                 f"agm-{api}-{resources[0]}-POST", f"ags-{api}-recorded", "default/recorded", policy, f"{units[0]}:{policy}"]
    return {"rule": rules[1], "association": associations[1], "alias": "alias/leaked", "permission": "leaked", "resource": resources[1],
            "method": "GET", "stage": "leaked", "schedule": "leaked", "attachment": units[1]}


def test_untagged_parts_of_the_runs_resources_are_swept(account):
    recorded: list[str] = []
    leaked = untagged_parts(TAGS, recorded)
    naming_them = {"id": "a-policy", "policy": json.dumps(leaked)}  # other resources name a part: that does not record it
    state = {"values": {"root_module": {"resources": [{"values": {"id": value}} for value in recorded],
                                        "child_modules": [{"resources": [{"values": naming_them}]}]}}}
    messages: list[str] = []
    assert leftovers.sweep([account], TAGS, state, dry_run=False, say=messages.append) == []
    assert "9 leftover(s)" in messages[-1], messages

    ec2, lam, apig, org = (boto3.client(s) for s in ("ec2", "lambda", "apigateway", "organizations"))
    rules = {r["SecurityGroupRuleId"] for r in ec2.describe_security_group_rules()["SecurityGroupRules"]}
    assert leaked["rule"] not in rules and recorded[1] in rules
    associations = {a["RouteTableAssociationId"] for a in ec2.describe_route_tables(RouteTableIds=[recorded[2]])["RouteTables"][0]["Associations"]}
    assert associations == {recorded[3]}
    assert {a["AliasName"] for a in boto3.client("kms").list_aliases(KeyId=recorded[4])["Aliases"]} == {"alias/recorded"}
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName="f")["Policy"])["Statement"]] == ["recorded"]
    api = recorded[9]
    assert {r["id"] for r in apig.get_resources(restApiId=api)["items"] if r["path"] != "/"} == {recorded[10]}
    assert set(apig.get_resource(restApiId=api, resourceId=recorded[10])["resourceMethods"]) == {"POST"}
    assert [s["stageName"] for s in apig.get_stages(restApiId=api)["item"]] == ["recorded"]
    assert [s["Name"] for s in boto3.client("scheduler").list_schedules()["Schedules"]] == ["recorded"]
    assert leaked["attachment"] not in {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=recorded[14])["Targets"]}

    assert leftovers.sweep([account], TAGS, state, dry_run=False, say=messages.append) == []
    assert messages[-1].startswith("no leftovers tagged")



def test_a_drain_the_emulator_gives_up_on_stops_the_sweep_with_one_line(monkeypatch, tmp_path):
    """The drain answers 503 after 120 s of waiting: the sweep says so and how to go on, no traceback."""
    import subprocess

    from emulator import ctl

    def refuse(route, payload, p=None, timeout=120):
        raise ctl.RouteError("2 earlier request(s) still running after 120 s")

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, "{}", ""))
    monkeypatch.setattr(ctl, "call", refuse)
    with pytest.raises(SystemExit) as stopped:
        tier.sweep("small", "emulator", {}, [], dry_run=False)
    assert str(stopped.value).startswith("error: the emulator did not finish the earlier run's requests (2 earlier")
    assert "make down" in str(stopped.value)
