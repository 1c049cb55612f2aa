mock_provider "aws" {}

variables {
  prefix          = "mlops"
  organization_id = "o-abcd123456"
  allowed_regions = ["eu-west-1"]
  accounts = {
    dev     = { id = "111111111111", deny_data_scientists = false }
    staging = { id = "222222222222", perimeter = true }
    prod    = { id = "333333333333", perimeter = true }
  }
  perimeter = { trusted_account_ids = ["111111111111", "999999999999"] }
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = length(aws_organizations_policy_attachment.this) == 3 * 3 + 2 + 2 * 2
    error_message = "three guardrails on every account, the data-scientist deny on staging and prod, two perimeter policies on each"
  }
  assert {
    condition     = jsondecode(aws_organizations_policy.this["deny-regions"].content).Statement[0].Condition.StringNotEquals["aws:RequestedRegion"] == ["eu-west-1"]
    error_message = "the region guardrail lists the allowed regions"
  }
  assert {
    condition     = aws_organizations_policy_attachment.this["deny-data-scientists/prod"].target_id == "333333333333" && aws_organizations_policy.this["deny-role-assumption-outside-cicd"].type == "RESOURCE_CONTROL_POLICY"
    error_message = "policies attach to the accounts themselves; the perimeter is made of resource control policies"
  }
}

run "dev_without_the_data_scientist_deny_or_perimeter" {
  command = plan
  assert {
    condition     = !contains(keys(aws_organizations_policy_attachment.this), "deny-data-scientists/dev") && !contains(keys(aws_organizations_policy_attachment.this), "deny-access-from-outside-organization/dev")
    error_message = "data scientists work in dev, outside the perimeter"
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

run "rejects_bad_account_role" {
  command = plan
  variables { accounts = { "Prod Workloads" = { id = "333333333333" } } }
  expect_failures = [var.accounts]
}

run "rejects_an_account_twice" {
  command = plan
  variables { accounts = { dev = { id = "111111111111" }, ops = { id = "111111111111" } } }
  expect_failures = [var.accounts]
}

run "rejects_bad_organization_id" {
  command = plan
  variables { organization_id = "org-1" }
  expect_failures = [var.organization_id]
}

run "rejects_empty_perimeter" {
  command = plan
  variables { perimeter = { trusted_account_ids = [] } }
  expect_failures = [var.perimeter]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "X" }
  expect_failures = [var.prefix]
}
