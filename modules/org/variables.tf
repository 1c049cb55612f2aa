variable "allowed_regions" {
  description = "Regions workloads may use; requests elsewhere are denied except for global services."
  type        = list(string)
  validation {
    condition     = length(var.allowed_regions) > 0 && alltrue([for r in var.allowed_regions : can(regex("^[a-z]{2}(-gov)?-[a-z]+-\\d$", r))])
    error_message = "allowed_regions needs at least one region name such as eu-west-1."
  }
}

variable "data_scientist_principal_patterns" {
  description = "ARN patterns of data-scientist principals, denied everything in units with deny_data_scientists."
  type        = list(string)
  default     = ["arn:aws:iam::*:role/mlops/data-science/*", "arn:aws:sts::*:assumed-role/*data-scientist*/*"]
  validation {
    condition     = length(var.data_scientist_principal_patterns) > 0 && alltrue([for p in var.data_scientist_principal_patterns : startswith(p, "arn:")])
    error_message = "data_scientist_principal_patterns must be ARN patterns (arn:...)."
  }
}

variable "organizational_units" {
  description = "Organizational units by key with their name and whether data scientists are denied in them: dev goes to sdlc, staging and prod to prod (the accounts only the pipeline changes). Move the member accounts into them yourself (most organizations manage accounts with Control Tower or AFT)."
  type = map(object({
    name                 = string
    deny_data_scientists = optional(bool, false)
  }))
  default = {
    sdlc = { name = "mlops-sdlc", deny_data_scientists = false }
    prod = { name = "mlops-prod", deny_data_scientists = true }
  }
  validation {
    condition     = length(var.organizational_units) > 0 && alltrue([for k, _ in var.organizational_units : can(regex("^[a-z][a-z0-9-]{0,30}$", k))])
    error_message = "organizational_units keys must be short lowercase names such as sdlc or prod."
  }
}

variable "parent_id" {
  description = "ID of the root (r-...) or organizational unit (ou-...) the units are created under."
  type        = string
  validation {
    condition     = can(regex("^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", var.parent_id))
    error_message = "parent_id must be a root ID (r-xxxx) or an OU ID (ou-xxxx-xxxxxxxx)."
  }
}

variable "prefix" {
  description = "Name prefix of the policies."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-20 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags for units and policies."
  type        = map(string)
  default     = {}
}
