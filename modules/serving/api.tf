# Serving API: client -> API Gateway (REST, authenticated) -> inference function -> endpoint. One API
# and function for every use case: POST /<use case>/invocations reaches that use case's endpoint, and
# release 0.x's POST /predict still reaches `model`'s.
locals {
  inference_function_name = "${local.name_prefix}-inference"
  api_uses_keys           = var.api.authorization == "API_KEY"
  routes = var.api.enabled ? merge(
    { for use_case in keys(local.endpoints) : "${use_case}/invocations" => use_case },
    contains(keys(local.endpoints), "model") ? { predict = "model" } : {},
  ) : {}
  endpoint_of_route = { for route, use_case in local.routes : "/${route}" => local.endpoints[use_case] } # the function's ROUTES
}

data "aws_iam_policy_document" "inference" {
  statement {
    sid       = "InvokeOwnEndpoints"
    actions   = ["sagemaker:InvokeEndpoint"]
    resources = sort(values(local.endpoint_arns))
  }
}

module "inference_function" {
  source               = "../components/lambda-function"
  count                = var.api.enabled ? 1 : 0
  name                 = local.inference_function_name
  description          = "Validates requests and forwards them to the ${local.name_prefix} endpoint of their route"
  package_path         = "${var.lambda_package_dir}/inference.zip"
  account_id           = var.account_id
  region               = var.region
  partition            = var.partition
  kms_key_arn          = module.kms.arn
  kms_key_alias        = module.kms.alias_name
  policy_json          = data.aws_iam_policy_document.inference.json
  timeout              = 15
  reserved_concurrency = var.api.reserved_concurrency
  log_retention_days   = var.log_retention_days
  subnet_ids           = var.network.subnet_ids
  security_group_ids   = var.network.security_group_ids
  environment = {
    ROUTES                   = jsonencode(local.endpoint_of_route)
    MAX_PAYLOAD_BYTES        = tostring(var.api.max_payload_bytes)
    ENDPOINT_TIMEOUT_SECONDS = "10"
  }
  tags = var.tags
}

