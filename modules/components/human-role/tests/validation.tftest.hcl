mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  account_id     = "111111111111"
  name           = "mlops-model-approver"
  path           = "/mlops/approval/"
  description    = "Approves model versions"
  policy_json    = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  principal_arns = ["arn:aws:iam::111111111111:role/ModelApprover"]
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = output.arn == "arn:aws:iam::111111111111:role/mlops/approval/mlops-model-approver"
    error_message = "the ARN is built from the account, path and name"
  }
}

run "rejects_account_root" {
  command = plan
  variables { principal_arns = ["arn:aws:iam::111111111111:root"] }
  expect_failures = [var.principal_arns]
}

run "rejects_wildcards" {
  command = plan
  variables { principal_arns = ["arn:aws:iam::111111111111:role/*"] }
  expect_failures = [var.principal_arns]
}

run "rejects_nobody" {
  command = plan
  variables { principal_arns = [] }
  expect_failures = [var.principal_arns]
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "1111" }
  expect_failures = [var.account_id]
}

run "rejects_bad_name" {
  command = plan
  variables { name = "model approver" }
  expect_failures = [var.name]
}

run "rejects_path_without_slashes" {
  command = plan
  variables { path = "mlops/approval" }
  expect_failures = [var.path]
}
