output "account_roles" {
  description = "Account of each role present (read by the policy suite to place resources in their accounts)."
  value       = { for role in local.roles : role => local.acct[role] }
}

output "api_url" {
  description = "The prod inference API of use case `model` (release 0.x's /predict): POST JSON {\"instances\": [[...]]} (SigV4-signed with AWS_IAM); null without it. Every use case's route: output use_cases."
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
  value       = (local.has_staging ? lookup(module.cicd[0].deployment_pipeline_names, "model", null) : null)
}

output "endpoint_names" {
  description = "Endpoints of use case `model` by stage (every use case's: output use_cases)."
  value       = { for stage, serving in local.serving_stages : stage => lookup(serving.endpoint_names, "model", null) }
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
  value       = lookup(module.artifact.model_package_group_arns, "model", null)
}

output "model_package_group_name" {
  description = "Name of use case `model`'s model package group, or null."
  value       = lookup(module.artifact.model_package_group_names, "model", null)
}

output "ground_truth_s3_uris" {
  description = "Where the labels of each stage's captured requests go, by stage (`make ground-truth` writes them; the model-quality and Clarify bias monitors read them)."
  value       = { for stage, serving in local.serving_stages : stage => lookup(serving.ground_truth_s3_uris, "model", null) }
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
  description = "The retraining pipeline of use case `model`, or null (every use case's: output use_cases)."
  value       = lookup(module.ops.pipeline_names, "model", null)
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
  value       = try(local.training_feature_groups["model"].arn, null)
}

output "use_cases" {
  description = "Per use case: its model package group, retraining pipeline, endpoints and label locations by stage, API route and deployment pipeline (null without a staging stage)."
  value = { for name in keys(local.use_cases) : name => {
    model_package_group_arn  = module.artifact.model_package_group_arns[name]
    model_package_group_name = module.artifact.model_package_group_names[name]
    pipeline_name            = module.ops.pipeline_names[name]
    endpoint_names           = { for stage, serving in local.serving_stages : stage => serving.endpoint_names[name] }
    ground_truth_s3_uris     = { for stage, serving in local.serving_stages : stage => serving.ground_truth_s3_uris[name] }
    api_url                  = lookup(module.prod.api_urls, name, null)
    deployment_pipeline_name = try(module.cicd[0].deployment_pipeline_names[name], null)
  } }
}
