# Clarify bias and explainability monitors. The AWS provider has no resources for these job
# definitions (hashicorp/terraform-provider-aws#31378), so one CloudFormation stack holds them,
# typed and validated by CloudFormation, created and destroyed with this module. See README.
# Keys are named by alias ARN so the template is known at plan wherever the subnets are.
locals {
  clarify_kinds = {
    ModelBias = {
      definition = "ModelBiasJobDefinition"
      prefix     = "ModelBias"
      baseline   = "model-bias"
    }
    ModelExplainability = {
      definition = "ModelExplainabilityJobDefinition"
      prefix     = "ModelExplainability"
      baseline   = "model-explainability"
    }
  }
  baselines_uri    = "s3://${local.capture_bucket}/${local.endpoint_name}/baselines"
  ground_truth_uri = "s3://${local.capture_bucket}/${local.endpoint_name}/ground-truth"

  clarify_definitions = { for kind, k in local.clarify_kinds : "${kind}JobDefinition" => {
    Type = "AWS::SageMaker::${k.definition}"
    Properties = {
      JobDefinitionName = "${local.name_prefix}-${k.baseline}"
      RoleArn           = local.monitor_role_arn
      "${k.prefix}AppSpecification" = {
        ImageUri  = local.clarify_image
        ConfigUri = "${local.baselines_uri}/${k.baseline}/analysis_config.json"
      }
      "${k.prefix}BaselineConfig" = { ConstraintsResource = { S3Uri = "${local.baselines_uri}/${k.baseline}/constraints.json" } }
      "${k.prefix}JobInput" = merge(
        { EndpointInput = { EndpointName = local.endpoint_name, LocalPath = "/opt/ml/processing/input/endpoint" } },
        kind == "ModelBias" ? { GroundTruthS3Input = { S3Uri = local.ground_truth_uri } } : {},
      )
      "${k.prefix}JobOutputConfig" = {
        KmsKeyId          = module.kms.alias_arn_known_at_plan
        MonitoringOutputs = [{ S3Output = { S3Uri = "${local.monitor_output}/${k.baseline}", LocalPath = "/opt/ml/processing/output", S3UploadMode = "EndOfJob" } }]
      }
      JobResources = { ClusterConfig = { InstanceCount = 1, InstanceType = var.monitoring.instance_type, VolumeSizeInGB = 20, VolumeKmsKeyId = module.kms.alias_arn_known_at_plan } }
      NetworkConfig = {
        EnableInterContainerTrafficEncryption = true
        EnableNetworkIsolation                = false
        VpcConfig                             = { SecurityGroupIds = var.network.security_group_ids, Subnets = var.network.subnet_ids }
      }
      StoppingCondition = { MaxRuntimeInSeconds = 3300 }
    }
  } }

  clarify_schedules = { for kind, k in local.clarify_kinds : "${kind}Schedule" => {
    Type = "AWS::SageMaker::MonitoringSchedule"
    Properties = {
      MonitoringScheduleName = "${local.name_prefix}-${k.baseline}"
      MonitoringScheduleConfig = {
        MonitoringJobDefinitionName = { "Fn::GetAtt" = ["${kind}JobDefinition", "JobDefinitionName"] }
        MonitoringType              = kind
        ScheduleConfig              = { ScheduleExpression = var.monitoring.schedule }
      }
    }
  } }
}

resource "aws_cloudformation_stack" "clarify" {
  count = var.monitoring.clarify ? 1 : 0
  name  = "${local.name_prefix}-clarify-monitors"
  template_body = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Clarify bias and explainability monitors of ${local.endpoint_name} (managed by Terraform, modules/serving)"
    Resources                = merge(local.clarify_definitions, local.clarify_schedules)
  })
  notification_arns = [aws_sns_topic.alarms.arn] # stack events reach the serving alarms topic
  tags              = var.tags
  depends_on        = [aws_iam_role_policy.monitor]

  lifecycle {
    precondition {
      condition     = module.images.known.clarify
      error_message = "No Clarify image account is known for this region: set monitoring.clarify_image_uri."
    }
  }
}
