# Deploy on approval. Terraform owns everything around the endpoints; a use case's deploy function
# owns its endpoint (model, endpoint config, endpoint, autoscaling), created from its spec on the
# first approval and rolled forward with a canary on each later one. One function per use case: each
# may touch only its own group's versions and its own endpoint. See the module README.
locals {
  variant_name          = "AllTraffic"
  network_parameter     = "/${var.prefix}/${var.stage}/serving/network"
  deploy_function_names = { for use_case, endpoint in local.endpoints : use_case => "${endpoint}-deploy" }
  functions = merge(
    var.deploy_on_approval ? { for use_case, name in local.deploy_function_names : "deploy/${use_case}" => { name = name } } : {},
    var.api.enabled ? { inference = { name = local.inference_function_name } } : {},
  )

  deployment_specs = { for use_case, c in var.use_cases : use_case => {
    endpoint_name            = local.endpoints[use_case]
    model_package_group_name = c.model_package_group_name
    execution_role_arn       = local.model_role_arn
    kms_key_arn              = module.kms.alias_arn_known_at_plan
    instance_type            = c.serving.instance_type
    initial_instance_count   = c.serving.initial_instance_count
    variant_name             = local.variant_name
    network_isolation        = true # served models make no outbound calls: their code is inside the model artifact
    rollback_alarm_names     = [for key in keys(local.rollback_alarm_specs) : "${local.endpoints[use_case]}-${key}"]
    canary                   = c.canary
    autoscaling = {
      min_capacity                    = c.serving.min_capacity
      max_capacity                    = c.serving.max_capacity
      target_invocations_per_instance = c.serving.target_invocations_per_instance
      scale_in_cooldown_seconds       = 300
      scale_out_cooldown_seconds      = 60
    }
    data_capture = {
      enabled             = var.data_capture.enabled
      destination_s3_uri  = var.data_capture.enabled ? local.capture_s3_uris[use_case] : ""
      kms_key_arn         = var.data_capture.enabled ? module.kms.alias_arn_known_at_plan : ""
      sampling_percentage = var.data_capture.sampling_percentage
    }
    # The deployment publishes the model package's data-quality baseline here for Model Monitor.
    baseline_s3_uri = var.monitoring.enabled ? "${local.baselines_uris[use_case]}/data-quality" : ""
    tags            = { "mlops:stage" = var.stage, "mlops:use-case" = use_case }
  } }
  # What a deploy role may touch: one use case's (its deploy function), or every use case's (the
  # CI/CD deploy role, key "*", no use case's name).
  deploy_scopes = merge({ for use_case in keys(var.use_cases) : use_case => [use_case] if var.deploy_on_approval }, var.deployer == null ? {} : { "*" = sort(keys(var.use_cases)) })
}

# Where models run: read by the deploy function when it creates a model (IDs exist only after apply).
resource "aws_ssm_parameter" "network" {
  count       = var.deploy_on_approval || var.deployer != null ? 1 : 0
  name        = local.network_parameter
  description = "Subnets and security groups of the models served on ${local.name_prefix}"
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
  for_each                = local.deploy_scopes
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
    resources = flatten([for use_case in each.value : [var.use_cases[use_case].model_package_group_arn, replace("${var.use_cases[use_case].model_package_group_arn}/*", ":model-package-group/", ":model-package/")]])
  }
  statement {
    sid     = "RollOutOwnEndpoint"
    actions = ["sagemaker:CreateModel", "sagemaker:CreateEndpointConfig", "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel", "sagemaker:AddTags", "sagemaker:ListTags"]
    resources = flatten([for use_case in each.value : [
      local.endpoint_arns[use_case],
      "${local.sagemaker_prefix}:endpoint-config/${local.endpoints[use_case]}-v*",
      "${local.sagemaker_prefix}:model/${local.endpoints[use_case]}-v*",
    ]])
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
    resources = [for use_case in each.value : "${local.arn_prefix}:cloudwatch:${var.region}:${var.account_id}:alarm:TargetTracking-endpoint/${local.endpoints[use_case]}/*"]
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
      resources = [for use_case in each.value : "${local.arn_prefix}:s3:::${local.capture_bucket}/${local.endpoints[use_case]}/baselines/*"]
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
  for_each             = var.deploy_on_approval ? local.deploy_function_names : {}
  name                 = each.value
  description          = "Deploys each approved ${local.deployment_specs[each.key].model_package_group_name} version to ${local.endpoints[each.key]} with a canary"
  package_path         = "${var.lambda_package_dir}/deploy.zip"
  account_id           = var.account_id
  region               = var.region
  partition            = var.partition
  kms_key_arn          = module.kms.arn
  kms_key_alias        = module.kms.alias_name
  policy_json          = data.aws_iam_policy_document.deploy[each.key].json
  timeout              = 60
  reserved_concurrency = 1 # one deployment decision at a time
  log_retention_days   = var.log_retention_days
  subnet_ids           = var.network.subnet_ids
  security_group_ids   = var.network.security_group_ids
  environment = {
    DEPLOYMENT_SPEC   = jsonencode(local.deployment_specs[each.key]) # known at plan time, so the policy suite reads it
    NETWORK_PARAMETER = local.network_parameter                      # subnet IDs are known only after apply
  }
  tags = var.tags
}

