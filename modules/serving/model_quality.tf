# Model quality: the served model's accuracy on labelled traffic. Model Monitor joins each captured
# request with its label under the ground-truth prefix (by eventId or inferenceId), and compares the
# accuracy with the constraints each deployment publishes (the retraining pipeline's quality gate).
# The provider lacks the job definition (hashicorp/terraform-provider-aws#31378): one CloudFormation
# stack holds it and its schedule, as for Clarify. See README.
locals {
  # Labels live where the talk puts them: the account that holds the replicated captures (the ops
  # role's account), or by default beside the captures in this stage's bucket.
  ground_truth_uri        = trimsuffix(coalesce(var.monitoring.ground_truth_s3_uri, "s3://${local.capture_bucket}/${local.endpoint_name}/ground-truth"), "/")
  ground_truth            = regex("^s3://(?P<bucket>[^/]+)/(?P<prefix>.+)$", local.ground_truth_uri)
  ground_truth_bucket_arn = "${local.arn_prefix}:s3:::${local.ground_truth.bucket}"
  reads_labels            = var.monitoring.model_quality || var.monitoring.clarify                   # the bias monitor reads them too
  ground_truth_elsewhere  = local.reads_labels && local.ground_truth_bucket_arn != local.capture_arn # else the monitor reads its own bucket already
  label_delay_hours       = var.monitoring.label_delay_hours

  model_quality_resources = {
    ModelQualityJobDefinition = {
      Type = "AWS::SageMaker::ModelQualityJobDefinition"
      Properties = merge(local.monitor_job_common, {
        JobDefinitionName            = "${local.name_prefix}-model-quality"
        RoleArn                      = local.monitor_role_arn
        ModelQualityAppSpecification = { ImageUri = local.monitor_image, ProblemType = "BinaryClassification" }
        ModelQualityBaselineConfig   = { ConstraintsResource = { S3Uri = "${local.baselines_uri}/model-quality/constraints.json" } }
        ModelQualityJobInput = {
          EndpointInput = {
            EndpointName       = local.endpoint_name
            LocalPath          = "/opt/ml/processing/input/endpoint"
            InferenceAttribute = "predictions[0]" # a label joins one captured request: labelled traffic sends one instance each
            # each hourly run reads the hour whose labels are due by now
            StartTimeOffset = "-PT${local.label_delay_hours + 1}H"
            EndTimeOffset   = "-PT${local.label_delay_hours}H"
          }
          GroundTruthS3Input = { S3Uri = local.ground_truth_uri }
        }
        ModelQualityJobOutputConfig = {
          KmsKeyId          = module.kms.alias_arn_known_at_plan
          MonitoringOutputs = [{ S3Output = { S3Uri = "${local.monitor_output}/model-quality", LocalPath = "/opt/ml/processing/output", S3UploadMode = "EndOfJob" } }]
        }
      })
    }
    ModelQualitySchedule = {
      Type = "AWS::SageMaker::MonitoringSchedule"
      Properties = {
        MonitoringScheduleName = "${local.name_prefix}-model-quality"
        MonitoringScheduleConfig = {
          MonitoringJobDefinitionName = { "Fn::GetAtt" = ["ModelQualityJobDefinition", "JobDefinitionName"] }
          MonitoringType              = "ModelQuality"
          ScheduleConfig              = { ScheduleExpression = var.monitoring.schedule }
        }
      }
    }
  }
}

resource "aws_cloudformation_stack" "model_quality" {
  count = var.monitoring.model_quality ? 1 : 0
  name  = "${local.name_prefix}-model-quality-monitor"
  template_body = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "Model-quality monitor of ${local.endpoint_name} with ground truth from ${local.ground_truth_uri} (managed by Terraform, modules/serving)"
    Parameters               = local.monitor_stack_parameter_types
    Resources                = local.model_quality_resources
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
