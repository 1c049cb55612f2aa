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

output "deploy_function_name" {
  description = "Name of the deploy-on-approval function, or null when switched off."
  value       = var.deploy_on_approval ? local.deploy_function_name : null
}

output "deployment_spec" {
  description = "The serving settings every deployment applies (the deploy function's and the CI/CD deploy step's input)."
  value       = local.deployment_spec
}

output "endpoint_name" {
  description = "Name of the endpoint the deployments create and update."
  value       = local.endpoint_name
}

output "model_role_arn" {
  description = "Execution role of the served models (known at plan time)."
  value       = local.model_role_arn
}

output "rollback_alarm_names" {
  description = "Alarms that roll a canary back."
  value       = local.deployment_spec.rollback_alarm_names
}
