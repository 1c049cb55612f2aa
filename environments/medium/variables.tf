variable "accounts" {
  description = "Account IDs: dev (which also hosts the data, ops, artifact and cicd roles), staging and prod."
  type = object({
    dev     = string
    staging = string
    prod    = string
  })
  validation {
    condition     = alltrue([for id in values(var.accounts) : can(regex("^\\d{12}$", id))])
    error_message = "accounts: dev, staging and prod must be 12-digit account IDs."
  }
  validation {
    condition     = length(distinct(values(var.accounts))) == 3
    error_message = "accounts: dev, staging and prod must be three different accounts."
  }
}

variable "features" {
  description = "Capabilities, each a toggle (see modules/tier): monitoring, model_quality, clarify, data_capture, capture_replication, container_builds, retraining_schedule, object_lock, vpc_endpoints."
  type = object({
    monitoring          = optional(bool, true)
    model_quality       = optional(bool, true)
    data_capture        = optional(bool, true)
    clarify             = optional(bool, false)
    capture_replication = optional(bool, true)
    container_builds    = optional(bool, false)
    retraining_schedule = optional(bool, true)
    object_lock         = optional(bool, true)
    vpc_endpoints       = optional(bool, true)
  })
  default = {}
}
