# The retraining pipeline, as a SageMaker Pipelines definition (schema 2020-12-01):
# Preprocess -> Train -> Evaluate -> QualityGate -> Register (PendingManualApproval) | Fail.
locals {
  code_uri        = "s3://${local.bucket_name}/${local.code_prefix}"
  execution_uri   = { "Std:Join" = { On = "/", Values = ["s3://${local.bucket_name}/executions", { Get = "Execution.PipelineExecutionId" }] } }
  network_config  = { SecurityGroupIds = var.network.security_group_ids, Subnets = var.network.subnet_ids }
  processing_code = { InputName = "code", AppManaged = false, S3Input = { S3Uri = local.code_uri, LocalPath = "/opt/ml/processing/input/code", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } }

  processing_common = {
    RoleArn           = local.role_arn
    StoppingCondition = { MaxRuntimeInSeconds = var.max_job_runtime_seconds }
    NetworkConfig     = { EnableInterContainerTrafficEncryption = true, EnableNetworkIsolation = false, VpcConfig = local.network_config }
    ProcessingResources = {
      ClusterConfig = { InstanceType = { Get = "Parameters.ProcessingInstanceType" }, InstanceCount = 1, VolumeSizeInGB = 30, VolumeKmsKeyId = module.kms.arn }
    }
  }

  step_output = { for name in ["train", "test", "evaluation", "baseline"] : name => {
    OutputName = name
    AppManaged = false
    S3Output = {
      S3Uri        = { "Std:Join" = { On = "/", Values = [local.execution_uri, name] } }
      LocalPath    = "/opt/ml/processing/${name}"
      S3UploadMode = "EndOfJob"
    }
  } }

  train_output_uri = { Get = "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" }
  test_output_uri  = { Get = "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri" }
  model_data_uri   = { Get = "Steps.Train.ModelArtifacts.S3ModelArtifacts" }

  # Model Monitor's statistics and constraints of the training data (the analyzer's own format).
  baseline_files = { for name, file in { Statistics = "statistics.json", Constraints = "constraints.json" } : name => {
    ContentType = "application/json"
    S3Uri       = { "Std:Join" = { On = "/", Values = [local.execution_uri, "baseline", file] } }
  } }
  baseline_step = {
    Name      = "Baseline"
    Type      = "Processing"
    DependsOn = ["Preprocess"]
    Arguments = merge(local.processing_common, {
      AppSpecification = { ImageUri = local.monitor_image }
      Environment = {
        dataset_format             = jsonencode({ csv = { header = true, output_columns_position = "START" } })
        dataset_source             = "/opt/ml/processing/input/baseline_dataset_input"
        output_path                = "/opt/ml/processing/baseline"
        publish_cloudwatch_metrics = "Disabled"
      }
      ProcessingInputs       = [{ InputName = "baseline_dataset_input", AppManaged = false, S3Input = { S3Uri = local.train_output_uri, LocalPath = "/opt/ml/processing/input/baseline_dataset_input", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } }]
      ProcessingOutputConfig = { KmsKeyId = module.kms.arn, Outputs = [local.step_output.baseline] }
    })
  }

  register_step = {
    Name = "Register"
    Type = "RegisterModel"
    Arguments = merge({
      ModelPackageGroupName = var.model_package_group_name
      ModelApprovalStatus   = { Get = "Parameters.ModelApprovalStatus" }
      InferenceSpecification = {
        Containers = [{
          Image        = local.sklearn_image
          ModelDataUrl = local.model_data_uri
          Environment  = { SAGEMAKER_PROGRAM = "inference.py", SAGEMAKER_SUBMIT_DIRECTORY = "/opt/ml/model/code" }
        }]
        SupportedContentTypes                   = ["application/json"]
        SupportedResponseMIMETypes              = ["application/json"]
        SupportedRealtimeInferenceInstanceTypes = var.serving_instance_types
      }
      ModelMetrics = {
        ModelQuality = {
          Statistics = { ContentType = "application/json", S3Uri = { "Std:Join" = { On = "/", Values = [local.execution_uri, "evaluation", "evaluation.json"] } } }
        }
      }
      CustomerMetadataProperties = {
        "code-version"  = local.code_version
        "training-data" = { Get = "Parameters.InputDataUrl" }
        "pipeline-run"  = { Get = "Execution.PipelineExecutionArn" }
      }
      }, var.monitoring_baseline ? {
      DriftCheckBaselines = { ModelDataQuality = local.baseline_files }
    } : {})
  }

  pipeline_definition = {
    Version  = "2020-12-01"
    Metadata = {}
    Parameters = [
      { Name = "InputDataUrl", Type = "String", DefaultValue = var.training_data_s3_uri },
      { Name = "ProcessingInstanceType", Type = "String", DefaultValue = var.processing_instance_type },
      { Name = "TrainingInstanceType", Type = "String", DefaultValue = var.training_instance_type },
      { Name = "ModelApprovalStatus", Type = "String", DefaultValue = "PendingManualApproval" },
      { Name = "MinAccuracy", Type = "Float", DefaultValue = var.min_accuracy },
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
          AppSpecification = { ImageUri = local.sklearn_image, ContainerEntrypoint = ["python3", "/opt/ml/processing/input/code/preprocess.py"] }
          ProcessingInputs = [
            local.processing_code,
            { InputName = "data", AppManaged = false, S3Input = { S3Uri = { Get = "Parameters.InputDataUrl" }, LocalPath = "/opt/ml/processing/input/data", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } },
          ]
          ProcessingOutputConfig = { KmsKeyId = module.kms.arn, Outputs = [local.step_output.train, local.step_output.test] }
        })
      },
      {
        Name = "Train"
        Type = "Training"
        Arguments = {
          AlgorithmSpecification = { TrainingImage = local.sklearn_image, TrainingInputMode = "File", ContainerEntrypoint = ["python3", "/opt/ml/input/data/code/train.py"] }
          HyperParameters        = { C = tostring(var.regularization_c) }
          InputDataConfig = [
            { ChannelName = "train", ContentType = "text/csv", DataSource = { S3DataSource = { S3DataType = "S3Prefix", S3Uri = local.train_output_uri, S3DataDistributionType = "FullyReplicated" } } },
            { ChannelName = "code", DataSource = { S3DataSource = { S3DataType = "S3Prefix", S3Uri = local.code_uri, S3DataDistributionType = "FullyReplicated" } } },
          ]
          OutputDataConfig                      = { S3OutputPath = "s3://${var.model_bucket_name}/models/${local.pipeline_name}", KmsKeyId = var.model_kms_key_arn }
          ResourceConfig                        = { InstanceCount = 1, InstanceType = { Get = "Parameters.TrainingInstanceType" }, VolumeSizeInGB = 30, VolumeKmsKeyId = module.kms.arn }
          RoleArn                               = local.role_arn
          StoppingCondition                     = { MaxRuntimeInSeconds = var.max_job_runtime_seconds }
          VpcConfig                             = local.network_config
          EnableInterContainerTrafficEncryption = true
          EnableNetworkIsolation                = false
        }
      },
      {
        Name = "Evaluate"
        Type = "Processing"
        Arguments = merge(local.processing_common, {
          AppSpecification = { ImageUri = local.sklearn_image, ContainerEntrypoint = ["python3", "/opt/ml/processing/input/code/evaluate.py"] }
          ProcessingInputs = [
            local.processing_code,
            { InputName = "model", AppManaged = false, S3Input = { S3Uri = local.model_data_uri, LocalPath = "/opt/ml/processing/model", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } },
            { InputName = "test", AppManaged = false, S3Input = { S3Uri = local.test_output_uri, LocalPath = "/opt/ml/processing/test", S3DataType = "S3Prefix", S3InputMode = "File", S3DataDistributionType = "FullyReplicated" } },
          ]
          ProcessingOutputConfig = { KmsKeyId = module.kms.arn, Outputs = [local.step_output.evaluation] }
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
            RightValue = { Get = "Parameters.MinAccuracy" }
          }]
          IfSteps = [local.register_step]
          ElseSteps = [{
            Name      = "QualityGateFailed"
            Type      = "Fail"
            Arguments = { ErrorMessage = { "Std:Join" = { On = " ", Values = ["Test accuracy is below the MinAccuracy of", { Get = "Parameters.MinAccuracy" }] } } }
          }]
        }
      }, var.monitoring_baseline ? { DependsOn = ["Baseline"] } : {}),
    ], var.monitoring_baseline ? [local.baseline_step] : [])
  }
}
