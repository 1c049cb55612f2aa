variable "account_id" {
  description = "AWS account ID that owns the key; its root administers the key through IAM."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "allow_cloudwatch_logs" {
  description = "Let CloudWatch Logs of this account and region encrypt log groups with the key."
  type        = bool
  default     = true
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion (7-30 days)."
  type        = number
  default     = 30
  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "description" {
  description = "What the key protects."
  type        = string
}

variable "name" {
  description = "Alias name without the alias/ prefix, e.g. \"mlops-artifacts\"."
  type        = string
  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "name may contain letters, digits, /, _ and - and must not start with aws/."
  }
}

variable "partition" {
  description = "AWS partition of the account (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "region" {
  description = "Region of the key (used in the CloudWatch Logs service principal)."
  type        = string
}

variable "rotation_period_in_days" {
  description = "Automatic rotation period (90-2560 days); rotation is always on."
  type        = number
  default     = 365
  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "rotation_period_in_days must be between 90 and 2560."
  }
}

variable "service_principals" {
  description = "AWS service principals (e.g. \"sagemaker.amazonaws.com\") allowed to use the key on behalf of this account only."
  type        = set(string)
  default     = []
  validation {
    condition     = alltrue([for s in var.service_principals : endswith(s, ".amazonaws.com")])
    error_message = "service_principals must be service principal names ending in .amazonaws.com."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}

variable "user_arns" {
  description = "Exact IAM principal ARNs (roles) allowed to use the key, including other accounts' roles."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for a in var.user_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", a))])
    error_message = "user_arns must be IAM role ARNs (arn:aws:iam::<12 digits>:role/<name>); wildcards and :root are not allowed."
  }
}

variable "decrypt_only_arns" {
  description = "Exact IAM principal ARNs (roles, also other accounts') that may only decrypt with the key, through S3: readers of objects it encrypts."
  type        = list(string)
  default     = []
}
