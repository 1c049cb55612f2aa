# The CI/CD deploy role (medium and large tiers): the only way into this account. The pipeline's
# build role assumes it and runs the same reconciler as the deploy function (lambda_src/deploy).
locals {
  deployer_role_name = "${local.name_prefix}-cicd-deploy"
  deployer_role_arn  = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.deployer_role_name}"
}

data "aws_iam_policy_document" "deployer_trust" {
  count = var.deployer == null ? 0 : 1
  statement {
    sid     = "OnlyThePipelineRole"
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "AWS"
      identifiers = [var.deployer.pipeline_role_arn]
    }
    dynamic "condition" {
      for_each = var.deployer.organization_id == null ? [] : [var.deployer.organization_id]
      content {
        test     = "StringEquals"
        variable = "aws:PrincipalOrgID"
        values   = [condition.value]
      }
    }
  }
}

data "aws_iam_policy_document" "deployer" {
  count                   = var.deployer == null ? 0 : 1
  source_policy_documents = [data.aws_iam_policy_document.deploy["*"].json]
  statement {
    sid       = "SmokeTestOwnEndpoints"
    actions   = ["sagemaker:InvokeEndpoint"]
    resources = sort(values(local.endpoint_arns))
  }
  dynamic "statement" {
    for_each = { for use, key in local.foreign_keys : use => key if use == "artifacts" }
    content {
      sid       = "ReadPipelineArtifacts"
      actions   = ["kms:Decrypt", "kms:DescribeKey"]
      resources = [statement.value.resource]
      dynamic "condition" {
        for_each = length(statement.value.aliases) > 0 ? [1] : []
        content {
          test     = "ForAnyValue:StringEquals"
          variable = "kms:ResourceAliases"
          values   = statement.value.aliases
        }
      }
    }
  }
}

resource "aws_iam_role" "deployer" {
  count                = var.deployer == null ? 0 : 1
  name                 = local.deployer_role_name
  path                 = "/mlops/"
  description          = "Assumed by the CI/CD pipeline to deploy approved models to ${local.name_prefix}"
  assume_role_policy   = data.aws_iam_policy_document.deployer_trust[0].json
  max_session_duration = 3600
  tags                 = merge(var.tags, { "mlops:purpose" = "deploy" })
}

resource "aws_iam_role_policy" "deployer" {
  count  = var.deployer == null ? 0 : 1
  name   = "deploy"
  role   = aws_iam_role.deployer[0].name
  policy = data.aws_iam_policy_document.deployer[0].json
}
