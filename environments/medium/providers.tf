# One provider per account: the management account, dev, staging and prod. Medium passes dev's provider
# for the data, ops, artifact and cicd roles; environments/large links to this file and adds theirs.
provider "aws" {
  alias                       = "management"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [local.management_account]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = var.terraform_role_name == null ? [] : [local.management_account]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.terraform_role_name}"
      session_name = "terraform-${var.prefix}"
    }
  }
}

provider "aws" {
  alias                       = "dev"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.accounts.dev]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = var.terraform_role_name == null ? [] : [var.accounts.dev]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.terraform_role_name}"
      session_name = "terraform-${var.prefix}"
    }
  }
}

provider "aws" {
  alias                       = "staging"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.accounts.staging]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = var.terraform_role_name == null ? [] : [var.accounts.staging]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.terraform_role_name}"
      session_name = "terraform-${var.prefix}"
    }
  }
}

provider "aws" {
  alias                       = "prod"
  region                      = var.region
  allowed_account_ids         = var.offline_plan ? null : [var.accounts.prod]
  skip_credentials_validation = var.offline_plan
  skip_requesting_account_id  = var.offline_plan
  skip_metadata_api_check     = var.offline_plan
  access_key                  = var.offline_plan ? "offline-plan" : null # placeholders: an offline plan calls no AWS API
  secret_key                  = var.offline_plan ? "offline-plan" : null
  default_tags {
    tags = local.tags
  }
  dynamic "assume_role" {
    for_each = var.terraform_role_name == null ? [] : [var.accounts.prod]
    content {
      role_arn     = "arn:${var.partition}:iam::${assume_role.value}:role/${var.terraform_role_name}"
      session_name = "terraform-${var.prefix}"
    }
  }
}
