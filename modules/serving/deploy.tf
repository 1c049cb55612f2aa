# Deploy on approval. Terraform owns everything around the endpoint; the deploy function owns the
# endpoint itself (model, endpoint config, endpoint, autoscaling), created from this spec on the
# first approval and rolled forward with a canary on each later one. See the module README.
locals {
  variant_name         = "AllTraffic"
  network_parameter    = "/${var.prefix}/${var.stage}/serving/network"
  deploy_function_name = "${local.name_prefix}-deploy"
  functions = merge(
    var.deploy_on_approval ? { deploy = { name = local.deploy_function_name } } : {},
    var.api.enabled ? { inference = { name = local.inference_function_name } } : {},
  )

  deployment_spec = {
    endpoint_name            = local.endpoint_name
    model_package_group_name = var.model_package_group_name
    execution_role_arn       = local.model_role_arn
    kms_key_arn              = module.kms.alias_arn_known_at_plan
    instance_type            = var.serving.instance_type
    initial_instance_count   = var.serving.initial_instance_count
    variant_name             = local.variant_name
    network_isolation        = true # served models make no outbound calls: their code is inside the model artifact
    rollback_alarm_names     = [for key in keys(local.rollback_alarm_specs) : "${local.endpoint_name}-${key}"]
    canary                   = var.canary
    autoscaling = {
      min_capacity                    = var.serving.min_capacity
      max_capacity                    = var.serving.max_capacity
      target_invocations_per_instance = var.serving.target_invocations_per_instance
      scale_in_cooldown_seconds       = 300
      scale_out_cooldown_seconds      = 60
    }
    data_capture = {
      enabled             = var.data_capture.enabled
      destination_s3_uri  = var.data_capture.enabled ? local.capture_s3_uri : ""
      kms_key_arn         = var.data_capture.enabled ? module.kms.alias_arn_known_at_plan : ""
      sampling_percentage = var.data_capture.sampling_percentage
    }
    # The deployment publishes the model package's data-quality baseline here for Model Monitor.
    baseline_s3_uri = var.monitoring.enabled ? local.baseline_s3_uri : ""
    tags            = { "mlops:stage" = var.stage }
  }
}

# Where models run: read by the deploy function when it creates a model (IDs exist only after apply).
resource "aws_ssm_parameter" "network" {
  count       = var.deploy_on_approval || var.deployer != null ? 1 : 0
  name        = local.network_parameter
  description = "Subnets and security groups of the models served on ${local.endpoint_name}"
  type        = "SecureString"
  key_id      = module.kms.arn
  value       = jsonencode({ subnet_ids = var.network.subnet_ids, security_group_ids = var.network.security_group_ids })
  tags        = var.tags
}

