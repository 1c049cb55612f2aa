output "arn" {
  description = "ARN of the role (known at plan time)."
  value       = local.arn
  depends_on  = [aws_iam_role.this] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}
