"""Ordinary Terraform in another style (tests/fixtures/community): one account named only by its
provider, AWS managed policies, managed_policy_arns, standalone policies with attachments, ARNs from
resource attributes. The suite finds its known flaws, passes its known-good parts, and says what it
cannot evaluate instead of skipping it."""
from __future__ import annotations


import pytest

from fixtures import write
from plans import community_plan
from policy.model import Model
from policy.rules import evaluate

pytestmark = pytest.mark.xdist_group("community")

KNOWN_FLAWS = {
    ("MLOPS-002", "aws_iam_role.notebook"),  # a notebook's execution role is a data scientist: no boundary
    ("MLOPS-003", "aws_iam_role.notebook"),  # AmazonSageMakerFullAccess: approve, register, rewrite the pipeline, leave the VPC
    ("MLOPS-005", "aws_iam_role.notebook"),  # SageMaker may assume it on any account's behalf
    ("MLOPS-006", "aws_s3_bucket.data"),
    ("MLOPS-006", "aws_s3_bucket.models"),
    ("MLOPS-011", "aws_iam_role.notebook"),  # iam:PassRole on role/* (from the AWS managed policy)
    ("MLOPS-016", "aws_iam_policy.training"),  # jsonencode around a bucket ARN: unknown until apply
    ("MLOPS-016", "aws_iam_role.reporting"),  # managed_policy_arns mixing constants and references
    ("MLOPS-016", "aws_iam_role_policy_attachment.inference_extra"),  # not in the managed-policy snapshot
    ("MLOPS-018", "aws_sagemaker_pipeline.train"),  # a run chooses the approval status
}
KNOWN_GOOD = {
    "aws_iam_role.inference", "aws_iam_role_policy.inference", "aws_iam_policy.data_access", "aws_iam_role.training",
    "aws_iam_role_policy_attachment.training", "aws_iam_role_policy_attachment.notebook_data", "aws_sagemaker_notebook_instance.lab",
}


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return write(community_plan(), tmp_path_factory.mktemp("community"), "community")


def test_known_flaws_are_found_and_nothing_else(plan):
    found = {(v.rule, v.address) for v in evaluate(plan)}
    assert found == KNOWN_FLAWS
    assert not {address for _, address in found} & KNOWN_GOOD, "no false positives on the good parts"


def test_the_account_comes_from_the_provider_and_principals_by_what_they_are(plan):
    model = Model(plan)
    assert plan.account_roles == {"default": "210987654321"}
    assert model.duties.kinds["data-scientist"] == {"arn:aws:iam::210987654321:role/acme-notebook"}
    assert model.duties.kinds["retraining-pipeline"] == {"arn:aws:iam::210987654321:role/acme-training"}


def test_references_and_managed_policies_are_evaluated(plan):
    model = Model(plan)
    notebook = model.principals["arn:aws:iam::210987654321:role/acme-notebook"]
    resources = [s.get("Resource") for d in notebook.policies for s in d["Statement"]]
    assert ["arn:aws:s3:::acme-ml-data", "arn:aws:s3:::acme-ml-data/*"] in resources, "data.aws_iam_policy_document rendered from the bucket it names"
    assert any("taken as ['arn:aws:s3:::acme-ml-data'" in note for note in plan.notes), "the approximation is said"
    assert any(s.get("Sid") == "AllowAllNonAdminSageMakerActions" for d in notebook.policies for s in d["Statement"]), "AmazonSageMakerFullAccess from the snapshot"
    inference = model.principals["arn:aws:iam::210987654321:role/acme-inference"]
    assert inference.policies and inference.policies[0]["Statement"][0]["Action"] == "sagemaker:InvokeEndpoint", "attached through role = aws_iam_role.inference.id"


def test_what_cannot_be_evaluated_is_said_with_the_reason(plan):
    said = {v.address: v.message for v in evaluate(plan) if v.rule == "MLOPS-016"}
    assert "around aws_s3_bucket.models.arn" in said["aws_iam_policy.training"]
    assert "not its constant elements" in said["aws_iam_role.reporting"]
    assert "not in the offline snapshot" in said["aws_iam_role_policy_attachment.inference_extra"]


def test_a_path_through_a_passed_role_is_found(plan):
    duties = Model(plan).duties
    assert "arn:aws:iam::210987654321:role/acme-training" in duties.paths["arn:aws:iam::210987654321:role/acme-notebook"]
    reasons = {e.reason for e in duties.reach.all_edges() if e.source.arn.endswith("acme-notebook") and e.destination.arn.endswith("acme-training")}
    assert any("can pass it to sagemaker" in r for r in reasons) and any("sagemaker:UpdatePipeline" in r for r in reasons), reasons
