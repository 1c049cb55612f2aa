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

run "one_role_per_team_and_profiles_run_as_their_team" {
  command = plan
  variables {
    data_scientists = { alice = { email = "alice@example.com" }, bob = { email = "bob@example.com", team = "care" } }
    teams           = { care = { data_s3_uris = ["s3://mlops-raw/datasets/triage/"], model_package_group_arns = ["arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-triage"] } }
  }
  assert {
    condition     = aws_iam_role.data_scientist["default"].name == "mlops-dev-data-scientist" && aws_iam_role.data_scientist["care"].name == "mlops-dev-data-scientist-care"
    error_message = "the default team keeps release 0.x's role name; another team's role carries its name"
  }
  assert {
    condition     = aws_iam_role.data_scientist["care"].tags["mlops:team"] == "care" && aws_iam_role.data_scientist["default"].tags["mlops:team"] == "default"
    error_message = "each team's role is tagged with its team (aws:PrincipalTag/mlops:team)"
  }
  assert {
    condition     = aws_sagemaker_user_profile.this["bob"].user_settings[0].execution_role == "arn:aws:iam::111111111111:role/mlops/data-science/mlops-dev-data-scientist-care" && aws_sagemaker_user_profile.this["alice"].user_settings[0].execution_role == output.data_scientist_role_arn
    error_message = "a profile runs as its team's role"
  }
  assert {
    condition     = local.others["default"].prefixes == [{ bucket = "mlops-raw", key = "datasets/triage/" }] && length(local.others["care"].prefixes) == 0
    error_message = "the default team is denied care's data prefix; care is denied nothing of default's, which named none"
  }
  assert {
    condition     = local.others["default"].registry == ["arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-triage", "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-triage/*"]
    error_message = "the default team is denied care's registry group and its versions"
  }
}

run "rejects_a_profile_of_an_unknown_team" {
  command = plan
  variables { data_scientists = { bob = { email = "bob@example.com", team = "nobody" } } }
  expect_failures = [var.data_scientists]
}

run "rejects_a_bad_team_name" {
  command = plan
  variables { teams = { Care = {} } }
  expect_failures = [var.teams]
}

run "rejects_a_team_data_prefix_that_is_no_prefix" {
  command = plan
  variables { teams = { care = { data_s3_uris = ["s3://mlops-raw/datasets/triage"] } } }
  expect_failures = [var.teams]
}

run "rejects_a_team_group_that_is_no_group_arn" {
  command = plan
  variables { teams = { care = { model_package_group_arns = ["arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-triage/1"] } } }
  expect_failures = [var.teams]
}
