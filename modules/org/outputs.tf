output "attachments" {
  description = "Which policy is attached to which account: <policy>/<account role> => account ID."
  value       = { for key, a in local.attachments : key => var.accounts[a.account].id }
}

output "policy_documents" {
  description = "The rendered service and resource control policies by name (known at plan time)."
  value       = merge(local.scps, local.rcps)
}
