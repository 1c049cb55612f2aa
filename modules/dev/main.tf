locals {
  name_prefix  = "${var.prefix}-dev"
  arn_prefix   = "arn:${var.partition}"
  data_buckets = { for b in var.data_buckets : b => "${var.prefix}-${var.account_id}-${var.region}-${b}" }
}

module "kms" {
  source             = "../components/kms-key"
  name               = local.name_prefix
  description        = "SageMaker Studio storage and data buckets of ${var.prefix}"
  account_id         = var.account_id
  region             = var.region
  partition          = var.partition
  service_principals = ["sagemaker.amazonaws.com"]
  tags               = var.tags
}

module "data_bucket" {
  source            = "../components/bucket"
  for_each          = local.data_buckets
  name              = each.value
  kms_key_arn       = module.kms.arn
  kms_key_alias_arn = module.kms.alias_arn_known_at_plan
  partition         = var.partition
  force_destroy     = var.force_destroy
  tags              = var.tags
}

resource "aws_codecommit_repository" "this" {
  count           = var.code_repository.kind == "codecommit" ? 1 : 0
  repository_name = var.code_repository.name
  description     = "Model code of ${var.prefix}: pipelines, features, training"
  kms_key_id      = module.kms.arn
  tags            = var.tags
}

# An external Git provider (GitHub, GitLab, Bitbucket). Terraform creates it PENDING: an
# administrator completes the handshake once in the console (Developer Tools > Connections).
resource "aws_codestarconnections_connection" "this" {
  count         = var.code_repository.kind == "connection" ? 1 : 0
  name          = substr("${var.prefix}-${var.code_repository.name}", 0, 32)
  provider_type = var.code_repository.provider_type
  tags          = var.tags
}
