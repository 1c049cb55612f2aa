mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

# The shared inputs (environments/medium/shared_variables.tf) are tested where they live.
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
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { account_id = "12345" }
  expect_failures = [var.account_id]
}

run "rejects_an_empty_vpc_cidr_with_its_own_message" {
  command = plan
  plan_options { target = [module.tier.module.network_dev] } # reads the variable: its validation runs, the rest is not planned
  variables { vpc_cidr = "" }
  expect_failures = [var.vpc_cidr]
}
