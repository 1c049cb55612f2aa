output "role_arn" {
  description = "The forwarder role, known at plan time (name it in the target bus's policy)."
  value       = local.role_arn
}

output "rule_name" {
  description = "The EventBridge rule."
  value       = aws_cloudwatch_event_rule.this.name
}