locals {
  deploy_triggers = merge([for use_case, spec in local.deployment_specs : {
    "${use_case}/approval" = {
      use_case    = use_case
      name        = "${local.endpoints[use_case]}-approval"
      description = "A version of ${spec.model_package_group_name} changed approval status"
      pattern = {
        source        = ["aws.sagemaker"]
        "detail-type" = ["SageMaker Model Package State Change"]
        detail        = { ModelPackageGroupName = [spec.model_package_group_name] }
      }
    }
    "${use_case}/endpoint" = {
      use_case    = use_case
      name        = "${local.endpoints[use_case]}-endpoint"
      description = "${local.endpoints[use_case]} changed state (InService reconciles and scales)"
      pattern = {
        source        = ["aws.sagemaker"]
        "detail-type" = ["SageMaker Endpoint State Change"]
        detail        = { EndpointName = [local.endpoints[use_case]] }
      }
    }
  }]...)
}

resource "aws_cloudwatch_event_rule" "deploy" {
  for_each      = var.deploy_on_approval ? local.deploy_triggers : {}
  name          = each.value.name
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "deploy" {
  for_each  = aws_cloudwatch_event_rule.deploy
  rule      = each.value.name
  arn       = module.deploy_function[local.deploy_triggers[each.key].use_case].arn
  target_id = "deploy-function" # fixed: a target re-created after a killed run replaces itself instead of doubling
  retry_policy {
    maximum_retry_attempts       = 8
    maximum_event_age_in_seconds = 3600
  }
}

resource "aws_lambda_permission" "deploy" {
  for_each       = aws_cloudwatch_event_rule.deploy
  statement_id   = "events-${split("/", each.key)[1]}"
  action         = "lambda:InvokeFunction"
  function_name  = module.deploy_function[local.deploy_triggers[each.key].use_case].name
  principal      = "events.amazonaws.com"
  source_arn     = each.value.arn
  source_account = var.account_id
}

moved {
  from = module.deploy_function[0]
  to   = module.deploy_function["model"]
}

moved {
  from = aws_cloudwatch_event_rule.deploy["approval"]
  to   = aws_cloudwatch_event_rule.deploy["model/approval"]
}

moved {
  from = aws_cloudwatch_event_rule.deploy["endpoint"]
  to   = aws_cloudwatch_event_rule.deploy["model/endpoint"]
}

moved {
  from = aws_cloudwatch_event_target.deploy["approval"]
  to   = aws_cloudwatch_event_target.deploy["model/approval"]
}

moved {
  from = aws_cloudwatch_event_target.deploy["endpoint"]
  to   = aws_cloudwatch_event_target.deploy["model/endpoint"]
}

moved {
  from = aws_lambda_permission.deploy["approval"]
  to   = aws_lambda_permission.deploy["model/approval"]
}

moved {
  from = aws_lambda_permission.deploy["endpoint"]
  to   = aws_lambda_permission.deploy["model/endpoint"]
}
