mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_kms_key" { # the module's own key: distinct from model_kms_key_arn, so the wiring of each shows
    defaults = { arn = "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111" }
  }
  mock_resource "aws_sagemaker_pipeline" {
    defaults = { arn = "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/mlops-retraining" }
  }
}

variables {
  prefix                   = "mlops"
  account_id               = "111111111111"
  region                   = "eu-west-1"
  model_bucket_name        = "mlops-models"
  model_kms_key_arn        = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
  model_package_group_name = "mlops-model"
  model_package_group_arn  = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model"
  training_data_bucket_arn = "arn:aws:s3:::mlops-raw"
  training_data_s3_uri     = "s3://mlops-raw/datasets/training/"
  network                  = { subnet_ids = ["subnet-1"], security_group_ids = ["sg-1"] }
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = [for s in local.pipeline_definition.Steps : s.Name] == ["Preprocess", "Train", "Evaluate", "QualityGate"]
    error_message = "the pipeline runs preprocess, train, evaluate and a quality gate"
  }
  assert {
    condition     = length(aws_scheduler_schedule.retraining) == 1
    error_message = "retraining is scheduled by default"
  }
}

run "pipeline_definition" {
  command = apply # mocked: every attribute becomes known, so the rendered JSON can be read
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[3].Arguments.Conditions[0].LeftValue["Std:JsonGet"].Path == "metrics.accuracy.value"
    error_message = "the quality gate reads the evaluation report's accuracy"
  }
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[3].Arguments.IfSteps[0].Type == "RegisterModel" && jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[3].Arguments.ElseSteps[0].Type == "Fail"
    error_message = "a passing model is registered, a failing one fails the run"
  }
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[3].Arguments.IfSteps[0].Arguments.ModelApprovalStatus == "PendingManualApproval"
    error_message = "registered models wait for manual approval"
  }
  assert {
    condition     = [for p in jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Parameters : p.Name] == ["ProcessingInstanceType", "TrainingInstanceType"]
    error_message = "a run can override instance types only: never the data, the quality threshold or the approval status"
  }
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[3].Arguments.Conditions[0].RightValue == 0.9 && jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.ProcessingInputs[1].S3Input.S3Uri == var.training_data_s3_uri
    error_message = "the quality threshold and the training data are fixed in the definition"
  }
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.AppSpecification.ContainerArguments[1] == jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.ProcessingInputs[1].S3Input.LocalPath && jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[2].Arguments.AppSpecification.ContainerArguments[1] == jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[2].Arguments.ProcessingInputs[1].S3Input.LocalPath && jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[2].Arguments.AppSpecification.ContainerArguments[5] == jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[2].Arguments.ProcessingOutputConfig.Outputs[0].S3Output.LocalPath
    error_message = "the step scripts are given the paths their inputs and outputs are mapped to"
  }
  assert {
    condition     = alltrue([for i in [0, 2] : jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[i].Arguments.NetworkConfig.EnableInterContainerTrafficEncryption]) && jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[1].Arguments.EnableInterContainerTrafficEncryption
    error_message = "every job encrypts inter-container traffic"
  }
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[1].Arguments.VpcConfig.Subnets == ["subnet-1"] && jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[1].Arguments.ResourceConfig.VolumeKmsKeyId == "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111"
    error_message = "training runs in the VPC with its volume encrypted by the pipeline's own key"
  }
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[1].Arguments.OutputDataConfig.KmsKeyId == var.model_kms_key_arn && jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId == "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111"
    error_message = "model artifacts are encrypted with the model bucket's key, job volumes with the pipeline's own key"
  }
}

run "tier_images_run_every_step_and_serve_every_version" {
  command = plan
  variables {
    sklearn_image_uri   = "666666666666.dkr.ecr.eu-west-1.amazonaws.com/mlops/training:5f1e2d3"
    inference_image_uri = "666666666666.dkr.ecr.eu-west-1.amazonaws.com/mlops/inference:5f1e2d3"
  }
  assert {
    condition     = [local.pipeline_definition.Steps[0].Arguments.AppSpecification.ImageUri, local.pipeline_definition.Steps[1].Arguments.AlgorithmSpecification.TrainingImage, local.pipeline_definition.Steps[2].Arguments.AppSpecification.ImageUri] == [for i in range(3) : var.sklearn_image_uri]
    error_message = "preprocess, train and evaluate run the training image"
  }
  assert {
    condition     = local.pipeline_definition.Steps[3].Arguments.IfSteps[0].Arguments.InferenceSpecification.Containers[0].Image == var.inference_image_uri
    error_message = "registered versions serve with the inference image"
  }
  assert {
    condition     = local.image_repositories == ["arn:aws:ecr:eu-west-1:666666666666:repository/mlops/inference", "arn:aws:ecr:eu-west-1:666666666666:repository/mlops/training"] && output.inference_image_repository_arn == local.image_repositories[0]
    error_message = "the pipeline role pulls both images from their repositories (nested names included), and serving is told the inference image's"
  }
}

