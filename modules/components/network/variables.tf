variable "account_id" {
  description = "Account of the VPC (the flow-log role's trust and permissions are built from it)."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "availability_zones" {
  description = "Availability zones for the private subnets (two or more), e.g. [\"eu-west-1a\", \"eu-west-1b\"]."
  type        = list(string)
  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 16 && alltrue([for az in var.availability_zones : can(regex("^[a-z]{2}(-[a-z]+)+-\\d[a-z]$", az))])
    error_message = "availability_zones needs 2-16 zone names such as \"eu-west-1a\"."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC, /16 to /24."
  type        = string
  default     = "10.20.0.0/16"
  validation {
    condition     = try(cidrhost(var.cidr_block, 0) != "" && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 24, false)
    error_message = "cidr_block must be an IPv4 CIDR between /16 and /24, e.g. \"10.20.0.0/16\"."
  }
}

variable "flow_log_kms_key_arn" {
  description = "KMS key that encrypts the VPC flow-log group (ignored with own_flow_log_key)."
  type        = string
  default     = null
}

variable "flow_log_retention_days" {
  description = "Retention of VPC flow logs, in days."
  type        = number
  default     = 365
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints (service suffixes) that VPC-only Studio, jobs and Lambdas need without internet."
  type        = set(string)
  default     = ["sagemaker.api", "sagemaker.runtime", "sts", "logs", "ecr.api", "ecr.dkr"]
}

variable "name" {
  description = "Name prefix for the network resources."
  type        = string
}

variable "own_flow_log_key" {
  description = "Create a KMS key for the flow logs with the network (where no other key of the account fits)."
  type        = bool
  default     = false
}

variable "partition" {
  description = "AWS partition."
  type        = string
  default     = "aws"
}

variable "region" {
  description = "Region of the VPC (for endpoint service names)."
  type        = string
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
