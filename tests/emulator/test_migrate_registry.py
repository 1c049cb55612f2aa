"""medium -> large: the registry moves to the artifact account, versions, statuses, metadata and artifacts
intact, and a re-run after any interruption finishes the job without a duplicate (in-process moto, two
accounts reached through assumed roles as on the emulator)."""
from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

import migrate_registry
from emulator import extensions

SOURCE_ACCOUNT, TARGET_ACCOUNT, REGION = "111111111111", "666666666666", "us-east-1"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def session(account: str) -> boto3.Session:
    sts = boto3.client("sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="migration")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name=REGION)


def registry(account: str, bucket: str) -> tuple[boto3.Session, str]:
    """A model package group and an encrypted model bucket in one account."""
    account_session = session(account)
    key = account_session.client("kms").create_key()["KeyMetadata"]["Arn"]
    s3 = account_session.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    group = account_session.client("sagemaker").create_model_package_group(ModelPackageGroupName="mlops-model")["ModelPackageGroupArn"]
    return account_session, group


def register(account_session: boto3.Session, bucket: str, number: int, status: str) -> str:
    s3, sm = account_session.client("s3"), account_session.client("sagemaker")
    prefix = f"models/pipelines-{number}/output"
    s3.put_object(Bucket=bucket, Key=f"{prefix}/model.tar.gz", Body=f"model {number}".encode() * 100, ServerSideEncryption="aws:kms")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/evaluation.json", Body=json.dumps({"metrics": {"accuracy": {"value": 0.9 + number / 100}}}).encode(), ServerSideEncryption="aws:kms")
    return sm.create_model_package(
        ModelPackageGroupName="mlops-model", ModelApprovalStatus=status, ModelPackageDescription=f"run {number}",
        InferenceSpecification={"Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://{bucket}/{prefix}/model.tar.gz"}],
                                "SupportedContentTypes": ["application/json"], "SupportedResponseMIMETypes": ["application/json"]},
        ModelMetrics={"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": f"s3://{bucket}/{prefix}/evaluation.json"}}},
        MetadataProperties={"GeneratedBy": f"arn:aws:sagemaker:{REGION}:{SOURCE_ACCOUNT}:pipeline/mlops-retraining/execution/run{number}", "CommitId": f"c{number}"},
        CustomerMetadataProperties={"hyperparameters": json.dumps({"max_depth": number}), "training-data": "s3://mlops-lake/datasets/training/"},
    )["ModelPackageArn"]


@pytest.fixture
def accounts(aws_credentials):
    extensions.install()  # the emulator's SageMaker, as the script meets it there
    with mock_aws():
        source, source_group = registry(SOURCE_ACCOUNT, "mlops-111111111111-us-east-1-models")
        target, target_group = registry(TARGET_ACCOUNT, "mlops-666666666666-us-east-1-models")
        yield source, source_group, target, target_group


def described(account_session: boto3.Session) -> list[dict]:
    return migrate_registry.versions(account_session.client("sagemaker"), "mlops-model")


