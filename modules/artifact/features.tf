# Feature Store: feature groups with online (KMS) and offline (S3, KMS) stores, shared with the
# dev and ops accounts through AWS RAM (cross-account Feature Store access).
locals {
  features_bucket    = "${var.prefix}-${var.account_id}-${var.region}-features"
  feature_role_name  = "${local.name_prefix}-feature-store"
  feature_role_arn   = "arn:${var.partition}:iam::${var.account_id}:role/mlops/${local.feature_role_name}"
  has_feature_groups = length(var.feature_groups) > 0
  offline_prefix     = "offline"
}

module "features_bucket" {
  source            = "../components/bucket"
  count             = local.has_feature_groups ? 1 : 0
  name              = local.features_bucket
  kms_key_arn       = module.kms.arn
  kms_key_alias_arn = module.kms.alias_arn_known_at_plan
  partition         = var.partition
  policy_documents  = data.aws_iam_policy_document.offline_store_readers[*].json
  force_destroy     = var.force_destroy
  tags              = var.tags
}

# The retraining pipeline in another account reads the offline store (it finds each group's files
# through DescribeFeatureGroup, on the group shared through RAM); it writes nothing here.
data "aws_iam_policy_document" "offline_store_readers" {
  count = local.has_feature_groups && length(var.feature_reader_arns) > 0 ? 1 : 0
  statement {
    sid       = "ReadersReadOfflineStore"
    actions   = ["s3:GetObject"]
    resources = ["arn:${var.partition}:s3:::${local.features_bucket}/${local.offline_prefix}/*"]
    principals {
      type        = "AWS"
      identifiers = sort(distinct(var.feature_reader_arns))
    }
  }
  statement {
    sid       = "ReadersListOfflineStore"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${var.partition}:s3:::${local.features_bucket}"]
    principals {
      type        = "AWS"
      identifiers = sort(distinct(var.feature_reader_arns))
    }
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.offline_prefix}/*"]
    }
  }
}

module "sagemaker_trust" {
  source     = "../components/service-trust"
  service    = "sagemaker.amazonaws.com"
  account_id = var.account_id
}

data "aws_iam_policy_document" "feature_store" {
  statement {
    sid       = "OfflineStore"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:GetBucketAcl", "s3:PutObjectAcl", "s3:ListBucket"]
    resources = ["arn:${var.partition}:s3:::${local.features_bucket}", "arn:${var.partition}:s3:::${local.features_bucket}/*"]
  }
  statement {
    sid       = "OfflineStoreCatalog"
    actions   = ["glue:GetTable", "glue:UpdateTable", "glue:CreateTable", "glue:GetDatabase", "glue:CreateDatabase"]
    resources = ["arn:${var.partition}:glue:${var.region}:${var.account_id}:catalog", "arn:${var.partition}:glue:${var.region}:${var.account_id}:database/sagemaker_featurestore", "arn:${var.partition}:glue:${var.region}:${var.account_id}:table/sagemaker_featurestore/*"]
  }
  statement {
    sid       = "UseKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["arn:${var.partition}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name]
    }
  }
}

resource "aws_iam_role" "feature_store" {
  count              = local.has_feature_groups ? 1 : 0
  name               = local.feature_role_name
  path               = "/mlops/"
  description        = "Feature Store writes the offline store of ${var.prefix}'s feature groups"
  assume_role_policy = module.sagemaker_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "feature_store" {
  count  = local.has_feature_groups ? 1 : 0
  name   = "offline-store"
  role   = aws_iam_role.feature_store[0].name
  policy = data.aws_iam_policy_document.feature_store.json
}

resource "aws_sagemaker_feature_group" "this" {
  for_each                       = var.feature_groups
  feature_group_name             = "${var.prefix}-${each.key}"
  record_identifier_feature_name = each.value.record_identifier
  event_time_feature_name        = each.value.event_time
  role_arn                       = local.feature_role_arn
  description                    = "Features of ${var.prefix}: ${each.key}"
  tags                           = merge(var.tags, each.value.team == null ? {} : { "mlops:team" = each.value.team })

  dynamic "feature_definition" {
    for_each = each.value.features
    content {
      feature_name = feature_definition.key
      feature_type = feature_definition.value
    }
  }

  dynamic "online_store_config" {
    for_each = each.value.online ? [1] : []
    content {
      enable_online_store = true
      security_config {
        kms_key_id = module.kms.arn
      }
    }
  }

  offline_store_config {
    disable_glue_table_creation = false
    s3_storage_config {
      s3_uri     = "s3://${local.features_bucket}/${local.offline_prefix}"
      kms_key_id = module.kms.arn
    }
  }
  depends_on = [aws_iam_role_policy.feature_store, module.features_bucket]
}

resource "aws_ram_resource_share" "features" {
  count                     = local.has_feature_groups && length(var.feature_consumer_account_ids) > 0 ? 1 : 0
  name                      = "${var.prefix}-feature-groups"
  allow_external_principals = false # organization members only
  tags                      = var.tags
}

resource "aws_ram_resource_association" "features" {
  for_each           = length(aws_ram_resource_share.features) > 0 ? aws_sagemaker_feature_group.this : {}
  resource_arn       = each.value.arn
  resource_share_arn = aws_ram_resource_share.features[0].arn
}

resource "aws_ram_principal_association" "features" {
  for_each           = length(aws_ram_resource_share.features) > 0 ? toset(var.feature_consumer_account_ids) : []
  principal          = each.value
  resource_share_arn = aws_ram_resource_share.features[0].arn
}
