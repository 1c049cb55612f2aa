# Model quality: the served model's accuracy on labelled traffic. Model Monitor joins each captured
# request with its label under the ground-truth prefix (by eventId or inferenceId), and compares the
# accuracy with the constraints each deployment publishes (the retraining pipeline's quality gate).
# The provider lacks the job definition (hashicorp/terraform-provider-aws#31378): one CloudFormation
# stack holds it and its schedule, as for Clarify. See README.
locals {
  # Labels live where the talk puts them: the account that holds the replicated captures (the ops
  # role's account, <prefix>/<endpoint>), or by default beside each endpoint's captures in this stage's bucket.
  ground_truth_uris       = { for use_case, endpoint in local.endpoints : use_case => var.monitoring.ground_truth_s3_prefix == null ? "s3://${local.capture_bucket}/${endpoint}/ground-truth" : "${var.monitoring.ground_truth_s3_prefix}/${endpoint}" }
  ground_truth_prefixes   = sort([for uri in values(local.ground_truth_uris) : regex("^s3://[^/]+/(.+)$", uri)[0]])
  ground_truth_bucket_arn = "${local.arn_prefix}:s3:::${regex("^s3://([^/]+)/", values(local.ground_truth_uris)[0])[0]}"
  reads_labels            = var.monitoring.model_quality || var.monitoring.clarify                   # the bias monitor reads them too
  ground_truth_elsewhere  = local.reads_labels && local.ground_truth_bucket_arn != local.capture_arn # else the monitor reads its own bucket already
  label_delay_hours       = var.monitoring.label_delay_hours

  model_quality_resources = { for use_case in keys(local.endpoints) : use_case => {
    ModelQualityJobDefinition = {
      Type = "AWS::SageMaker::ModelQualityJobDefinition"
      Properties = merge(local.monitor_job_common, {
        JobDefinitionName            = "${local.endpoints[use_case]}-model-quality"
        RoleArn                      = local.monitor_role_arn
        ModelQualityAppSpecification = { ImageUri = local.monitor_image, ProblemType = "BinaryClassification" }
        ModelQualityBaselineConfig   = { ConstraintsResource = { S3Uri = "${local.baselines_uris[use_case]}/model-quality/constraints.json" } }
        ModelQualityJobInput = {
          EndpointInput = {
            EndpointName       = local.endpoints[use_case]
            LocalPath          = "/opt/ml/processing/input/endpoint"
            InferenceAttribute = "predictions[0]" # a label joins one captured request: labelled traffic sends one instance each
            # each hourly run reads the hour whose labels are due by now
            StartTimeOffset = "-PT${local.label_delay_hours + 1}H"
            EndTimeOffset   = "-PT${local.label_delay_hours}H"
          }
          GroundTruthS3Input = { S3Uri = local.ground_truth_uris[use_case] }
        }
        ModelQualityJobOutputConfig = {
          KmsKeyId          = module.kms.alias_arn_known_at_plan
          MonitoringOutputs = [{ S3Output = { S3Uri = "${local.monitor_outputs[use_case]}/model-quality", LocalPath = "/opt/ml/processing/output", S3UploadMode = "EndOfJob" } }]
        }
      })
    }
    ModelQualitySchedule = {
      Type = "AWS::SageMaker::MonitoringSchedule"
      Properties = {
        MonitoringScheduleName = "${local.endpoints[use_case]}-model-quality"
        MonitoringScheduleConfig = {
          MonitoringJobDefinitionName = { "Fn::GetAtt" = ["ModelQualityJobDefinition", "JobDefinitionName"] }
          MonitoringType              = "ModelQuality"
          ScheduleConfig              = { ScheduleExpression = var.monitoring.schedule }
        }
      }
    }
  } }
}

resource "aws_cloudformation_stack" "model_quality" {
  for_each = var.monitoring.model_quality ? local.endpoints : {}
  name     = "${each.value}-model-quality-monitor"
  template_body = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Model-quality monitor of ${each.value} with ground truth from ${local.ground_truth_uris[each.key]} (managed by Terraform, modules/serving)"
    Parameters               = local.monitor_stack_parameter_types
    Resources                = local.model_quality_resources[each.key]
  })
  parameters        = local.monitor_stack_parameters
  notification_arns = [aws_sns_topic.alarms.arn]
  tags              = var.tags
  depends_on        = [aws_iam_role_policy.monitor]

  lifecycle {
    precondition {
      condition     = module.images.known.model_monitor
      error_message = "No Model Monitor image account is known for this region: set monitoring.analyzer_image_uri."
    }
  }
}

moved {
  from = aws_cloudformation_stack.model_quality[0]
  to   = aws_cloudformation_stack.model_quality["model"]
}
