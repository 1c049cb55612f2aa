# Captured requests and responses of the serving stages, replicated here (where labels are joined
# and models retrained), re-encrypted with this account's key.
locals {
  captured_bucket   = "${var.prefix}-${var.account_id}-${var.region}-captured"
  replication_roles = sort([for s in values(var.capture_sources) : s.replication_role_arn])
}

data "aws_iam_policy_document" "captured_replicas" {
  count = length(var.capture_sources) > 0 ? 1 : 0
  statement {
    sid       = "ServingStagesReplicateHere"
    actions   = ["s3:ReplicateObject", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"]
    resources = ["arn:${var.partition}:s3:::${local.captured_bucket}/*"]
    principals {
      type        = "AWS"
      identifiers = local.replication_roles
    }
  }
  statement {
    sid       = "ServingStagesCheckVersioning"
    actions   = ["s3:GetBucketVersioning"]
    resources = ["arn:${var.partition}:s3:::${local.captured_bucket}"]
    principals {
      type        = "AWS"
      identifiers = local.replication_roles
    }
  }
}

module "captured_bucket" {
  source            = "../components/bucket"
  count             = length(var.capture_sources) > 0 ? 1 : 0
  name              = local.captured_bucket
  kms_key_arn       = module.kms.arn
  kms_key_alias_arn = module.kms.alias_arn_known_at_plan
  partition         = var.partition
  force_destroy     = var.force_destroy
  policy_documents  = data.aws_iam_policy_document.captured_replicas[*].json
  tags              = var.tags
}
