output "ecr_repository_urls" {
  description = "ECR repository URLs by name."
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

output "model_package_group_arn" {
  description = "ARN of the model package group (known at plan time)."
  value       = local.group_arn
}

output "model_package_group_name" {
  description = "Name of the model package group."
  value       = aws_sagemaker_model_package_group.this.model_package_group_name
}
