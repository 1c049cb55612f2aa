mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  prefix                = "mlops"
  account_id            = "111111111111"
  region                = "eu-west-1"
  use_cases             = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model" } }
  model_bucket_arn      = "arn:aws:s3:::mlops-models"
  model_kms_key_alias   = "alias/mlops-artifact"
  image_repository_arns = ["arn:aws:ecr:eu-west-1:141502667606:repository/sagemaker-scikit-learn"]
  lambda_package_dir    = "../../build/lambda"
  network               = { subnet_ids = ["subnet-1"], security_group_ids = ["sg-1"] }
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = aws_api_gateway_method.route["predict"].authorization == "AWS_IAM"
    error_message = "the API requires IAM authentication by default"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.rollback) == 2 && length(aws_cloudwatch_event_rule.deploy) == 2
    error_message = "two rollback alarms and two deploy triggers"
  }
}

run "cicd_deploys_instead" {
  command = plan
  variables { deploy_on_approval = false }
  assert {
    condition     = length(module.deploy_function) == 0 && length(aws_cloudwatch_event_rule.deploy) == 0
    error_message = "no deploy function when a pipeline deploys"
  }
}

run "api_keys_get_a_usage_plan" {
  command = plan
  variables { api = { authorization = "API_KEY" } }
  assert {
    condition     = aws_api_gateway_method.route["predict"].api_key_required && length(aws_api_gateway_usage_plan.this) == 1
    error_message = "API keys come with a usage plan"
  }
}

run "clarify_monitors_are_encrypted_and_isolated" {
  command = plan
  variables {
    monitoring = { enabled = true, clarify = true }
  }
  assert {
    condition = alltrue([for name, r in jsondecode(aws_cloudformation_stack.clarify["model"].template_body).Resources : (
      r.Properties.NetworkConfig.EnableInterContainerTrafficEncryption &&
      r.Properties.NetworkConfig.VpcConfig.Subnets == { Ref = "SubnetIds" } &&
      startswith(r.Properties.JobResources.ClusterConfig.VolumeKmsKeyId, "arn:aws:kms:eu-west-1:111111111111:alias/")
    ) if endswith(r.Type, "JobDefinition")])
    error_message = "both Clarify job definitions run in the VPC with encrypted traffic and volumes"
  }
  assert {
    condition     = aws_cloudformation_stack.clarify["model"].parameters["SubnetIds"] == "subnet-1" && aws_cloudformation_stack.clarify["model"].parameters["SecurityGroupIds"] == "sg-1"
    error_message = "the stack gets the jobs' network as parameters"
  }
  assert {
    condition     = length(jsondecode(aws_cloudformation_stack.clarify["model"].template_body).Resources) == 4 && length(aws_sagemaker_monitoring_schedule.data_quality) == 1
    error_message = "bias and explainability job definitions and schedules, plus the data-quality schedule"
  }
  assert {
    condition     = aws_sagemaker_data_quality_job_definition.this["model"].data_quality_app_specification[0].record_preprocessor_source_uri == "s3://mlops-111111111111-eu-west-1-prod-capture/${aws_s3_object.record_preprocessor["model"].key}" && startswith(aws_s3_object.record_preprocessor["model"].key, "mlops-prod/monitor-code/") && aws_s3_object.record_preprocessor["model"].source == "./monitor/record_preprocessor.py"
    error_message = "the data-quality monitor turns captured requests into the baseline's columns with the project's record preprocessor, stored apart from what the endpoint writes (mlops-prod/mlops-prod/)"
  }
}

run "other_accounts_keys_are_granted_by_alias" {
  command = plan
  variables {
    deployer            = { pipeline_role_arn = "arn:aws:iam::777777777777:role/mlops/mlops-cicd-build", artifact_kms_key_arn = "arn:aws:kms:eu-west-1:777777777777:alias/mlops-cicd" }
    capture_replication = { destination_account_id = "555555555555", destination_bucket_arn = "arn:aws:s3:::captured", destination_kms_key_arn = "arn:aws:kms:eu-west-1:555555555555:alias/mlops-ops" }
  }
  assert {
    condition     = jsonencode(one([for st in data.aws_iam_policy_document.deployer[0].statement : st if st.sid == "ReadPipelineArtifacts"]).resources) == jsonencode(["arn:aws:kms:eu-west-1:777777777777:key/*"]) && jsonencode(one(one([for st in data.aws_iam_policy_document.deployer[0].statement : st if st.sid == "ReadPipelineArtifacts"]).condition).values) == jsonencode(["alias/mlops-cicd"])
    error_message = "an alias ARN in Resource grants nothing: the deploy role gets the account's keys with that alias"
  }
  assert {
    condition     = jsonencode(one([for st in data.aws_iam_policy_document.replication[0].statement : st if st.sid == "EncryptReplicas"]).resources) == jsonencode(["arn:aws:kms:eu-west-1:555555555555:key/*"])
    error_message = "replicas are encrypted with the destination account's key, granted through its alias"
  }
  assert {
    condition     = aws_s3_bucket_replication_configuration.capture[0].rule[0].filter[0].prefix == "mlops-prod/mlops-prod/"
    error_message = "only the capture records replicate: baselines, reports and monitor code stay, and nothing lands beside the labels"
  }
}

