mock_provider "aws" {}

variables {
  prefix          = "mlops"
  parent_id       = "r-ab12"
  allowed_regions = ["eu-west-1"]
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = length(aws_organizations_policy_attachment.this) == 7
    error_message = "three guardrails on both units and the data-scientist deny on prod"
  }
  assert {
    condition     = jsondecode(aws_organizations_policy.this["deny-regions"].content).Statement[0].Condition.StringNotEquals["aws:RequestedRegion"] == ["eu-west-1"]
    error_message = "the region guardrail lists the allowed regions"
  }
}

run "sdlc_without_the_data_scientist_deny" {
  command = plan
  assert {
    condition     = !contains(keys(aws_organizations_policy_attachment.this), "deny-data-scientists/sdlc") && contains(keys(aws_organizations_policy_attachment.this), "deny-data-scientists/prod")
    error_message = "the data-scientist deny follows the unit's setting"
  }
}

run "rejects_no_regions" {
  command = plan
  variables { allowed_regions = [] }
  expect_failures = [var.allowed_regions]
}

run "rejects_non_arn_pattern" {
  command = plan
  variables { data_scientist_principal_patterns = ["data-scientist"] }
  expect_failures = [var.data_scientist_principal_patterns]
}

run "rejects_bad_unit_key" {
  command = plan
  variables { organizational_units = { "Prod Workloads" = { name = "p" } } }
  expect_failures = [var.organizational_units]
}

run "rejects_account_id_as_parent" {
  command = plan
  variables { parent_id = "123456789012" }
  expect_failures = [var.parent_id]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "X" }
  expect_failures = [var.prefix]
}
