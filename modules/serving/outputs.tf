output "alarm_topic_arn" {
  description = "SNS topic that receives the alarms."
  value       = aws_sns_topic.alarms.arn
}

output "api_key_id" {
  description = "ID of the API key when api.authorization is API_KEY (read the value with `aws apigateway get-api-key --include-value`)."
  value       = one(aws_api_gateway_api_key.this[*].id)
}

output "api_url" {
  description = "URL of release 0.x's predict route (use case `model`), or null."
  value       = contains(keys(local.routes), "predict") ? "${aws_api_gateway_stage.this[0].invoke_url}/predict" : null
}

output "api_urls" {
  description = "URL of each use case's route, /<use case>/invocations; empty without an API."
  value       = { for use_case in keys(local.endpoints) : use_case => "${aws_api_gateway_stage.this[0].invoke_url}/${use_case}/invocations" if var.api.enabled }
}

output "capture_s3_uris" {
  description = "Where each use case's captured requests and responses land; empty when capture is off."
  value       = var.data_capture.enabled ? local.capture_s3_uris : {}
}

output "capture_bucket_arn" {
  description = "Bucket of captured requests and responses, or null when capture is off."
  value       = var.data_capture.enabled ? local.capture_arn : null
}

output "deployer" {
  description = "What the CI/CD pipeline needs to deploy here: the deploy role, each use case's deployment spec (JSON) and endpoint, and the network parameter; null without a deployer."
  value = var.deployer == null ? null : {
    role_arn          = local.deployer_role_arn
    deployment_specs  = { for use_case, spec in local.deployment_specs : use_case => jsonencode(spec) }
    network_parameter = local.network_parameter
    endpoint_names    = local.endpoints
  }
  depends_on = [aws_iam_role.deployer] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "deploy_function_names" {
  description = "Each use case's deploy-on-approval function; empty when switched off."
  value       = var.deploy_on_approval ? local.deploy_function_names : {}
}

output "deployment_specs" {
  description = "The serving settings every deployment of each use case applies (the deploy function's and the CI/CD deploy step's input)."
  value       = local.deployment_specs
}

output "endpoint_arns" {
  description = "ARN of each use case's endpoint (known at plan time; the deployments create the endpoints)."
  value       = local.endpoint_arns
}

output "endpoint_names" {
  description = "Name of each use case's endpoint, which its deployments create and update."
  value       = local.endpoints
}

output "monitoring_schedule_names" {
  description = "Model Monitor schedules on the endpoints (data quality; model quality with monitoring.model_quality; Clarify bias and explainability with monitoring.clarify)."
  value = flatten([for endpoint in values(local.endpoints) : concat(
    var.monitoring.enabled ? ["${endpoint}-data-quality"] : [],
    var.monitoring.model_quality ? ["${endpoint}-model-quality"] : [],
    var.monitoring.clarify ? [for k in local.clarify_kinds : "${endpoint}-${k.baseline}"] : [],
  )])
}

output "retraining_schedule_arns" {
  description = "By use case, the schedules whose violations mean its new model is due: data quality (drift) and model quality (accuracy). Clarify's bias and explainability violations need people, not a retraining. Known at plan time."
  value = { for use_case, endpoint in local.endpoints : use_case => [for name in concat(
    var.monitoring.enabled ? ["${endpoint}-data-quality"] : [],
    var.monitoring.model_quality ? ["${endpoint}-model-quality"] : [],
  ) : "${local.sagemaker_prefix}:monitoring-schedule/${name}"] }
}

output "model_role_arn" {
  description = "Execution role of the served models (known at plan time)."
  value       = local.model_role_arn
  depends_on  = [aws_iam_role.model] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "replication_role_arn" {
  description = "Role that replicates captured data (the destination bucket and key must allow it), or null."
  value       = local.replicate ? "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.replication_role_name}" : null
  depends_on  = [aws_iam_role.replication] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "rollback_alarm_names" {
  description = "The alarms that roll each use case's canary back."
  value       = { for use_case, spec in local.deployment_specs : use_case => spec.rollback_alarm_names }
}

output "violation_forwarder_role_arn" {
  description = "Role that forwards monitoring violations to the retrain trigger's bus in another account, or null."
  value       = one(module.violation_forwarder[*].role_arn)
}

output "deployer_role_arn" {
  description = "The CI/CD deploy role (known at plan time), or null without a deployer."
  value       = var.deployer == null ? null : local.deployer_role_arn
  depends_on  = [aws_iam_role.deployer] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "monitor_role_arn" {
  description = "Role of the endpoint's monitoring jobs (the account holding the labels lets it read them), or null."
  value       = var.monitoring.enabled ? local.monitor_role_arn : null
  depends_on  = [aws_iam_role.monitor] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "ground_truth_s3_uris" {
  description = "Where the labels of each use case's captured requests go (yyyy/mm/dd/hh/*.jsonl, Model Monitor's ground-truth records) for the model-quality and Clarify bias monitors; `make ground-truth` writes them."
  value       = local.ground_truth_uris
}
