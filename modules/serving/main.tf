locals {
  name_prefix = "${var.prefix}-${var.stage}"
  arn_prefix  = "arn:${var.partition}"
  # One endpoint per use case. Release 0.x's one use case, `model`, keeps <prefix>-<stage>; every name
  # below derives from the endpoint's, so each use case's alarms, monitors and data stay apart.
  endpoints         = { for use_case in keys(var.use_cases) : use_case => use_case == "model" ? local.name_prefix : "${local.name_prefix}-${use_case}" }
  sagemaker_prefix  = "${local.arn_prefix}:sagemaker:${var.region}:${var.account_id}"
  model_role_name   = "${local.name_prefix}-model"
  model_role_arn    = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.model_role_name}"
  capture_bucket    = "${var.prefix}-${var.account_id}-${var.region}-${var.stage}-capture"
  model_data_prefix = "${var.model_bucket_arn}/models/*"
  endpoint_arns     = { for use_case, endpoint in local.endpoints : use_case => "${local.sagemaker_prefix}:endpoint/${endpoint}" }
  capture_s3_uris   = { for use_case, endpoint in local.endpoints : use_case => "s3://${local.capture_bucket}/${endpoint}" }
  baselines_uris    = { for use_case, endpoint in local.endpoints : use_case => "s3://${local.capture_bucket}/${endpoint}/baselines" }

  # Other accounts' keys, given by key or alias ARN. An alias ARN names no key in a policy's Resource,
  # so grant that account's keys that carry the alias (kms:ResourceAliases) instead.
  foreign_keys = { for use, arn in {
    artifacts = try(var.deployer.artifact_kms_key_arn, null)
    replicas  = try(var.capture_replication.destination_kms_key_arn, null)
    labels    = local.reads_labels ? var.monitoring.ground_truth_kms_key_arn : null
    } : use => {
    resource = strcontains(arn, ":alias/") ? "${split(":alias/", arn)[0]}:key/*" : arn
    aliases  = strcontains(arn, ":alias/") ? ["alias/${split(":alias/", arn)[1]}"] : []
  } if arn != null }
}

module "kms" {
  source             = "../components/kms-key"
  name               = local.name_prefix
  description        = "Endpoint volumes, captured data, logs and functions of ${local.name_prefix}"
  account_id         = var.account_id
  region             = var.region
  partition          = var.partition
  service_principals = ["sagemaker.amazonaws.com", "sns.amazonaws.com", "cloudwatch.amazonaws.com"]
  tags               = var.tags
}

module "capture_bucket" {
  source            = "../components/bucket"
  count             = var.data_capture.enabled ? 1 : 0
  name              = local.capture_bucket
  kms_key_arn       = module.kms.arn
  kms_key_alias_arn = module.kms.alias_arn_known_at_plan
  partition         = var.partition
  force_destroy     = var.force_destroy
  tags              = var.tags
}

module "sagemaker_trust" {
  source     = "../components/service-trust"
  service    = "sagemaker.amazonaws.com"
  account_id = var.account_id
}

# What a served model may do: read its artifact and image, write logs, metrics and captured data.
data "aws_iam_policy_document" "model" {
  statement {
    sid       = "ReadModelArtifacts"
    actions   = ["s3:GetObject"]
    resources = [local.model_data_prefix]
  }
  statement {
    sid       = "PullServingImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = var.image_repository_arns
  }
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the token call has no resource
  }
  statement {
    sid       = "UseKeys"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"]
    resources = ["${local.arn_prefix}:kms:${var.region}:*:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name, var.model_kms_key_alias]
    }
  }
  statement {
    sid       = "GrantKeysToTheEndpoint"
    actions   = ["kms:CreateGrant"]
    resources = ["${local.arn_prefix}:kms:${var.region}:*:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name, var.model_kms_key_alias]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
  statement {
    sid       = "EndpointLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = sort([for endpoint in values(local.endpoints) : "${local.arn_prefix}:logs:${var.region}:${var.account_id}:log-group:/aws/sagemaker/Endpoints/${endpoint}*"])
  }
  statement {
    sid       = "EndpointMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource; the namespace condition limits it
    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*", "AWS/SageMaker"]
    }
  }
  statement {
    sid       = "EndpointInVpc"
    actions   = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions"]
    resources = ["*"] # EC2 describe and ENI calls are not resource-scoped
  }
  dynamic "statement" {
    for_each = var.data_capture.enabled ? [1] : []
    content {
      sid       = "WriteCapturedData"
      actions   = ["s3:PutObject"]
      resources = sort([for endpoint in values(local.endpoints) : "${local.arn_prefix}:s3:::${local.capture_bucket}/${endpoint}/${endpoint}/*"]) # <destination>/<endpoint>/<variant>/...: not the baselines or the monitor's code
    }
  }
}

resource "aws_iam_role" "model" {
  name               = local.model_role_name
  path               = "/mlops/"
  description        = "Execution role of the models served on ${local.name_prefix}"
  assume_role_policy = module.sagemaker_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "model" {
  name   = "serve"
  role   = aws_iam_role.model.name
  policy = data.aws_iam_policy_document.model.json
}

resource "aws_sns_topic" "alarms" {
  name              = "${local.name_prefix}-alarms"
  kms_master_key_id = module.kms.arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}
