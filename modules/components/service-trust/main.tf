# The trust policy of a role that an AWS service assumes on this account's behalf only
# (aws:SourceAccount closes the confused-deputy gap).
data "aws_iam_policy_document" "this" {
  statement {
    actions = var.actions
    principals {
      type        = "Service"
      identifiers = [var.service]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}
