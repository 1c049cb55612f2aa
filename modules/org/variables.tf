variable "accounts" {
  description = "Member accounts by account role (dev, staging, prod, ...), one entry per distinct account: its ID, whether data-scientist principals are denied everything in it (all but dev), and whether the data perimeter guards its resources (staging and prod)."
  type = map(object({
    id                   = string
    deny_data_scientists = optional(bool, true)
    perimeter            = optional(bool, false)
  }))
  validation {
    condition     = length(var.accounts) > 0 && alltrue([for role, a in var.accounts : can(regex("^\\d{12}$", a.id)) && can(regex("^[a-z][a-z0-9-]{0,30}$", role))])
    error_message = "accounts: keys are short lowercase role names (dev, prod) and every id has 12 digits."
  }
  validation {
    condition     = length(distinct([for a in values(var.accounts) : a.id])) == length(var.accounts)
    error_message = "accounts: one entry per account; roles that share an account share its entry."
  }
}

variable "allowed_regions" {
  description = "Regions workloads may use; requests elsewhere are denied except for global services."
  type        = list(string)
  validation {
    condition     = length(var.allowed_regions) > 0 && alltrue([for r in var.allowed_regions : can(regex("^[a-z]{2}(-gov)?-[a-z]+-\\d$", r))])
    error_message = "allowed_regions needs at least one region name such as eu-west-1."
  }
}

variable "data_scientist_principal_patterns" {
  description = "ARN patterns of data-scientist principals, denied everything in accounts with deny_data_scientists."
  type        = list(string)
  default     = ["arn:aws:iam::*:role/mlops/data-science/*", "arn:aws:sts::*:assumed-role/*data-scientist*/*"]
  validation {
    condition     = length(var.data_scientist_principal_patterns) > 0 && alltrue([for p in var.data_scientist_principal_patterns : startswith(p, "arn:")])
    error_message = "data_scientist_principal_patterns must be ARN patterns (arn:...)."
  }
}

variable "organization_id" {
  description = "The organization (o-...): resources of perimeter accounts are reachable only by its principals and AWS services."
  type        = string
  validation {
    condition     = can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must look like o-abcd123456."
  }
}

variable "perimeter" {
  description = "Who may assume roles in the perimeter accounts: the CI/CD account (its pipeline deploys) and the account that runs Terraform. AWS services are always allowed."
  type = object({
    trusted_account_ids = list(string)
  })
  validation {
    condition     = length(var.perimeter.trusted_account_ids) > 0 && alltrue([for id in var.perimeter.trusted_account_ids : can(regex("^\\d{12}$", id))])
    error_message = "perimeter.trusted_account_ids needs the CI/CD and Terraform account IDs (12 digits)."
  }
}

variable "prefix" {
  description = "Name prefix of the policies."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,17}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-19 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (longer prefixes make bucket names over S3's 63 characters)."
  }
}

variable "tags" {
  description = "Tags for the policies."
  type        = map(string)
  default     = {}
}