run "one_endpoint_per_use_case" {
  command = plan
  variables {
    use_cases = {
      model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model" }
      fraud = { model_package_group_name = "mlops-fraud", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-fraud", serving = { instance_type = "ml.c5.large" } }
    }
    monitoring          = { enabled = true, model_quality = true, clarify = true, ground_truth_s3_prefix = "s3://mlops-222222222222-eu-west-1-captured/ground-truth" }
    deployer            = { pipeline_role_arn = "arn:aws:iam::777777777777:role/mlops/mlops-cicd-build" }
    capture_replication = { destination_account_id = "555555555555", destination_bucket_arn = "arn:aws:s3:::captured", destination_kms_key_arn = "arn:aws:kms:eu-west-1:555555555555:alias/mlops-ops" }
  }
  assert {
    condition     = output.endpoint_names == { model = "mlops-prod", fraud = "mlops-prod-fraud" } && local.deployment_specs.fraud.instance_type == "ml.c5.large" && local.deployment_specs.fraud.model_package_group_name == "mlops-fraud" && local.deployment_specs.fraud.data_capture.destination_s3_uri == "s3://mlops-111111111111-eu-west-1-prod-capture/mlops-prod-fraud"
    error_message = "each use case has its endpoint, <prefix>-<stage>-<use case> (model keeps <prefix>-<stage>), deployed from its own group with its own sizes and capture prefix"
  }
  assert {
    condition     = jsonencode(sort(keys(aws_cloudwatch_metric_alarm.rollback))) == jsonencode(["fraud/errors", "fraud/latency", "model/errors", "model/latency"]) && aws_cloudwatch_metric_alarm.rollback["fraud/errors"].dimensions.EndpointName == "mlops-prod-fraud" && local.deployment_specs.fraud.rollback_alarm_names == ["mlops-prod-fraud-errors", "mlops-prod-fraud-latency"]
    error_message = "each endpoint's canary watches its own rollback alarms"
  }
  assert {
    condition     = jsonencode(sort(keys(module.deploy_function))) == jsonencode(["fraud", "model"]) && aws_cloudwatch_event_rule.deploy["fraud/approval"].name == "mlops-prod-fraud-approval" && jsondecode(aws_cloudwatch_event_rule.deploy["fraud/approval"].event_pattern).detail.ModelPackageGroupName == ["mlops-fraud"]
    error_message = "each use case has its deploy function, started by approvals in its own group only"
  }
  assert {
    condition     = jsonencode(sort(keys(aws_sagemaker_monitoring_schedule.data_quality))) == jsonencode(["fraud", "model"]) && aws_sagemaker_monitoring_schedule.data_quality["fraud"].name == "mlops-prod-fraud-data-quality" && jsondecode(aws_cloudformation_stack.model_quality["fraud"].template_body).Resources.ModelQualityJobDefinition.Properties.ModelQualityJobInput.GroundTruthS3Input.S3Uri == "s3://mlops-222222222222-eu-west-1-captured/ground-truth/mlops-prod-fraud" && length(aws_cloudformation_stack.clarify) == 2
    error_message = "each endpoint has its monitors, reading its own labels"
  }
  assert {
    condition     = output.retraining_schedule_arns.fraud == ["arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-fraud-data-quality", "arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-fraud-model-quality"]
    error_message = "a use case's drift and accuracy schedules retrain that use case"
  }
  assert {
    condition     = local.endpoint_of_route == { "/predict" = "mlops-prod", "/model/invocations" = "mlops-prod", "/fraud/invocations" = "mlops-prod-fraud" } && jsonencode(sort(keys(aws_lambda_permission.api))) == jsonencode(["fraud/invocations", "model/invocations", "predict"])
    error_message = "one API: /<use case>/invocations reaches that use case's endpoint, /predict still reaches model's"
  }
  assert {
    condition     = jsonencode([for rule in aws_s3_bucket_replication_configuration.capture[0].rule : rule.filter[0].prefix]) == jsonencode(["mlops-prod-fraud/mlops-prod-fraud/", "mlops-prod/mlops-prod/"]) && aws_s3_bucket_replication_configuration.capture[0].rule[1].id == "captured-data"
    error_message = "each endpoint's capture records replicate, under their own prefix; model's rule keeps its id"
  }
}

run "a_use_case_deploy_role_reaches_only_its_endpoint" {
  command = plan
  variables {
    use_cases = {
      model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model" }
      fraud = { model_package_group_name = "mlops-fraud", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-fraud" }
    }
    deployer = { pipeline_role_arn = "arn:aws:iam::777777777777:role/mlops/mlops-cicd-build" }
  }
  assert {
    condition     = jsonencode(sort(one([for st in data.aws_iam_policy_document.deploy["fraud"].statement : st if st.sid == "RollOutOwnEndpoint"]).resources)) == jsonencode(sort(["arn:aws:sagemaker:eu-west-1:111111111111:endpoint/mlops-prod-fraud", "arn:aws:sagemaker:eu-west-1:111111111111:endpoint-config/mlops-prod-fraud-v*", "arn:aws:sagemaker:eu-west-1:111111111111:model/mlops-prod-fraud-v*"])) && jsonencode(sort(one([for st in data.aws_iam_policy_document.deploy["model"].statement : st if st.sid == "ReadApprovedModels"]).resources)) == jsonencode(sort(["arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-model/*"]))
    error_message = "a use case's deploy function reads its own group and rolls out its own endpoint only (model's mlops-prod-v* names match no other use case's)"
  }
  assert {
    condition     = length(one([for st in data.aws_iam_policy_document.deploy["*"].statement : st if st.sid == "RollOutOwnEndpoint"]).resources) == 6
    error_message = "the CI/CD deploy role rolls out every use case's endpoint of the stage"
  }
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "123" }
  expect_failures = [var.account_id]
}

run "rejects_bad_alarm_email" {
  command = plan
  variables { alarm_emails = ["oncall"] }
  expect_failures = [var.alarm_emails]
}

run "rejects_zero_evaluation_periods" {
  command = plan
  variables { alarms = { evaluation_periods = 0 } }
  expect_failures = [var.alarms]
}

run "rejects_unauthenticated_api" {
  command = plan
  variables { api = { authorization = "NONE" } }
  expect_failures = [var.api]
}

run "rejects_burst_below_rate" {
  command = plan
  variables { api = { throttle_rate_limit = 100, throttle_burst_limit = 10 } }
  expect_failures = [var.api]
}

run "rejects_payload_above_sagemaker_limit" {
  command = plan
  variables { api = { max_payload_bytes = 7000000 } }
  expect_failures = [var.api]
}

run "rejects_full_canary" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", canary = { percent = 100 } } } }
  expect_failures = [var.use_cases]
}

