output "ecr_repository_urls" {
  description = "ECR repository URLs by name (known at plan time)."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "kms_key_alias" {
  description = "Alias of the artifact key."
  value       = module.kms.alias_name
}

output "kms_key_arn" {
  description = "ARN of the artifact key."
  value       = module.kms.arn
}

output "model_bucket_arn" {
  description = "ARN of the model artifact bucket."
  value       = module.models_bucket.arn
}

output "model_bucket_name" {
  description = "Name of the model artifact bucket."
  value       = local.bucket_name
}

output "model_package_group_arns" {
  description = "ARN of each use case's model package group (known at plan time)."
  value       = local.group_arns
}

output "model_package_group_names" {
  description = "Name of each use case's model package group."
  value       = { for use_case, group in aws_sagemaker_model_package_group.this : use_case => group.model_package_group_name }
}

output "approval_forwarder_role_arn" {
  description = "Role that forwards approval events to the CI/CD account's bus, or null (known at plan time)."
  value       = one(module.approval_forwarder[*].role_arn)
}

output "feature_group_names" {
  description = "Feature Store feature groups."
  value       = [for name in keys(var.feature_groups) : "${var.prefix}-${name}"]
}

output "feature_group_offline_stores" {
  description = "Per feature_groups key: the group's ARN and the S3 URI its offline store is under (known at plan)."
  value = { for name in keys(var.feature_groups) : name => {
    arn                  = "arn:${var.partition}:sagemaker:${var.region}:${var.account_id}:feature-group/${lower("${var.prefix}-${name}")}"
    offline_store_s3_uri = "s3://${local.features_bucket}/${local.offline_prefix}"
  } }
}

output "kms_key_alias_arn" {
  description = "Alias ARN of the artifact key (known at plan time)."
  value       = module.kms.alias_arn_known_at_plan
}

output "repository_urls" {
  description = "ECR repository URLs by name (known at plan time)."
  value       = { for name in keys(var.ecr_repositories) : name => "${var.account_id}.dkr.ecr.${var.region}.amazonaws.com/${var.prefix}/${name}" }
}

output "repository_arns" {
  description = "ECR repository ARNs by name (known at plan time)."
  value       = { for name in keys(var.ecr_repositories) : name => "arn:${var.partition}:ecr:${var.region}:${var.account_id}:repository/${var.prefix}/${name}" }
}

output "model_approver_role_arn" {
  description = "The role that approves or rejects model versions (assumed by approver_principal_arns)."
  value       = module.model_approver.arn
}
