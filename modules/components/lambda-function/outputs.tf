output "arn" {
  description = "Function ARN (known at plan time)."
  value       = local.function_arn
}

output "invoke_arn" {
  description = "ARN for API Gateway integrations."
  value       = aws_lambda_function.this.invoke_arn
}

output "name" {
  description = "Function name."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "Execution role ARN (known at plan time)."
  value       = local.role_arn
  depends_on  = [aws_iam_role.this] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "role_name" {
  description = "Execution role name."
  value       = aws_iam_role.this.name
}
