# One provider per account role. In this tier they all point at the same account; medium and
# large point them at different accounts. Modules receive them explicitly.
locals {
  provider_role_arn = var.terraform_role_name == null ? null : "arn:${var.partition}:iam::${var.account_id}:role/${var.terraform_role_name}"
}

provider "aws" {
  alias                       = "dev"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.account_id]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
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

provider "aws" {
  alias                       = "ops"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.account_id]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
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

provider "aws" {
  alias                       = "artifact"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.account_id]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
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

provider "aws" {
  alias                       = "prod"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.account_id]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
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
