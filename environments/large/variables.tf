variable "accounts" {
  description = "Account IDs of the seven roles: dev, data, ops, artifact, cicd, staging, prod."
  type = object({
    dev      = string
    data     = string
    ops      = string
    artifact = string
    cicd     = string
    staging  = string
    prod     = string
  })
  validation {
    condition     = alltrue([for id in values(var.accounts) : can(regex("^\\d{12}$", id))])
    error_message = "accounts: every account ID must be 12 digits."
  }
  validation {
    condition     = length(distinct(values(var.accounts))) == 7
    error_message = "accounts: the large tier has seven different accounts."
  }
}

variable "features" {
  description = "Capabilities, each a toggle (see modules/tier): monitoring, model_quality, clarify, data_capture, capture_replication, container_builds, retraining_schedule, object_lock, vpc_endpoints."
  type = object({
    monitoring          = optional(bool, true)
    model_quality       = optional(bool, true)
    data_capture        = optional(bool, true)
    clarify             = optional(bool, true)
    capture_replication = optional(bool, true)
    container_builds    = optional(bool, true)
    retraining_schedule = optional(bool, true)
    object_lock         = optional(bool, true)
    vpc_endpoints       = optional(bool, true)
  })
  default = {}
}
