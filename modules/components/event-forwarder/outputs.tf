output "role_arn" {
  description = "The forwarder role, known at plan time (name it in the target bus's policy)."
  value       = local.role_arn
  depends_on  = [aws_iam_role.this] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "rule_name" {
  description = "The EventBridge rule."
  value       = aws_cloudwatch_event_rule.this.name
}
