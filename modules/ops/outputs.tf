output "code_version" {
  description = "Content hash of the step scripts the pipeline runs (lineage)."
  value       = local.code_version
}

output "kms_key_alias" {
  description = "Alias of the ops key."
  value       = module.kms.alias_name
}

output "pipeline_arn" {
  description = "ARN of the retraining pipeline (known at plan time)."
  value       = local.pipeline_arn
}

output "pipeline_bucket_name" {
  description = "Bucket with the step code and pipeline outputs."
  value       = local.bucket_name
}

output "pipeline_name" {
  description = "Name of the retraining pipeline (start it with `make retrain`)."
  value       = local.pipeline_name
}

output "pipeline_role_arn" {
  description = "ARN of the pipeline execution role (known at plan time)."
  value       = local.role_arn
}

output "framework_image_repository_arn" {
  description = "ECR repository of the scikit-learn framework image the steps and the registered model use."
  value       = "${local.arn_prefix}:ecr:${var.region}:${local.image_account}:repository/${split(":", split("/", local.sklearn_image)[1])[0]}"
}
