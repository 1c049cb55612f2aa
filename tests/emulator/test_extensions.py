"""A boto3 round trip per emulator extension (in-process moto with the extensions installed)."""
from __future__ import annotations

import json
import re
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator import extensions
from support import ROOT

ROLE = "arn:aws:iam::123456789012:role/r"
SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"  # AWS's image: the emulator runs the local Python in its place


@pytest.fixture
def aws(aws_credentials):
    extensions.install()
    with mock_aws():
        yield


def endpoint_with_two_configs(sm) -> None:
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "i"})
    for name in ("a", "b"):
        sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    sm.create_endpoint(EndpointName="e", EndpointConfigName="a")


def test_sagemaker_update_endpoint(aws):
    sm = boto3.client("sagemaker")
    endpoint_with_two_configs(sm)
    policy = {"AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "x"}]}}
    updated = sm.update_endpoint(EndpointName="e", EndpointConfigName="b", DeploymentConfig=policy)
    assert updated["EndpointArn"] == "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e"
    described = sm.describe_endpoint(EndpointName="e")
    assert (described["EndpointConfigName"], described["LastDeploymentConfig"]) == ("b", policy)
    with pytest.raises(ClientError, match="Could not find endpoint"):
        sm.update_endpoint(EndpointName="missing", EndpointConfigName="b")


def create_domain(sm) -> dict:
    return sm.create_domain(DomainName="d", AuthMode="IAM", DefaultUserSettings={"ExecutionRole": ROLE}, SubnetIds=["s"], VpcId="v")


def test_sagemaker_create_domain_id(aws):
    sm = boto3.client("sagemaker")
    reply = create_domain(sm)
    assert sm.describe_domain(DomainId=reply["DomainId"])["DomainArn"] == reply["DomainArn"]


def test_sagemaker_domain_tag_propagation(aws):
    sm = boto3.client("sagemaker")
    reply = create_domain(sm)
    assert sm.describe_domain(DomainId=reply["DomainId"])["TagPropagation"] == "DISABLED"
    sm.delete_domain(DomainId=reply["DomainId"])
    with pytest.raises(ClientError) as error:
        sm.describe_domain(DomainId=reply["DomainId"])
    assert error.value.response["Error"]["Code"] == "ResourceNotFound"


def test_sagemaker_user_profiles(aws):
    sm = boto3.client("sagemaker")
    domain = create_domain(sm)["DomainId"]
    arn = sm.create_user_profile(DomainId=domain, UserProfileName="alice", Tags=[{"Key": "owner", "Value": "alice"}])["UserProfileArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:user-profile/{domain}/alice"
    assert sm.describe_user_profile(DomainId=domain, UserProfileName="alice")["Status"] == "InService"
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "owner", "Value": "alice"}]
    [listed] = sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"]
    assert (listed["DomainId"], listed["UserProfileName"], listed["Status"], "CreationTime" in listed, "LastModifiedTime" in listed) == (domain, "alice", "InService", True, True)
    sm.delete_user_profile(DomainId=domain, UserProfileName="alice")
    with pytest.raises(ClientError) as error:
        sm.describe_user_profile(DomainId=domain, UserProfileName="alice")
    assert error.value.response["Error"]["Code"] == "ResourceNotFound"


def test_sagemaker_add_tags_overwrites(aws):
    sm = boto3.client("sagemaker")
    endpoint_with_two_configs(sm)
    arn = sm.describe_endpoint(EndpointName="e")["EndpointArn"]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "v", "Value": "1"}])
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "v", "Value": "2"}])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "v", "Value": "2"}]


def test_sagemaker_delete_model_package_group(aws):
    sm = boto3.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="g")
    arn = sm.create_model_package(ModelPackageGroupName="g", InferenceSpecification={"Containers": [{"Image": "i"}], "SupportedContentTypes": ["a"], "SupportedResponseMIMETypes": ["a"]})["ModelPackageArn"]
    with pytest.raises(ClientError, match="still has model packages"):
        sm.delete_model_package_group(ModelPackageGroupName="g")
    sm.delete_model_package(ModelPackageName=arn)
    sm.delete_model_package_group(ModelPackageGroupName="g")
    assert sm.list_model_package_groups()["ModelPackageGroupSummaryList"] == []


