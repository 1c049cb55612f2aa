# Negative runs plan only a part that reads the variable they test: its validation runs all the same.
mock_provider "aws" {
  alias = "management"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "dev"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "data"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "ops"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "artifact"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "cicd"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "staging"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

mock_provider "aws" {
  alias = "prod"
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  prefix             = "mlops"
  region             = "us-east-1"
  lambda_package_dir = "../../build/lambda"
  accounts           = { dev = "111111111111", data = "111111111111", ops = "111111111111", artifact = "111111111111", cicd = "111111111111", staging = "222222222222", prod = "333333333333" }
  model_approvers    = ["arn:aws:iam::111111111111:role/ModelApprover"]
}

run "medium_shape" {
  command = plan
  assert {
    condition     = output.endpoint_names == { staging = "mlops-staging", prod = "mlops-prod" } && length(module.data) == 0 && length(module.network_ops) == 0
    error_message = "with ops in dev there is no separate ops VPC, and no lake without data_lake"
  }
}

run "guardrails_attach_to_every_account" {
  command = plan
  variables {
    organization = { manage = true, id = "o-abcd123456", management_account_id = "999999999999", allowed_regions = ["us-east-1"] }
  }
  assert {
    condition     = keys(local.org_accounts) == ["dev", "prod", "staging"] && !local.org_accounts.dev.deny_data_scientists && local.org_accounts.prod.perimeter && !local.org_accounts.dev.perimeter
    error_message = "one entry per account (medium: dev holds five roles); data scientists denied outside dev; the perimeter around staging and prod"
  }
  assert {
    condition     = output.organization_id == "o-abcd123456"
    error_message = "the tier outputs its organization, so the policy suite evaluates aws:PrincipalOrgID"
  }
}

run "rejects_data_scientists_as_approvers" {
  command = plan
  plan_options { target = [module.artifact.module.model_approver] } # the variable's validation, without planning the whole tier
  variables { model_approvers = ["arn:aws:iam::111111111111:role/mlops/data-science/mlops-dev-data-scientist"] }
  expect_failures = [var.model_approvers]
}

run "rejects_account_root_as_approver" {
  command = plan
  plan_options { target = [module.artifact.module.model_approver] } # the variable's validation, without planning the whole tier
  variables { model_approvers = ["arn:aws:iam::111111111111:root"] }
  expect_failures = [var.model_approvers]
}

run "rejects_short_account" {
  command = plan
  plan_options { target = [module.network_dev] } # the variable's validation, without planning the whole tier
  variables { accounts = { dev = "1", data = "1", ops = "1", artifact = "1", cicd = "1", staging = "2", prod = "3" } }
  expect_failures = [var.accounts]
}

run "rejects_prod_in_dev" {
  command = plan
  plan_options { target = [module.network_dev] } # the variable's validation, without planning the whole tier
  variables { accounts = { dev = "111111111111", data = "111111111111", ops = "111111111111", artifact = "111111111111", cicd = "111111111111", staging = "222222222222", prod = "111111111111" } }
  expect_failures = [var.accounts]
}

run "rejects_model_quality_without_monitoring" {
  command = plan
  plan_options { target = [module.network_dev] }
  variables { features = { monitoring = false, model_quality = true } }
  expect_failures = [var.features]
}

run "rejects_clarify_without_monitoring" {
  command = plan
  plan_options { target = [module.network_dev] } # the variable's validation, without planning the whole tier
  variables { features = { monitoring = false, clarify = true } }
  expect_failures = [var.features]
}

run "pipeline_images_come_from_the_tier_registry" {
  command = plan
  plan_options { target = [module.artifact.aws_ecr_repository_policy.this] }
  variables {
    accounts        = { dev = "111111111111", data = "111111111111", ops = "555555555555", artifact = "666666666666", cicd = "111111111111", staging = "222222222222", prod = "333333333333" }
    pipeline_images = { training = { repository = "training", tag = "c0ffee" }, inference = { repository = "inference", tag = "c0ffee" } }
  }
  assert {
    condition     = local.pipeline_image_uris == { training = "666666666666.dkr.ecr.us-east-1.amazonaws.com/mlops/training:c0ffee", inference = "666666666666.dkr.ecr.us-east-1.amazonaws.com/mlops/inference:c0ffee" }
    error_message = "each image is a tag of the tier's repository in the artifact account"
  }
}

run "rejects_pipeline_image_outside_the_tier_registry" {
  command = plan
  plan_options { target = [module.artifact.aws_ecr_repository_policy.this] } # a part that reads it, not the whole tier
  variables { pipeline_images = { training = { repository = "sagemaker-scikit-learn", tag = "1.2-1" } } }
  expect_failures = [var.pipeline_images]
}

run "rejects_managed_org_without_parent" {
  command = plan
  plan_options { target = [module.org] } # the variable's validation, without planning the whole tier
  variables { organization = { manage = true } }
  expect_failures = [var.organization]
}

run "rejects_single_prod_instance" {
  command = plan
  plan_options { target = [module.prod] } # the variable's validation, without planning the whole tier
  variables { serving = { prod = { initial_instance_count = 1, min_capacity = 1, max_capacity = 2 } } }
  expect_failures = [var.serving]
}

run "rejects_absolute_container_context" {
  command = plan
  plan_options { target = [module.artifact.aws_ecr_repository.this] } # the variable's validation, without planning the whole tier
  variables { container_images = { inference = "/containers/inference" } }
  expect_failures = [var.container_images]
}

run "rejects_an_empty_vpc_cidr_with_its_own_message" {
  command = plan
  plan_options { target = [module.network_dev] } # the variable's validation, without planning the whole tier
  variables { vpc_cidrs = { dev = "" } }
  expect_failures = [var.vpc_cidrs]
}

run "rejects_replication_within_one_account" {
  command = plan
  plan_options { target = [module.network_dev] } # the variable's validation, without planning the whole tier
  variables {
    accounts = { dev = "111111111111", data = "111111111111", ops = "111111111111", artifact = "111111111111", cicd = "111111111111", prod = "111111111111" }
    serving  = { prod = { initial_instance_count = 1, min_capacity = 1 } }
  }
  expect_failures = [var.features]
}

run "rejects_container_builds_without_staging" {
  command = plan
  plan_options { target = [module.network_dev] } # the variable's validation, without planning the whole tier
  variables {
    accounts = { dev = "111111111111", data = "111111111111", ops = "111111111111", artifact = "111111111111", cicd = "111111111111", prod = "111111111111" }
    features = { capture_replication = false, container_builds = true }
  }
  expect_failures = [var.features]
}

run "rejects_monitoring_without_capture" {
  command = plan
  plan_options { target = [module.network_dev] } # the variable's validation, without planning the whole tier
  variables { features = { data_capture = false, capture_replication = false } }
  expect_failures = [var.features]
}

run "rejects_an_unauthenticated_api" {
  command = plan
  plan_options { target = [module.prod] } # the variable's validation, without planning the whole tier
  variables { api_authorization = "NONE" }
  expect_failures = [var.api_authorization]
}

run "rejects_one_availability_zone" {
  command = plan
  plan_options { target = [module.network_dev] } # the variable's validation, without planning the whole tier
  variables { availability_zones = ["us-east-1a"] }
  expect_failures = [var.availability_zones]
}

run "rejects_an_accuracy_gate_above_one" {
  command = plan
  plan_options { target = [module.ops] } # the variable's validation, without planning the whole tier
  variables { retraining = { min_accuracy = 90 } }
  expect_failures = [var.retraining]
}

run "rejects_negative_retrain_cooldown" {
  command = plan
  plan_options { target = [module.ops] } # the variable's validation, without planning the whole tier
  variables { retraining = { cooldown_minutes = -1 } }
  expect_failures = [var.retraining]
}

run "rejects_training_on_an_undefined_feature_group" {
  command = plan
  plan_options { target = [module.ops] } # the variable's validation, without planning the whole tier
  variables { retraining = { feature_group = "tumours" } }
  expect_failures = [var.retraining]
}

run "rejects_training_on_a_feature_group_without_target" {
  command = plan
  plan_options { target = [module.ops] } # the variable's validation, without planning the whole tier
  variables {
    feature_groups = { tumours = { record_identifier = "id", event_time = "at", features = { id = "String", at = "String", radius = "Fractional" } } }
    retraining     = { feature_group = "tumours" }
  }
  expect_failures = [var.retraining]
}

run "each_use_case_takes_the_tier_defaults_or_its_own" {
  command = plan
  variables {
    use_cases = {
      model  = {}
      triage = { min_accuracy = 0.8, serving = { prod = { instance_type = "ml.c5.xlarge" } }, team = "care" }
    }
    data_scientists = { bob = { email = "bob@example.com", team = "care" } }
  }
  assert {
    condition     = local.use_cases.model.training_data_s3_uri == local.training_data_uri && local.use_cases.triage.training_data_s3_uri == "s3://mlops-111111111111-us-east-1-raw/datasets/triage/" && local.use_cases.triage.min_accuracy == 0.8 && local.use_cases.model.min_accuracy == var.retraining.min_accuracy
    error_message = "a use case trains on its own data prefix and gate, the tier's where it sets none"
  }
  assert {
    condition     = local.use_cases.triage.serving.prod.instance_type == "ml.c5.xlarge" && local.use_cases.triage.serving.prod.min_capacity == 2 && local.use_cases.model.serving == var.serving
    error_message = "a use case's serving override takes the tier's per-stage defaults for what it leaves out"
  }
  assert {
    condition     = output.use_cases.triage.endpoint_names == { staging = "mlops-staging-triage", prod = "mlops-prod-triage" } && output.use_cases.triage.deployment_pipeline_name == "mlops-triage-deployment" && output.endpoint_names == { staging = "mlops-staging", prod = "mlops-prod" }
    error_message = "each use case has its endpoints and deployment pipeline; model's keep their names"
  }
  assert {
    condition     = local.teams.care.data_s3_uris == ["s3://mlops-111111111111-us-east-1-raw/datasets/triage/", "s3://${module.artifact.model_bucket_name}/models/mlops-triage-retraining/"] && local.teams.default.data_s3_uris == [local.training_data_uri, "s3://${module.artifact.model_bucket_name}/models/mlops-retraining/"] && length(local.teams.care.model_package_group_arns) == 1
    error_message = "each team owns its use cases' training data, model artifacts and registry groups (modules/dev teams)"
  }
}

run "rejects_a_use_case_team_with_uppercase" {
  command = plan
  variables { use_cases = { model = { team = "Care" } } }
  expect_failures = [var.use_cases]
}

run "rejects_a_data_scientist_of_a_team_without_use_cases" {
  command = plan
  variables { data_scientists = { bob = { email = "bob@example.com", team = "care" } } }
  expect_failures = [var.data_scientists]
}

run "rejects_an_uppercase_use_case" {
  command = plan
  variables { use_cases = { Triage = {} } }
  expect_failures = [var.use_cases]
}

run "rejects_a_use_case_training_on_an_undefined_feature_group" {
  command = plan
  variables { use_cases = { model = { feature_group = "nope" } } }
  expect_failures = [var.use_cases]
}

run "rejects_a_use_case_gate_above_one" {
  command = plan
  variables { use_cases = { model = { min_accuracy = 90 } } }
  expect_failures = [var.use_cases]
}

run "rejects_a_use_case_training_data_outside_s3" {
  command = plan
  variables { use_cases = { triage = { training_data_s3_uri = "datasets/triage" } } }
  expect_failures = [var.use_cases]
}

run "rejects_a_use_case_serving_prod_on_one_instance" {
  command = plan
  variables { use_cases = { triage = { serving = { prod = { min_capacity = 1, initial_instance_count = 1 } } } } }
  expect_failures = [var.use_cases]
}

run "rejects_a_use_case_training_data_in_another_bucket" {
  command = plan
  variables { use_cases = { triage = { training_data_s3_uri = "s3://someone-elses-bucket/datasets/triage/" } } }
  expect_failures = [var.use_cases]
}

run "accepts_a_use_case_training_data_folder_of_its_own" {
  command = plan
  variables { use_cases = { model = {}, triage = { training_data_s3_uri = "s3://mlops-111111111111-us-east-1-raw/datasets/triage-2026/" } } }
  assert {
    condition     = local.use_cases.triage.training_data_s3_uri == "s3://mlops-111111111111-us-east-1-raw/datasets/triage-2026/"
    error_message = "a prefix of the raw bucket is a use case's training data"
  }
}
