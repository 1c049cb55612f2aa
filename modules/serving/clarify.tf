# Clarify bias and explainability monitors. The AWS provider has no resources for these job
# definitions (hashicorp/terraform-provider-aws#31378), so one CloudFormation stack holds them,
# typed and validated by CloudFormation, created and destroyed with this module. See README.
# Keys are named by alias ARN and the network passed as parameters: the template is known at plan.
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
  # What every CloudFormation-defined monitoring job shares: its size, network and time limit. The
  # network comes in as stack parameters, so the template is known at plan even where the VPC is
  # created in the same apply (the policy suite reads it).
  monitor_job_common = {
    JobResources = { ClusterConfig = { InstanceCount = 1, InstanceType = var.monitoring.instance_type, VolumeSizeInGB = 20, VolumeKmsKeyId = module.kms.alias_arn_known_at_plan } }
    NetworkConfig = {
      EnableInterContainerTrafficEncryption = true
      EnableNetworkIsolation                = false
      VpcConfig                             = { SecurityGroupIds = { Ref = "SecurityGroupIds" }, Subnets = { Ref = "SubnetIds" } }
    }
    StoppingCondition = { MaxRuntimeInSeconds = 3300 }
  }
  monitor_stack_parameter_types = {
    SubnetIds        = { Type = "List<AWS::EC2::Subnet::Id>", Description = "Subnets of the monitoring jobs" }
    SecurityGroupIds = { Type = "List<AWS::EC2::SecurityGroup::Id>", Description = "Security groups of the monitoring jobs" }
  }
  monitor_stack_parameters = { SubnetIds = join(",", var.network.subnet_ids), SecurityGroupIds = join(",", var.network.security_group_ids) }

  clarify_definitions = { for use_case, endpoint in local.endpoints : use_case => { for kind, k in local.clarify_kinds : "${kind}JobDefinition" => {
    Type = "AWS::SageMaker::${k.definition}"
    Properties = merge(local.monitor_job_common, {
      JobDefinitionName = "${endpoint}-${k.baseline}"
      RoleArn           = local.monitor_role_arn
      "${k.prefix}AppSpecification" = {
        ImageUri  = local.clarify_image
        ConfigUri = "${local.baselines_uris[use_case]}/${k.baseline}/analysis_config.json"
      }
      "${k.prefix}BaselineConfig" = { ConstraintsResource = { S3Uri = "${local.baselines_uris[use_case]}/${k.baseline}/constraints.json" } }
      "${k.prefix}JobInput" = merge(
        { EndpointInput = { EndpointName = endpoint, LocalPath = "/opt/ml/processing/input/endpoint" } },
        kind == "ModelBias" ? { GroundTruthS3Input = { S3Uri = local.ground_truth_uris[use_case] } } : {},
      )
      "${k.prefix}JobOutputConfig" = {
        KmsKeyId          = module.kms.alias_arn_known_at_plan
        MonitoringOutputs = [{ S3Output = { S3Uri = "${local.monitor_outputs[use_case]}/${k.baseline}", LocalPath = "/opt/ml/processing/output", S3UploadMode = "EndOfJob" } }]
      }
    })
  } } }

  clarify_schedules = { for use_case, endpoint in local.endpoints : use_case => { for kind, k in local.clarify_kinds : "${kind}Schedule" => {
    Type = "AWS::SageMaker::MonitoringSchedule"
    Properties = {
      MonitoringScheduleName = "${endpoint}-${k.baseline}"
      MonitoringScheduleConfig = {
        MonitoringJobDefinitionName = { "Fn::GetAtt" = ["${kind}JobDefinition", "JobDefinitionName"] }
        MonitoringType              = kind
        ScheduleConfig              = { ScheduleExpression = var.monitoring.schedule }
      }
    }
  } } }
}

resource "aws_cloudformation_stack" "clarify" {
  for_each = var.monitoring.clarify ? local.endpoints : {}
  name     = "${each.value}-clarify-monitors"
  template_body = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Clarify bias and explainability monitors of ${each.value} (managed by Terraform, modules/serving)"
    Parameters               = local.monitor_stack_parameter_types
    Resources                = merge(local.clarify_definitions[each.key], local.clarify_schedules[each.key])
  })
  parameters        = local.monitor_stack_parameters
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

moved {
  from = aws_cloudformation_stack.clarify[0]
  to   = aws_cloudformation_stack.clarify["model"]
}
