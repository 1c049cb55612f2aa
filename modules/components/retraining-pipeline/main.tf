# One retraining pipeline, as a SageMaker Pipelines definition (schema 2020-12-01), and its schedule:
# Preprocess -> Train -> Evaluate -> QualityGate -> Register (PendingManualApproval) | Fail.
# modules/ops runs one per use case, all with the ops role, bucket, key and step code.
# Each script gets its /opt/ml paths as arguments (the paths the inputs and outputs below name).
# Whoever starts a run can choose instance types only: the training data, the quality threshold and
# the approval status are fixed here, so no start can register an unreviewed model as approved.
locals {
  arn                    = "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:pipeline/${var.name}"
  feature_store_training = var.training_data.feature_group != null
  # The data Preprocess reads: the training data CSVs, or the feature group's offline store, found through the Feature Store API.
  preprocess_data = local.feature_store_training ? { arguments = ["--feature-group", var.training_data.feature_group.arn], inputs = [] } : {
    arguments = ["--input-dir", "/opt/ml/processing/input/data"]
    inputs    = [{ InputName = "data", AppManaged = false, S3Input = { S3Uri = var.training_data.s3_uri, LocalPath = "/opt/ml/processing/input/data", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } }]
  }
  code_uri        = "s3://${var.bucket_name}/${var.code.prefix}"
  execution_uri   = { "Std:Join" = { On = "/", Values = ["s3://${var.bucket_name}/executions", { Get = "Execution.PipelineExecutionId" }] } }
  network_config  = { SecurityGroupIds = var.network.security_group_ids, Subnets = var.network.subnet_ids }
  processing_code = { InputName = "code", AppManaged = false, S3Input = { S3Uri = local.code_uri, LocalPath = "/opt/ml/processing/input/code", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } }

  processing_common = {
    RoleArn           = var.role_arn
    StoppingCondition = { MaxRuntimeInSeconds = var.jobs.max_runtime_seconds }
    NetworkConfig     = { EnableInterContainerTrafficEncryption = true, EnableNetworkIsolation = false, VpcConfig = local.network_config }
    ProcessingResources = {
      ClusterConfig = { InstanceType = { Get = "Parameters.ProcessingInstanceType" }, InstanceCount = 1, VolumeSizeInGB = 30, VolumeKmsKeyId = var.kms_key_arn }
    }
  }

  step_output = { for name in ["train", "test", "features", "evaluation", "baseline"] : name => {
    OutputName = name
    AppManaged = false
    S3Output = {
      S3Uri        = { "Std:Join" = { On = "/", Values = [local.execution_uri, name] } }
      LocalPath    = "/opt/ml/processing/${name}"
      S3UploadMode = "EndOfJob"
    }
  } }

  train_output_uri    = { Get = "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" }
  test_output_uri     = { Get = "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri" }
  features_output_uri = { Get = "Steps.Preprocess.ProcessingOutputConfig.Outputs['features'].S3Output.S3Uri" }
  model_data_uri      = { Get = "Steps.Train.ModelArtifacts.S3ModelArtifacts" }

  # Model Monitor's statistics and constraints of the training data's features (the analyzer's own
  # format): headerless, so its columns are _c0, _c1, ... as the serving module's record preprocessor
  # names the features of each captured request; the target is not among them (requests carry none).
  baseline_files = { for name, file in { Statistics = "statistics.json", Constraints = "constraints.json" } : name => {
    ContentType = "application/json"
    S3Uri       = { "Std:Join" = { On = "/", Values = [local.execution_uri, "baseline", file] } }
  } }
  baseline_step = {
    Name      = "Baseline"
    Type      = "Processing"
    DependsOn = ["Preprocess"]
    Arguments = merge(local.processing_common, {
      AppSpecification = { ImageUri = var.images.model_monitor }
      Environment = {
        dataset_format             = jsonencode({ csv = { header = false } })
        dataset_source             = "/opt/ml/processing/input/baseline_dataset_input"
        output_path                = "/opt/ml/processing/baseline"
        publish_cloudwatch_metrics = "Disabled"
      }
      ProcessingInputs       = [{ InputName = "baseline_dataset_input", AppManaged = false, S3Input = { S3Uri = local.features_output_uri, LocalPath = "/opt/ml/processing/input/baseline_dataset_input", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } }]
      ProcessingOutputConfig = { KmsKeyId = var.kms_key_arn, Outputs = [local.step_output.baseline] }
    })
  }

  # Clarify: a model of this run, the analysis configs (steps/clarify_config.py), then Clarify's own
  # bias and explainability jobs against a shadow endpoint of that model.
  baselines_before_gate = concat(var.monitoring_baseline ? ["Baseline"] : [], var.clarify_baselines.enabled ? ["ClarifyBias", "ClarifyExplainability"] : [])
  clarify_output        = { for kind in ["bias", "explainability"] : kind => { "Std:Join" = { On = "/", Values = [local.execution_uri, "clarify-${kind}"] } } }
  clarify_config        = { "Std:Join" = { On = "/", Values = [local.execution_uri, "clarify"] } }
  clarify_steps = concat([
    {
      Name = "ClarifyModel"
      Type = "Model"
      Arguments = {
        ExecutionRoleArn       = var.role_arn
        PrimaryContainer       = { Image = var.images.inference, ModelDataUrl = local.model_data_uri, Environment = { SAGEMAKER_PROGRAM = "inference.py", SAGEMAKER_SUBMIT_DIRECTORY = "/opt/ml/model/code" } }
        VpcConfig              = local.network_config
        EnableNetworkIsolation = true # the inference code is inside the model artifact
      }
    },
    {
      Name = "ClarifyConfig"
      Type = "Processing"
      Arguments = merge(local.processing_common, {
        AppSpecification = { ImageUri = var.images.sklearn, ContainerEntrypoint = ["python3", "/opt/ml/processing/input/code/clarify_config.py"], ContainerArguments = ["--test-dir", "/opt/ml/processing/test", "--output-dir", "/opt/ml/processing/clarify"] }
        Environment = {
          MODEL_NAME      = { Get = "Steps.ClarifyModel.ModelName" }
          FACET           = var.clarify_baselines.facet.name
          FACET_THRESHOLD = tostring(var.clarify_baselines.facet.threshold)
          INSTANCE_TYPE   = var.clarify_baselines.instance_type
        }
        ProcessingInputs = [
          local.processing_code,
          { InputName = "test", AppManaged = false, S3Input = { S3Uri = local.test_output_uri, LocalPath = "/opt/ml/processing/test", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } },
        ]
        ProcessingOutputConfig = { KmsKeyId = var.kms_key_arn, Outputs = [{ OutputName = "clarify", AppManaged = false, S3Output = { S3Uri = local.clarify_config, LocalPath = "/opt/ml/processing/clarify", S3UploadMode = "EndOfJob" } }] }
      })
    },
    ], [for kind in ["bias", "explainability"] : {
      Name      = "Clarify${title(kind)}"
      Type      = "Processing"
      DependsOn = ["ClarifyConfig"]
      Arguments = merge(local.processing_common, {
        AppSpecification = { ImageUri = var.images.clarify }
        ProcessingInputs = [
          { InputName = "analysis_config", AppManaged = false, S3Input = { S3Uri = { "Std:Join" = { On = "/", Values = [local.clarify_config, kind, "analysis_config.json"] } }, LocalPath = "/opt/ml/processing/input/config", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } },
          { InputName = "dataset", AppManaged = false, S3Input = { S3Uri = local.test_output_uri, LocalPath = "/opt/ml/processing/input/data", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } },
        ]
        ProcessingOutputConfig = { KmsKeyId = var.kms_key_arn, Outputs = [{ OutputName = "analysis_result", AppManaged = false, S3Output = { S3Uri = local.clarify_output[kind], LocalPath = "/opt/ml/processing/output", S3UploadMode = "EndOfJob" } }] }
      })
  }])
  clarify_file = { for key, path in {
    bias_config           = [local.clarify_config, "bias", "monitor_config.json"]
    bias_constraints      = [local.clarify_output.bias, "analysis.json"]
    explainability_config = [local.clarify_config, "explainability", "monitor_config.json"]
    explainability_values = [local.clarify_output.explainability, "analysis.json"]
  } : key => { ContentType = "application/json", S3Uri = { "Std:Join" = { On = "/", Values = path } } } }

  hyperparameters = { C = tostring(var.regularization_c) } # the training job's, recorded with the version it produces

  register_step = {
    Name = "Register"
    Type = "RegisterModel"
    Arguments = merge({
      ModelPackageGroupName = var.model_package_group_arn
      ModelApprovalStatus   = "PendingManualApproval" # the pipeline role may register nothing else
      InferenceSpecification = {
        Containers = [{
          Image        = var.images.inference
          ModelDataUrl = local.model_data_uri
          Environment  = { SAGEMAKER_PROGRAM = "inference.py", SAGEMAKER_SUBMIT_DIRECTORY = "/opt/ml/model/code" }
        }]
        SupportedContentTypes                   = ["application/json"]
        SupportedResponseMIMETypes              = ["application/json"]
        SupportedRealtimeInferenceInstanceTypes = var.serving_instance_types
      }
      # The registry keeps what the talk lists: evaluation metrics, hyperparameters, and with Clarify on
      # its bias and explainability reports (the analyses the baselines below are cut from).
      ModelMetrics = merge({
        ModelQuality = {
          Statistics = { ContentType = "application/json", S3Uri = { "Std:Join" = { On = "/", Values = [local.execution_uri, "evaluation", "evaluation.json"] } } }
        }
        }, jsondecode(var.clarify_baselines.enabled ? jsonencode({
          Bias           = { PostTrainingReport = local.clarify_file.bias_constraints }
          Explainability = { Report = local.clarify_file.explainability_values }
      }) : "{}"))
      CustomerMetadataProperties = {
        "code-version"    = var.code.version
        "training-data"   = try(var.training_data.feature_group.arn, var.training_data.s3_uri)
        "pipeline-run"    = { Get = "Execution.PipelineExecutionArn" }
        "hyperparameters" = jsonencode(local.hyperparameters)
      }
      }, var.monitoring_baseline || var.clarify_baselines.enabled ? {
      DriftCheckBaselines = merge(
        # the model-quality monitor's baseline: accuracy on labelled traffic below the quality gate
        jsondecode(var.monitoring_baseline ? jsonencode({
          ModelDataQuality = local.baseline_files
          ModelQuality     = { Constraints = { ContentType = "application/json", S3Uri = { "Std:Join" = { On = "/", Values = [local.execution_uri, "evaluation", "model_quality_constraints.json"] } } } }
        }) : "{}"),
        # via JSON: the two baselines have different shapes, which a conditional cannot unify with {}
        jsondecode(var.clarify_baselines.enabled ? jsonencode({
          Bias           = { ConfigFile = local.clarify_file.bias_config, PostTrainingConstraints = local.clarify_file.bias_constraints }
          Explainability = { ConfigFile = local.clarify_file.explainability_config, Constraints = local.clarify_file.explainability_values }
        }) : "{}"),
      )
    } : {})
  }

  pipeline_definition = {
    Version  = "2020-12-01"
    Metadata = {}
    Parameters = [
      { Name = "ProcessingInstanceType", Type = "String", DefaultValue = var.jobs.processing_instance_type },
      { Name = "TrainingInstanceType", Type = "String", DefaultValue = var.jobs.training_instance_type },
    ]
    PipelineExperimentConfig = {
      ExperimentName = { Get = "Execution.PipelineName" }
      TrialName      = { Get = "Execution.PipelineExecutionId" }
    }
    Steps = concat([
      {
        Name = "Preprocess"
        Type = "Processing"
        Arguments = merge(local.processing_common, {
          AppSpecification       = { ImageUri = var.images.sklearn, ContainerEntrypoint = ["python3", "/opt/ml/processing/input/code/preprocess.py"], ContainerArguments = concat(local.preprocess_data.arguments, ["--output-dir", "/opt/ml/processing"]) }
          ProcessingInputs       = concat([local.processing_code], local.preprocess_data.inputs)
          ProcessingOutputConfig = { KmsKeyId = var.kms_key_arn, Outputs = [local.step_output.train, local.step_output.test, local.step_output.features] }
        })
      },
      {
        Name = "Train"
        Type = "Training"
        Arguments = {
          AlgorithmSpecification = { TrainingImage = var.images.sklearn, TrainingInputMode = "File", ContainerEntrypoint = ["python3", "/opt/ml/input/data/code/train.py"], ContainerArguments = ["--train-dir", "/opt/ml/input/data/train", "--model-dir", "/opt/ml/model", "--config", "/opt/ml/input/config/hyperparameters.json"] }
          HyperParameters        = local.hyperparameters
          InputDataConfig = [
            { ChannelName = "train", ContentType = "text/csv", DataSource = { S3DataSource = { S3DataType = "S3Prefix", S3Uri = local.train_output_uri, S3DataDistributionType = "FullyReplicated" } } },
            { ChannelName = "code", DataSource = { S3DataSource = { S3DataType = "S3Prefix", S3Uri = local.code_uri, S3DataDistributionType = "FullyReplicated" } } },
          ]
          OutputDataConfig                      = { S3OutputPath = "s3://${var.model_bucket_name}/models/${var.name}", KmsKeyId = var.model_kms_key_arn }
          ResourceConfig                        = { InstanceCount = 1, InstanceType = { Get = "Parameters.TrainingInstanceType" }, VolumeSizeInGB = 30, VolumeKmsKeyId = var.kms_key_arn }
          RoleArn                               = var.role_arn
          StoppingCondition                     = { MaxRuntimeInSeconds = var.jobs.max_runtime_seconds }
          VpcConfig                             = local.network_config
          EnableInterContainerTrafficEncryption = true
          EnableNetworkIsolation                = false
        }
      },
      {
        Name = "Evaluate"
        Type = "Processing"
        Arguments = merge(local.processing_common, {
          AppSpecification = { ImageUri = var.images.sklearn, ContainerEntrypoint = ["python3", "/opt/ml/processing/input/code/evaluate.py"], ContainerArguments = ["--model-dir", "/opt/ml/processing/model", "--test-dir", "/opt/ml/processing/test", "--output-dir", "/opt/ml/processing/evaluation", "--min-accuracy", tostring(var.min_accuracy)] }
          ProcessingInputs = [
            local.processing_code,
            { InputName = "model", AppManaged = false, S3Input = { S3Uri = local.model_data_uri, LocalPath = "/opt/ml/processing/model", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } },
            { InputName = "test", AppManaged = false, S3Input = { S3Uri = local.test_output_uri, LocalPath = "/opt/ml/processing/test", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } },
          ]
          ProcessingOutputConfig = { KmsKeyId = var.kms_key_arn, Outputs = [local.step_output.evaluation] }
        })
        PropertyFiles = [{ PropertyFileName = "EvaluationReport", OutputName = "evaluation", FilePath = "evaluation.json" }]
      },
      merge({
        Name = "QualityGate"
        Type = "Condition"
        Arguments = {
          Conditions = [{
            Type       = "GreaterThanOrEqualTo"
            LeftValue  = { "Std:JsonGet" = { PropertyFile = { Get = "Steps.Evaluate.PropertyFiles.EvaluationReport" }, Path = "metrics.accuracy.value" } }
            RightValue = var.min_accuracy
          }]
          IfSteps = [local.register_step]
          ElseSteps = [{
            Name      = "QualityGateFailed"
            Type      = "Fail"
            Arguments = { ErrorMessage = "Test accuracy is below the minimum of ${var.min_accuracy}" }
          }]
        }
      }, length(local.baselines_before_gate) > 0 ? { DependsOn = local.baselines_before_gate } : {}),
    ], var.monitoring_baseline ? [local.baseline_step] : [], slice(local.clarify_steps, 0, var.clarify_baselines.enabled ? length(local.clarify_steps) : 0))
  }
}

