mock_provider "aws" {
  alias = "management"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "dev"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "data"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "ops"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "artifact"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "cicd"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "staging"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "prod"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  accounts        = { dev = "111111111111", data = "444444444444", ops = "555555555555", artifact = "666666666666", cicd = "777777777777", staging = "222222222222", prod = "333333333333" }
  data_lake       = { admin_arns = ["arn:aws:iam::444444444444:role/TerraformExecution"], tables = { t = { columns = { id = "string" } } } }
  model_approvers = ["arn:aws:iam::111111111111:role/ModelApprover"]
}

# The variables in shared_variables.tf (a link to medium's) are tested in environments/medium.
run "seven_accounts" {
  command = plan
  assert {
    condition     = length(distinct([for role in ["dev", "data", "ops", "artifact", "cicd", "staging", "prod"] : output.account_roles[role]])) == 7
    error_message = "large gives each role its own account"
  }
}

run "rejects_short_account" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { accounts = { dev = "1", data = "444444444444", ops = "555555555555", artifact = "666666666666", cicd = "777777777777", staging = "222222222222", prod = "333333333333" } }
  expect_failures = [var.accounts]
}

run "rejects_shared_account" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { accounts = { dev = "111111111111", data = "111111111111", ops = "555555555555", artifact = "666666666666", cicd = "777777777777", staging = "222222222222", prod = "333333333333" } }
  expect_failures = [var.accounts]
}