resource "aws_api_gateway_rest_api" "this" {
  count       = var.api.enabled ? 1 : 0
  name        = "${local.name_prefix}-inference"
  description = "Predictions from the ${local.name_prefix} endpoints"
  tags        = var.tags
  endpoint_configuration {
    types = ["REGIONAL"]
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_resource" "predict" {
  count       = contains(keys(local.routes), "predict") ? 1 : 0
  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_rest_api.this[0].root_resource_id
  path_part   = "predict"
}

resource "aws_api_gateway_resource" "use_case" {
  for_each    = var.api.enabled ? local.endpoints : {}
  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = aws_api_gateway_rest_api.this[0].root_resource_id
  path_part   = each.key
}

resource "aws_api_gateway_resource" "invocations" {
  for_each    = aws_api_gateway_resource.use_case
  rest_api_id = aws_api_gateway_rest_api.this[0].id
  parent_id   = each.value.id
  path_part   = "invocations"
}

locals {
  route_resource_ids = { for route, use_case in local.routes : route => route == "predict" ? aws_api_gateway_resource.predict[0].id : aws_api_gateway_resource.invocations[use_case].id }
}

resource "aws_api_gateway_method" "route" {
  for_each         = local.routes
  rest_api_id      = aws_api_gateway_rest_api.this[0].id
  resource_id      = local.route_resource_ids[each.key]
  http_method      = "POST"
  authorization    = local.api_uses_keys ? "NONE" : "AWS_IAM"
  api_key_required = local.api_uses_keys
}

resource "aws_api_gateway_integration" "route" {
  for_each                = local.routes
  rest_api_id             = aws_api_gateway_rest_api.this[0].id
  resource_id             = local.route_resource_ids[each.key]
  http_method             = aws_api_gateway_method.route[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  # Built from the function's ARN (known at plan), not the resource's invoke_arn: the deployment below is
  # create_before_destroy, which Terraform extends to everything it depends on; through invoke_arn that
  # would reach the function's same-name queue, whose "new" copy is the old one, then deleted with it.
  uri                  = "arn:${var.partition}:apigateway:${var.region}:lambda:path/2015-03-31/functions/${module.inference_function[0].arn}/invocations"
  timeout_milliseconds = 15000
}

resource "aws_api_gateway_deployment" "this" {
  count       = var.api.enabled ? 1 : 0
  rest_api_id = aws_api_gateway_rest_api.this[0].id
  triggers = {
    redeployment = sha1(jsonencode([for route in sort(keys(local.routes)) : [
      local.route_resource_ids[route],
      aws_api_gateway_method.route[route].authorization,
      aws_api_gateway_method.route[route].api_key_required,
      aws_api_gateway_integration.route[route].uri,
    ]]))
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "api" {
  count             = var.api.enabled ? 1 : 0
  name              = "/aws/apigateway/${local.name_prefix}-inference"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.kms.arn
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  count                = var.api.enabled ? 1 : 0
  rest_api_id          = aws_api_gateway_rest_api.this[0].id
  deployment_id        = aws_api_gateway_deployment.this[0].id
  stage_name           = "v1"
  xray_tracing_enabled = true
  tags                 = var.tags
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api[0].arn
    format = jsonencode({
      requestId        = "$context.requestId", ip = "$context.identity.sourceIp", caller = "$context.identity.caller",
      user             = "$context.identity.user", requestTime = "$context.requestTime", httpMethod = "$context.httpMethod",
      resourcePath     = "$context.resourcePath", status = "$context.status", responseLength = "$context.responseLength",
      integrationError = "$context.integration.error"
    })
  }
}

resource "aws_api_gateway_method_settings" "this" {
  count       = var.api.enabled ? 1 : 0
  rest_api_id = aws_api_gateway_rest_api.this[0].id
  stage_name  = aws_api_gateway_stage.this[0].stage_name
  method_path = "*/*"
  settings {
    metrics_enabled        = true
    throttling_rate_limit  = var.api.throttle_rate_limit
    throttling_burst_limit = var.api.throttle_burst_limit
  }
}

resource "aws_lambda_permission" "api" {
  for_each       = local.routes
  statement_id   = "api-gateway-${replace(each.key, "/", "-")}"
  action         = "lambda:InvokeFunction"
  function_name  = module.inference_function[0].name
  principal      = "apigateway.amazonaws.com"
  source_arn     = "${aws_api_gateway_rest_api.this[0].execution_arn}/${aws_api_gateway_stage.this[0].stage_name}/POST/${each.key}"
  source_account = var.account_id
}

resource "aws_api_gateway_usage_plan" "this" {
  count = var.api.enabled && local.api_uses_keys ? 1 : 0
  name  = "${local.name_prefix}-inference"
  tags  = var.tags
  api_stages {
    api_id = aws_api_gateway_rest_api.this[0].id
    stage  = aws_api_gateway_stage.this[0].stage_name
  }
  throttle_settings {
    rate_limit  = var.api.throttle_rate_limit
    burst_limit = var.api.throttle_burst_limit
  }
}

resource "aws_api_gateway_api_key" "this" {
  count = var.api.enabled && local.api_uses_keys ? 1 : 0
  name  = "${local.name_prefix}-inference"
  tags  = var.tags
}

resource "aws_api_gateway_usage_plan_key" "this" {
  count         = var.api.enabled && local.api_uses_keys ? 1 : 0
  key_id        = aws_api_gateway_api_key.this[0].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this[0].id
}

moved {
  from = aws_api_gateway_method.predict[0]
  to   = aws_api_gateway_method.route["predict"]
}

moved {
  from = aws_api_gateway_integration.predict[0]
  to   = aws_api_gateway_integration.route["predict"]
}

moved {
  from = aws_lambda_permission.api[0]
  to   = aws_lambda_permission.api["predict"]
}
