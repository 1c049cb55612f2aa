# One account, one provider: the tier receives it for every role (one provider process).
locals {
  provider_role_arn = var.terraform_role_name == null ? null : "arn:${var.partition}:iam::${var.account_id}:role/${var.terraform_role_name}"
}

provider "aws" {
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.account_id]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = local.provider_role_arn == null ? [] : [local.provider_role_arn]
    content {
      role_arn     = assume_role.value
      session_name = "terraform-${var.prefix}"
    }
  }
}
