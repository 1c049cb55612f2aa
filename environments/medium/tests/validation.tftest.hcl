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
  accounts        = { dev = "111111111111", staging = "222222222222", prod = "333333333333" }
  model_approvers = ["arn:aws:iam::111111111111:role/ModelApprover"]
}

run "three_accounts" {
  command = plan
  assert {
    condition     = output.account_roles.staging == "222222222222" && output.account_roles.ops == "111111111111"
    error_message = "medium puts ops in dev and staging in its own account"
  }
}

run "rejects_bad_partition" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { partition = "aws-moon" }
  expect_failures = [var.partition]
}

run "rejects_bad_prefix" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { prefix = "MLOps" }
  expect_failures = [var.prefix]
}

run "rejects_bad_region" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { region = "europe" }
  expect_failures = [var.region]
}

run "rejects_bad_org_id" {
  command = plan
  plan_options { target = [module.tier.module.org] } # reads the variable: its validation runs, the rest is not planned
  variables { organization = { id = "org-1" } }
  expect_failures = [var.organization]
}

run "rejects_managed_org_without_management_account" {
  command = plan
  plan_options { target = [module.tier.module.org] } # reads the variable: its validation runs, the rest is not planned
  variables { organization = { manage = true, id = "o-abcd123456", allowed_regions = ["us-east-1"] } }
  expect_failures = [var.organization]
}

run "rejects_short_account" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { accounts = { dev = "1", staging = "222222222222", prod = "333333333333" } }
  expect_failures = [var.accounts]
}

run "rejects_shared_account" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { accounts = { dev = "111111111111", staging = "222222222222", prod = "222222222222" } }
  expect_failures = [var.accounts]
}

run "rejects_tag_keys_iam_rejects" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { tags = { "" = "x", "cost center!" = "y" } }
  expect_failures = [var.tags]
}

run "rejects_aws_tag_keys" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { tags = { "aws:owner" = "me" } }
  expect_failures = [var.tags]
}

run "rejects_tag_values_iam_rejects" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { tags = { owner = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" } }
  expect_failures = [var.tags]
}

run "rejects_bad_state_id" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { state_id = "not/an id" }
  expect_failures = [var.state_id]
}
