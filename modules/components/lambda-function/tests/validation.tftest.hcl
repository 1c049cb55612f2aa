mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  account_id    = "111111111111"
  region        = "eu-west-1"
  name          = "mlops-test"
  description   = "test"
  package_path  = "README.md" # any file: the mock provider never uploads it
  kms_key_arn   = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
  kms_key_alias = "alias/mlops-test"
  policy_json   = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active" && aws_cloudwatch_log_group.this.retention_in_days == 365
    error_message = "tracing and log retention are on by default"
  }
}

run "stops_at_a_missing_package" {
  command = plan
  variables { package_path = "build/lambda/missing.zip" }
  expect_failures = [aws_lambda_function.this]
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "abc" }
  expect_failures = [var.account_id]
}

run "rejects_three_retries" {
  command = plan
  variables { async_retry_attempts = 3 }
  expect_failures = [var.async_retry_attempts]
}

run "rejects_unknown_log_level" {
  command = plan
  variables { log_level = "TRACE" }
  expect_failures = [var.log_level]
}

run "rejects_unsupported_retention" {
  command = plan
  variables { log_retention_days = 42 }
  expect_failures = [var.log_retention_days]
}

run "rejects_tiny_memory" {
  command = plan
  variables { memory_size = 64 }
  expect_failures = [var.memory_size]
}

run "rejects_long_name" {
  command = plan
  variables { name = "a-function-name-that-is-much-too-long-for-its-failure-queue" }
  expect_failures = [var.name]
}

run "rejects_zero_concurrency" {
  command = plan
  variables { reserved_concurrency = 0 }
  expect_failures = [var.reserved_concurrency]
}

run "rejects_old_runtime" {
  command = plan
  variables { runtime = "python3.8" }
  expect_failures = [var.runtime]
}

run "rejects_long_timeout" {
  command = plan
  variables { timeout = 901 }
  expect_failures = [var.timeout]
}
