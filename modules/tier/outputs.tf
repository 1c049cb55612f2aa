output "account_roles" {
  description = "Account of each role present (read by the policy suite to place resources in their accounts)."
  value       = { for role in local.roles : role => local.acct[role] }
}

output "api_url" {
  description = "The prod inference API: POST JSON {\"instances\": [[...]]} (SigV4-signed with AWS_IAM)."
  value       = module.prod.api_url
}

output "approver_role_arns" {
  description = "The roles model approvers assume: approve versions in the registry and, with a staging stage, releases to prod."
  value       = merge({ model = module.artifact.model_approver_role_arn }, local.has_staging ? { release = module.cicd[0].release_approver_role_arn } : {})
}

output "data_scientist_role_arn" {
  description = "The bounded role Studio users work as."
  value       = module.dev.data_scientist_role_arn
}

output "deployment_pipeline_name" {
  description = "CodePipeline that deploys each approved model to staging, then (after approval) prod; null where prod's own function deploys (no staging)."
  value       = (local.has_staging ? module.cicd[0].deployment_pipeline_name : null)
}

output "endpoint_names" {
  description = "Endpoints by stage."
  value       = merge({ prod = module.prod.endpoint_names["model"] }, local.has_staging ? { staging = (local.has_staging ? module.staging[0].endpoint_names["model"] : null) } : {})
}

output "image_repository_urls" {
  description = "ECR repositories for training and inference images, by name (environment versioning)."
  value       = module.artifact.repository_urls
}

output "model_bucket_name" {
  description = "The artifact account's model bucket (model data and the reports each version names)."
  value       = module.artifact.model_bucket_name
}

output "model_package_group_arn" {
  description = "Approve versions here to deploy them."
  value       = module.artifact.model_package_group_arns["model"]
}

output "model_package_group_name" {
  description = "Name of the model package group."
  value       = module.artifact.model_package_group_names["model"]
}

output "ground_truth_s3_uris" {
  description = "Where the labels of each stage's captured requests go, by stage (`make ground-truth` writes them; the model-quality and Clarify bias monitors read them)."
  value       = merge({ prod = module.prod.ground_truth_s3_uris["model"] }, local.has_staging ? { staging = (local.has_staging ? module.staging[0].ground_truth_s3_uris["model"] : null) } : {})
}

output "monitoring_schedule_names" {
  description = "Model Monitor schedules by stage."
  value       = merge({ prod = module.prod.monitoring_schedule_names }, local.has_staging ? { staging = (local.has_staging ? module.staging[0].monitoring_schedule_names : null) } : {})
}

output "organization_id" {
  description = "The organization every account belongs to (aws:PrincipalOrgID; the policy suite evaluates it), or null."
  value       = local.org_id
}

output "pipeline_name" {
  description = "The retraining pipeline."
  value       = module.ops.pipeline_names["model"]
}

output "studio_domain_id" {
  description = "SageMaker Studio domain in dev."
  value       = module.dev.studio_domain_id
}

output "training_data_uri" {
  description = "Where the retraining pipeline reads labelled CSV data (unless it trains on a feature group)."
  value       = local.training_data_uri
}

output "training_feature_group_arn" {
  description = "The feature group the retraining pipeline trains on (`make ingest-features` loads it), or null."
  value       = try(local.training_feature_group.arn, null)
}
