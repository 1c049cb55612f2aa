mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  prefix              = "mlops"
  account_id          = "111111111111"
  region              = "eu-west-1"
  artifact_bucket_arn = "arn:aws:s3:::mlops-models"
  data_scientists     = { alice = { email = "alice@example.com" } }
  network = {
    name               = "mlops-dev"
    vpc_id             = "vpc-12345678"
    subnet_ids         = ["subnet-1", "subnet-2"]
    security_group_ids = ["sg-1"]
  }
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = aws_sagemaker_domain.this.app_network_access_type == "VpcOnly"
    error_message = "Studio must be VPC-only"
  }
  assert {
    condition     = length(aws_sagemaker_user_profile.this) == 1 && length(aws_codestarconnections_connection.this) == 1
    error_message = "one profile per data scientist and a Git connection by default"
  }
}

run "codecommit_repository_by_choice" {
  command = plan
  variables { code_repository = { kind = "codecommit" } }
  assert {
    condition     = length(aws_codecommit_repository.this) == 1 && length(aws_codestarconnections_connection.this) == 0
    error_message = "kind=codecommit creates a CodeCommit repository only"
  }
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "x11111111111" }
  expect_failures = [var.account_id]
}

run "rejects_bucket_name_as_arn" {
  command = plan
  variables { artifact_bucket_arn = "mlops-models" }
  expect_failures = [var.artifact_bucket_arn]
}

run "rejects_unknown_repository_kind" {
  command = plan
  variables { code_repository = { kind = "svn" } }
  expect_failures = [var.code_repository]
}

run "rejects_unknown_git_provider" {
  command = plan
  variables { code_repository = { provider_type = "Gitea" } }
  expect_failures = [var.code_repository]
}

run "rejects_bad_repository_name" {
  command = plan
  variables { code_repository = { name = "model code" } }
  expect_failures = [var.code_repository]
}

run "rejects_bad_data_bucket_name" {
  command = plan
  variables { data_buckets = ["Raw_Data"] }
  expect_failures = [var.data_buckets]
}

run "rejects_bad_profile_name" {
  command = plan
  variables { data_scientists = { "alice smith" = { email = "alice@example.com" } } }
  expect_failures = [var.data_scientists]
}

run "rejects_bad_email" {
  command = plan
  variables { data_scientists = { alice = { email = "alice" } } }
  expect_failures = [var.data_scientists]
}

run "rejects_network_without_subnets" {
  command = plan
  variables {
    network = { name = "mlops-dev", vpc_id = "vpc-1", subnet_ids = [], security_group_ids = ["sg-1"] }
  }
  expect_failures = [var.network]
}

run "rejects_network_without_name" {
  command = plan
  variables {
    network = { name = "", vpc_id = "vpc-1", subnet_ids = ["subnet-1"], security_group_ids = ["sg-1"] }
  }
  expect_failures = [var.network]
}

run "rejects_protected_names_instead_of_arns" {
  command = plan
  variables { protected = { endpoint_arns = ["mlops-prod"] } }
  expect_failures = [var.protected]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "a" }
  expect_failures = [var.prefix]
}

run "rejects_key_arn_instead_of_alias" {
  command = plan
  variables { readable_kms_key_aliases = ["arn:aws:kms:eu-west-1:111111111111:key/x"] }
  expect_failures = [var.readable_kms_key_aliases]
}
