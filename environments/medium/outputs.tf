output "account_roles" {
  description = "Account of each role (the policy suite places resources in their accounts by it)."
  value       = merge(module.tier.account_roles, { management = local.management_account })
}

output "allowed_regions" {
  description = "Regions the SCPs allow (read by the policy suite)."
  value       = var.organization.allowed_regions
}

output "approver_role_arns" {
  description = "The roles model approvers assume: approve versions in the registry, approve releases to prod."
  value       = module.tier.approver_role_arns
}

output "deployment_pipeline_name" {
  description = "CodePipeline that deploys each approved model: staging, smoke test, approval, prod."
  value       = module.tier.deployment_pipeline_name
}

output "endpoint_names" {
  description = "Endpoints by stage."
  value       = module.tier.endpoint_names
}

output "model_bucket_name" {
  description = "The model bucket: model data and the reports each version names (`make migrate-registry`)."
  value       = module.tier.model_bucket_name
}

output "model_package_group_arn" {
  description = "Approve versions here to deploy them."
  value       = module.tier.model_package_group_arn
}

output "ground_truth_s3_uris" {
  description = "Where the labels of each stage's captured requests go, by stage (`make ground-truth` writes them)."
  value       = module.tier.ground_truth_s3_uris
}

output "monitoring_schedule_names" {
  description = "Model Monitor schedules by stage."
  value       = module.tier.monitoring_schedule_names
}

output "organization_id" {
  description = "The organization of the tier's accounts (the policy suite evaluates aws:PrincipalOrgID with it)."
  value       = module.tier.organization_id
}

output "pipeline_name" {
  description = "The retraining pipeline (`make retrain TIER=medium`)."
  value       = module.tier.pipeline_name
}

output "region" {
  description = "Region of the tier."
  value       = var.region
}

output "training_data_uri" {
  description = "Where the retraining pipeline reads labelled CSV data (unless it trains on a feature group)."
  value       = module.tier.training_data_uri
}

output "training_feature_group_arn" {
  description = "The feature group the retraining pipeline trains on (`make ingest-features` loads it), or null."
  value       = module.tier.training_feature_group_arn
}

output "use_cases" {
  description = "Per use case: its model package group, retraining pipeline, endpoints and label locations by stage, API route and deployment pipeline."
  value       = module.tier.use_cases
}
