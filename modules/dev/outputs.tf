output "code_repository" {
  description = "The code repository: kind, name and the CodeCommit clone URL or the connection ARN."
  value = {
    kind           = var.code_repository.kind
    name           = var.code_repository.name
    clone_url_http = one(aws_codecommit_repository.this[*].clone_url_http)
    connection_arn = one(aws_codestarconnections_connection.this[*].arn)
  }
}

output "data_bucket_arns" {
  description = "Data bucket ARNs by short name."
  value       = { for k, name in local.data_buckets : k => "${local.arn_prefix}:s3:::${name}" }
}

output "data_bucket_names" {
  description = "Data bucket names by short name."
  value       = local.data_buckets
}

output "data_scientist_role_arn" {
  description = "ARN of the default team's bounded data-scientist execution role, the Studio domain's default (known at plan time)."
  value       = local.role_arn
  depends_on  = [aws_iam_role.data_scientist] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "data_scientist_role_arns" {
  description = "ARN of each team's data-scientist execution role, by team (known at plan time)."
  value       = local.role_arns
  depends_on  = [aws_iam_role.data_scientist]
}

output "kms_key_arn" {
  description = "ARN of the dev key (Studio, data buckets, VPC flow logs)."
  value       = module.kms.arn
}

output "kms_key_alias" {
  description = "Alias of the dev key."
  value       = module.kms.alias_name
}

output "permissions_boundary_arn" {
  description = "ARN of the data-scientist permissions boundary."
  value       = local.boundary_arn
}

output "studio_domain_id" {
  description = "SageMaker Studio domain ID."
  value       = aws_sagemaker_domain.this.id
}

output "user_profiles" {
  description = "Studio user profile names."
  value       = sort(keys(aws_sagemaker_user_profile.this))
}
