variable "accounts" {
  description = "Account ID of each role: dev, data, ops, artifact, cicd, staging, prod (several roles may share an account: medium puts data, ops, artifact and cicd in dev)."
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
    condition     = length(setintersection([var.accounts.staging, var.accounts.prod], [var.accounts.dev, var.accounts.ops, var.accounts.data, var.accounts.cicd])) == 0 && var.accounts.staging != var.accounts.prod
    error_message = "accounts: staging and prod need their own accounts, apart from each other and from dev, data, ops and cicd."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses that receive serving alarms."
  type        = list(string)
  default     = []
}

variable "clarify_facet" {
  description = "With features.clarify: the feature whose split at threshold the bias monitor compares (a sensitive attribute of your data; the demo data's f0, mean radius, at its median)."
  type = object({
    name      = string
    threshold = number
  })
  default = { name = "f0", threshold = 14 }
}

variable "code_repository" {
  description = "Where model code lives (modules/dev code_repository)."
  type        = any
  default     = {}
}

variable "container_images" {
  description = "With features.container_builds: images to build, by name (the ECR repository <prefix>/<name> in the artifact account), each from a Dockerfile directory of source_repository."
  type        = map(string)
  default     = { inference = "containers/inference" }
  validation {
    condition     = alltrue([for name, context in var.container_images : can(regex("^[a-z0-9][a-z0-9._-]*$", name)) && !startswith(context, "/")])
    error_message = "container_images: names are lowercase ECR names, contexts are paths relative to the repository root."
  }
}

variable "data_lake" {
  description = "The data account's lake (modules/data): Lake Formation admins, curated tables and which columns dev's data scientists do not see. null keeps training data in dev's raw bucket."
  type = object({
    admin_arns      = list(string)
    tables          = map(object({ columns = map(string) }))
    hidden_from_dev = optional(map(list(string)), {})
  })
  default = null
}

variable "data_scientists" {
  description = "Studio user profiles by user name, with the owner's e-mail."
  type        = map(object({ email = string }))
  default     = {}
}

variable "features" {
  description = "Capabilities, each a toggle: monitoring (data-quality baseline, schedule, retrain trigger), clarify (bias and explainability monitors), capture_replication, container_builds, retraining_schedule, object_lock, vpc_endpoints."
  type = object({
    monitoring          = optional(bool, true)
    clarify             = optional(bool, false)
    capture_replication = optional(bool, true)
    container_builds    = optional(bool, false)
    retraining_schedule = optional(bool, true)
    object_lock         = optional(bool, true)
    vpc_endpoints       = optional(bool, true)
  })
  default = {}
  validation {
    condition     = !var.features.clarify || var.features.monitoring
    error_message = "features.clarify needs features.monitoring."
  }
}

variable "feature_groups" {
  description = "Feature Store feature groups in the artifact account, shared with dev and ops (modules/artifact feature_groups)."
  type = map(object({
    record_identifier = string
    event_time        = string
    features          = map(string)
    online            = optional(bool, true)
  }))
  default = {}
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete buckets and repositories that hold data. Only for disposable environments."
  type        = bool
  default     = false
}

variable "lambda_package_dir" {
  description = "Directory of the Lambda zips (`make package`)."
  type        = string
}

variable "model_approvers" {
  description = "The people who approve model versions and production releases: exact IAM role or user ARNs (e.g. an Identity Center permission set's role) that may assume the approver roles. Never data scientists."
  type        = list(string)
  validation {
    condition     = length(var.model_approvers) > 0 && alltrue([for arn in var.model_approvers : can(regex("^arn:[a-z-]+:iam::\\d{12}:(role|user)/[a-zA-Z0-9+=,.@_/-]+$", arn))])
    error_message = "model_approvers needs at least one exact IAM role or user ARN (arn:aws:iam::<account>:role/<name>); no account roots or wildcards."
  }
  validation {
    condition     = alltrue([for arn in var.model_approvers : !strcontains(arn, "/data-science/")])
    error_message = "model_approvers must not name data-scientist roles (/data-science/): data scientists never approve their own models."
  }
}

variable "organization" {
  description = "The AWS Organization: its ID (o-..., for aws:PrincipalOrgID conditions) and, with manage = true, the management account (where Terraform runs modules/org) and the regions the SCPs allow. modules/org attaches SCPs to every account and the data perimeter (RCPs) to staging and prod."
  type = object({
    id                    = optional(string)
    manage                = optional(bool, false)
    management_account_id = optional(string)
    allowed_regions       = optional(list(string), [])
  })
  default = {}
  validation {
    condition     = !var.organization.manage || (var.organization.id != null && can(regex("^\\d{12}$", var.organization.management_account_id)) && length(var.organization.allowed_regions) > 0)
    error_message = "organization.manage needs id (o-...), management_account_id (12 digits) and allowed_regions."
  }
}

variable "partition" {
  description = "AWS partition."
  type        = string
  default     = "aws"
}

variable "prefix" {
  description = "Name prefix of every resource."
  type        = string
}

variable "region" {
  description = "Region of everything in the tier."
  type        = string
}

variable "serving" {
  description = "Endpoint capacity by stage (modules/prod serving). prod defaults to two instances: production survives the loss of one."
  type = object({
    staging = optional(any, { initial_instance_count = 1, min_capacity = 1, max_capacity = 1 })
    prod    = optional(any, { initial_instance_count = 2, min_capacity = 2, max_capacity = 4 })
  })
  default = {}
  validation {
    condition     = try(var.serving.prod.min_capacity, 0) >= 2 && try(var.serving.prod.initial_instance_count, 0) >= 2
    error_message = "serving.prod needs min_capacity and initial_instance_count of at least 2."
  }
}

variable "source_repository" {
  description = "Git repository with the Dockerfiles for container builds (modules/cicd source_repository)."
  type = object({
    provider_type = optional(string, "GitHub")
    full_name     = string
    branch        = optional(string, "main")
  })
  default = null
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_cidrs" {
  description = "VPC CIDR per account that runs jobs or endpoints."
  type = object({
    dev     = optional(string, "10.20.0.0/16")
    ops     = optional(string, "10.21.0.0/16")
    staging = optional(string, "10.30.0.0/16")
    prod    = optional(string, "10.40.0.0/16")
  })
  default = {}
  validation {
    condition     = alltrue([for cidr in values(var.vpc_cidrs) : try(cidrhost(cidr, 0) != "" && tonumber(split("/", cidr)[1]) >= 16 && tonumber(split("/", cidr)[1]) <= 24, false)])
    error_message = "Each VPC CIDR must be an IPv4 CIDR between /16 and /24, e.g. \"10.20.0.0/16\"."
  }
}