run "rejects_long_bake" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", canary = { wait_seconds = 7200 } } } }
  expect_failures = [var.use_cases]
}

run "rejects_timeout_shorter_than_bake" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", canary = { wait_seconds = 900, maximum_execution_timeout_seconds = 600 } } } }
  expect_failures = [var.use_cases]
}

run "rejects_zero_sampling" {
  command = plan
  variables { data_capture = { sampling_percentage = 0 } }
  expect_failures = [var.data_capture]
}

run "rejects_no_image_repository" {
  command = plan
  variables { image_repository_arns = [] }
  expect_failures = [var.image_repository_arns]
}

run "rejects_group_name_as_arn" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "mlops-model" } } }
  expect_failures = [var.use_cases]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "mlops_" }
  expect_failures = [var.prefix]
}

run "rejects_ec2_instance_type" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", serving = { instance_type = "m5.large" } } } }
  expect_failures = [var.use_cases]
}

run "rejects_max_below_min" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", serving = { min_capacity = 3, max_capacity = 2, initial_instance_count = 3 } } } }
  expect_failures = [var.use_cases]
}

run "rejects_initial_outside_range" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", serving = { initial_instance_count = 5 } } } }
  expect_failures = [var.use_cases]
}

run "rejects_zero_target" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", serving = { target_invocations_per_instance = 0 } } } }
  expect_failures = [var.use_cases]
}

run "rejects_bad_stage" {
  command = plan
  variables { stage = "Production" }
  expect_failures = [var.stage]
}

run "rejects_bad_capture_replication" {
  command = plan
  variables { capture_replication = { destination_account_id = "1", destination_bucket_arn = "b", destination_kms_key_arn = "k" } }
  expect_failures = [var.capture_replication]
}

