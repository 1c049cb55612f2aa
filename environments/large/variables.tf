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

variable "container_images" {
  description = "With features.container_builds: images to build by name, each from a Dockerfile directory of source_repository (see modules/components/tier)."
  type        = map(string)
  default     = { inference = "containers/inference" }
}

variable "data_lake" {
  description = "The data lake (modules/data): Lake Formation admins (e.g. the Terraform role), curated tables, and columns hidden from dev's data scientists by table."
  type = object({
    admin_arns      = list(string)
    tables          = map(object({ columns = map(string) }))
    hidden_from_dev = optional(map(list(string)), {})
  })
}

variable "feature_groups" {
  description = "Feature Store feature groups in the artifact account, shared with dev and ops (see modules/artifact)."
  type = map(object({
    record_identifier = string
    event_time        = string
    features          = map(string)
    online            = optional(bool, true)
  }))
  default = {}
}

variable "source_repository" {
  description = "Git repository with the Dockerfiles that container builds build (see modules/cicd)."
  type = object({
    provider_type = optional(string, "GitHub")
    full_name     = string
    branch        = optional(string, "main")
  })
  default = null
}

variable "features" {
  description = "Capabilities, each a toggle (see modules/components/tier): monitoring, clarify, capture_replication, container_builds, retraining_schedule, object_lock, vpc_endpoints."
  type = object({
    monitoring          = optional(bool, true)
    clarify             = optional(bool, true)
    capture_replication = optional(bool, true)
    container_builds    = optional(bool, true)
    retraining_schedule = optional(bool, true)
    object_lock         = optional(bool, true)
    vpc_endpoints       = optional(bool, true)
  })
  default = {}
}
