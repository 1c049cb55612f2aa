variable "account_id" {
  description = "Account the function runs in."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "async_retry_attempts" {
  description = "Retries of a failed asynchronous invocation (0-2) before the event goes to the failure queue."
  type        = number
  default     = 2
  validation {
    condition     = contains([0, 1, 2], var.async_retry_attempts)
    error_message = "async_retry_attempts must be 0, 1 or 2."
  }
}

variable "description" {
  description = "What the function does."
  type        = string
}

variable "environment" {
  description = "Environment variables (encrypted with kms_key_arn)."
  type        = map(string)
  default     = {}
}

variable "handler" {
  description = "Handler entry point."
  type        = string
  default     = "app.handler"
}

variable "kms_key_alias" {
  description = "Alias (alias/<name>) of kms_key_arn; the role is granted the key through it."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer KMS key for the log group, the failure queue and the environment variables."
  type        = string
}

variable "log_level" {
  description = "Log level of the function (DEBUG, INFO, WARNING, ERROR)."
  type        = string
  default     = "INFO"
  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention in days."
  type        = number
  default     = 365
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, e.g. 30, 90, 365."
  }
}

variable "memory_size" {
  description = "Memory in MB (128-10240)."
  type        = number
  default     = 256
  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "name" {
  description = "Function name; also names its role, log group and failure queue."
  type        = string
  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,55}$", var.name))
    error_message = "name must be 1-55 letters, digits, - or _ (the failure queue appends -failures)."
  }
}

variable "package_path" {
  description = "Path of the deterministic zip built by scripts/package_lambdas.py."
  type        = string
}

variable "partition" {
  description = "AWS partition."
  type        = string
  default     = "aws"
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary for the execution role, or null."
  type        = string
  default     = null
}

variable "policy_json" {
  description = "What the function may do, as an IAM policy document (JSON); logs, tracing and the failure queue are added."
  type        = string
}

variable "region" {
  description = "Region of the function."
  type        = string
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions (1 serialises the function)."
  type        = number
  default     = 10
  validation {
    condition     = var.reserved_concurrency >= 1
    error_message = "reserved_concurrency must be at least 1."
  }
}

variable "role_path" {
  description = "IAM path of the execution role."
  type        = string
  default     = "/mlops/"
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "python3.12"
  validation {
    condition     = can(regex("^python3\\.(1[2-9])$", var.runtime))
    error_message = "runtime must be python3.12 or newer."
  }
}

variable "security_group_ids" {
  description = "Security groups when the function runs in a VPC."
  type        = list(string)
  default     = []
}

variable "subnet_ids" {
  description = "Subnets to run the function in; empty runs it outside a VPC."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "timeout" {
  description = "Timeout in seconds (1-900)."
  type        = number
  default     = 30
  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}
