variable "account_id" {
  description = "The dev account, where data scientists work."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "artifact_bucket_arn" {
  description = "Model artifact bucket that data scientists may read (not write)."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:s3:::[a-z0-9.-]{3,63}$", var.artifact_bucket_arn))
    error_message = "artifact_bucket_arn must be a bucket ARN such as arn:aws:s3:::my-bucket."
  }
}

variable "code_repository" {
  description = "Where model code lives: \"connection\" (an external Git provider through CodeStar Connections), \"codecommit\" (closed to new AWS customers since July 2024) or \"none\"."
  type = object({
    kind          = optional(string, "connection")
    name          = optional(string, "model-code")
    provider_type = optional(string, "GitHub")
  })
  default = {}
  validation {
    condition     = contains(["connection", "codecommit", "none"], var.code_repository.kind)
    error_message = "code_repository.kind must be \"connection\", \"codecommit\" or \"none\"."
  }
  validation {
    condition     = contains(["GitHub", "GitHubEnterpriseServer", "GitLab", "GitLabSelfManaged", "Bitbucket"], var.code_repository.provider_type)
    error_message = "code_repository.provider_type must be GitHub, GitHubEnterpriseServer, GitLab, GitLabSelfManaged or Bitbucket."
  }
  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]{1,100}$", var.code_repository.name))
    error_message = "code_repository.name must be 1-100 letters, digits, ., _ or -."
  }
}

variable "data_buckets" {
  description = "Data buckets to create in dev (the data role lives here in small and medium tiers), by short name."
  type        = set(string)
  default     = ["raw", "curated"]
  validation {
    condition     = alltrue([for b in var.data_buckets : can(regex("^[a-z0-9-]{1,12}$", b))])
    error_message = "data_buckets names must be 1-12 lowercase letters, digits or hyphens."
  }
}

variable "data_scientists" {
  description = "Studio user profiles, keyed by user name, with the owner's e-mail (tagged on the profile) and the team whose role the profile runs as (a key of teams, or \"default\")."
  type = map(object({
    email = string
    team  = optional(string, "default")
  }))
  default = {}
  validation {
    condition     = alltrue([for ds in values(var.data_scientists) : ds.team == "default" || contains(keys(var.teams), ds.team)])
    error_message = "data_scientists[*].team must be \"default\" or a key of teams."
  }
  validation {
    condition     = alltrue([for name, _ in var.data_scientists : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", name))])
    error_message = "data_scientists keys must be 1-63 letters, digits and single hyphens (Studio user profile names)."
  }
  validation {
    condition     = alltrue([for _, ds in var.data_scientists : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", ds.email))])
    error_message = "data_scientists[*].email must be an e-mail address."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete data buckets that still hold objects. Only for disposable environments."
  type        = bool
  default     = false
}

variable "network" {
  description = "VPC for VPC-only Studio: the VPC, two or more private subnets, the security groups of Studio apps, and the name its subnets carry in their mlops:network tag (jobs may attach only to those subnets)."
  type = object({
    name               = string
    vpc_id             = string
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  validation {
    condition     = length(var.network.subnet_ids) >= 1 && length(var.network.security_group_ids) >= 1 && length(var.network.name) > 0
    error_message = "network needs a name (the subnets' mlops:network tag), at least one subnet and one security group."
  }
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

variable "protected" {
  description = "Resources of this account that only automation changes: the retraining pipelines and the serving endpoints (ARNs). Data scientists can neither register nor approve model versions anywhere."
  type = object({
    pipeline_arns = optional(list(string), [])
    endpoint_arns = optional(list(string), [])
  })
  default = {}
  validation {
    condition     = alltrue([for arn in concat(var.protected.pipeline_arns, var.protected.endpoint_arns) : can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:(pipeline|endpoint)/[a-zA-Z0-9-]+$", arn))])
    error_message = "protected: pipeline_arns and endpoint_arns must be SageMaker pipeline or endpoint ARNs (arn:aws:sagemaker:<region>:<account>:pipeline/<name>)."
  }
}

variable "readable_kms_key_aliases" {
  description = "Aliases (alias/<name>) of other keys data scientists may use, e.g. the artifact key for reading models."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for a in var.readable_kms_key_aliases : startswith(a, "alias/")])
    error_message = "readable_kms_key_aliases must start with alias/."
  }
}

variable "region" {
  description = "Region of the dev resources."
  type        = string
}

variable "startable_pipeline_arns" {
  description = "Retraining pipelines that data scientists may start by hand (same account only)."
  type        = list(string)
  default     = []
}

variable "teams" {
  description = "Teams of data scientists, by name (\"default\" always exists), with what their use cases own: S3 prefixes (s3://bucket/prefix/: training data, model artifacts) and model package group ARNs. Each team has its own data-scientist role, tagged mlops:team; no team may read or write another team's prefixes, use its groups, or touch a SageMaker resource tagged mlops:team for another team."
  type = map(object({
    data_s3_uris             = optional(list(string), [])
    model_package_group_arns = optional(list(string), [])
  }))
  default = {}
  validation {
    condition     = alltrue([for name in keys(var.teams) : can(regex("^[a-z][a-z0-9-]{0,19}$", name))])
    error_message = "teams keys must be 1-20 lowercase letters, digits or hyphens, starting with a letter."
  }
  validation {
    condition     = alltrue(flatten([for t in values(var.teams) : [for uri in t.data_s3_uris : can(regex("^s3://[a-z0-9.-]{3,63}/.+/$", uri))]]))
    error_message = "teams[*].data_s3_uris must be S3 prefixes: s3://<bucket>/<prefix>/."
  }
  validation {
    condition     = alltrue(flatten([for t in values(var.teams) : [for arn in t.model_package_group_arns : can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:model-package-group/[a-zA-Z0-9-]+$", arn))]]))
    error_message = "teams[*].model_package_group_arns must be SageMaker model package group ARNs."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
