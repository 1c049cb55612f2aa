locals {
  name_prefix = "${var.prefix}-artifact"
  groups      = { for use_case, group in var.model_package_groups : use_case => merge(group, { name = "${var.prefix}-${use_case}" }) }
  group_arns  = { for use_case, group in local.groups : use_case => "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:model-package-group/${group.name}" }
  registry    = [for use_case in sort(keys(local.groups)) : local.group_arns[use_case]] # every group and its versions, for roles that serve them all
  versions    = [for use_case in sort(keys(local.groups)) : "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:model-package/${local.groups[use_case].name}/*"]
  readers     = sort(distinct(var.registry_reader_arns))
  writers     = sort(distinct(var.registry_writer_arns))
  pushers     = sort(distinct(var.image_pusher_arns))
  pullers     = sort(distinct(concat(local.readers, var.image_reader_arns)))
  key_users   = distinct(concat(local.pullers, local.writers, local.pushers))
  bucket_name = "${var.prefix}-${var.account_id}-${var.region}-models"
}

module "kms" {
  source             = "../components/kms-key"
  name               = local.name_prefix
  description        = "Model artifacts, container images and the model registry of ${var.prefix}"
  account_id         = var.account_id
  region             = var.region
  partition          = var.partition
  service_principals = ["sagemaker.amazonaws.com"]
  user_arns          = local.key_users
  decrypt_only_arns  = sort(setsubtract(var.feature_reader_arns, local.key_users)) # a key user decrypts already
  tags               = var.tags
}

data "aws_iam_policy_document" "models_access" {
  count = length(local.readers) + length(local.writers) > 0 ? 1 : 0
  dynamic "statement" {
    for_each = length(local.writers) > 0 ? [1] : []
    content {
      sid       = "RetrainingPipelineWritesModels"
      actions   = ["s3:PutObject", "s3:GetObject", "s3:ListBucket"]
      resources = ["arn:${var.partition}:s3:::${local.bucket_name}", "arn:${var.partition}:s3:::${local.bucket_name}/models/*"]
      principals {
        type        = "AWS"
        identifiers = local.writers
      }
    }
  }
  dynamic "statement" {
    for_each = length(local.readers) > 0 ? [1] : []
    content {
      sid       = "NamedPrincipalsReadModels"
      actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
      resources = ["arn:${var.partition}:s3:::${local.bucket_name}", "arn:${var.partition}:s3:::${local.bucket_name}/*"]
      principals {
        type        = "AWS"
        identifiers = local.readers
      }
    }
  }
}

module "models_bucket" {
  source            = "../components/bucket"
  name              = local.bucket_name
  kms_key_arn       = module.kms.arn
  kms_key_alias_arn = module.kms.alias_arn_known_at_plan
  partition         = var.partition
  object_lock       = var.object_lock
  force_destroy     = var.force_destroy
  policy_documents  = data.aws_iam_policy_document.models_access[*].json
  tags              = var.tags
}

resource "aws_ecr_repository" "this" {
  for_each             = var.ecr_repositories
  name                 = "${var.prefix}/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_destroy
  tags                 = var.tags

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = module.kms.arn
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each   = var.ecr_repositories
  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the newest ${each.value.keep_images} images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = each.value.keep_images
      }
      action = { type = "expire" }
    }]
  })
}

data "aws_iam_policy_document" "ecr_access" {
  count = length(local.pullers) + length(local.pushers) > 0 ? 1 : 0
  dynamic "statement" {
    for_each = length(local.pullers) > 0 ? [1] : []
    content {
      sid     = "NamedPrincipalsPull"
      actions = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      principals {
        type        = "AWS"
        identifiers = local.pullers
      }
    }
  }
  dynamic "statement" {
    for_each = length(local.pushers) > 0 ? [1] : []
    content {
      sid     = "ContainerBuildsPush"
      actions = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"]
      principals {
        type        = "AWS"
        identifiers = local.pushers
      }
    }
  }
}