run "baseline_is_registered_with_each_version" {
  command = plan
  variables { monitoring_baseline = true }
  assert {
    condition     = [for s in local.pipeline_definition.Steps : s.Name] == ["Preprocess", "Train", "Evaluate", "QualityGate", "Baseline"] && jsonencode(local.pipeline_definition.Steps[3].DependsOn) == jsonencode(["Baseline"])
    error_message = "the Baseline step runs before the quality gate registers"
  }
  assert {
    condition     = endswith(local.register_step.Arguments.DriftCheckBaselines.ModelDataQuality.Constraints.S3Uri["Std:Join"].Values[2], "constraints.json") && startswith(local.pipeline_definition.Steps[4].Arguments.AppSpecification.ImageUri, "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer")
    error_message = "the analyzer's statistics and constraints are registered as the drift-check baseline"
  }
  assert {
    condition     = local.register_step.Arguments.DriftCheckBaselines.ModelQuality.Constraints.S3Uri["Std:Join"].Values[2] == "model_quality_constraints.json" && contains(local.pipeline_definition.Steps[2].Arguments.AppSpecification.ContainerArguments, "--min-accuracy")
    error_message = "the Evaluate step writes the model-quality constraints at the quality gate, registered as the model-quality baseline"
  }
  assert {
    condition     = local.pipeline_definition.Steps[4].Arguments.ProcessingInputs[0].S3Input.S3Uri.Get == "Steps.Preprocess.ProcessingOutputConfig.Outputs['features'].S3Output.S3Uri" && jsondecode(local.pipeline_definition.Steps[4].Arguments.Environment.dataset_format) == { csv = { header = false } }
    error_message = "the data-quality baseline is computed on the features only, headerless (columns _c0.. as the record preprocessor names a request's): the target is not in a request"
  }
}

run "clarify_baselines_are_computed_by_clarify_and_registered" {
  command = plan
  variables {
    monitoring_baseline = true
    clarify_baselines   = { enabled = true, facet = "f3", facet_threshold = 500 }
  }
  assert {
    condition     = [for s in local.pipeline_definition.Steps : s.Name] == ["Preprocess", "Train", "Evaluate", "QualityGate", "Baseline", "ClarifyModel", "ClarifyConfig", "ClarifyBias", "ClarifyExplainability"]
    error_message = "a model of the run, the configs, then Clarify's bias and explainability jobs"
  }
  assert {
    condition     = jsonencode(local.pipeline_definition.Steps[3].DependsOn) == jsonencode(["Baseline", "ClarifyBias", "ClarifyExplainability"])
    error_message = "nothing is registered before its baselines exist"
  }
  assert {
    condition     = local.pipeline_definition.Steps[6].Arguments.Environment.MODEL_NAME.Get == "Steps.ClarifyModel.ModelName" && local.pipeline_definition.Steps[6].Arguments.Environment.FACET == "f3" && startswith(local.pipeline_definition.Steps[7].Arguments.AppSpecification.ImageUri, "131013547314.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-clarify-processing")
    error_message = "the configs name the run's model and the facet; the jobs run AWS's Clarify image"
  }
  assert {
    condition     = jsonencode(sort(keys(local.register_step.Arguments.DriftCheckBaselines))) == jsonencode(["Bias", "Explainability", "ModelDataQuality", "ModelQuality"]) && endswith(local.register_step.Arguments.DriftCheckBaselines.Bias.PostTrainingConstraints.S3Uri["Std:Join"].Values[1], "analysis.json")
    error_message = "the bias and explainability baselines are registered with the version"
  }
  assert {
    condition     = local.register_step.Arguments.ModelMetrics.Bias.PostTrainingReport.S3Uri["Std:Join"].Values == [local.clarify_output.bias, "analysis.json"] && local.register_step.Arguments.ModelMetrics.Explainability.Report.S3Uri["Std:Join"].Values == [local.clarify_output.explainability, "analysis.json"]
    error_message = "the version carries Clarify's bias and explainability reports"
  }
}

run "trains_on_a_feature_group_found_through_the_feature_store_api" {
  command = apply # mocked: every attribute becomes known, so the rendered JSON can be read
  variables {
    training_feature_group = { arn = "arn:aws:sagemaker:eu-west-1:222222222222:feature-group/mlops-tumours", offline_store_s3_uri = "s3://mlops-features/offline" }
  }
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.AppSpecification.ContainerArguments == ["--feature-group", "arn:aws:sagemaker:eu-west-1:222222222222:feature-group/mlops-tumours", "--output-dir", "/opt/ml/processing"]
    error_message = "Preprocess reads the feature group named by its ARN (shared groups are named so)"
  }
  assert {
    condition     = [for i in jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.ProcessingInputs : i.InputName] == ["code"]
    error_message = "with a feature group, Preprocess reads no training data CSVs"
  }
  assert {
    condition     = local.offline_store == { bucket = "mlops-features", prefix = "offline" }
    error_message = "the offline store's bucket and prefix are what the role may read"
  }
}

