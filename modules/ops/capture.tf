# Captured requests and responses of the serving stages, replicated here (where labels are joined
# and models retrained), re-encrypted with this account's key.
locals {
  captured_bucket   = "${var.prefix}-${var.account_id}-${var.region}-captured"
  replication_roles = sort([for s in values(var.capture_sources) : s.replication_role_arn])
  label_readers     = { for stage, s in var.capture_sources : stage => s.monitor_role_arn if s.monitor_role_arn != null }
  label_prefixes    = { for stage, s in var.capture_sources : stage => [for endpoint in coalesce(s.endpoint_names, ["${var.prefix}-${stage}"]) : "ground-truth/${endpoint}"] }
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
  # Each stage's monitor reads the labels of its own endpoints' captures (ground-truth/<endpoint>/).
  dynamic "statement" {
    for_each = local.label_readers
    content {
      sid       = "${title(statement.key)}MonitorReadsLabels"
      actions   = ["s3:GetObject"]
      resources = [for prefix in local.label_prefixes[statement.key] : "arn:${var.partition}:s3:::${local.captured_bucket}/${prefix}/*"]
      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
    }
  }
  dynamic "statement" {
    for_each = local.label_readers
    content {
      sid       = "${title(statement.key)}MonitorListsLabels"
      actions   = ["s3:ListBucket"]
      resources = ["arn:${var.partition}:s3:::${local.captured_bucket}"]
      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = flatten([for prefix in local.label_prefixes[statement.key] : [prefix, "${prefix}/*"]])
      }
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
