variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a bucket that still holds objects. Keep false for real data."
  type        = bool
  default     = false
}

variable "kms_key_alias_arn" {
  description = "Alias ARN of that key, known at plan time (arn:<partition>:kms:<region>:<account>:alias/<name>): uploads may name only it or a key of its account."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:\\d{12}:alias/[a-zA-Z0-9/_-]+$", var.kms_key_alias_arn))
    error_message = "kms_key_alias_arn must be an alias ARN such as arn:aws:kms:eu-west-1:111111111111:alias/mlops-dev."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for default SSE-KMS encryption."
  type        = string
}

variable "name" {
  description = "Globally unique bucket name."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name)) && !can(regex("\\.\\.|^xn--|-s3alias$", var.name))
    error_message = "name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens."
  }
}

variable "object_lock" {
  description = "Object Lock default retention (WORM), or null for none. Object Lock can only be enabled when the bucket is created."
  type = object({
    mode           = optional(string, "GOVERNANCE")
    retention_days = optional(number, 30)
  })
  default = null
  validation {
    condition     = var.object_lock == null || try(contains(["GOVERNANCE", "COMPLIANCE"], var.object_lock.mode) && var.object_lock.retention_days >= 1, false)
    error_message = "object_lock.mode must be GOVERNANCE or COMPLIANCE and retention_days at least 1."
  }
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "policy_documents" {
  description = "Extra bucket policy documents (JSON), merged with the TLS-only deny. Name exact principals."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}

variable "versioning" {
  description = "Keep every version of every object. Always on when object_lock is set."
  type        = bool
  default     = true
}
