mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name                 = "mlops"
  region               = "eu-west-1"
  availability_zones   = ["eu-west-1a", "eu-west-1b"]
  account_id           = "111111111111"
  flow_log_kms_key_arn = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = length(aws_subnet.private) == 2
    error_message = "one private subnet per zone"
  }
}

run "rejects_single_zone" {
  command = plan
  variables { availability_zones = ["eu-west-1a"] }
  expect_failures = [var.availability_zones]
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "12" }
  expect_failures = [var.account_id]
}

run "rejects_oversized_cidr" {
  command = plan
  variables { cidr_block = "10.0.0.0/8" }
  expect_failures = [var.cidr_block]
}