run "rejects_a_feature_group_that_is_not_an_arn" {
  command = plan
  variables { training_feature_group = { arn = "mlops-tumours", offline_store_s3_uri = "s3://mlops-features/offline" } }
  expect_failures = [var.training_feature_group]
}

run "rejects_clarify_without_facet" {
  command = plan
  variables { clarify_baselines = { enabled = true, facet = " " } }
  expect_failures = [var.clarify_baselines]
}

run "no_baseline_by_default" {
  command = plan
  assert {
    condition     = !contains(keys(local.register_step.Arguments), "DriftCheckBaselines") && !contains(keys(local.pipeline_definition.Steps[3]), "DependsOn")
    error_message = "without monitoring_baseline the definition carries no baseline (and no null keys)"
  }
  assert {
    condition     = keys(local.register_step.Arguments.ModelMetrics) == ["ModelQuality"] && jsondecode(local.register_step.Arguments.CustomerMetadataProperties.hyperparameters) == local.pipeline_definition.Steps[1].Arguments.HyperParameters
    error_message = "a version carries its evaluation metrics and the training job's hyperparameters (no Clarify reports while Clarify is off)"
  }
}

run "manual_only_without_schedule" {
  command = plan
  variables { retraining_schedule = null }
  assert {
    condition     = length(aws_scheduler_schedule.retraining) == 0 && length(aws_iam_role.scheduler) == 0
    error_message = "no schedule and no scheduler role when the schedule is null"
  }
}

run "unknown_region_needs_an_image" {
  command = plan
  variables { region = "me-central-1" }
  expect_failures = [aws_sagemaker_pipeline.this]
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "1" }
  expect_failures = [var.account_id]
}

run "rejects_short_job_runtime" {
  command = plan
  variables { max_job_runtime_seconds = 10 }
  expect_failures = [var.max_job_runtime_seconds]
}

run "rejects_accuracy_as_percent" {
  command = plan
  variables { min_accuracy = 90 }
  expect_failures = [var.min_accuracy]
}

run "rejects_group_name_as_arn" {
  command = plan
  variables { model_package_group_arn = "mlops-model" }
  expect_failures = [var.model_package_group_arn]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "-mlops" }
  expect_failures = [var.prefix]
}

run "rejects_ec2_processing_type" {
  command = plan
  variables { processing_instance_type = "m5.large" }
  expect_failures = [var.processing_instance_type]
}

run "rejects_zero_regularization" {
  command = plan
  variables { regularization_c = 0 }
  expect_failures = [var.regularization_c]
}

run "rejects_crontab_syntax" {
  command = plan
  variables { retraining_schedule = "0 3 * * 1" }
  expect_failures = [var.retraining_schedule]
}

run "rejects_ec2_serving_type" {
  command = plan
  variables { serving_instance_types = ["t3.micro"] }
  expect_failures = [var.serving_instance_types]
}

run "rejects_untagged_image" {
  command = plan
  variables { sklearn_image_uri = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn" }
  expect_failures = [var.sklearn_image_uri]
}

run "rejects_bucket_without_scheme" {
  command = plan
  variables { training_data_s3_uri = "mlops-raw/datasets" }
  expect_failures = [var.training_data_s3_uri]
}

run "rejects_ec2_training_type" {
  command = plan
  variables { training_instance_type = "p3.2xlarge" }
  expect_failures = [var.training_instance_type]
}

run "rejects_capture_source_root" {
  command = plan
  variables { capture_sources = { prod = { replication_role_arn = "arn:aws:iam::333333333333:root" } } }
  expect_failures = [var.capture_sources]
}

run "rejects_label_reader_root" {
  command = plan
  variables { capture_sources = { prod = { replication_role_arn = "arn:aws:iam::333333333333:role/mlops/r", monitor_role_arn = "arn:aws:iam::333333333333:root" } } }
  expect_failures = [var.capture_sources]
}

run "rejects_negative_cooldown" {
  command = plan
  variables { retrain_trigger = { enabled = true, cooldown_minutes = -1, schedule_arns = ["arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-data-quality"] } }
  expect_failures = [var.retrain_trigger]
}

run "rejects_sender_wildcard" {
  command = plan
  variables { retrain_trigger = { violation_sender_role_arns = ["*"] } }
  expect_failures = [var.retrain_trigger]
}

run "rejects_untagged_inference_image" {
  command = plan
  variables { inference_image_uri = "666666666666.dkr.ecr.eu-west-1.amazonaws.com/mlops/inference" }
  expect_failures = [var.inference_image_uri]
}

run "rejects_a_trigger_that_retrains_on_no_schedule" {
  command = plan
  variables { retrain_trigger = { enabled = true } }
  expect_failures = [var.retrain_trigger]
}

run "rejects_a_trigger_schedule_that_is_not_a_schedule_arn" {
  command = plan
  variables { retrain_trigger = { enabled = true, schedule_arns = ["mlops-prod-data-quality"] } }
  expect_failures = [var.retrain_trigger]
}