resource "aws_ecr_repository_policy" "this" {
  for_each   = length(local.pullers) + length(local.pushers) > 0 ? var.ecr_repositories : {}
  repository = aws_ecr_repository.this[each.key].name
  policy     = data.aws_iam_policy_document.ecr_access[0].json
}

resource "aws_sagemaker_model_package_group" "this" {
  for_each                        = local.groups
  model_package_group_name        = each.value.name
  model_package_group_description = coalesce(each.value.description, "Versions of the ${var.prefix} ${each.key == "model" ? "" : "${each.key} "}model; deployments follow approvals") # a new description replaces the group
  tags                            = merge(var.tags, { "mlops:use-case" = each.key, "mlops:team" = each.value.team })
}

moved {
  from = aws_sagemaker_model_package_group.this
  to   = aws_sagemaker_model_package_group.this["model"] # release 0.x's one group, <prefix>-model
}

# Deploy roles read; the retraining pipeline registers versions (PendingManualApproval). Approval
# is never granted to another account: it happens here.
data "aws_iam_policy_document" "registry" {
  for_each = length(local.readers) + length(local.writers) > 0 ? local.group_arns : {}
  dynamic "statement" {
    for_each = length(local.readers) > 0 ? [1] : []
    content {
      sid       = "NamedPrincipalsReadRegistry"
      actions   = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"]
      resources = [each.value, "${replace(each.value, ":model-package-group/", ":model-package/")}/*"]
      principals {
        type        = "AWS"
        identifiers = local.readers
      }
    }
  }
  dynamic "statement" {
    for_each = length(local.writers) > 0 ? [1] : []
    content {
      sid       = "RetrainingPipelineRegistersForApproval"
      actions   = ["sagemaker:CreateModelPackage"]
      resources = [each.value, "${replace(each.value, ":model-package-group/", ":model-package/")}/*"]
      principals {
        type        = "AWS"
        identifiers = local.writers
      }
      condition {
        test     = "StringEquals"
        variable = "sagemaker:ModelApprovalStatus"
        values   = ["PendingManualApproval"]
      }
    }
  }
  dynamic "statement" {
    for_each = length(local.writers) > 0 ? [1] : []
    content {
      sid       = "RetrainingPipelineReads"
      actions   = ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"]
      resources = [each.value, "${replace(each.value, ":model-package-group/", ":model-package/")}/*"]
      principals {
        type        = "AWS"
        identifiers = local.writers
      }
    }
  }
}

resource "aws_sagemaker_model_package_group_policy" "this" {
  for_each                 = data.aws_iam_policy_document.registry
  model_package_group_name = aws_sagemaker_model_package_group.this[each.key].model_package_group_name
  resource_policy          = each.value.json
}

moved {
  from = aws_sagemaker_model_package_group_policy.this[0]
  to   = aws_sagemaker_model_package_group_policy.this["model"]
}

# The model approver: people (model-risk reviewers, ML leads) who approve or reject versions here.
# Approval is never granted to another account or to automation.
data "aws_iam_policy_document" "approve" {
  statement {
    sid       = "ApproveOrRejectVersions"
    actions   = ["sagemaker:UpdateModelPackage"]
    resources = local.versions
    condition {
      test     = "StringEquals"
      variable = "sagemaker:ModelApprovalStatus"
      values   = ["Approved", "Rejected"]
    }
  }
  statement {
    sid       = "ReviewVersions"
    actions   = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"]
    resources = concat(local.registry, local.versions)
  }
  statement {
    sid       = "FindGroups"
    actions   = ["sagemaker:ListModelPackageGroups"]
    resources = ["*"] # List calls are not resource-scoped
  }
}

module "model_approver" {
  source         = "../components/human-role"
  name           = "${local.name_prefix}-model-approver"
  path           = "/mlops/approval/"
  description    = "Approves or rejects versions of the ${var.prefix} models; approval starts the deployment"
  account_id     = var.account_id
  partition      = var.partition
  principal_arns = var.approver_principal_arns
  policy_json    = data.aws_iam_policy_document.approve.json
  tags           = var.tags
}
