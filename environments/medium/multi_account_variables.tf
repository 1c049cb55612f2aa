# Inputs of the tiers with an organization and a staging stage (medium, large).
variable "organization" {
  description = "The AWS Organization: id (o-..., scopes cross-account trust and the data perimeter), and with manage = true the management account (where Terraform runs) and the regions the SCPs allow. Member accounts are inputs, not created here; the guardrails attach to them directly."
  type = object({
    id                    = optional(string)
    manage                = optional(bool, false)
    management_account_id = optional(string)
    allowed_regions       = optional(list(string), [])
  })
  default = {}
  validation {
    condition     = var.organization.id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization.id))
    error_message = "organization.id must look like o-abcd123456."
  }
  validation {
    condition     = !var.organization.manage || (var.organization.id != null && can(regex("^\\d{12}$", var.organization.management_account_id)) && length(var.organization.allowed_regions) > 0)
    error_message = "organization.manage needs id (o-...), management_account_id (12 digits) and allowed_regions."
  }
}

variable "serving" {
  description = "Endpoint capacity by stage (see modules/serving serving); prod needs at least 2 instances."
  type = object({
    staging = optional(object({
      instance_type                   = optional(string, "ml.m5.large")
      initial_instance_count          = optional(number, 1)
      min_capacity                    = optional(number, 1)
      max_capacity                    = optional(number, 1)
      target_invocations_per_instance = optional(number, 100)
    }), {})
    prod = optional(object({
      instance_type                   = optional(string, "ml.m5.large")
      initial_instance_count          = optional(number, 2)
      min_capacity                    = optional(number, 2)
      max_capacity                    = optional(number, 4)
      target_invocations_per_instance = optional(number, 100)
    }), {})
  })
  default = {}
}
