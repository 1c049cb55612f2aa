mock_provider "aws" {}

variables {
  name                    = "mlops-retraining"
  account_id              = "111111111111"
  region                  = "eu-west-1"
  partition               = "aws"
  role_arn                = "arn:aws:iam::111111111111:role/mlops/mlops-ops-pipeline"
  kms_key_arn             = "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111"
  bucket_name             = "mlops-pipeline"
  code                    = { prefix = "pipeline-code/0123456789abcdef", version = "0123456789abcdef" }
  network                 = { subnet_ids = ["subnet-1"], security_group_ids = ["sg-1"] }
  jobs                    = { processing_instance_type = "ml.m5.large", training_instance_type = "ml.m5.large", max_runtime_seconds = 3600 }
  images                  = { sklearn = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", inference = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", model_monitor = "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer", clarify = "131013547314.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-clarify-processing:1.0", known = true }
  training_data           = { s3_uri = "s3://mlops-raw/datasets/training/" }
  min_accuracy            = 0.9
  regularization_c        = 1
  model_bucket_name       = "mlops-models"
  model_kms_key_arn       = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
  model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model"
  monitoring_baseline     = false
  clarify_baselines       = { enabled = false, facet = { name = "f0", threshold = 14 }, instance_type = "ml.m5.large" }
  serving_instance_types  = ["ml.m5.large"]
  schedule                = { expression = "cron(0 3 ? * MON *)", timezone = "UTC", role_arn = "arn:aws:iam::111111111111:role/mlops/mlops-ops-scheduler" }
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = [for s in local.pipeline_definition.Steps : s.Name] == ["Preprocess", "Train", "Evaluate", "QualityGate"]
    error_message = "the pipeline runs preprocess, train, evaluate and a quality gate"
  }
  assert {
    condition     = length(aws_scheduler_schedule.this) == 1
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
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[3].Arguments.Conditions[0].RightValue == 0.9 && jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.ProcessingInputs[1].S3Input.S3Uri == var.training_data.s3_uri
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
    clarify_baselines   = { enabled = true, facet = { name = "f3", threshold = 500 }, instance_type = "ml.m5.large" }
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
    training_data = { s3_uri = "s3://mlops-raw/datasets/training/", feature_group = { arn = "arn:aws:sagemaker:eu-west-1:222222222222:feature-group/mlops-tumours", offline_store_s3_uri = "s3://mlops-features/offline" } }
  }
  assert {
    condition     = jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.AppSpecification.ContainerArguments == ["--feature-group", "arn:aws:sagemaker:eu-west-1:222222222222:feature-group/mlops-tumours", "--output-dir", "/opt/ml/processing"]
    error_message = "Preprocess reads the feature group named by its ARN (shared groups are named so)"
  }
  assert {
    condition     = [for i in jsondecode(aws_sagemaker_pipeline.this.pipeline_definition).Steps[0].Arguments.ProcessingInputs : i.InputName] == ["code"]
    error_message = "with a feature group, Preprocess reads no training data CSVs"
  }
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
  variables { schedule = null }
  assert {
    condition     = length(aws_scheduler_schedule.this) == 0
    error_message = "no schedule when the schedule is null"
  }
}

run "unknown_image_account_is_refused" {
  command = plan
  variables { images = { sklearn = "x", inference = "x", model_monitor = "x", clarify = "x", known = false } }
  expect_failures = [aws_sagemaker_pipeline.this]
}
