# A role that people assume (through IAM Identity Center or another federation) for one duty, such as
# approving model versions. Its trust names exact principals: never an account root, never a wildcard.
locals {
  arn = "arn:${var.partition}:iam::${var.account_id}:role${var.path}${var.name}"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "NamedPeopleOnly"
    actions = ["sts:AssumeRole", "sts:SetSourceIdentity"]
    principals {
      type        = "AWS"
      identifiers = sort(var.principal_arns)
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  path                 = var.path
  description          = var.description
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "duty"
  role   = aws_iam_role.this.name
  policy = var.policy_json
}
