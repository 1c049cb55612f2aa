variable "account_id" {
  description = "The data lake account."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "admin_arns" {
  description = "Lake Formation administrators (exact role ARNs, e.g. the role Terraform runs as)."
  type        = list(string)
  validation {
    condition     = length(var.admin_arns) > 0 && alltrue([for arn in var.admin_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", arn))])
    error_message = "admin_arns needs at least one exact IAM role ARN."
  }
}

variable "consumers" {
  description = "Who reads the lake, by key: an exact role ARN (dev's data scientists, ops' pipeline) and, per table, SELECT on all columns or on all but excluded_columns (column-level access). Every consumer may DESCRIBE the database."
  type = map(object({
    role_arn = string
    tables = map(object({
      excluded_columns = optional(list(string), [])
    }))
    read_training_exports = optional(bool, false)
  }))
  default = {}
  validation {
    condition     = alltrue([for c in values(var.consumers) : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", c.role_arn))])
    error_message = "consumers.*.role_arn must be exact IAM role ARNs."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete lake buckets that still hold data. Only for disposable environments."
  type        = bool
  default     = false
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
  description = "Region of the lake."
  type        = string
}

variable "tables" {
  description = "Glue tables of the curated database, by name, with their columns (name => Hive type) in order of the map keys."
  type = map(object({
    columns = map(string)
  }))
  default = {}
  validation {
    condition     = alltrue([for name, t in var.tables : can(regex("^[a-z][a-z0-9_]{0,254}$", name)) && length(t.columns) > 0])
    error_message = "tables: names are lowercase letters, digits and underscores; each table needs columns."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "training_exports" {
  description = "Folders of curated/exports/ that consumers with read_training_exports may read: one per use case trained from the lake (training is release 0.x's)."
  type        = list(string)
  default     = ["training"]
  validation {
    condition     = length(var.training_exports) > 0 && alltrue([for folder in var.training_exports : can(regex("^[a-z0-9][a-z0-9-]*$", folder))])
    error_message = "training_exports needs at least one folder name (lowercase letters, digits, hyphens)."
  }
}
