output "account_roles" {
  description = "Account ID of each account role (the policy suite maps every resource to its account with it)."
  value       = module.tier.account_roles
}

output "api_url" {
  description = "POST JSON {\"instances\": [[...]]} here (SigV4-signed with AWS_IAM)."
  value       = module.tier.api_url
}

output "data_scientist_role_arn" {
  description = "The bounded role Studio users work as."
  value       = module.tier.data_scientist_role_arn
}

output "endpoint_name" {
  description = "The endpoint that the first approved model creates."
  value       = module.tier.endpoint_names.prod
}

output "image_repository_urls" {
  description = "ECR repositories for training and inference images (data scientists push here)."
  value       = module.tier.image_repository_urls
}

output "model_approver_role_arn" {
  description = "The role model_approvers assume to approve or reject model versions (data scientists cannot)."
  value       = module.tier.approver_role_arns.model
}

output "model_bucket_name" {
  description = "The model bucket: model data and the reports each version names."
  value       = module.tier.model_bucket_name
}

output "model_package_group_name" {
  description = "Approve versions here to deploy them."
  value       = module.tier.model_package_group_name
}

output "ground_truth_s3_uris" {
  description = "Where the labels of each stage's captured requests go, by stage (`make ground-truth` writes them)."
  value       = module.tier.ground_truth_s3_uris
}

output "monitoring_schedule_names" {
  description = "Model Monitor schedules of the endpoint, by stage (empty unless features.monitoring)."
  value       = module.tier.monitoring_schedule_names
}

output "pipeline_name" {
  description = "The retraining pipeline (`make retrain` starts it)."
  value       = module.tier.pipeline_name
}

output "region" {
  description = "Region of the tier."
  value       = var.region
}

output "studio_domain_id" {
  description = "SageMaker Studio domain."
  value       = module.tier.studio_domain_id
}

output "training_data_uri" {
  description = "Where the pipeline reads labelled CSV data."
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
