# Approval events of another account's registry reach this account's default bus: only the named
# forwarder roles, and only from inside the organization.
data "aws_iam_policy_document" "approval_senders" {
  count = length(var.approval_senders) > 0 ? 1 : 0
  statement {
    sid       = "RegistryAccountForwardsApprovals"
    actions   = ["events:PutEvents"]
    resources = ["${local.arn_prefix}:events:${var.region}:${var.account_id}:event-bus/default"]
    principals {
      type        = "AWS"
      identifiers = sort(var.approval_senders)
    }
    dynamic "condition" {
      for_each = var.organization_id == null ? [] : [var.organization_id]
      content {
        test     = "StringEquals"
        variable = "aws:PrincipalOrgID"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_cloudwatch_event_bus_policy" "approvals" {
  count          = length(var.approval_senders) > 0 ? 1 : 0
  event_bus_name = "default"
  policy         = data.aws_iam_policy_document.approval_senders[0].json
}
