output "arn" {
  description = "ARN of the role (known at plan time)."
  value       = local.arn
}

output "name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}
