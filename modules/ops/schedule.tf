locals {
  scheduler_role_name = "${local.name_prefix}-scheduler"
}

module "scheduler_trust" {
  source     = "../components/service-trust"
  service    = "scheduler.amazonaws.com"
  account_id = var.account_id
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "StartRetraining"
    actions   = ["sagemaker:StartPipelineExecution"]
    resources = [local.pipeline_arn]
  }
}

resource "aws_iam_role" "scheduler" {
  count              = var.retraining_schedule == null ? 0 : 1
  name               = local.scheduler_role_name
  path               = "/mlops/"
  description        = "Lets EventBridge Scheduler start the retraining pipeline"
  assume_role_policy = module.scheduler_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  count  = var.retraining_schedule == null ? 0 : 1
  name   = "start-retraining"
  role   = aws_iam_role.scheduler[0].name
  policy = data.aws_iam_policy_document.scheduler.json
}

resource "aws_scheduler_schedule" "retraining" {
  count                        = var.retraining_schedule == null ? 0 : 1
  depends_on                   = [aws_sagemaker_pipeline.this, aws_iam_role_policy.scheduler]
  name                         = "${var.prefix}-retraining"
  description                  = "Starts the retraining pipeline on a schedule"
  schedule_expression          = var.retraining_schedule
  schedule_expression_timezone = var.schedule_timezone
  kms_key_arn                  = module.kms.arn

  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = 30
  }

  target {
    arn      = local.pipeline_arn
    role_arn = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.scheduler_role_name}"
    retry_policy {
      maximum_retry_attempts       = 3
      maximum_event_age_in_seconds = 3600
    }
  }
}
