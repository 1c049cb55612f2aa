variable "account_id" {
  description = "The one AWS account of this tier."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "api_authorization" {
  description = "How callers of the inference API authenticate: AWS_IAM (SigV4) or API_KEY (key + usage plan)."
  type        = string
  default     = "AWS_IAM"
}

variable "availability_zones" {
  description = "Availability zones of the private subnets; null uses <region>a and <region>b."
  type        = list(string)
  default     = null
}

variable "canary" {
  description = "Canary settings of every deployment after the first (see modules/serving)."
  type = object({
    percent                           = optional(number, 10)
    wait_seconds                      = optional(number, 600)
    termination_wait_seconds          = optional(number, 300)
    maximum_execution_timeout_seconds = optional(number, 3600)
  })
  default = {}
}

variable "retrain_cooldown_minutes" {
  description = "After a retraining starts, monitoring violations start no other for this long (modules/tier)."
  type        = number
  default     = 360
}

variable "features" {
  description = "Capabilities, each a toggle (modules/tier features). Small's defaults: no monitoring, model quality, Clarify or capture replication (one account serves and retrains), no container builds (data scientists push images)."
  type = object({
    monitoring          = optional(bool, false)
    model_quality       = optional(bool, false)
    clarify             = optional(bool, false)
    data_capture        = optional(bool, true)
    capture_replication = optional(bool, false)
    container_builds    = optional(bool, false)
    retraining_schedule = optional(bool, true)
    object_lock         = optional(bool, false)
    vpc_endpoints       = optional(bool, true)
  })
  default = {}
}

variable "min_accuracy" {
  description = "Quality gate of the retraining pipeline (test accuracy, 0-1)."
  type        = number
  default     = 0.9
}

variable "retraining_schedule" {
  description = "When retraining runs (EventBridge Scheduler expression)."
  type        = string
  default     = "cron(0 3 ? * MON *)"
}

variable "serving" {
  description = "Endpoint capacity and autoscaling range (see modules/serving)."
  type = object({
    instance_type                   = optional(string, "ml.m5.large")
    initial_instance_count          = optional(number, 1)
    min_capacity                    = optional(number, 1)
    max_capacity                    = optional(number, 2)
    target_invocations_per_instance = optional(number, 100)
  })
  default = {}
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC, /16 to /24."
  type        = string
  default     = "10.20.0.0/16"
  validation {
    condition     = try(cidrhost(var.vpc_cidr, 0) != "" && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24, false)
    error_message = "vpc_cidr must be an IPv4 CIDR between /16 and /24, e.g. \"10.20.0.0/16\"."
  }
}
