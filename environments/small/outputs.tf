output "api_url" {
  description = "POST JSON {\"instances\": [[...]]} here (SigV4-signed with AWS_IAM)."
  value       = module.prod.api_url
}

output "data_scientist_role_arn" {
  description = "The bounded role Studio users work as."
  value       = module.dev.data_scientist_role_arn
}

output "endpoint_name" {
  description = "The endpoint that the first approved model creates."
  value       = module.prod.endpoint_name
}

output "model_approver_role_arn" {
  description = "The role model_approvers assume to approve or reject model versions (data scientists cannot)."
  value       = module.artifact.model_approver_role_arn
}

output "model_package_group_name" {
  description = "Approve versions here to deploy them."
  value       = module.artifact.model_package_group_name
}

output "pipeline_name" {
  description = "The retraining pipeline (`make retrain` starts it)."
  value       = module.ops.pipeline_name
}

output "studio_domain_id" {
  description = "SageMaker Studio domain."
  value       = module.dev.studio_domain_id
}

output "training_data_uri" {
  description = "Where the pipeline reads labelled CSV data."
  value       = local.training_data_uri
}

output "region" {
  description = "Region of the tier."
  value       = var.region
}

output "account_roles" {
  description = "Account ID of each account role (the policy suite maps every resource to its account with it)."
  value       = { for role in ["dev", "ops", "artifact", "prod"] : role => var.account_id }
}
