variable "account_id" {
  description = "The only account on whose behalf the service may assume the role."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "actions" {
  description = "STS actions the service may call."
  type        = list(string)
  default     = ["sts:AssumeRole"]
}

variable "service" {
  description = "Service principal, e.g. \"sagemaker.amazonaws.com\"."
  type        = string
  validation {
    condition     = endswith(var.service, ".amazonaws.com")
    error_message = "service must be a service principal ending in .amazonaws.com."
  }
}