def test_s3_secure_transport_context(aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="tls-only")

    def deny_when(secure: str) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::tls-only/*"], "Condition": {"Bool": {"aws:SecureTransport": secure}}}]})

    s3.put_bucket_policy(Bucket="tls-only", Policy=deny_when("false"))
    s3.put_object(Bucket="tls-only", Key="a", Body=b"1")  # TLS request: the deny does not apply
    s3.put_bucket_policy(Bucket="tls-only", Policy=deny_when("true"))
    with pytest.raises(ClientError):
        s3.put_object(Bucket="tls-only", Key="b", Body=b"1")  # a deny whose condition holds still denies

    # The KMS-upload denies of modules/components/bucket: default encryption passes, SSE-S3 and a
    # foreign key are refused, the bucket's own key is accepted.
    key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    kms_only = [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tls-only/*",
         "Condition": {"Null": {"s3:x-amz-server-side-encryption": "false"}, "StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"]}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tls-only/*",
         "Condition": {"Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}, "StringNotLike": {"s3:x-amz-server-side-encryption-aws-kms-key-id": ["arn:aws:kms:us-east-1:123456789012:key/*"]}}},
    ]
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": kms_only}))
    s3.put_object(Bucket="tls-only", Key="default", Body=b"1")
    s3.put_object(Bucket="tls-only", Key="own-key", Body=b"1", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    with pytest.raises(ClientError, match="Forbidden|AccessDenied"):
        s3.put_object(Bucket="tls-only", Key="sse-s3", Body=b"1", ServerSideEncryption="AES256")
    with pytest.raises(ClientError, match="Forbidden|AccessDenied"):
        s3.put_object(Bucket="tls-only", Key="foreign", Body=b"1", ServerSideEncryption="aws:kms", SSEKMSKeyId="arn:aws:kms:us-east-1:999999999999:key/x")
    foreign_denied = {**kms_only[1], "Condition": {"StringLike": {"s3:x-amz-server-side-encryption-aws-kms-key-id": ["arn:aws:kms:*:999999999999:key/*"]}}}
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": [foreign_denied]}))
    s3.put_object(Bucket="tls-only", Key="own-key-again", Body=b"1", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    with pytest.raises(ClientError, match="Forbidden|AccessDenied"):
        s3.put_object(Bucket="tls-only", Key="foreign-like", Body=b"1", ServerSideEncryption="aws:kms", SSEKMSKeyId="arn:aws:kms:us-east-1:999999999999:key/x")


def test_kms_rotation_period(aws):
    kms = boto3.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=180)
    assert kms.get_key_rotation_status(KeyId=key)["RotationPeriodInDays"] == 180


def test_lambda_dead_letter_config(aws, tmp_path):
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    queue = "arn:aws:sqs:us-east-1:123456789012:failures"
    boto3.client("lambda").create_function(
        FunctionName="fn", Runtime="python3.12", Role=role, Handler="app.handler",
        Code={"ZipFile": (ROOT / "build" / "lambda" / "inference.zip").read_bytes()}, DeadLetterConfig={"TargetArn": queue},
    )
    assert boto3.client("lambda").get_function(FunctionName="fn")["Configuration"]["DeadLetterConfig"] == {"TargetArn": queue}


def test_ec2_rule_descriptions(aws):
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group, "Description": "members"}]}])
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
    assert [r.get("Description") for r in rules if not r["IsEgress"]] == ["members"]


def test_events_test_event_pattern(aws):
    events = boto3.client("events")
    pattern = json.dumps({"source": ["aws.sagemaker"], "detail": {"ModelApprovalStatus": ["Approved"]}})
    event = {"id": "1", "version": "0", "account": "123456789012", "region": "us-east-1", "time": "2026-11-26T10:00:00Z", "resources": [], "source": "aws.sagemaker", "detail-type": "x"}
    assert events.test_event_pattern(EventPattern=pattern, Event=json.dumps({**event, "detail": {"ModelApprovalStatus": "Approved"}}))["Result"] is True
    assert events.test_event_pattern(EventPattern=pattern, Event=json.dumps({**event, "detail": {"ModelApprovalStatus": "Rejected"}}))["Result"] is False


def test_ec2_delete_vpc_endpoints_idempotent(aws):
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway", RouteTableIds=[table])["VpcEndpoint"]["VpcEndpointId"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])  # a retry of the same delete
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["State"].lower() == "deleted"


def test_codestar_connections(aws):
    client = boto3.client("codestar-connections")
    created = client.create_connection(ProviderType="GitHub", ConnectionName="code", Tags=[{"Key": "k", "Value": "v"}, {"Key": "team", "Value": "ml"}])
    arn = created["ConnectionArn"]
    assert created["Tags"] == [{"Key": "k", "Value": "v"}, {"Key": "team", "Value": "ml"}]
    assert re.fullmatch(r"arn:aws:codestar-connections:us-east-1:123456789012:connection/[0-9a-f-]{36}", arn)
    hosted = client.create_connection(ConnectionName="enterprise", HostArn="arn:aws:codestar-connections:us-east-1:123456789012:host/h")["ConnectionArn"]
    github = {"ConnectionName": "code", "ConnectionArn": arn, "OwnerAccountId": "123456789012", "ConnectionStatus": "PENDING", "ProviderType": "GitHub"}
    assert client.get_connection(ConnectionArn=arn)["Connection"] == github
    assert client.get_connection(ConnectionArn=hosted)["Connection"]["HostArn"] == "arn:aws:codestar-connections:us-east-1:123456789012:host/h"
    assert client.list_connections(ProviderTypeFilter="GitHub")["Connections"] == [github]
    assert len(client.list_connections()["Connections"]) == 2
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "w"}])
    client.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "w"}]
    client.delete_connection(ConnectionArn=arn)
    with pytest.raises(ClientError) as error:
        client.get_connection(ConnectionArn=arn)
    assert error.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": f"Connection {arn} does not exist"}
    assert [c["ConnectionArn"] for c in client.list_connections()["Connections"]] == [hosted]


def test_codestar_connections_routes_once_however_often_installed():
    from moto import backend_index

    from emulator import codestar_connections

    patterns = backend_index.backend_url_patterns
    patterns[:] = [p for p in patterns if p[0] != "codestarconnections"]
    codestar_connections.register()
    codestar_connections.register()
    ours = [pattern for name, pattern in patterns if name == "codestarconnections"]
    assert len(ours) == 1 and ours[0].match("https://codestar-connections.eu-west-1.amazonaws.com")


def test_every_extension_has_a_round_trip_test_and_a_readme_row():
    source = (ROOT / "tests" / "emulator" / "test_extensions.py").read_text()
    untested = [e.install.__name__ for e in extensions.EXTENSIONS if f"def test{e.install.__name__}(aws" not in source]
    assert not untested, f"add a round-trip test named test<extension function> for: {untested}"
    rows = re.findall(r"^\| (\S+) \| (.+?) \| (?:missing|fix) \|", (ROOT / "README.md").read_text(), flags=re.M)
    assert sorted(rows) == sorted((e.service, e.api) for e in extensions.EXTENSIONS), "the README's extension table must list exactly extensions.EXTENSIONS"


def test_sagemaker_monitoring_schedules(aws):
    sm = boto3.client("sagemaker")
    config = {"MonitoringJobDefinitionName": "dq", "MonitoringType": "DataQuality", "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}}
    arn = sm.create_monitoring_schedule(MonitoringScheduleName="s", MonitoringScheduleConfig=config, Tags=[{"Key": "k", "Value": "v"}])["MonitoringScheduleArn"]
    described = sm.describe_monitoring_schedule(MonitoringScheduleName="s")
    assert (described["MonitoringScheduleStatus"], described["MonitoringScheduleConfig"]) == ("Scheduled", config)
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    sm.update_monitoring_schedule(MonitoringScheduleName="s", MonitoringScheduleConfig={**config, "ScheduleConfig": {"ScheduleExpression": "cron(0 0 ? * * *)"}})
    assert sm.describe_monitoring_schedule(MonitoringScheduleName="s")["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"] == "cron(0 0 ? * * *)"
    listed = sm.list_monitoring_schedules()["MonitoringScheduleSummaries"]
    assert [(s["MonitoringScheduleName"], s["MonitoringType"], s["MonitoringJobDefinitionName"]) for s in listed] == [("s", "DataQuality", "dq")]
    with pytest.raises(ClientError, match="EndpointName not supported"):
        sm.list_monitoring_schedules(EndpointName="e")
    sm.delete_monitoring_schedule(MonitoringScheduleName="s")
    with pytest.raises(ClientError) as error:
        sm.describe_monitoring_schedule(MonitoringScheduleName="s")
    assert error.value.response["Error"]["Code"] == "ResourceNotFound"


def test_sagemaker_model_package_group_policy(aws):
    sm = boto3.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="g")
    with pytest.raises(ClientError, match="Cannot find resource policy"):
        sm.get_model_package_group_policy(ModelPackageGroupName="g")
    policy = naming(ROLE, "sagemaker:DescribeModelPackage")
    with pytest.raises(ClientError, match=f"Invalid principal in resource policy: {ROLE}"):
        sm.put_model_package_group_policy(ModelPackageGroupName="g", ResourcePolicy=policy)
    create_role()
    sm.put_model_package_group_policy(ModelPackageGroupName="g", ResourcePolicy=policy)
    assert sm.get_model_package_group_policy(ModelPackageGroupName="g")["ResourcePolicy"] == policy
    sm.delete_model_package_group_policy(ModelPackageGroupName="g")
    with pytest.raises(ClientError, match="Cannot find Model Package Group"):
        sm.put_model_package_group_policy(ModelPackageGroupName="missing", ResourcePolicy=policy)


def codebuild_project(client, name: str = "proj", **extra) -> None:
    client.create_project(name=name, source={"type": "CODEPIPELINE", "buildspec": "version: 0.2"}, artifacts={"type": "CODEPIPELINE"},
                          environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
                          serviceRole="arn:aws:iam::123456789012:role/build", **extra)


def test_codebuild_pipeline_sources(aws):
    client = boto3.client("codebuild")
    codebuild_project(client)
    assert client.batch_get_projects(names=["proj"])["projects"][0]["source"]["type"] == "CODEPIPELINE"
    client.create_project(name="bare", source={"type": "NO_SOURCE", "buildspec": "version: 0.2"}, artifacts={"type": "NO_ARTIFACTS"},
                          environment={"type": "LINUX_CONTAINER", "image": "i", "computeType": "BUILD_GENERAL1_SMALL"}, serviceRole="arn:aws:iam::123456789012:role/build")
    with pytest.raises(ClientError, match="source location is required"):  # other source types still need one
        client.create_project(name="other", source={"type": "S3"}, artifacts={"type": "NO_ARTIFACTS"},
                              environment={"type": "LINUX_CONTAINER", "image": "i", "computeType": "BUILD_GENERAL1_SMALL"}, serviceRole="arn:aws:iam::123456789012:role/build")


def test_codebuild_encryption_key(aws):
    client = boto3.client("codebuild")
    key = "arn:aws:kms:us-east-1:123456789012:key/1234"
    codebuild_project(client, encryptionKey=key)
    assert client.batch_get_projects(names=["proj"])["projects"][0]["encryptionKey"] == key


def pipeline_declaration() -> dict:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    boto3.client("iam").create_role(RoleName="pipeline", AssumeRolePolicyDocument=json.dumps(trust))
    stages = [{"name": "Source", "actions": [{"name": "S", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"}, "outputArtifacts": [{"name": "o"}], "configuration": {"S3Bucket": "b", "S3ObjectKey": "k"}}]},
              {"name": "Build", "actions": [{"name": "B", "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}, "inputArtifacts": [{"name": "o"}], "configuration": {"ProjectName": "p"}}]}]
    return {"name": "pl", "roleArn": "arn:aws:iam::123456789012:role/pipeline", "artifactStore": {"type": "S3", "location": "bucket"}, "stages": stages}


def test_codepipeline_timestamps(aws):
    client = boto3.client("codepipeline")
    client.create_pipeline(pipeline=pipeline_declaration())
    from moto.codepipeline.models import codepipeline_backends
    wire = codepipeline_backends["123456789012"]["us-east-1"].get_pipeline("pl")[1]  # what the server sends
    assert isinstance(wire["created"], float) and isinstance(wire["updated"], float), "the Go SDK accepts only epoch numbers here (boto3 accepts both)"
    assert abs(wire["created"] - time.time()) < 60, "epoch seconds of now, whatever the local time zone"
    metadata = client.get_pipeline(name="pl")["metadata"]
    assert metadata["created"].year >= 2024 and client.list_pipelines()["pipelines"][0]["created"] == metadata["created"]


def test_s3_replication_rules(aws):
    s3 = boto3.client("s3")
    for bucket in ("src", "dst"):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    rule = {"ID": "r", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""}, "DeleteMarkerReplication": {"Status": "Disabled"},
            "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
            "Destination": {"Bucket": "arn:aws:s3:::dst", "EncryptionConfiguration": {"ReplicaKmsKeyID": "arn:aws:kms:us-east-1:123456789012:alias/k"}}}
    s3.put_bucket_replication(Bucket="src", ReplicationConfiguration={"Role": ROLE, "Rules": [rule]})
    [read] = s3.get_bucket_replication(Bucket="src")["ReplicationConfiguration"]["Rules"]
    assert read["SourceSelectionCriteria"] == rule["SourceSelectionCriteria"] and read["DeleteMarkerReplication"] == {"Status": "Disabled"}
    rule = {key: value for key, value in rule.items() if key != "DeleteMarkerReplication"}
    s3.put_bucket_replication(Bucket="src", ReplicationConfiguration={"Role": ROLE, "Rules": [rule]})
    [read] = s3.get_bucket_replication(Bucket="src")["ReplicationConfiguration"]["Rules"]
    assert read["DeleteMarkerReplication"] == {"Status": "Disabled"}  # AWS's default when a rule leaves it out


def test_sagemaker_model_network_isolation(aws):
    sm = boto3.client("sagemaker")
    sm.create_model(ModelName="isolated", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "i"}, EnableNetworkIsolation=True)
    sm.create_model(ModelName="open", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "i"})
    assert sm.describe_model(ModelName="isolated")["EnableNetworkIsolation"] is True
    assert sm.describe_model(ModelName="open")["EnableNetworkIsolation"] is False


def test_codepipeline_client_request_token(aws):
    client = boto3.client("codepipeline")
    client.create_pipeline(pipeline=pipeline_declaration())
    first = client.start_pipeline_execution(name="pl", clientRequestToken="event-1")["pipelineExecutionId"]
    assert client.start_pipeline_execution(name="pl", clientRequestToken="event-1")["pipelineExecutionId"] == first
    assert client.start_pipeline_execution(name="pl", clientRequestToken="event-2")["pipelineExecutionId"] != first
    assert client.start_pipeline_execution(name="pl")["pipelineExecutionId"] != first
    assert len(client.list_pipeline_executions(pipelineName="pl")["pipelineExecutionSummaries"]) == 3


def test_organizations_invite_account(aws):
    orgs = boto3.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    handshake = orgs.invite_account_to_organization(Target={"Id": "222222222222", "Type": "ACCOUNT"})["Handshake"]
    assert handshake["State"] == "ACCEPTED"
    assert "222222222222" in [a["Id"] for a in orgs.list_accounts()["Accounts"]]
    orgs.invite_account_to_organization(Target={"Id": "222222222222", "Type": "ACCOUNT"})  # again: still one member
    assert [a["Id"] for a in orgs.list_accounts()["Accounts"]].count("222222222222") == 1
    policy = orgs.create_policy(Name="p", Description="d", Type="SERVICE_CONTROL_POLICY", Content=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}))["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=policy, TargetId="222222222222")
    assert [t["TargetId"] for t in orgs.list_targets_for_policy(PolicyId=policy)["Targets"]] == ["222222222222"]
    with pytest.raises(ClientError):
        orgs.invite_account_to_organization(Target={"Id": "not-an-account", "Type": "ACCOUNT"})


# What terraform-provider-aws (5.x) reads as "gone, drop it from state" for each SageMaker resource
# the modules manage: an error code, plus a message fragment where the provider matches on one.
GONE = {
    "aws_sagemaker_pipeline": ("describe_pipeline", {"PipelineName": "p"}, "ResourceNotFound", ""),
    "aws_sagemaker_domain": ("describe_domain", {"DomainId": "d-missing"}, "ResourceNotFound", ""),
    "aws_sagemaker_user_profile": ("describe_user_profile", {"DomainId": "d-missing", "UserProfileName": "u"}, "ResourceNotFound", ""),
    "aws_sagemaker_feature_group": ("describe_feature_group", {"FeatureGroupName": "f"}, "ResourceNotFound", ""),
    "aws_sagemaker_data_quality_job_definition": ("describe_data_quality_job_definition", {"JobDefinitionName": "j"}, "ResourceNotFound", ""),
    "aws_sagemaker_monitoring_schedule": ("describe_monitoring_schedule", {"MonitoringScheduleName": "m"}, "ResourceNotFound", ""),
    "aws_sagemaker_model_package_group": ("describe_model_package_group", {"ModelPackageGroupName": "g"}, "ValidationException", "does not exist"),
    "aws_sagemaker_model_package_group_policy": ("get_model_package_group_policy", {"ModelPackageGroupName": "g"}, "ValidationException", "Cannot find Model Package Group"),
}


def test_sagemaker_missing_resources(aws):
    """Every SageMaker resource the modules manage reads as gone, the way the provider expects, when missing."""
    managed = set(re.findall(r'resource "(aws_sagemaker_[a-z_]+)"', "\n".join(p.read_text() for p in (ROOT / "modules").rglob("*.tf"))))
    assert managed <= set(GONE), f"add the provider's not-found answer for {sorted(managed - set(GONE))}"
    sm = boto3.client("sagemaker")
    for resource, (operation, arguments, code, fragment) in GONE.items():
        with pytest.raises(ClientError) as error:
            getattr(sm, operation)(**arguments)
        assert (error.value.response["Error"]["Code"], fragment in error.value.response["Error"]["Message"]) == (code, True), resource
    for operation, arguments in (("delete_pipeline", {"PipelineName": "p", "ClientRequestToken": "t" * 32}), ("delete_domain", {"DomainId": "d-missing"})):
        with pytest.raises(ClientError, match="ResourceNotFound"):
            getattr(sm, operation)(**arguments)
    sm.create_feature_group(FeatureGroupName="present", RecordIdentifierFeatureName="id", EventTimeFeatureName="t", RoleArn=ROLE,
                            FeatureDefinitions=[{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "t", "FeatureType": "String"}],
                            OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://offline"}})
    assert sm.describe_feature_group(FeatureGroupName="present")["FeatureGroupName"] == "present"  # what exists still reads


def test_sagemaker_create_endpoint_exists(aws):
    sm = boto3.client("sagemaker")
    endpoint_with_two_configs(sm)
    with pytest.raises(ClientError, match="Cannot create already existing endpoint"):
        sm.create_endpoint(EndpointName="e", EndpointConfigName="b")
    assert sm.describe_endpoint(EndpointName="e")["EndpointConfigName"] == "a"


def test_install_again_wraps_moto_own_code_not_a_wrapper():
    extensions.install()
    extensions.install()
    wrappers = {key: getattr(*key) for key in extensions._pristine}
    assert wrappers, "install() records what it patches"
    own = [key for key, value in extensions._pristine.items() if getattr(value, "__module__", "") in ("emulator.extensions", "extensions")]
    assert not own, f"a recorded original is an extension, so a wrapper would wrap a wrapper: {own}"
    extensions._restore()
    try:
        assert all(vars(owner).get(name, None) is not wrapper for (owner, name), wrapper in wrappers.items())
    finally:
        extensions.install()


OTHER_ACCOUNT_ROLE = "arn:aws:iam::210987654321:role/mlops/r"
TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def naming(principal, action: str, **extra) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def create_role(arn: str = ROLE) -> None:
    """The role an ARN names, in the account it names (moto keeps one IAM backend per account)."""
    account, path_and_name = arn.split(":")[4], arn.split(":role", 1)[1]
    path, name = path_and_name.rsplit("/", 1)
    sts = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/admin", RoleSessionName="setup")["Credentials"]
    iam = boto3.client("iam", aws_access_key_id=sts["AccessKeyId"], aws_secret_access_key=sts["SecretAccessKey"], aws_session_token=sts["SessionToken"])
    iam.create_role(RoleName=name, Path=f"{path}/", AssumeRolePolicyDocument=TRUST_EC2)


def test_missing_principals_reads_every_form():
    policy = {"Statement": {"Effect": "Allow", "Principal": {"AWS": ["*", "123456789012", "arn:aws:iam::123456789012:root", "arn:aws:sts::123456789012:assumed-role/x/s", ROLE]}}}
    not_principal = {"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/u"}}, {"Principal": "*"}, {"Principal": {"Service": "s3.amazonaws.com"}}]}
    with mock_aws():
        assert extensions.missing_principals(json.dumps(policy)) == [ROLE]
        assert extensions.missing_principals(json.dumps(not_principal).encode()) == ["arn:aws:iam::123456789012:user/u"]
        assert extensions.missing_principals(None) == []


def test_iam_trust_principals_exist(aws):
    iam = boto3.client("iam")
    trust = naming(OTHER_ACCOUNT_ROLE, "sts:AssumeRole")
    with pytest.raises(ClientError, match=f'MalformedPolicyDocument.*Invalid principal in policy: "AWS":"{OTHER_ACCOUNT_ROLE}"'):
        iam.create_role(RoleName="assumer", AssumeRolePolicyDocument=trust)
    iam.create_role(RoleName="assumer", AssumeRolePolicyDocument=TRUST_EC2)
    with pytest.raises(ClientError, match="MalformedPolicyDocument"):
        iam.update_assume_role_policy(RoleName="assumer", PolicyDocument=trust)
    create_role(OTHER_ACCOUNT_ROLE)  # the same name and path in this account would not do
    iam.update_assume_role_policy(RoleName="assumer", PolicyDocument=trust)
    iam.create_role(RoleName="second", AssumeRolePolicyDocument=trust)


def test_s3_bucket_policy_principals_exist(aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bucket")
    policy = naming([ROLE, "arn:aws:iam::123456789012:root"], "s3:GetObject", Resource="arn:aws:s3:::bucket/*")
    with pytest.raises(ClientError, match="MalformedPolicy.*Invalid principal in policy"):
        s3.put_bucket_policy(Bucket="bucket", Policy=policy)
    create_role()
    s3.put_bucket_policy(Bucket="bucket", Policy=policy)
    assert json.loads(s3.get_bucket_policy(Bucket="bucket")["Policy"]) == json.loads(policy)


def test_kms_key_policy_checks(aws):
    kms = boto3.client("kms")
    administers = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}
    uses = {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}
    with_user = json.dumps({"Statement": [administers, uses]})
    with pytest.raises(ClientError, match="MalformedPolicyDocumentException.*invalid principals"):
        kms.create_key(Policy=with_user)
    create_role()
    key = kms.create_key(Policy=with_user)["KeyMetadata"]["KeyId"]
    lockout = json.dumps({"Statement": [uses]})
    for attempt in (lambda: kms.create_key(Policy=lockout), lambda: kms.put_key_policy(KeyId=key, PolicyName="default", Policy=lockout)):
        with pytest.raises(ClientError, match="will not allow you to update the key policy"):
            attempt()
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=lockout, BypassPolicyLockoutSafetyCheck=True)
    kms.create_key(Policy=lockout, BypassPolicyLockoutSafetyCheck=True)
    kms.create_key(Policy=json.dumps({"Statement": [uses, {**uses, "Action": ["kms:PutKeyPolicy"], "Principal": "*"}]}))


def test_kms_key_policy_checks_the_assumed_role(aws):
    create_role("arn:aws:iam::123456789012:role/mlops/deployer")
    sts = boto3.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/mlops/deployer", RoleSessionName="terraform")["Credentials"]
    kms = boto3.client("kms", aws_access_key_id=sts["AccessKeyId"], aws_secret_access_key=sts["SecretAccessKey"], aws_session_token=sts["SessionToken"])
    by_role = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/mlops/deployer"}, "Action": "kms:PutKeyPolicy", "Resource": "*"}
    kms.create_key(Policy=json.dumps({"Statement": [by_role]}))
    other = {**by_role, "Principal": {"AWS": ROLE}}
    create_role()
    with pytest.raises(ClientError, match="will not allow you to update"):
        kms.create_key(Policy=json.dumps({"Statement": [other]}))


def test_ecr_repository_policy_principals_exist(aws):
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName="images")
    policy = naming(OTHER_ACCOUNT_ROLE, ["ecr:BatchGetImage"])
    with pytest.raises(ClientError, match="Invalid repository policy provided"):
        ecr.set_repository_policy(repositoryName="images", policyText=policy)
    create_role(OTHER_ACCOUNT_ROLE)
    ecr.set_repository_policy(repositoryName="images", policyText=policy)


def test_events_bus_policy_principals_exist(aws):
    events = boto3.client("events")
    events.create_event_bus(Name="bus")
    policy = naming(OTHER_ACCOUNT_ROLE, "events:PutEvents", Resource="arn:aws:events:us-east-1:123456789012:event-bus/bus", Sid="s")
    with pytest.raises(ClientError, match=f"Invalid principal in policy: {OTHER_ACCOUNT_ROLE}"):
        events.put_permission(EventBusName="bus", Policy=policy)
    events.put_permission(EventBusName="bus", Action="events:PutEvents", Principal="210987654321", StatementId="account")
    create_role(OTHER_ACCOUNT_ROLE)
    events.put_permission(EventBusName="bus", Policy=policy)


def test_codebuild_delete_project_by_arn(aws):
    client = boto3.client("codebuild")
    for name in ("by-name", "by-arn"):
        codebuild_project(client, name=name)
    arn = client.batch_get_projects(names=["by-arn"])["projects"][0]["arn"]
    client.delete_project(name=arn)
    client.delete_project(name="by-name")
    assert client.list_projects()["projects"] == []


def test_sagemaker_update_model_package_keeps_metadata(aws):
    sm = boto3.client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="g")
    arn = sm.create_model_package(ModelPackageGroupName="g", ModelApprovalStatus="PendingManualApproval", CustomerMetadataProperties={"a": "1", "b": "2"},
                                  InferenceSpecification={"Containers": [{"Image": "i"}], "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]})["ModelPackageArn"]
    sm.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="good")
    sm.update_model_package(ModelPackageArn=arn, CustomerMetadataProperties={"b": "3"}, CustomerMetadataPropertiesToRemove=["a"])
    described = sm.describe_model_package(ModelPackageName=arn)
    assert (described["ModelApprovalStatus"], described.get("ApprovalDescription"), described["CustomerMetadataProperties"]) == ("Approved", "good", {"b": "3"})


def test_sagemaker_feature_group_tags(aws):
    sm = boto3.client("sagemaker")
    arn = sm.create_feature_group(FeatureGroupName="fg", RecordIdentifierFeatureName="id", EventTimeFeatureName="at", RoleArn=ROLE,
                                  FeatureDefinitions=[{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "at", "FeatureType": "String"}],
                                  OnlineStoreConfig={"EnableOnlineStore": True}, OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://b/fg"}},
                                  Tags=[{"Key": "a", "Value": "1"}])["FeatureGroupArn"]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}])
    sm.delete_tags(ResourceArn=arn, TagKeys=["a"])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]


def test_ram_associations(aws):
    ram = boto3.client("ram")
    share = ram.create_resource_share(name="features", allowExternalPrincipals=False)["resourceShare"]["resourceShareArn"]
    group = "arn:aws:sagemaker:us-east-1:123456789012:feature-group/fg"
    added = ram.associate_resource_share(resourceShareArn=share, resourceArns=[group], principals=["111111111111"])["resourceShareAssociations"]
    assert {(a["associationType"], a["associatedEntity"], a["status"]) for a in added} == {("RESOURCE", group, "ASSOCIATED"), ("PRINCIPAL", "111111111111", "ASSOCIATED")}
    listed = ram.get_resource_share_associations(associationType="RESOURCE", resourceShareArns=[share])["resourceShareAssociations"]
    assert [a["associatedEntity"] for a in listed] == [group]
    assert ram.list_resource_share_permissions(resourceShareArn=share)["permissions"] == []
    ram.disassociate_resource_share(resourceShareArn=share, principals=["111111111111"])
    assert ram.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[share])["resourceShareAssociations"] == []
    with pytest.raises(ClientError, match="could not be found"):
        ram.list_resource_share_permissions(resourceShareArn=share + "x")


def test_lakeformation_column_grants(aws):
    lf = boto3.client("lakeformation")
    principal = {"DataLakePrincipalIdentifier": ROLE}
    columns = {"TableWithColumns": {"DatabaseName": "curated", "Name": "patients", "ColumnWildcard": {"ExcludedColumnNames": ["patient_id"]}}}
    lf.grant_permissions(Principal=principal, Resource=columns, Permissions=["SELECT"])
    listed = lf.list_permissions(Principal=principal, Resource={"Table": {"DatabaseName": "curated", "Name": "patients"}})["PrincipalResourcePermissions"]
    assert [(p["Resource"], p["Permissions"]) for p in listed] == [(columns, ["SELECT"])]
    other = lf.list_permissions(Principal=principal, Resource={"Table": {"DatabaseName": "curated", "Name": "visits"}})["PrincipalResourcePermissions"]
    assert other == []


def test_lakeformation_revoke_nothing_held(aws):
    lf = boto3.client("lakeformation")
    principal = {"DataLakePrincipalIdentifier": ROLE}
    table = {"Table": {"DatabaseName": "curated", "Name": "patients"}}
    lf.grant_permissions(Principal=principal, Resource=table, Permissions=["SELECT", "DESCRIBE"])
    lf.revoke_permissions(Principal=principal, Resource=table, Permissions=["SELECT"])
    listed = lf.list_permissions(Principal=principal, Resource=table)["PrincipalResourcePermissions"]
    assert [p["Permissions"] for p in listed] == [["DESCRIBE"]]
    with pytest.raises(ClientError, match="No permissions revoked"):
        lf.revoke_permissions(Principal=principal, Resource=table, Permissions=["SELECT"])
    lf.revoke_permissions(Principal=principal, Resource=table, Permissions=["DESCRIBE"])
    with pytest.raises(ClientError, match="No permissions revoked"):
        lf.revoke_permissions(Principal=principal, Resource=table, Permissions=["DESCRIBE"])


def test_s3_object_lock_on_a_bucket_with_objects(aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="models", ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket="models", Key="model.tar.gz", Body=b"model")
    s3.put_object_lock_configuration(Bucket="models", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}}})
    retention = s3.get_object_lock_configuration(Bucket="models")["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert (retention["Mode"], retention["Days"]) == ("GOVERNANCE", 30)
    s3.put_object_lock_configuration(Bucket="models", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})  # what the provider's destroy sends
    assert "Rule" not in s3.get_object_lock_configuration(Bucket="models")["ObjectLockConfiguration"]
    s3.create_bucket(Bucket="plain")
    with pytest.raises(ClientError, match="Versioning must be 'Enabled'"):
        s3.put_object_lock_configuration(Bucket="plain", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})


def test_glue_delete_database_drops_tags(aws):
    glue, tagging = boto3.client("glue"), boto3.client("resourcegroupstaggingapi")
    glue.create_database(DatabaseInput={"Name": "curated"}, Tags={"mlops:tier": "large"})
    assert [r["ResourceARN"].rsplit(":", 1)[1] for r in tagging.get_resources()["ResourceTagMappingList"]] == ["database/curated"]
    glue.delete_database(Name="curated")
    assert tagging.get_resources()["ResourceTagMappingList"] == []


def test_sagemaker_feature_group_settings(aws):
    sm = boto3.client("sagemaker")
    online = {"EnableOnlineStore": True, "SecurityConfig": {"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"}}
    sm.create_feature_group(FeatureGroupName="fg", RecordIdentifierFeatureName="id", EventTimeFeatureName="at", RoleArn=ROLE, Description="features",
                            FeatureDefinitions=[{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "at", "FeatureType": "String"}],
                            OnlineStoreConfig=online, OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://b/fg"}})
    described = sm.describe_feature_group(FeatureGroupName="fg")
    assert (described["OnlineStoreConfig"], described["Description"]) == (online, "features")
    sm.delete_feature_group(FeatureGroupName="fg")
    with pytest.raises(ClientError, match="ResourceNotFound"):
        sm.describe_feature_group(FeatureGroupName="fg")
    with pytest.raises(ClientError, match="ResourceNotFound"):
        sm.delete_feature_group(FeatureGroupName="fg")


def feature_group(sm, name: str = "fg", online: bool = True, bucket: str = "features") -> dict:
    """A group as the artifact module creates it: identifier, ISO event time, typed features."""
    boto3.client("s3").create_bucket(Bucket=bucket)
    sm.create_feature_group(FeatureGroupName=name, RecordIdentifierFeatureName="id", EventTimeFeatureName="at", RoleArn=ROLE,
                            FeatureDefinitions=[{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "at", "FeatureType": "String"},
                                                {"FeatureName": "x", "FeatureType": "Fractional"}, {"FeatureName": "target", "FeatureType": "Integral"}],
                            OnlineStoreConfig={"EnableOnlineStore": online}, OfflineStoreConfig={"S3StorageConfig": {"S3Uri": f"s3://{bucket}/offline"}})
    return sm.describe_feature_group(FeatureGroupName=name)


def record(identifier: str, at: str, x: str = "1.5", target: str = "1") -> list[dict]:
    return [{"FeatureName": k, "ValueAsString": v} for k, v in {"id": identifier, "at": at, "x": x, "target": target}.items()]


def offline_rows(group: dict) -> list[dict]:
    """Every row of the offline store, as a reader of its Parquet files sees it, with each object's key."""
    import io

    import pyarrow.parquet as pq

    s3 = boto3.client("s3")
    bucket, prefix = group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"].removeprefix("s3://").split("/", 1)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    return [{**row, "key": key} for key in keys for row in pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())).to_pylist()]


def test_sagemaker_featurestore_runtime(aws):
    sm, runtime = boto3.client("sagemaker"), boto3.client("sagemaker-featurestore-runtime")
    group = feature_group(sm)
    resolved = group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
    assert re.fullmatch(r"s3://features/offline/123456789012/sagemaker/us-east-1/offline-store/fg-\d+/data", resolved), resolved

    runtime.put_record(FeatureGroupName="fg", Record=record("a", "2026-12-01T10:00:00Z"))
    runtime.put_record(FeatureGroupName="fg", Record=record("a", "2026-12-01T09:00:00Z", x="9.0"))  # older: the online store keeps the newer
    runtime.put_record(FeatureGroupName=group["FeatureGroupArn"], Record=record("b", "2026-12-01T11:30:00.250Z", target="0"), TargetStores=["OfflineStore"])
    assert runtime.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="a", FeatureNames=["x"])["Record"] == [{"FeatureName": "x", "ValueAsString": "1.5"}]
    assert "Record" not in runtime.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="b"), "written to the offline store only"
    batch = runtime.batch_get_record(Identifiers=[{"FeatureGroupName": "fg", "RecordIdentifiersValueAsString": ["a", "missing"]}, {"FeatureGroupName": "nope", "RecordIdentifiersValueAsString": ["a"]}])
    assert [r["RecordIdentifierValueAsString"] for r in batch["Records"]] == ["a"] and [e["ErrorCode"] for e in batch["Errors"]] == ["ResourceNotFound"]
    runtime.delete_record(FeatureGroupName="fg", RecordIdentifierValueAsString="a", EventTime="2026-12-01T12:00:00Z")
    assert "Record" not in runtime.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="a")

    rows = offline_rows(group)  # every write is a row, partitioned by its event time
    assert sorted((r["id"], r["at"], r["x"], r["target"], r["is_deleted"]) for r in rows) == [
        ("a", "2026-12-01T09:00:00Z", 9.0, 1, False), ("a", "2026-12-01T10:00:00Z", 1.5, 1, False), ("a", "2026-12-01T12:00:00Z", None, None, True),
        ("b", "2026-12-01T11:30:00.250Z", 1.5, 0, False)]
    assert sorted(r["key"].split("/data/")[1].rsplit("/", 1)[0] for r in rows) == [f"year=2026/month=12/day=01/hour={h}" for h in ("09", "10", "11", "12")]
    assert all(r["write_time"] is not None and r["api_invocation_time"] is not None for r in rows)

    for bad, reason in [(record("c", "yesterday"), "is not an ISO-8601 time"), (record("c", "2026-12-01T10:00:00Z", x="many"), "is Fractional"),
                        ([*record("c", "2026-12-01T10:00:00Z"), {"FeatureName": "y", "ValueAsString": "1"}], "'y' is not a feature of fg"),
                        (record("c", "2026-12-01T10:00:00Z")[2:], "missing its record identifier feature id")]:
        with pytest.raises(ClientError, match=reason):
            runtime.put_record(FeatureGroupName="fg", Record=bad)
    with pytest.raises(ClientError, match="ResourceNotFound"):
        runtime.put_record(FeatureGroupName="nope", Record=record("c", "2026-12-01T10:00:00Z"))
    with pytest.raises(ClientError, match="is not a feature group ARN"):
        runtime.put_record(FeatureGroupName="arn:aws:sagemaker:us-east-1:123456789012:endpoint/fg", Record=record("c", "2026-12-01T10:00:00Z"))
    assert len(offline_rows(group)) == 4, "a refused record writes nothing"

    feature_group(sm, "offline-only", online=False, bucket="features2")
    with pytest.raises(ClientError, match="has no online store"):
        runtime.get_record(FeatureGroupName="offline-only", RecordIdentifierValueAsString="a")

    # A group shared through RAM is described and written by its ARN from another account.
    other = boto3.client("sts").assume_role(RoleArn="arn:aws:iam::210987654321:role/r", RoleSessionName="reader")["Credentials"]
    session = boto3.Session(aws_access_key_id=other["AccessKeyId"], aws_secret_access_key=other["SecretAccessKey"], aws_session_token=other["SessionToken"], region_name="us-east-1")
    assert session.client("sagemaker").describe_feature_group(FeatureGroupName=group["FeatureGroupArn"])["FeatureGroupName"] == "fg"
    session.client("sagemaker-featurestore-runtime").put_record(FeatureGroupName=group["FeatureGroupArn"], Record=record("d", "2026-12-01T13:00:00Z"))
    assert runtime.get_record(FeatureGroupName="fg", RecordIdentifierValueAsString="d")["Record"][0] == {"FeatureName": "id", "ValueAsString": "d"}


def test_ram_share_tags(aws):
    ram = boto3.client("ram")
    ram.create_resource_share(name="features", tags=[{"key": "mlops:tier", "value": "large"}])
    assert ram.get_resource_shares(resourceOwner="SELF")["resourceShares"][0]["tags"] == [{"key": "mlops:tier", "value": "large"}]


def pipeline_definition(bucket: str, image: str = SKLEARN) -> dict:
    """The retraining pipeline's shape (modules/ops/pipeline.tf) on the project's step scripts, with the
    quality threshold a parameter so one pipeline can pass and fail its gate; its jobs run `image`."""
    run = {"Std:Join": {"On": "/", "Values": [f"s3://{bucket}/executions", {"Get": "Execution.PipelineExecutionId"}]}}

    def io(name: str, uri, local: str) -> dict:
        return {"InputName": name, "S3Input": {"S3Uri": uri, "LocalPath": local, "S3DataType": "S3Prefix", "S3InputMode": "File"}}

    def out(name: str) -> dict:
        return {"OutputName": name, "S3Output": {"S3Uri": {"Std:Join": {"On": "/", "Values": [run, name]}}, "LocalPath": f"/opt/ml/processing/{name}", "S3UploadMode": "EndOfJob"}}

    def script(name: str, *args: str) -> dict:
        return {"ImageUri": image, "ContainerEntrypoint": ["python3", f"/opt/ml/processing/input/code/{name}"], "ContainerArguments": list(args)}

    code = io("code", f"s3://{bucket}/code", "/opt/ml/processing/input/code")
    train_uri = {"Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}
    test_uri = {"Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"}
    return {"Version": "2020-12-01", "Parameters": [{"Name": "MinAccuracy", "Type": "Float", "DefaultValue": 0.9}], "Steps": [
        {"Name": "Preprocess", "Type": "Processing", "Arguments": {
            "AppSpecification": script("preprocess.py", "--input-dir", "/opt/ml/processing/input/data", "--output-dir", "/opt/ml/processing"),
            "ProcessingInputs": [code, io("data", f"s3://{bucket}/data/", "/opt/ml/processing/input/data")],
            "ProcessingOutputConfig": {"Outputs": [out("train"), out("test")]}}},
        {"Name": "Train", "Type": "Training", "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": image, "ContainerEntrypoint": ["python3", "/opt/ml/input/data/code/train.py"],
                                       "ContainerArguments": ["--train-dir", "/opt/ml/input/data/train", "--model-dir", "/opt/ml/model", "--config", "/opt/ml/input/config/hyperparameters.json"]},
            "HyperParameters": {"C": "0.5"},
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": train_uri}}}, {"ChannelName": "code", "DataSource": {"S3DataSource": {"S3Uri": f"s3://{bucket}/code"}}}],
            "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/models"}}},
        {"Name": "Evaluate", "Type": "Processing", "Arguments": {
            "AppSpecification": script("evaluate.py", "--model-dir", "/opt/ml/processing/model", "--test-dir", "/opt/ml/processing/test", "--output-dir", "/opt/ml/processing/evaluation"),
            "ProcessingInputs": [code, io("model", {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}, "/opt/ml/processing/model"), io("test", test_uri, "/opt/ml/processing/test")],
            "ProcessingOutputConfig": {"Outputs": [out("evaluation")]}},
         "PropertyFiles": [{"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}]},
        {"Name": "Baseline", "Type": "Processing", "DependsOn": ["Preprocess"], "Arguments": {
            "AppSpecification": {"ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"},
            "Environment": {"dataset_format": json.dumps({"csv": {"header": True}}), "dataset_source": "/opt/ml/processing/input/baseline", "output_path": "/opt/ml/processing/baseline"},
            "ProcessingInputs": [io("baseline", train_uri, "/opt/ml/processing/input/baseline")], "ProcessingOutputConfig": {"Outputs": [out("baseline")]}}},
        {"Name": "QualityGate", "Type": "Condition", "DependsOn": ["Baseline"], "Arguments": {
            "Conditions": [{"Type": "GreaterThanOrEqualTo", "RightValue": {"Get": "Parameters.MinAccuracy"},
                            "LeftValue": {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"}, "Path": "metrics.accuracy.value"}}}],
            "IfSteps": [{"Name": "Register", "Type": "RegisterModel", "Arguments": {
                "ModelPackageGroupName": "g", "ModelApprovalStatus": "PendingManualApproval",
                "InferenceSpecification": {"Containers": [{"Image": SKLEARN, "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}],
                                           "SupportedContentTypes": ["application/json"], "SupportedResponseMIMETypes": ["application/json"]},
                "ModelMetrics": {"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": {"Std:Join": {"On": "/", "Values": [run, "evaluation", "evaluation.json"]}}}}},
                "CustomerMetadataProperties": {"pipeline-run": {"Get": "Execution.PipelineExecutionArn"}}}}],
            "ElseSteps": [{"Name": "QualityGateFailed", "Type": "Fail", "Arguments": {"ErrorMessage": "Test accuracy is below the minimum"}}]}},
    ]}


def finished(sm, arn: str) -> dict:
    for _ in range(600):
        described = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
        if described["PipelineExecutionStatus"] != "Executing":
            return described
        time.sleep(0.1)
    raise AssertionError(f"{arn} still executing after 60 s")


def test_sagemaker_pipeline_executions(aws):
    from sklearn.datasets import load_breast_cancer

    s3, sm = boto3.client("s3"), boto3.client("sagemaker")
    s3.create_bucket(Bucket="lake")
    for script in (ROOT / "modules" / "ops" / "steps").glob("*.py"):
        s3.put_object(Bucket="lake", Key=f"code/{script.name}", Body=script.read_bytes())
    data = load_breast_cancer()
    rows = [",".join([f"f{i}" for i in range(data.data.shape[1])] + ["target"])] + [",".join(map(str, [*r, t])) for r, t in zip(data.data.tolist(), data.target.tolist())]
    s3.put_object(Bucket="lake", Key="data/cancer.csv", Body="\n".join(rows).encode())
    sm.create_model_package_group(ModelPackageGroupName="g")
    sm.create_pipeline(PipelineName="p", RoleArn=ROLE, PipelineDefinition=json.dumps(pipeline_definition("lake")))

    started = sm.start_pipeline_execution(PipelineName="p")["PipelineExecutionArn"]
    assert sm.describe_pipeline_execution(PipelineExecutionArn=started)["PipelineExecutionStatus"] == "Executing"
    assert finished(sm, started)["PipelineExecutionStatus"] == "Succeeded"
    steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=started, SortOrder="Ascending")["PipelineExecutionSteps"]
    assert [(s["StepName"], s["StepStatus"]) for s in steps] == [(n, "Succeeded") for n in ("Preprocess", "Train", "Evaluate", "Baseline", "QualityGate", "Register")]
    assert steps[4]["Metadata"] == {"Condition": {"Outcome": "true"}}
    version = sm.describe_model_package(ModelPackageName=steps[5]["Metadata"]["RegisterModel"]["Arn"])
    assert (version["ModelApprovalStatus"], version["CustomerMetadataProperties"]["pipeline-run"]) == ("PendingManualApproval", started)
    bucket, key = version["InferenceSpecification"]["Containers"][0]["ModelDataUrl"].removeprefix("s3://").split("/", 1)
    assert key.endswith("-Train/output/model.tar.gz") and s3.head_object(Bucket=bucket, Key=key)["ContentLength"] > 1000
    metrics = json.loads(s3.get_object(Bucket="lake", Key=version["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"].removeprefix("s3://lake/"))["Body"].read())
    assert metrics["metrics"]["accuracy"]["value"] >= 0.9
    baseline = s3.list_objects_v2(Bucket="lake", Prefix=f"executions/{started.rsplit('/', 1)[-1]}/baseline/")["Contents"]
    assert sorted(o["Key"].rsplit("/", 1)[-1] for o in baseline) == ["constraints.json", "statistics.json"]

    # The gate fails: the Fail step's message is the execution's failure, nothing is registered.
    gated = sm.start_pipeline_execution(PipelineName="p", PipelineParameters=[{"Name": "MinAccuracy", "Value": "1.01"}])["PipelineExecutionArn"]
    assert finished(sm, gated)["FailureReason"] == "Test accuracy is below the minimum"
    newest = sm.list_pipeline_execution_steps(PipelineExecutionArn=gated)["PipelineExecutionSteps"][0]
    assert (newest["StepName"], newest["StepStatus"], newest["Metadata"]) == ("QualityGateFailed", "Failed", {"Fail": {"ErrorMessage": "Test accuracy is below the minimum"}})
    assert len(sm.list_model_packages(ModelPackageGroupName="g")["ModelPackageSummaryList"]) == 1

    typo = sm.start_pipeline_execution(PipelineName="p", PipelineParameters=[{"Name": "MinAccuracy", "Value": "high"}])["PipelineExecutionArn"]
    assert finished(sm, typo)["FailureReason"] == "ClientError: parameter MinAccuracy is Float, not 'high'"

    # No data: the first step fails with the script's own message, and nothing after it runs.
    s3.delete_object(Bucket="lake", Key="data/cancer.csv")
    empty = sm.start_pipeline_execution(PipelineName="p")["PipelineExecutionArn"]
    assert finished(sm, empty)["FailureReason"] == "ClientError: no objects under s3://lake/data/"
    assert [(s["StepName"], s["StepStatus"]) for s in sm.list_pipeline_execution_steps(PipelineExecutionArn=empty)["PipelineExecutionSteps"]] == [("Preprocess", "Failed")]


def packed_model(folder, rows: list[list[float]], labels: list[int]) -> bytes:
    """A model trained by the project's train.py, packed as SageMaker packs it."""
    import csv
    import io
    import sys
    import tarfile

    sys.path.insert(0, str(ROOT / "modules" / "ops" / "steps"))
    import train

    (folder / "train").mkdir(parents=True)
    with (folder / "train" / "train.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["a", "b", "target"], *[[*r, t] for r, t in zip(rows, labels)]])
    train.main(["--train-dir", str(folder / "train"), "--model-dir", str(folder / "model"), "--config", str(folder / "none.json")])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for item in (folder / "model").iterdir():
            tar.add(item, arcname=item.name)
    return buffer.getvalue()


def serving_endpoint(s3, sm, tmp_path, rows: list[list[float]], labels: list[int], image: str = SKLEARN) -> None:
    """A trained model behind an endpoint that captures."""
    for bucket in ("models", "capture"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="models", Key="m/model.tar.gz", Body=packed_model(tmp_path / "v1", rows, labels))
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image, "ModelDataUrl": "s3://models/m/model.tar.gz", "Environment": {"SAGEMAKER_PROGRAM": "inference.py"}})
    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
                              DataCaptureConfig={"EnableCapture": True, "InitialSamplingPercentage": 100, "DestinationS3Uri": "s3://capture/datacapture",
                                                 "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}], "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]}})
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")


def test_sagemaker_runtime_invoke_endpoint(aws, tmp_path):
    s3, sm, runtime = boto3.client("s3"), boto3.client("sagemaker"), boto3.client("sagemaker-runtime")
    rows = [[float(i), float(i % 3)] for i in range(40)]
    serving_endpoint(s3, sm, tmp_path, rows, [int(r[0] >= 20) for r in rows])
    request = json.dumps({"instances": [[2.0, 0.0], [38.0, 1.0]]})
    reply = runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Accept="application/json", Body=request)
    answer = json.loads(reply["Body"].read())
    assert answer["predictions"] == [0, 1] and len(answer["probabilities"]) == 2 and reply["InvokedProductionVariant"] == "AllTraffic"

    captured = s3.list_objects_v2(Bucket="capture", Prefix="datacapture/e/AllTraffic/")["Contents"]
    assert len(captured) == 1 and re.fullmatch(r"datacapture/e/AllTraffic/\d{4}/\d\d/\d\d/\d\d/\d\d-\d\d-\d{3}-[0-9a-f-]{36}\.jsonl", captured[0]["Key"])
    record = json.loads(s3.get_object(Bucket="capture", Key=captured[0]["Key"])["Body"].read())
    assert record["captureData"]["endpointInput"] == {"observedContentType": "application/json", "mode": "INPUT", "data": request, "encoding": "JSON"}
    assert json.loads(record["captureData"]["endpointOutput"]["data"]) == answer and record["eventVersion"] == "0" and record["eventMetadata"]["inferenceTime"].endswith("Z")

    # A model made from a registered version (as the deploy function makes them) serves that version's artifact.
    sm.create_model_package_group(ModelPackageGroupName="g")
    package = sm.create_model_package(ModelPackageGroupName="g", InferenceSpecification={
        "Containers": [{"Image": SKLEARN, "ModelDataUrl": "s3://models/m/model.tar.gz", "Environment": {"SAGEMAKER_PROGRAM": "inference.py"}}],
        "SupportedContentTypes": ["application/json"], "SupportedResponseMIMETypes": ["application/json"]})["ModelPackageArn"]
    sm.create_model(ModelName="v1", ExecutionRoleArn=ROLE, Containers=[{"ModelPackageName": package}])
    sm.create_endpoint_config(EndpointConfigName="c1", ProductionVariants=[{"VariantName": "Blue", "ModelName": "v1", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    sm.update_endpoint(EndpointName="e", EndpointConfigName="c1")
    reply = runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Accept="application/json", Body=request)
    assert (json.loads(reply["Body"].read())["predictions"], reply["InvokedProductionVariant"]) == ([0, 1], "Blue")
    sm.update_endpoint(EndpointName="e", EndpointConfigName="c")

    # What the model cannot read is the model's error (424), captured nowhere; no endpoint is a validation error.
    with pytest.raises(ClientError) as error:
        runtime.invoke_endpoint(EndpointName="e", ContentType="text/csv", Body=b"1,2")
    assert (error.value.response["Error"]["Code"], error.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("ModelError", 424)
    assert "unsupported content type text/csv" in error.value.response["Error"]["Message"]
    assert len(s3.list_objects_v2(Bucket="capture")["Contents"]) == 1
    with pytest.raises(ClientError, match="Endpoint missing of account 123456789012 not found"):
        runtime.invoke_endpoint(EndpointName="missing", ContentType="application/json", Body=request)

    # The artifact rewritten in place (a model trained on the opposite labels): the endpoint serves the new one.
    s3.put_object(Bucket="models", Key="m/model.tar.gz", Body=packed_model(tmp_path / "v2", rows, [int(r[0] < 20) for r in rows]))
    reply = runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Accept="application/json", Body=request)
    assert json.loads(reply["Body"].read())["predictions"] == [1, 0]


def test_a_models_cold_start_is_not_its_latency(aws, tmp_path, monkeypatch):
    """SageMaker loads a model when the instances start; the emulator on the first request. ModelLatency
    (what the latency rollback alarm reads) is the answer alone, so a slow load under a busy machine does
    not roll a healthy canary back."""
    from datetime import datetime, timedelta, timezone

    from emulator import serving

    s3, sm, runtime, cloudwatch = (boto3.client(n) for n in ("s3", "sagemaker", "sagemaker-runtime", "cloudwatch"))
    rows = [[float(i), float(i % 3)] for i in range(40)]
    serving_endpoint(s3, sm, tmp_path, rows, [int(r[0] >= 20) for r in rows])
    start = serving.worker
    monkeypatch.setattr(serving, "worker", lambda url, program: (time.sleep(1.5), start(url, program))[1])
    runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Body=json.dumps({"instances": [[2.0, 0.0]]}))
    now = datetime.now(timezone.utc)
    latency = cloudwatch.get_metric_statistics(Namespace="AWS/SageMaker", MetricName="ModelLatency", StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=1),
                                               Period=60, Statistics=["Maximum"], Dimensions=[{"Name": "EndpointName", "Value": "e"}, {"Name": "VariantName", "Value": "AllTraffic"}])
    assert latency["Datapoints"] and max(d["Maximum"] for d in latency["Datapoints"]) < 1_000_000, latency["Datapoints"]


def tier_image(ecr, repository: str, tag: str | None) -> str:
    """A repository of the tier's registry, as the artifact module creates it, with an image pushed at `tag`."""
    uri = ecr.create_repository(repositoryName=repository)["repository"]["repositoryUri"]
    if tag:
        ecr.put_image(repositoryName=repository, imageTag=tag, imageManifest=json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": {"digest": "sha256:" + "0" * 64}, "layers": []}))
    return uri


def test_jobs_and_models_pull_their_images(aws, tmp_path):
    """pipeline_images on the emulator: a job or a model running a tier image needs that image at its tag,
    and from another account (large's artifact account) a repository policy that lets its role pull it."""
    import retrain

    s3, sm, runtime, ecr = (boto3.client(n) for n in ("s3", "sagemaker", "sagemaker-runtime", "ecr"))
    training = tier_image(ecr, "mlops/training", "c0ffee")
    s3.create_bucket(Bucket="lake")
    for script in (ROOT / "modules" / "ops" / "steps").glob("*.py"):
        s3.put_object(Bucket="lake", Key=f"code/{script.name}", Body=script.read_bytes())
    s3.put_object(Bucket="lake", Key="data/cancer.csv", Body=retrain.demo_dataset_csv().encode())
    sm.create_model_package_group(ModelPackageGroupName="g")
    for name, image in (("pushed", f"{training}:c0ffee"), ("unpushed", f"{training}:deadbeef"), ("elsewhere", f"{training.replace('mlops/training', 'mlops/trainer')}:c0ffee")):
        sm.create_pipeline(PipelineName=name, RoleArn=ROLE, PipelineDefinition=json.dumps(pipeline_definition("lake", image)))
    assert finished(sm, sm.start_pipeline_execution(PipelineName="pushed")["PipelineExecutionArn"])["PipelineExecutionStatus"] == "Succeeded"
    assert finished(sm, sm.start_pipeline_execution(PipelineName="unpushed")["PipelineExecutionArn"])["FailureReason"] == f"ClientError: CannotPullContainerError: {training}:deadbeef: no image deadbeef in mlops/training"
    assert finished(sm, sm.start_pipeline_execution(PipelineName="elsewhere")["PipelineExecutionArn"])["FailureReason"].endswith("repository mlops/trainer does not exist in account 123456789012")
    tier_image(ecr, "mlops/sagemaker-tools", None)  # a tier repository named like AWS's images is still checked
    sm.create_pipeline(PipelineName="lookalike", RoleArn=ROLE, PipelineDefinition=json.dumps(pipeline_definition("lake", f"{training.replace('mlops/training', 'mlops/sagemaker-tools')}:v1")))
    assert finished(sm, sm.start_pipeline_execution(PipelineName="lookalike")["PipelineExecutionArn"])["FailureReason"].endswith("no image v1 in mlops/sagemaker-tools")

    # The inference image in another account: served once its repository policy lets the model's role pull it.
    other = boto3.client("sts").assume_role(RoleArn="arn:aws:iam::210987654321:role/r", RoleSessionName="artifact")["Credentials"]
    artifact_ecr = boto3.client("ecr", aws_access_key_id=other["AccessKeyId"], aws_secret_access_key=other["SecretAccessKey"], aws_session_token=other["SessionToken"])
    inference = tier_image(artifact_ecr, "mlops/inference", "c0ffee")
    rows = [[float(i), float(i % 3)] for i in range(40)]
    serving_endpoint(s3, sm, tmp_path, rows, [int(r[0] >= 20) for r in rows], image=f"{inference}:c0ffee")
    request = json.dumps({"instances": [[2.0, 0.0]]})
    with pytest.raises(ClientError, match=f"CannotPullContainerError: {re.escape(inference)}:c0ffee: the repository policy of account 210987654321 does not let {ROLE} pull it"):
        runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Body=request)
    boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))  # a policy names existing principals only
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "TierPulls", "Effect": "Allow", "Principal": {"AWS": [ROLE]}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}
    artifact_ecr.set_repository_policy(repositoryName="mlops/inference", policyText=json.dumps(policy))
    assert json.loads(runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Body=request)["Body"].read())["predictions"] == [0]


ADVANCE, FAULTS = "http://motoapi.amazonaws.com/moto-api/mlops/endpoints/deployments/advance", "http://motoapi.amazonaws.com/moto-api/mlops/endpoints/faults"


def answered_by_new(runtime, count: int) -> list[bool | None]:
    """Per request: True when the model trained on the opposite labels answered, None when it failed."""
    answers = []
    for _ in range(count):
        try:
            reply = runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Body=json.dumps({"instances": [[2.0, 0.0]]}))
            answers.append(json.loads(reply["Body"].read())["predictions"] == [1])
        except ClientError as error:
            assert (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]) == ("ModelError", 424), error.response
            answers.append(None)
    return answers


def test_sagemaker_deployment_advance(aws, tmp_path):
    """A canary moves its share of the traffic, bakes, shifts the rest and completes; a canary whose
    errors breach a rollback alarm puts everything back on the old fleet."""
    import requests

    s3, sm, runtime, cloudwatch = (boto3.client(n) for n in ("s3", "sagemaker", "sagemaker-runtime", "cloudwatch"))
    rows = [[float(i), float(i % 3)] for i in range(40)]
    serving_endpoint(s3, sm, tmp_path, rows, [int(r[0] >= 20) for r in rows])
    s3.put_object(Bucket="models", Key="m2/model.tar.gz", Body=packed_model(tmp_path / "v2", rows, [int(r[0] < 20) for r in rows]))
    sm.create_model(ModelName="m2", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": SKLEARN, "ModelDataUrl": "s3://models/m2/model.tar.gz"})
    sm.create_endpoint_config(EndpointConfigName="c2", ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": "m2", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}])
    cloudwatch.put_metric_alarm(AlarmName="e-errors", Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors", Statistic="Sum", Period=60, EvaluationPeriods=2,
                                DatapointsToAlarm=2, Threshold=2, ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
                                Dimensions=[{"Name": "EndpointName", "Value": "e"}, {"Name": "VariantName", "Value": "AllTraffic"}])
    policy = {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {"Type": "CANARY", "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 25}, "WaitIntervalInSeconds": 600},
                                        "TerminationWaitInSeconds": 300}, "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "e-errors"}]}}

    sm.update_endpoint(EndpointName="e", EndpointConfigName="c2", DeploymentConfig=policy)
    described = sm.describe_endpoint(EndpointName="e")
    assert (described["EndpointStatus"], described["EndpointConfigName"], described["PendingDeploymentSummary"]["EndpointConfigName"]) == ("Updating", "c", "c2")
    with pytest.raises(ClientError, match="Cannot update in-progress endpoint"):
        sm.update_endpoint(EndpointName="e", EndpointConfigName="c", DeploymentConfig=policy)
    assert answered_by_new(runtime, 8).count(True) == 2, "the canary takes 25% of the requests"
    baked = requests.post(ADVANCE, json={"endpoint": "e"}, timeout=10).json()
    assert baked["outcome"] == "baking with 100% of the traffic on c2" and baked["bake"] == {"green_share": 25, "served": {"blue": 6, "green": 2}}, baked
    assert baked["alarms"]["e-errors"]["state"] == "OK" and sm.describe_endpoint(EndpointName="e")["EndpointStatus"] == "Updating"
    assert answered_by_new(runtime, 2) == [True, True]
    done = requests.post(ADVANCE, json={"endpoint": "e"}, timeout=10).json()
    described = sm.describe_endpoint(EndpointName="e")
    assert (done["outcome"], described["EndpointStatus"], described["EndpointConfigName"], described["LastDeploymentConfig"]) == ("completed", "InService", "c2", policy)
    assert "PendingDeploymentSummary" not in described and "FailureReason" not in described
    invocations = cloudwatch.get_metric_statistics(Namespace="AWS/SageMaker", MetricName="Invocations", Dimensions=[{"Name": "EndpointName", "Value": "e"}, {"Name": "VariantName", "Value": "AllTraffic"}],
                                                   StartTime=described["CreationTime"], EndTime=time.time() + 60, Period=3600, Statistics=["Sum"])["Datapoints"]
    assert sum(d["Sum"] for d in invocations) == 10

    # The old model back as a canary, failing: its errors breach the alarm and the update rolls back.
    assert requests.post(FAULTS, json={"model": "m", "error": "injected"}, timeout=10).status_code == 200
    sm.update_endpoint(EndpointName="e", EndpointConfigName="c", DeploymentConfig=policy)
    assert answered_by_new(runtime, 12).count(None) == 3
    rolled = requests.post(ADVANCE, json={"endpoint": "e"}, timeout=10).json()
    described = sm.describe_endpoint(EndpointName="e")
    assert (rolled["outcome"], described["EndpointStatus"], described["EndpointConfigName"]) == ("rolled back", "InService", "c2"), rolled
    assert "e-errors" in described["FailureReason"] and rolled["alarms"]["e-errors"] == {"state": "ALARM", "reason": "Sum 3 crossed the threshold (GreaterThanThreshold 2)"}
    assert cloudwatch.describe_alarms(AlarmNames=["e-errors"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    assert answered_by_new(runtime, 3) == [True] * 3, "all traffic is back on the serving model"
    requests.post(FAULTS, json={"model": "m", "error": None}, timeout=10)

    refused = requests.post(ADVANCE, json={"endpoint": "e"}, timeout=10)
    assert (refused.status_code, refused.json()["message"]) == (400, "Endpoint e has no deployment in progress")
    assert "Could not find endpoint missing" in requests.post(ADVANCE, json={"endpoint": "missing"}, timeout=10).json()["message"]
    with pytest.raises(ClientError, match="LINEAR size .* is not a share of the new fleet"):
        sm.update_endpoint(EndpointName="e", EndpointConfigName="c", DeploymentConfig={"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {"Type": "LINEAR", "LinearStepSize": {"Type": "INSTANCE_COUNT", "Value": 2}, "WaitIntervalInSeconds": 60}}})
    assert sm.describe_endpoint(EndpointName="e")["EndpointStatus"] == "InService"


def test_sagemaker_runtime_model_faults(aws, tmp_path):
    import requests

    s3, sm, runtime, cloudwatch = (boto3.client(n) for n in ("s3", "sagemaker", "sagemaker-runtime", "cloudwatch"))
    rows = [[float(i), float(i % 3)] for i in range(40)]
    serving_endpoint(s3, sm, tmp_path, rows, [int(r[0] >= 20) for r in rows])
    assert requests.post(FAULTS, json={"model": "m", "error": "the disk is full"}, timeout=10).json() == {"model": "m", "error": "the disk is full"}
    with pytest.raises(ClientError, match='Received server error \\(500\\) from primary with message "the disk is full"') as error:
        runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Body=json.dumps({"instances": [[2.0, 0.0]]}))
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 424
    errors = [m for m in cloudwatch.list_metrics(Namespace="AWS/SageMaker")["Metrics"] if m["MetricName"] == "Invocation5XXErrors"]
    assert errors and {"Name": "EndpointName", "Value": "e"} in errors[0]["Dimensions"]
    requests.post(FAULTS, json={"model": "m", "error": None}, timeout=10)
    assert answered_by_new(runtime, 1) == [False], "cleared: the model answers again"
    assert requests.post(FAULTS, json={"error": "no model named"}, timeout=10).status_code == 400


def test_cloudformation_list_parameters(aws):
    cfn = boto3.client("cloudformation")
    template = {"Parameters": {"SubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>"}, "Name": {"Type": "String"}},
                "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}}}
    cfn.create_stack(StackName="s", TemplateBody=json.dumps(template), Parameters=[{"ParameterKey": "SubnetIds", "ParameterValue": "subnet-1,subnet-2"}, {"ParameterKey": "Name", "ParameterValue": "t"}])
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in cfn.describe_stacks(StackName="s")["Stacks"][0]["Parameters"]}
    assert parameters == {"SubnetIds": "subnet-1,subnet-2", "Name": "t"}


def test_sagemaker_monitoring_run_now(aws, tmp_path):
    """A data-quality schedule run now: the endpoint's captures through the project's record preprocessor,
    against a baseline, reports where AWS writes them, the schedule's last execution, the state-change event."""
    import requests

    from emulator import model_monitor

    s3, sm, runtime, events, sqs = (boto3.client(n) for n in ("s3", "sagemaker", "sagemaker-runtime", "events", "sqs"))
    rows = [[float(i), float(i % 3)] for i in range(40)]
    serving_endpoint(s3, sm, tmp_path, rows, [int(r[0] >= 20) for r in rows])
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "f.csv").write_text("\n".join(f"{a},{b}" for a, b in rows) + "\n")
    model_monitor.run_analyzer({"dataset_format": json.dumps({"csv": {"header": False}}), "dataset_source": str(tmp_path / "features"), "output_path": str(tmp_path / "baseline")})
    for name in ("statistics.json", "constraints.json"):
        s3.put_object(Bucket="capture", Key=f"baselines/{name}", Body=(tmp_path / "baseline" / name).read_bytes())
    s3.put_object(Bucket="capture", Key="code/record_preprocessor.py", Body=(ROOT / "modules" / "serving" / "monitor" / "record_preprocessor.py").read_bytes())
    cluster = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}}
    sm.create_data_quality_job_definition(
        JobDefinitionName="dq", RoleArn=ROLE, JobResources=cluster,
        DataQualityAppSpecification={"ImageUri": "analyzer", "RecordPreprocessorSourceUri": "s3://capture/code/record_preprocessor.py"},
        DataQualityBaselineConfig={"ConstraintsResource": {"S3Uri": "s3://capture/baselines/constraints.json"}, "StatisticsResource": {"S3Uri": "s3://capture/baselines/statistics.json"}},
        DataQualityJobInput={"EndpointInput": {"EndpointName": "e", "LocalPath": "/opt/ml/processing/input/endpoint"}},
        DataQualityJobOutputConfig={"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://capture/monitoring", "LocalPath": "/opt/ml/processing/output"}}]})
    sm.create_monitoring_schedule(MonitoringScheduleName="hourly", MonitoringScheduleConfig={"MonitoringJobDefinitionName": "dq", "MonitoringType": "DataQuality", "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}})
    queue = sqs.create_queue(QueueName="violations")["QueueUrl"]
    events.put_rule(Name="violations", EventPattern=json.dumps({"source": ["aws.sagemaker"], "detail-type": ["SageMaker Processing Job State Change"]}))
    events.put_targets(Rule="violations", Targets=[{"Id": "q", "Arn": sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]}])

    def run() -> dict:
        reply = requests.post("http://motoapi.amazonaws.com/moto-api/mlops/monitoring-schedules/run", json={"name": "hourly"}, timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def invoke(instances: list[list[float]]) -> None:
        runtime.invoke_endpoint(EndpointName="e", ContentType="application/json", Body=json.dumps({"instances": instances}))

    invoke(rows[:20])
    invoke(rows[20:])
    quiet = run()
    assert (quiet["MonitoringExecutionStatus"], quiet["violations"]) == ("Completed", 0), quiet
    invoke([[a * 10, b] for a, b in rows])  # shifted traffic: only what came since the last run is read
    drifted = run()
    assert (drifted["MonitoringExecutionStatus"], drifted["violations"]) == ("CompletedWithViolations", 1), drifted
    bucket, prefix = drifted["report"].removeprefix("s3://").split("/", 1)
    assert re.fullmatch(r"monitoring/e/hourly/\d{4}/\d\d/\d\d/\d\d", prefix)
    report = json.loads(s3.get_object(Bucket=bucket, Key=f"{prefix}/constraint_violations.json")["Body"].read())
    assert [(v["feature_name"], v["constraint_check_type"]) for v in report["violations"]] == [("_c0", "baseline_drift_check")]
    assert sm.describe_monitoring_schedule(MonitoringScheduleName="hourly")["LastMonitoringExecutionSummary"]["MonitoringExecutionStatus"] == "CompletedWithViolations"
    messages = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
    assert [m["detail"]["ExitMessage"] for m in messages] == ["Completed: Job completed successfully with no violations.", "CompletedWithViolations: Job completed successfully with 1 violations."]
    assert messages[1]["detail"]["MonitoringScheduleArn"].endswith(":monitoring-schedule/hourly") and messages[1]["detail"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == drifted["report"]

    empty = run()  # nothing captured since: the job fails, as on AWS
    assert (empty["MonitoringExecutionStatus"], empty["FailureReason"]) == ("Failed", "Job inputs had no data")
    invoke(rows[:5])
    s3.put_object(Bucket="capture", Key="code/record_preprocessor.py", Body=b"def preprocess_handler(record, logger=None):\n    raise ValueError('bad record')\n")
    broken = run()  # a preprocessor that raises fails the run with its reason, and the event says so
    assert (broken["MonitoringExecutionStatus"], broken["FailureReason"]) == ("Failed", "ValueError: bad record")
    s3.delete_object(Bucket="capture", Key="baselines/statistics.json")
    invoke(rows[:5])
    assert run()["FailureReason"] == "s3://capture/baselines/statistics.json does not exist"
    assert requests.post("http://motoapi.amazonaws.com/moto-api/mlops/monitoring-schedules/run", json={"name": "missing"}, timeout=10).status_code == 404


def test_events_targets_moto_cannot_invoke(aws, capsys):
    events, sqs = boto3.client("events"), boto3.client("sqs")
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["app"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "f", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}, {"Id": "q", "Arn": arn}])
    assert events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}"}])["FailedEntryCount"] == 0
    assert json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])["source"] == "app"
    assert "target arn:aws:lambda:us-east-1:123456789012:function:f not invoked (the emulator invokes no lambda targets)" in capsys.readouterr().err
    assert len(events.list_targets_by_rule(Rule="r")["Targets"]) == 2