resource "aws_sagemaker_pipeline" "this" {
  pipeline_name         = var.name
  pipeline_display_name = var.name
  pipeline_description  = "Retraining: preprocess, train, evaluate, quality gate, register for approval"
  role_arn              = var.role_arn
  pipeline_definition   = jsonencode(local.pipeline_definition)
  tags                  = merge(var.tags, { "mlops:code-version" = var.code.version })

  parallelism_configuration {
    max_parallel_execution_steps = 2
  }

  lifecycle {
    precondition {
      condition     = var.images.known
      error_message = "No SageMaker image account is known for this region: set sklearn_image_uri (and analyzer_image_uri with monitoring_baseline; Clarify is not offered there with clarify_baselines)."
    }
  }
}

resource "aws_scheduler_schedule" "this" {
  count                        = var.schedule == null ? 0 : 1
  depends_on                   = [aws_sagemaker_pipeline.this]
  name                         = var.name
  description                  = "Starts the retraining pipeline on a schedule"
  schedule_expression          = var.schedule.expression
  schedule_expression_timezone = var.schedule.timezone
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = 30
  }

  target {
    arn      = local.arn
    role_arn = var.schedule.role_arn
    retry_policy {
      maximum_retry_attempts       = 3
      maximum_event_age_in_seconds = 3600
    }
  }
}
