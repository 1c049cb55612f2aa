# Captured data replicates to the account where labels and monitoring live, re-encrypted there.
locals {
  replicate             = var.capture_replication != null && var.data_capture.enabled
  capture_arn           = "${local.arn_prefix}:s3:::${local.capture_bucket}"
  replication_role_name = "${local.name_prefix}-capture-replication"
}

module "s3_trust" {
  source     = "../components/service-trust"
  count      = local.replicate ? 1 : 0
  service    = "s3.amazonaws.com"
  account_id = var.account_id
}

data "aws_iam_policy_document" "replication" {
  count = local.replicate ? 1 : 0
  statement {
    sid       = "ReadSourceConfiguration"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [local.capture_arn]
  }
  statement {
    sid       = "ReadSourceVersions"
    actions   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]
    resources = ["${local.capture_arn}/*"]
  }
  statement {
    sid       = "WriteReplicas"
    actions   = ["s3:ReplicateObject", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"]
    resources = ["${var.capture_replication.destination_bucket_arn}/*"]
  }
  statement {
    sid       = "DecryptSource"
    actions   = ["kms:Decrypt"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name]
    }
  }
  statement {
    sid       = "EncryptReplicas"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [local.foreign_keys.replicas.resource]
    dynamic "condition" {
      for_each = length(local.foreign_keys.replicas.aliases) > 0 ? [1] : []
      content {
        test     = "ForAnyValue:StringEquals"
        variable = "kms:ResourceAliases"
        values   = local.foreign_keys.replicas.aliases
      }
    }
  }
}

resource "aws_iam_role" "replication" {
  count              = local.replicate ? 1 : 0
  name               = local.replication_role_name
  path               = "/mlops/"
  description        = "Replicates ${local.capture_bucket} to ${var.capture_replication.destination_bucket_arn}"
  assume_role_policy = module.s3_trust[0].json
  tags               = merge(var.tags, { "mlops:purpose" = "replication" })
}

resource "aws_iam_role_policy" "replication" {
  count  = local.replicate ? 1 : 0
  name   = "replicate"
  role   = aws_iam_role.replication[0].name
  policy = data.aws_iam_policy_document.replication[0].json
}

resource "aws_s3_bucket_replication_configuration" "capture" {
  count      = local.replicate ? 1 : 0
  bucket     = module.capture_bucket[0].name
  role       = aws_iam_role.replication[0].arn
  depends_on = [module.capture_bucket] # versioning must be on first

  dynamic "rule" {
    for_each = local.endpoints
    content {
      id       = rule.key == "model" ? "captured-data" : "captured-data-${rule.key}" # release 0.x's rule keeps its id
      priority = index(sort(keys(local.endpoints)), rule.key)
      status   = "Enabled"
      filter {
        prefix = "${rule.value}/${rule.value}/" # the capture records only: nothing else of this bucket lands beside the labels
      }
      delete_marker_replication {
        status = "Disabled" # captured data is append-only; deletions stay local
      }
      source_selection_criteria {
        sse_kms_encrypted_objects {
          status = "Enabled"
        }
      }
      destination {
        bucket  = var.capture_replication.destination_bucket_arn
        account = var.capture_replication.destination_account_id
        access_control_translation {
          owner = "Destination"
        }
        encryption_configuration {
          replica_kms_key_id = var.capture_replication.destination_kms_key_arn
        }
      }
    }
  }
}
