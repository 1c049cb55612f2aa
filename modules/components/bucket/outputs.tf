output "arn" {
  description = "Bucket ARN (known at plan time)."
  value       = "arn:${var.partition}:s3:::${var.name}"
}

output "name" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.id
}
