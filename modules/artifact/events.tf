# Approvals happen here; the CI/CD account's pipeline reacts to them. A rule forwards this
# registry's approval events to that account's bus (whose policy names this forwarder role).
locals {
  forward_approvals   = var.approval_event_bus_arn != null
  forwarder_role_name = "${local.name_prefix}-forward-approvals"
}

module "approval_forwarder" {
  source         = "../components/event-forwarder"
  count          = local.forward_approvals ? 1 : 0
  name           = local.forwarder_role_name
  description    = "Approvals of the ${var.prefix} models: forward to the CI/CD account"
  account_id     = var.account_id
  partition      = var.partition
  target_bus_arn = var.approval_event_bus_arn
  statement_id   = "ForwardToCicdBus"
  target_id      = "forward-approvals"
  tags           = var.tags
  event_pattern = {
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Model Package State Change"]
    detail = {
      ModelPackageGroupName = sort([for group in values(local.groups) : group.name])
      ModelApprovalStatus   = ["Approved"]
    }
  }
}

moved {
  from = aws_cloudwatch_event_rule.approvals[0]
  to   = module.approval_forwarder[0].aws_cloudwatch_event_rule.this
}

moved {
  from = aws_iam_role.forwarder[0]
  to   = module.approval_forwarder[0].aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.forwarder[0]
  to   = module.approval_forwarder[0].aws_iam_role_policy.this
}

moved {
  from = aws_cloudwatch_event_target.approvals[0]
  to   = module.approval_forwarder[0].aws_cloudwatch_event_target.this
}
