# Approvals happen here; the CI/CD account's pipeline reacts to them. A rule forwards this
# registry's approval events to that account's bus (whose policy names this forwarder role).
locals {
  forward_approvals   = var.approval_event_bus_arn != null
  forwarder_role_name = "${local.name_prefix}-forward-approvals"
}

resource "aws_cloudwatch_event_rule" "approvals" {
  count       = local.forward_approvals ? 1 : 0
  name        = "${local.name_prefix}-forward-approvals"
  description = "Approvals of ${var.model_package_group_name}: forward to the CI/CD account"
  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Model Package State Change"]
    detail = {
      ModelPackageGroupName = [var.model_package_group_name]
      ModelApprovalStatus   = ["Approved"]
    }
  })
  tags = var.tags
}

module "events_trust" {
  source     = "../components/service-trust"
  count      = local.forward_approvals ? 1 : 0
  service    = "events.amazonaws.com"
  account_id = var.account_id
}

resource "aws_iam_role" "forwarder" {
  count              = local.forward_approvals ? 1 : 0
  name               = local.forwarder_role_name
  path               = "/mlops/"
  description        = "EventBridge forwards approvals of ${var.model_package_group_name} to the CI/CD account"
  assume_role_policy = module.events_trust[0].json
  tags               = merge(var.tags, { "mlops:purpose" = "event-forwarder" })
}

resource "aws_iam_role_policy" "forwarder" {
  count = local.forward_approvals ? 1 : 0
  name  = "put-events"
  role  = aws_iam_role.forwarder[0].name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "ForwardToCicdBus", Effect = "Allow", Action = "events:PutEvents", Resource = var.approval_event_bus_arn }]
  })
}

resource "aws_cloudwatch_event_target" "approvals" {
  count     = local.forward_approvals ? 1 : 0
  rule      = aws_cloudwatch_event_rule.approvals[0].name
  arn       = var.approval_event_bus_arn
  target_id = "forward-approvals" # fixed: a target re-created after a killed run replaces itself instead of doubling
  role_arn  = aws_iam_role.forwarder[0].arn
}
