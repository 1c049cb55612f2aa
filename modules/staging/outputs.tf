output "capture_bucket_arn" {
  description = "Bucket of captured requests and responses."
  value       = module.serving.capture_bucket_arn
}

output "deployer" {
  description = "Deploy role, deployment spec and network parameter for the CI/CD pipeline."
  value       = module.serving.deployer
}

output "endpoint_name" {
  description = "The staging endpoint."
  value       = module.serving.endpoint_name
}

output "model_role_arn" {
  description = "Execution role of the served models."
  value       = module.serving.model_role_arn
}

output "monitoring_schedule_names" {
  description = "Model Monitor schedules on the endpoint."
  value       = module.serving.monitoring_schedule_names
}

output "replication_role_arn" {
  description = "Role that replicates captured data, or null."
  value       = module.serving.replication_role_arn
}

output "violation_forwarder_role_arn" {
  description = "Role that forwards monitoring violations to the retrain trigger's bus, or null."
  value       = module.serving.violation_forwarder_role_arn
}

output "deployer_role_arn" {
  description = "The CI/CD deploy role (known at plan time)."
  value       = module.serving.deployer_role_arn
}
