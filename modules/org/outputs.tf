output "organizational_unit_ids" {
  description = "Organizational unit IDs by key."
  value       = { for k, ou in aws_organizations_organizational_unit.this : k => ou.id }
}

output "policy_documents" {
  description = "The rendered service control policies by name (known at plan time)."
  value       = local.policies
}
