# One role lets EventBridge Scheduler start the pipelines that have a schedule (each use case's
# schedule is part of its pipeline, modules/components/retraining-pipeline).
locals {
  scheduler_role_name = "${local.name_prefix}-scheduler"
  scheduler_role_arn  = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.scheduler_role_name}"
  scheduled_pipelines = sort([for use_case, c in var.use_cases : local.pipeline_arns[use_case] if c.schedule != null])
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
    resources = local.scheduled_pipelines
  }
}

resource "aws_iam_role" "scheduler" {
  count              = length(local.scheduled_pipelines) > 0 ? 1 : 0
  name               = local.scheduler_role_name
  path               = "/mlops/"
  description        = "Lets EventBridge Scheduler start the retraining pipelines"
  assume_role_policy = module.scheduler_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  count  = length(local.scheduled_pipelines) > 0 ? 1 : 0
  name   = "start-retraining"
  role   = aws_iam_role.scheduler[0].name
  policy = data.aws_iam_policy_document.scheduler.json
}