def test_every_version_moves_with_its_status_metadata_and_artifacts_and_a_rerun_changes_nothing(accounts):
    source, source_group, target, target_group = accounts
    statuses = ["Approved", "Rejected", "Approved", "PendingManualApproval"]
    originals = [register(source, "mlops-111111111111-us-east-1-models", n, status) for n, status in enumerate(statuses, 1)]

    counts = migrate_registry.migrate(source, target, source_group, target_group, "mlops-666666666666-us-east-1-models")
    assert counts == {"registered": 4, "already there": 0, "status updated": 0, "objects copied": 8}
    copies = described(target)
    assert [c["ModelApprovalStatus"] for c in copies] == statuses
    assert [c["ModelPackageVersion"] for c in copies] == [1, 2, 3, 4]
    assert [c["CustomerMetadataProperties"][migrate_registry.MARKER] for c in copies] == originals
    for number, (old, new) in enumerate(zip(described(source), copies), 1):
        assert new["MetadataProperties"] == old["MetadataProperties"], "lineage: the pipeline execution and the commit"
        assert new["ModelPackageDescription"] == f"run {number}" and new["CustomerMetadataProperties"]["hyperparameters"] == json.dumps({"max_depth": number})
        assert new["CustomerMetadataProperties"]["training-data"] == "s3://mlops-lake/datasets/training/", "a reference, not an artifact: neither copied nor rewritten"
        model = new["InferenceSpecification"]["Containers"][0]
        assert model["Image"] == IMAGE and model["ModelDataUrl"] == f"s3://mlops-666666666666-us-east-1-models/models/pipelines-{number}/output/model.tar.gz"
        report = new["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
        body = target.client("s3").get_object(Bucket="mlops-666666666666-us-east-1-models", Key=report.split("/", 3)[3])
        assert json.loads(body["Body"].read())["metrics"]["accuracy"]["value"] == pytest.approx(0.9 + number / 100)
        assert body["ServerSideEncryption"] == "aws:kms"

    again = migrate_registry.migrate(source, target, source_group, target_group, "mlops-666666666666-us-east-1-models")
    assert again == {"registered": 0, "already there": 4, "status updated": 0, "objects copied": 0}
    assert len(described(target)) == 4


def test_an_artifact_rewritten_at_the_source_is_copied_again_even_at_the_same_size(accounts):
    source, source_group, target, target_group = accounts
    register(source, "mlops-111111111111-us-east-1-models", 1, "Approved")
    migrate_registry.migrate(source, target, source_group, target_group, "mlops-666666666666-us-east-1-models")
    key = "models/pipelines-1/output/model.tar.gz"
    source.client("s3").put_object(Bucket="mlops-111111111111-us-east-1-models", Key=key, Body=b"MODEL 1" * 100, ServerSideEncryption="aws:kms")
    again = migrate_registry.migrate(source, target, source_group, target_group, "mlops-666666666666-us-east-1-models")
    assert again["objects copied"] == 1
    assert target.client("s3").get_object(Bucket="mlops-666666666666-us-east-1-models", Key=key)["Body"].read() == b"MODEL 1" * 100


def test_an_interrupted_migration_resumes_and_catches_up_with_later_approvals(accounts, monkeypatch):
    source, source_group, target, target_group = accounts
    originals = [register(source, "mlops-111111111111-us-east-1-models", n, "PendingManualApproval") for n in (1, 2, 3)]
    real_create, calls = migrate_registry.registration, []

    def dies_on_the_second(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a lost connection, between two versions
        return real_create(*args)

    monkeypatch.setattr(migrate_registry, "registration", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        migrate_registry.migrate(source, target, source_group, target_group, "mlops-666666666666-us-east-1-models")
    monkeypatch.setattr(migrate_registry, "registration", real_create)
    assert len(described(target)) == 1

    source.client("sagemaker").update_model_package(ModelPackageArn=originals[0], ModelApprovalStatus="Approved")
    counts = migrate_registry.migrate(source, target, source_group, target_group, "mlops-666666666666-us-east-1-models")
    assert counts["registered"] == 2 and counts["already there"] == 1 and counts["status updated"] == 1
    assert [c["CustomerMetadataProperties"][migrate_registry.MARKER] for c in described(target)] == originals
    assert [c["ModelApprovalStatus"] for c in described(target)] == ["Approved", "PendingManualApproval", "PendingManualApproval"]


def test_bad_arguments_fail_with_a_reason_before_anything_is_read(capsys):
    with pytest.raises(SystemExit) as stopped:
        migrate_registry.main(["--source-group", "mlops-model", "--target-group", "arn:aws:sagemaker:us-east-1:666666666666:model-package-group/mlops-model",
                               "--target-bucket", "b"])
    assert "is not a model package group ARN" in str(stopped.value)
