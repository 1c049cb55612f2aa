output "bucket_arns" {
  description = "Lake buckets by zone (raw, curated), known at plan time."
  value       = { for zone, name in local.bucket_names : zone => "arn:${var.partition}:s3:::${name}" }
}

output "database_name" {
  description = "Glue database of the curated datasets."
  value       = local.database
}

output "kms_key_alias" {
  description = "Alias of the lake key (consumers' policies name it)."
  value       = module.kms.alias_name
}

output "training_data_s3_uri" {
  description = "Where the retraining pipeline reads its exported training data."
  value       = "s3://${local.bucket_names.curated}/exports/training/"
}
