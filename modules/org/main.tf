# Organizational units for the workload accounts and the service control policies that hold
# whatever IAM inside the accounts says. Run with the management account's provider.
locals {
  documents = "${path.module}/../../policies/scp"
  policies = {
    "deny-leaving-organization" = file("${local.documents}/deny-leaving-organization.json")
    "deny-audit-tampering"      = file("${local.documents}/deny-audit-tampering.json")
    "deny-regions"              = templatefile("${local.documents}/deny-regions.json.tftpl", { allowed_regions = var.allowed_regions })
    "deny-data-scientists"      = templatefile("${local.documents}/deny-data-scientists.json.tftpl", { data_scientist_principal_patterns = var.data_scientist_principal_patterns })
  }
  # <policy>/<organizational unit>: every guardrail on both units, the data-scientist deny on prod only.
  attachments = merge(
    { for pair in setproduct(["deny-leaving-organization", "deny-audit-tampering", "deny-regions"], keys(var.organizational_units)) : "${pair[0]}/${pair[1]}" => { policy = pair[0], unit = pair[1] } },
    { for unit, spec in var.organizational_units : "deny-data-scientists/${unit}" => { policy = "deny-data-scientists", unit = unit } if spec.deny_data_scientists },
  )
}

resource "aws_organizations_organizational_unit" "this" {
  for_each  = var.organizational_units
  name      = each.value.name
  parent_id = var.parent_id
  tags      = var.tags
}

resource "aws_organizations_policy" "this" {
  for_each    = local.policies
  name        = "${var.prefix}-${each.key}"
  description = "MLOps guardrail: ${replace(each.key, "-", " ")} (policies/scp/)"
  type        = "SERVICE_CONTROL_POLICY"
  content     = each.value
  tags        = var.tags
}

resource "aws_organizations_policy_attachment" "this" {
  for_each  = local.attachments
  policy_id = aws_organizations_policy.this[each.value.policy].id
  target_id = aws_organizations_organizational_unit.this[each.value.unit].id
}
