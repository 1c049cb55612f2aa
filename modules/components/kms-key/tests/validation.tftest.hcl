mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  account_id  = "111111111111"
  region      = "eu-west-1"
  name        = "mlops-test"
  description = "test key"
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "rotation must always be on"
  }
}

run "rejects_short_account_id" {
  command = plan
  variables { account_id = "1234" }
  expect_failures = [var.account_id]
}

run "rejects_short_deletion_window" {
  command = plan
  variables { deletion_window_in_days = 3 }
  expect_failures = [var.deletion_window_in_days]
}

run "rejects_aws_reserved_alias" {
  command = plan
  variables { name = "aws/s3" }
  expect_failures = [var.name]
}

run "rejects_short_rotation_period" {
  command = plan
  variables { rotation_period_in_days = 30 }
  expect_failures = [var.rotation_period_in_days]
}

run "rejects_non_service_principal" {
  command = plan
  variables { service_principals = ["arn:aws:iam::111111111111:root"] }
  expect_failures = [var.service_principals]
}

run "rejects_wildcard_user" {
  command = plan
  variables { user_arns = ["*"] }
  expect_failures = [var.user_arns]
}
