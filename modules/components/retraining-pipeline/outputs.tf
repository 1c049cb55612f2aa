output "arn" {
  description = "ARN of the pipeline (known at plan)."
  value       = local.arn
}

output "name" {
  description = "Name of the pipeline."
  value       = aws_sagemaker_pipeline.this.pipeline_name
}

output "schedule_arn" {
  description = "ARN of its schedule, or null (known at plan)."
  value       = var.schedule == null ? null : "arn:${var.partition}:scheduler:${var.region}:${var.account_id}:schedule/default/${var.name}"
}
