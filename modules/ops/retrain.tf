# Drift starts retraining: Model Monitor violations (from this account's default bus, where the
# serving accounts forward them) invoke a debounced, idempotent trigger (lambda_src/retrain_trigger),
# which starts the pipeline for violations of the schedules routed to it and ignores any other's.
locals {
  trigger_name = "${var.prefix}-retrain-trigger"
  default_bus  = "${local.arn_prefix}:events:${var.region}:${var.account_id}:event-bus/default"
  senders      = sort(distinct(var.retrain_trigger.violation_sender_role_arns))
  # monitoring schedule ARN -> the pipeline its violations start (each schedule retrains one use case)
  schedule_pipelines = merge([for use_case, c in var.use_cases : { for arn in c.retrain_on_schedule_arns : arn => local.pipeline_names[use_case] }]...)
}

data "aws_iam_policy_document" "retrain_trigger" {
  statement {
    sid       = "DebounceAndStart"
    actions   = ["sagemaker:ListPipelineExecutions", "sagemaker:StartPipelineExecution"]
    resources = flatten([for arn in values(local.pipeline_arns) : [arn, "${arn}/*"]])
  }
}

module "retrain_trigger" {
  source               = "../components/lambda-function"
  count                = var.retrain_trigger.enabled ? 1 : 0
  name                 = local.trigger_name
  description          = "Starts a use case's retraining pipeline when its monitors report violations (debounced, idempotent)"
  package_path         = "${coalesce(var.lambda_package_dir, "set-lambda_package_dir-for-retrain_trigger")}/retrain_trigger.zip"
  account_id           = var.account_id
  region               = var.region
  partition            = var.partition
  kms_key_arn          = module.kms.arn
  kms_key_alias        = module.kms.alias_name
  policy_json          = data.aws_iam_policy_document.retrain_trigger.json
  reserved_concurrency = 1 # decisions are serialised, so two violations cannot both start a run
  subnet_ids           = var.network.subnet_ids
  security_group_ids   = var.network.security_group_ids
  environment = {
    SCHEDULE_PIPELINES = jsonencode(local.schedule_pipelines)
    COOLDOWN_MINUTES   = tostring(var.retrain_trigger.cooldown_minutes)
  }
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "violations" {
  count       = var.retrain_trigger.enabled ? 1 : 0
  name        = "${local.trigger_name}-violations"
  description = "A Model Monitor job of any serving stage completed with violations"
  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Processing Job State Change"]
    detail = {
      MonitoringScheduleArn = [{ exists = true }]
      ExitMessage           = [{ prefix = "CompletedWithViolations" }]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "violations" {
  count     = var.retrain_trigger.enabled ? 1 : 0
  rule      = aws_cloudwatch_event_rule.violations[0].name
  arn       = module.retrain_trigger[0].arn
  target_id = "retrain-trigger" # fixed: a target re-created after a killed run replaces itself instead of doubling
  retry_policy {
    maximum_retry_attempts       = 8
    maximum_event_age_in_seconds = 3600
  }
}

resource "aws_lambda_permission" "violations" {
  count          = var.retrain_trigger.enabled ? 1 : 0
  statement_id   = "events-violations"
  action         = "lambda:InvokeFunction"
  function_name  = module.retrain_trigger[0].name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.violations[0].arn
  source_account = var.account_id
}

# The serving accounts' forwarder roles, and only those, may put events on this bus.
data "aws_iam_policy_document" "violation_senders" {
  count = var.retrain_trigger.enabled && length(local.senders) > 0 ? 1 : 0
  statement {
    sid       = "ServingStagesForwardViolations"
    actions   = ["events:PutEvents"]
    resources = [local.default_bus]
    principals {
      type        = "AWS"
      identifiers = local.senders
    }
  }
}

resource "aws_cloudwatch_event_bus_policy" "violations" {
  count          = var.retrain_trigger.enabled && length(local.senders) > 0 ? 1 : 0
  event_bus_name = "default"
  policy         = data.aws_iam_policy_document.violation_senders[0].json
}
