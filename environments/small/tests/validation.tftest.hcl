mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  account_id         = "111111111111"
  offline_plan       = true
  lambda_package_dir = "../../build/lambda"
  model_approvers    = ["arn:aws:iam::111111111111:role/ModelApprover"]
}

run "valid_inputs_plan" {
  command = plan
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "12345" }
  expect_failures = [var.account_id]
}

run "rejects_unknown_partition" {
  command = plan
  variables { partition = "aws-eu" }
  expect_failures = [var.partition]
}

run "rejects_bad_region" {
  command = plan
  variables { region = "Ireland" }
  expect_failures = [var.region]
}

run "rejects_tag_keys_iam_rejects" {
  command = plan
  variables { tags = { "" = "x", "cost center!" = "y" } }
  expect_failures = [var.tags]
}

run "rejects_aws_tag_keys" {
  command = plan
  variables { tags = { "aws:owner" = "me" } }
  expect_failures = [var.tags]
}

run "rejects_tag_values_iam_rejects" {
  command = plan
  variables { tags = { owner = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" } }
  expect_failures = [var.tags]
}

run "rejects_bad_state_id" {
  command = plan
  variables { state_id = "not/an id" }
  expect_failures = [var.state_id]
}

run "rejects_a_prefix_that_makes_names_too_long" {
  command = plan
  variables { prefix = "abcdefghijklmnopqrst" }
  expect_failures = [var.prefix]
}

run "rejects_an_empty_vpc_cidr_with_its_own_message" {
  command = plan
  variables { vpc_cidr = "" }
  expect_failures = [var.vpc_cidr]
}
