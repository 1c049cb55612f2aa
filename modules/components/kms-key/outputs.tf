output "alias_arn" {
  description = "ARN of the key alias."
  value       = aws_kms_alias.this.arn
}

output "alias_arn_known_at_plan" {
  description = "Alias ARN built from the account and name: known at plan time, accepted wherever AWS takes a key ID, ARN or alias ARN."
  value       = "arn:${var.partition}:kms:${var.region}:${var.account_id}:alias/${var.name}"
}

output "arn" {
  description = "ARN of the key."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "ID of the key."
  value       = aws_kms_key.this.key_id
}

output "alias_name" {
  description = "Alias name (alias/<name>); IAM policies grant use of the key with the kms:ResourceAliases condition, which is known at plan time."
  value       = aws_kms_alias.this.name
}
