output "captured_bucket_arn" {
  description = "Bucket that captured data of the serving stages replicates into, or null without capture_sources."
  value       = length(var.capture_sources) > 0 ? "arn:${var.partition}:s3:::${local.captured_bucket}" : null
}

output "code_version" {
  description = "Content hash of the step scripts the pipeline runs (lineage)."
  value       = local.code_version
}

output "kms_key_alias" {
  description = "Alias of the ops key."
  value       = module.kms.alias_name
}

output "kms_key_alias_arn" {
  description = "Alias ARN of the ops key (known at plan time): replicas of captured data are encrypted with it."
  value       = module.kms.alias_arn_known_at_plan
}

output "pipeline_arns" {
  description = "ARN of each use case's retraining pipeline (known at plan time)."
  value       = local.pipeline_arns
}

output "pipeline_bucket_name" {
  description = "Bucket with the step code and pipeline outputs."
  value       = local.bucket_name
}

output "model_artifact_s3_uris" {
  description = "Per use case: the prefix of the model bucket its pipeline writes model artifacts under."
  value       = { for use_case, name in local.pipeline_names : use_case => "s3://${var.model_bucket_name}/models/${name}/" }
}

output "pipeline_names" {
  description = "Name of each use case's retraining pipeline (start one with `make retrain`)."
  value       = { for use_case, pipeline in module.pipeline : use_case => pipeline.name }
}

output "pipeline_role_arn" {
  description = "ARN of the pipeline execution role (known at plan time)."
  value       = local.role_arn
  depends_on  = [aws_iam_role.pipeline] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "inference_image_repository_arns" {
  description = "ECR repositories of the images the registered versions serve with, by use case."
  value       = { for use_case, repositories in local.image_repository : use_case => repositories.inference }
}

output "retrain_trigger_function_name" {
  description = "The function that turns monitoring violations into pipeline executions, or null."
  value       = var.retrain_trigger.enabled ? local.trigger_name : null
}