# Grants on the tier key only for AWS resources (the endpoint, a monitoring job), never to principals.
data "aws_iam_policy_document" "grant_key_to_aws_resources" {
  statement {
    sid       = "GrantKeyToAwsResources"
    actions   = ["kms:CreateGrant"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
}

data "aws_iam_policy_document" "deploy" {
  source_policy_documents = [data.aws_iam_policy_document.grant_key_to_aws_resources.json]
  statement {
    sid       = "ReadNetwork"
    actions   = ["ssm:GetParameter"]
    resources = ["arn:${var.partition}:ssm:${var.region}:${var.account_id}:parameter${local.network_parameter}"]
  }
  statement {
    sid       = "FindApprovedModels"
    actions   = ["sagemaker:ListModelPackages"]
    resources = ["*"] # List calls are not resource-scoped
  }
  statement {
    sid       = "ReadApprovedModels"
    actions   = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"]
    resources = [var.model_package_group_arn, replace("${var.model_package_group_arn}/*", ":model-package-group/", ":model-package/")]
  }
  statement {
    sid     = "RollOutOwnEndpoint"
    actions = ["sagemaker:CreateModel", "sagemaker:CreateEndpointConfig", "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel", "sagemaker:AddTags", "sagemaker:ListTags"]
    resources = [
      "${local.sagemaker_prefix}:endpoint/${local.endpoint_name}",
      "${local.sagemaker_prefix}:endpoint-config/${local.endpoint_name}-*",
      "${local.sagemaker_prefix}:model/${local.endpoint_name}-*",
    ]
  }
  statement {
    sid       = "PassModelRole"
    actions   = ["iam:PassRole"]
    resources = [local.model_role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
  statement {
    sid       = "DescribeEndpointKey"
    actions   = ["kms:DescribeKey"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name]
    }
  }
  statement {
    sid       = "ScaleOwnEndpoint"
    actions   = ["application-autoscaling:RegisterScalableTarget", "application-autoscaling:PutScalingPolicy", "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies"]
    resources = ["*"] # Application Auto Scaling has no resource-level permissions for these calls
  }
  statement {
    sid       = "TargetTrackingAlarms"
    actions   = ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"]
    resources = ["${local.arn_prefix}:cloudwatch:${var.region}:${var.account_id}:alarm:TargetTracking-endpoint/${local.endpoint_name}/*"]
  }
  statement {
    sid       = "AutoscalingServiceRole"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn_prefix}:iam::${var.account_id}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["sagemaker.application-autoscaling.amazonaws.com"]
    }
  }
  dynamic "statement" {
    for_each = var.monitoring.enabled ? [1] : []
    content {
      sid       = "ReadModelBaselines"
      actions   = ["s3:GetObject"]
      resources = ["${var.model_bucket_arn}/*"]
    }
  }
  dynamic "statement" {
    for_each = var.monitoring.enabled ? [1] : []
    content {
      sid       = "PublishBaseline"
      actions   = ["s3:PutObject"]
      resources = ["${local.arn_prefix}:s3:::${local.capture_bucket}/${local.endpoint_name}/baselines/*"]
    }
  }
  dynamic "statement" {
    for_each = var.monitoring.enabled ? [1] : []
    content {
      sid       = "BaselineKeys"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]
      resources = ["${local.arn_prefix}:kms:${var.region}:*:key/*"]
      condition {
        test     = "ForAnyValue:StringEquals"
        variable = "kms:ResourceAliases"
        values   = [module.kms.alias_name, var.model_kms_key_alias]
      }
    }
  }
}

module "deploy_function" {
  source               = "../components/lambda-function"
  count                = var.deploy_on_approval ? 1 : 0
  name                 = local.deploy_function_name
  description          = "Deploys each approved ${var.model_package_group_name} version to ${local.endpoint_name} with a canary"
  package_path         = "${var.lambda_package_dir}/deploy.zip"
  account_id           = var.account_id
  region               = var.region
  partition            = var.partition
  kms_key_arn          = module.kms.arn
  kms_key_alias        = module.kms.alias_name
  policy_json          = data.aws_iam_policy_document.deploy.json
  timeout              = 60
  reserved_concurrency = 1 # one deployment decision at a time
  log_retention_days   = var.log_retention_days
  subnet_ids           = var.network.subnet_ids
  security_group_ids   = var.network.security_group_ids
  environment = {
    DEPLOYMENT_SPEC   = jsonencode(local.deployment_spec) # known at plan time, so the policy suite reads it
    NETWORK_PARAMETER = local.network_parameter           # subnet IDs are known only after apply
  }
  tags = var.tags
}

locals {
  deploy_triggers = {
    approval = {
      description = "A version of ${var.model_package_group_name} changed approval status"
      pattern = {
        source        = ["aws.sagemaker"]
        "detail-type" = ["SageMaker Model Package State Change"]
        detail        = { ModelPackageGroupName = [var.model_package_group_name] }
      }
    }
    endpoint = {
      description = "${local.endpoint_name} changed state (InService reconciles and scales)"
      pattern = {
        source        = ["aws.sagemaker"]
        "detail-type" = ["SageMaker Endpoint State Change"]
        detail        = { EndpointName = [local.endpoint_name] }
      }
    }
  }
}

resource "aws_cloudwatch_event_rule" "deploy" {
  for_each      = var.deploy_on_approval ? local.deploy_triggers : {}
  name          = "${local.name_prefix}-${each.key}"
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "deploy" {
  for_each  = aws_cloudwatch_event_rule.deploy
  rule      = each.value.name
  arn       = module.deploy_function[0].arn
  target_id = "deploy-function" # fixed: a target re-created after a killed run replaces itself instead of doubling
  retry_policy {
    maximum_retry_attempts       = 8
    maximum_event_age_in_seconds = 3600
  }
}

resource "aws_lambda_permission" "deploy" {
  for_each       = aws_cloudwatch_event_rule.deploy
  statement_id   = "events-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = module.deploy_function[0].name
  principal      = "events.amazonaws.com"
  source_arn     = each.value.arn
  source_account = var.account_id
}
