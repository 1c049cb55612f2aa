variable "account_id" {
  description = "Account that holds the artifacts."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "approval_event_bus_arn" {
  description = "Event bus of the CI/CD account that approvals of this registry are forwarded to, or null when the pipeline's rule is in this account."
  type        = string
  default     = null
  validation {
    condition     = var.approval_event_bus_arn == null || can(regex("^arn:[a-z-]+:events:[a-z0-9-]+:\\d{12}:event-bus/.+$", var.approval_event_bus_arn))
    error_message = "approval_event_bus_arn must be an EventBridge event bus ARN."
  }
}

variable "approver_principal_arns" {
  description = "People who approve or reject model versions: exact IAM role or user ARNs (e.g. an Identity Center permission set's role) allowed to assume the model-approver role."
  type        = list(string)
}

variable "ecr_repositories" {
  description = "ECR repositories to create, by name (created as <prefix>/<name>), with how many images to keep."
  type = map(object({
    keep_images = optional(number, 30)
  }))
  default = { training = {}, inference = {} }
  validation {
    condition     = alltrue([for k, v in var.ecr_repositories : can(regex("^[a-z0-9]+([._-][a-z0-9]+)*$", k)) && v.keep_images >= 1])
    error_message = "ecr_repositories keys must be lowercase names (letters, digits, . _ -) and keep_images at least 1."
  }
}

variable "feature_groups" {
  description = "SageMaker Feature Store feature groups (online and offline store, KMS), by name: record identifier, event time feature and the features with their types (String, Integral, Fractional). Shared through AWS RAM with feature_consumer_account_ids. team: the data-science team that owns it (tag mlops:team), or null where teams share it."
  type = map(object({
    record_identifier = string
    event_time        = string
    features          = map(string)
    online            = optional(bool, true)
    team              = optional(string)
  }))
  default = {}
  validation {
    condition = alltrue([for g in values(var.feature_groups) :
      contains(keys(g.features), g.record_identifier) && contains(keys(g.features), g.event_time) &&
    alltrue([for t in values(g.features) : contains(["String", "Integral", "Fractional"], t)])])
    error_message = "feature_groups: record_identifier and event_time must be features, and feature types String, Integral or Fractional."
  }
}

variable "feature_consumer_account_ids" {
  description = "Accounts (dev, ops) the feature groups are shared with through AWS RAM."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for id in var.feature_consumer_account_ids : can(regex("^\\d{12}$", id))])
    error_message = "feature_consumer_account_ids must be 12-digit account IDs."
  }
}

variable "feature_reader_arns" {
  description = "Roles in other accounts that read the feature groups' offline store (the retraining pipeline's role when it trains on a feature group): the features bucket's policy lets them list and read offline/, the key lets them decrypt through S3."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.feature_reader_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", arn))])
    error_message = "feature_reader_arns must be exact IAM role ARNs."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete buckets and repositories that still hold artifacts. Only for disposable environments."
  type        = bool
  default     = false
}

variable "image_reader_arns" {
  description = "Exact role ARNs in other accounts, besides the registry readers, that may pull images (the retraining pipeline's role when it runs a tier image)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.image_reader_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", arn))])
    error_message = "image_reader_arns must be exact IAM role ARNs."
  }
}

variable "image_pusher_arns" {
  description = "Exact role ARNs (the CI/CD build role) that may push images to the ECR repositories."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.image_pusher_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", arn))])
    error_message = "image_pusher_arns must be exact IAM role ARNs."
  }
}

variable "model_package_groups" {
  description = "Model package groups (registries) by use case, one per model: the group of use case <key> is <prefix>-<key>, tagged with the team that owns it (mlops:team). Approvals of its versions deploy that use case."
  type        = map(object({ description = optional(string), team = optional(string, "default") }))
  validation {
    condition     = length(var.model_package_groups) > 0 && alltrue([for name in keys(var.model_package_groups) : can(regex("^[a-z][a-z0-9-]{0,23}$", name)) && !endswith(name, "-") && !strcontains(name, "--")])
    error_message = "model_package_groups needs at least one use case; its keys are 1-24 lowercase letters, digits and single hyphens, starting with a letter."
  }
}

variable "object_lock" {
  description = "Object Lock default retention for the model bucket (write once, read many), or null to switch it off."
  type = object({
    mode           = optional(string, "GOVERNANCE")
    retention_days = optional(number, 30)
  })
  default = null
}

variable "partition" {
  description = "AWS partition."
  type        = string
  default     = "aws"
}

variable "prefix" {
  description = "Name prefix for every resource, e.g. \"mlops\"."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,17}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-19 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (longer prefixes make bucket names over S3's 63 characters)."
  }
}

variable "region" {
  description = "Region of the artifacts."
  type        = string
}

variable "registry_reader_arns" {
  description = "Exact role ARNs (other accounts' deploy roles) that may read models, pull images and use the key."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for a in var.registry_reader_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", a))])
    error_message = "registry_reader_arns must be exact IAM role ARNs; wildcards and :root are not allowed."
  }
}

variable "registry_writer_arns" {
  description = "Exact role ARNs (the retraining pipeline of another account) that may register model versions and write model artifacts; approval stays in this account."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.registry_writer_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", arn))])
    error_message = "registry_writer_arns must be exact IAM role ARNs."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
