# The four account roles that large adds to medium's providers (providers_shared.tf links to
# environments/medium/providers.tf: management, dev, staging, prod).
provider "aws" {
  alias                       = "data"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.accounts.data]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = var.terraform_role_name == null ? [] : [var.accounts.data]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.terraform_role_name}"
      session_name = "terraform-${var.prefix}"
    }
  }
}

provider "aws" {
  alias                       = "ops"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.accounts.ops]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = var.terraform_role_name == null ? [] : [var.accounts.ops]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.terraform_role_name}"
      session_name = "terraform-${var.prefix}"
    }
  }
}

provider "aws" {
  alias                       = "artifact"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.accounts.artifact]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = var.terraform_role_name == null ? [] : [var.accounts.artifact]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.terraform_role_name}"
      session_name = "terraform-${var.prefix}"
    }
  }
}

provider "aws" {
  alias                       = "cicd"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.accounts.cicd]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = var.terraform_role_name == null ? [] : [var.accounts.cicd]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.terraform_role_name}"
      session_name = "terraform-${var.prefix}"
    }
  }
}