run "rejects_deployer_with_wildcard" {
  command = plan
  variables { deployer = { pipeline_role_arn = "arn:aws:iam::222222222222:root" } }
  expect_failures = [var.deployer]
}

run "rejects_deployer_bad_org" {
  command = plan
  variables { deployer = { pipeline_role_arn = "arn:aws:iam::222222222222:role/x", organization_id = "org" } }
  expect_failures = [var.deployer]
}

run "rejects_monitoring_without_capture_is_impossible" {
  command = plan
  variables {
    monitoring   = { enabled = true }
    data_capture = { enabled = false }
  }
  expect_failures = [var.monitoring]
}

run "model_quality_reads_labels_where_they_are" {
  command = plan
  variables {
    monitoring = {
      enabled                  = true
      model_quality            = true
      ground_truth_s3_prefix   = "s3://mlops-222222222222-eu-west-1-captured/ground-truth"
      ground_truth_kms_key_arn = "arn:aws:kms:eu-west-1:222222222222:alias/mlops-ops"
    }
  }
  assert {
    # named, not filtered by type: a missing job definition fails the run instead of passing an empty check
    condition = (
      jsondecode(aws_cloudformation_stack.model_quality["model"].template_body).Resources.ModelQualityJobDefinition.Type == "AWS::SageMaker::ModelQualityJobDefinition" &&
      jsondecode(aws_cloudformation_stack.model_quality["model"].template_body).Resources.ModelQualityJobDefinition.Properties.NetworkConfig.EnableInterContainerTrafficEncryption &&
      jsondecode(aws_cloudformation_stack.model_quality["model"].template_body).Resources.ModelQualityJobDefinition.Properties.NetworkConfig.VpcConfig.Subnets == { Ref = "SubnetIds" } &&
      jsondecode(aws_cloudformation_stack.model_quality["model"].template_body).Resources.ModelQualityJobDefinition.Properties.ModelQualityJobInput.GroundTruthS3Input.S3Uri == "s3://mlops-222222222222-eu-west-1-captured/ground-truth/mlops-prod" &&
      jsondecode(aws_cloudformation_stack.model_quality["model"].template_body).Resources.ModelQualityJobDefinition.Properties.ModelQualityJobInput.EndpointInput.EndpointName == "mlops-prod" &&
      jsondecode(aws_cloudformation_stack.model_quality["model"].template_body).Resources.ModelQualityJobDefinition.Properties.ModelQualityJobInput.EndpointInput.StartTimeOffset == "-PT25H" &&
      jsondecode(aws_cloudformation_stack.model_quality["model"].template_body).Resources.ModelQualityJobDefinition.Properties.ModelQualityBaselineConfig.ConstraintsResource.S3Uri == "s3://mlops-111111111111-eu-west-1-prod-capture/mlops-prod/baselines/model-quality/constraints.json"
    )
    error_message = "the model-quality job joins the endpoint's captures with the labels in the other account and compares with the published constraints"
  }
  assert {
    condition     = length(jsondecode(aws_cloudformation_stack.model_quality["model"].template_body).Resources) == 2
    error_message = "one job definition and its schedule"
  }
}

run "rejects_model_quality_without_monitoring" {
  command = plan
  variables { monitoring = { model_quality = true } }
  expect_failures = [var.monitoring]
}

run "rejects_ground_truth_outside_s3" {
  command = plan
  variables { monitoring = { enabled = true, model_quality = true, ground_truth_s3_prefix = "https://example.com/labels" } }
  expect_failures = [var.monitoring]
}

run "rejects_ground_truth_key_that_is_no_kms_arn" {
  command = plan
  variables { monitoring = { enabled = true, model_quality = true, ground_truth_kms_key_arn = "alias/mlops-ops" } }
  expect_failures = [var.monitoring]
}

run "rejects_fractional_label_delay" {
  command = plan
  variables { monitoring = { enabled = true, model_quality = true, label_delay_hours = 1.5 } }
  expect_failures = [var.monitoring]
}

run "rejects_clarify_without_monitoring" {
  command = plan
  variables { monitoring = { clarify = true } }
  expect_failures = [var.monitoring]
}

run "rejects_monitoring_rate_schedule" {
  command = plan
  variables { monitoring = { schedule = "rate(1 hour)" } }
  expect_failures = [var.monitoring]
}

run "rejects_monitoring_bad_bus" {
  command = plan
  variables { monitoring = { violation_bus_arn = "default" } }
  expect_failures = [var.monitoring]
}

run "rejects_no_use_case" {
  command = plan
  variables { use_cases = {} }
  expect_failures = [var.use_cases]
}
