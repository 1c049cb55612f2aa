# The real provider, offline: aws_iam_policy_document renders locally, so the test reads the real JSON.
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  account_id = "111111111111"
  service    = "sagemaker.amazonaws.com"
}

run "renders_the_trust_policy" {
  command = plan
  assert {
    condition     = jsondecode(output.json).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111111111111"
    error_message = "the trust is limited to the account"
  }
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "1" }
  expect_failures = [var.account_id]
}

run "rejects_non_service_principal" {
  command = plan
  variables { service = "arn:aws:iam::111111111111:root" }
  expect_failures = [var.service]
}
