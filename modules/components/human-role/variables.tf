variable "account_id" {
  description = "Account of the role."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "description" {
  description = "What the role is for."
  type        = string
}

variable "name" {
  description = "Role name."
  type        = string
  validation {
    condition     = can(regex("^[a-zA-Z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters: letters, digits and +=,.@_-."
  }
}

variable "partition" {
  description = "AWS partition."
  type        = string
  default     = "aws"
}

variable "path" {
  description = "Role path; the policy suite recognises a duty by it (model approvers live under /mlops/approval/)."
  type        = string
  validation {
    condition     = can(regex("^/([a-zA-Z0-9_-]+/)*$", var.path))
    error_message = "path must start and end with a slash, e.g. /mlops/approval/."
  }
}

variable "policy_json" {
  description = "The duty's permissions (a policy document)."
  type        = string
}

variable "principal_arns" {
  description = "Exact IAM role or user ARNs of the people who may assume the role, e.g. an Identity Center permission set's role in that account."
  type        = list(string)
  validation {
    condition     = length(var.principal_arns) > 0 && alltrue([for arn in var.principal_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:(role|user)/[a-zA-Z0-9+=,.@_/-]+$", arn))])
    error_message = "principal_arns needs at least one exact IAM role or user ARN (arn:aws:iam::<account>:role/<name>); no account roots or wildcards."
  }
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
