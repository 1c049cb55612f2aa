# Guardrails of the organization, attached to the member accounts themselves (so they take effect
# wherever the accounts sit in the OU tree): service control policies cap every principal in an
# account; resource control policies put a data perimeter around the serving accounts' resources.
# Run with the management account's provider.
locals {
  documents = "${path.module}/policies"
  scps = {
    "deny-leaving-organization" = file("${local.documents}/scp/deny-leaving-organization.json")
    "deny-audit-tampering"      = file("${local.documents}/scp/deny-audit-tampering.json")
    "deny-regions"              = templatefile("${local.documents}/scp/deny-regions.json.tftpl", { allowed_regions = var.allowed_regions })
    "deny-data-scientists"      = templatefile("${local.documents}/scp/deny-data-scientists.json.tftpl", { data_scientist_principal_patterns = var.data_scientist_principal_patterns })
  }
  rcps = {
    "deny-access-from-outside-organization" = templatefile("${local.documents}/rcp/deny-access-from-outside-organization.json.tftpl", { organization_id = var.organization_id })
    "deny-role-assumption-outside-cicd"     = templatefile("${local.documents}/rcp/deny-role-assumption-outside-cicd.json.tftpl", { trusted_account_ids = sort(distinct(var.perimeter.trusted_account_ids)) })
  }
  # <policy>/<account role>: the guardrails on every account, the data-scientist deny where data
  # scientists never work, the perimeter on the serving accounts. Keys are known at plan time.
  attachments = merge(
    { for pair in setproduct(["deny-leaving-organization", "deny-audit-tampering", "deny-regions"], keys(var.accounts)) : "${pair[0]}/${pair[1]}" => { policy = pair[0], account = pair[1] } },
    { for role, account in var.accounts : "deny-data-scientists/${role}" => { policy = "deny-data-scientists", account = role } if account.deny_data_scientists },
    { for pair in setproduct(keys(local.rcps), [for role, account in var.accounts : role if account.perimeter]) : "${pair[0]}/${pair[1]}" => { policy = pair[0], account = pair[1] } },
  )
}

resource "aws_organizations_policy" "this" {
  for_each    = merge(local.scps, local.rcps)
  name        = "${var.prefix}-${each.key}"
  description = "MLOps guardrail: ${replace(each.key, "-", " ")} (policies/${contains(keys(local.rcps), each.key) ? "rcp" : "scp"}/)"
  type        = contains(keys(local.rcps), each.key) ? "RESOURCE_CONTROL_POLICY" : "SERVICE_CONTROL_POLICY"
  content     = each.value
  tags        = var.tags
}

resource "aws_organizations_policy_attachment" "this" {
  for_each  = local.attachments
  policy_id = aws_organizations_policy.this[each.value.policy].id
  target_id = var.accounts[each.value.account].id
}
