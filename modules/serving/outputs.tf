output "alarm_topic_arn" {
  description = "SNS topic that receives the alarms."
  value       = aws_sns_topic.alarms.arn
}

output "api_key_id" {
  description = "ID of the API key when api.authorization is API_KEY (read the value with `aws apigateway get-api-key --include-value`)."
  value       = one(aws_api_gateway_api_key.this[*].id)
}

output "api_url" {
  description = "URL of the predict route, or null without an API."
  value       = var.api.enabled ? "${aws_api_gateway_stage.this[0].invoke_url}/predict" : null
}

output "capture_s3_uri" {
  description = "Where captured requests and responses land, or null when capture is off."
  value       = var.data_capture.enabled ? local.capture_s3_uri : null
}

output "capture_bucket_arn" {
  description = "Bucket of captured requests and responses, or null when capture is off."
  value       = var.data_capture.enabled ? local.capture_arn : null
}

output "deployer" {
  description = "What the CI/CD pipeline needs to deploy here: the deploy role, the deployment spec (JSON) and the network parameter; null without a deployer."
  value = var.deployer == null ? null : {
    role_arn          = local.deployer_role_arn
    deployment_spec   = jsonencode(local.deployment_spec)
    network_parameter = local.network_parameter
    endpoint_name     = local.endpoint_name
  }
  depends_on = [aws_iam_role.deployer] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "deploy_function_name" {
  description = "Name of the deploy-on-approval function, or null when switched off."
  value       = var.deploy_on_approval ? local.deploy_function_name : null
}

output "deployment_spec" {
  description = "The serving settings every deployment applies (the deploy function's and the CI/CD deploy step's input)."
  value       = local.deployment_spec
}

output "endpoint_arn" {
  description = "ARN of the serving endpoint (known at plan time; the deployment creates the endpoint)."
  value       = "${local.sagemaker_prefix}:endpoint/${local.endpoint_name}"
}

output "endpoint_name" {
  description = "Name of the endpoint the deployments create and update."
  value       = local.endpoint_name
}

output "monitoring_schedule_names" {
  description = "Model Monitor schedules on the endpoint (data quality; model quality with monitoring.model_quality; Clarify bias and explainability with monitoring.clarify)."
  value = concat(
    var.monitoring.enabled ? ["${local.name_prefix}-data-quality"] : [],
    var.monitoring.model_quality ? ["${local.name_prefix}-model-quality"] : [],
    var.monitoring.clarify ? [for k in local.clarify_kinds : "${local.name_prefix}-${k.baseline}"] : [],
  )
}

output "retraining_schedule_arns" {
  description = "The schedules whose violations mean a new model is due: data quality (drift) and model quality (accuracy). Clarify's bias and explainability violations need people, not a retraining. Known at plan time."
  value = [for name in concat(
    var.monitoring.enabled ? ["${local.name_prefix}-data-quality"] : [],
    var.monitoring.model_quality ? ["${local.name_prefix}-model-quality"] : [],
  ) : "${local.sagemaker_prefix}:monitoring-schedule/${name}"]
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
  description = "Alarms that roll a canary back."
  value       = local.deployment_spec.rollback_alarm_names
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

output "ground_truth_s3_uri" {
  description = "Where the labels of captured requests go (yyyy/mm/dd/hh/*.jsonl, Model Monitor's ground-truth records) for the model-quality and Clarify bias monitors; `make ground-truth` writes them."
  value       = local.ground_truth_uri
}
