output "account_roles" {
  description = "Account of each role (read by the policy suite to place resources in their accounts)."
  value       = var.accounts
}

output "approver_role_arns" {
  description = "The roles model approvers assume: approve versions in the registry, approve releases to prod."
  value       = { model = module.artifact.model_approver_role_arn, release = module.cicd.release_approver_role_arn }
}

output "deployment_pipeline_name" {
  description = "CodePipeline that deploys each approved model to staging, then (after approval) prod."
  value       = module.cicd.deployment_pipeline_name
}

output "endpoint_names" {
  description = "Endpoints by stage."
  value       = { staging = module.staging.endpoint_name, prod = module.prod.endpoint_name }
}

output "model_package_group_arn" {
  description = "Approve versions here to deploy them."
  value       = module.artifact.model_package_group_arn
}

output "monitoring_schedule_names" {
  description = "Model Monitor schedules by stage."
  value       = { staging = module.staging.monitoring_schedule_names, prod = module.prod.monitoring_schedule_names }
}

output "pipeline_name" {
  description = "The retraining pipeline."
  value       = module.ops.pipeline_name
}

output "studio_domain_id" {
  description = "SageMaker Studio domain in dev."
  value       = module.dev.studio_domain_id
}

output "organization_id" {
  description = "The organization every account belongs to (aws:PrincipalOrgID; the policy suite evaluates it)."
  value       = local.org_id
}
