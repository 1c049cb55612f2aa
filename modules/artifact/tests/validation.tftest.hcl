mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  prefix                  = "mlops"
  account_id              = "111111111111"
  region                  = "eu-west-1"
  model_package_groups    = { model = {} }
  approver_principal_arns = ["arn:aws:iam::111111111111:role/ModelApprover"]
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_tag_mutability == "IMMUTABLE" && r.image_scanning_configuration[0].scan_on_push])
    error_message = "repositories must be immutable and scanned on push"
  }
  assert {
    condition     = length(aws_sagemaker_model_package_group_policy.this) == 0
    error_message = "no registry policy without readers"
  }
}

run "only_the_approver_role_approves" {
  command = plan
  assert {
    condition     = module.model_approver.arn == "arn:aws:iam::111111111111:role/mlops/approval/mlops-artifact-model-approver"
    error_message = "the model approver lives under /mlops/approval/, where the policy suite looks for approvers"
  }
}

run "readers_get_registry_and_image_policies" {
  command = plan
  variables { registry_reader_arns = ["arn:aws:iam::222222222222:role/deploy"] }
  assert {
    condition     = length(aws_sagemaker_model_package_group_policy.this) == 1 && length(aws_ecr_repository_policy.this) == 2
    error_message = "readers need the registry and pull policies"
  }
}

run "one_group_and_policy_per_use_case" {
  command = plan
  variables {
    model_package_groups = { model = {}, fraud = {} }
    registry_reader_arns = ["arn:aws:iam::222222222222:role/deploy"]
  }
  assert {
    condition     = aws_sagemaker_model_package_group.this["fraud"].model_package_group_name == "mlops-fraud" && aws_sagemaker_model_package_group.this["model"].model_package_group_name == "mlops-model" && length(aws_sagemaker_model_package_group_policy.this) == 2
    error_message = "each use case has its own group, <prefix>-<use case>, and its own policy"
  }
}

run "rejects_no_use_case" {
  command = plan
  variables { model_package_groups = {} }
  expect_failures = [var.model_package_groups]
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "11111111111" }
  expect_failures = [var.account_id]
}

run "rejects_uppercase_repository" {
  command = plan
  variables { ecr_repositories = { Training = {} } }
  expect_failures = [var.ecr_repositories]
}

run "rejects_bad_group_name" {
  command = plan
  variables { model_package_groups = { my_model = {} } }
  expect_failures = [var.model_package_groups]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "MLOps" }
  expect_failures = [var.prefix]
}

run "rejects_root_reader" {
  command = plan
  variables { registry_reader_arns = ["arn:aws:iam::222222222222:root"] }
  expect_failures = [var.registry_reader_arns]
}

run "rejects_bad_approval_bus" {
  command = plan
  variables { approval_event_bus_arn = "cicd" }
  expect_failures = [var.approval_event_bus_arn]
}

run "rejects_feature_group_without_its_identifier" {
  command = plan
  variables { feature_groups = { g = { record_identifier = "id", event_time = "t", features = { t = "String" } } } }
  expect_failures = [var.feature_groups]
}

run "rejects_short_consumer_account" {
  command = plan
  variables { feature_consumer_account_ids = ["123"] }
  expect_failures = [var.feature_consumer_account_ids]
}

run "rejects_pusher_root" {
  command = plan
  variables { image_pusher_arns = ["arn:aws:iam::777777777777:root"] }
  expect_failures = [var.image_pusher_arns]
}

run "rejects_writer_wildcard" {
  command = plan
  variables { registry_writer_arns = ["555555555555"] }
  expect_failures = [var.registry_writer_arns]
}

run "rejects_image_reader_wildcard" {
  command = plan
  variables { image_reader_arns = ["arn:aws:iam::222222222222:root"] }
  expect_failures = [var.image_reader_arns]
}

run "image_readers_may_pull_every_repository" {
  command = plan
  variables { image_reader_arns = ["arn:aws:iam::555555555555:role/mlops/mlops-ops-pipeline"] }
  assert {
    condition     = contains(local.pullers, "arn:aws:iam::555555555555:role/mlops/mlops-ops-pipeline") && length(aws_ecr_repository_policy.this) == 2
    error_message = "a role in another account that runs the tier's images gets them through each repository's policy"
  }
}

run "rejects_an_account_as_feature_reader" {
  command = plan
  variables { feature_reader_arns = ["arn:aws:iam::222222222222:root"] }
  expect_failures = [var.feature_reader_arns]
}
