# Inputs of every tier (environments/small and environments/large link to this file: one definition).

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
  description = "Where model code lives (see modules/dev): kind \"connection\", \"codecommit\" or \"none\"."
  type = object({
    kind          = optional(string, "connection")
    name          = optional(string, "model-code")
    provider_type = optional(string, "GitHub")
  })
  default = {}
}

variable "container_images" {
  description = "Training and inference images by name: an immutable, scanned ECR repository <prefix>/<name> in the artifact account for each, which data scientists push to, or (features.container_builds, with a staging stage) CodeBuild builds from this Dockerfile directory of source_repository."
  type        = map(string)
  default     = { training = "containers/training", inference = "containers/inference" }
}

variable "pipeline_images" {
  description = "Tier images the retraining pipeline runs: training (its steps) and inference (the versions it registers, so every endpoint serving them), each { repository = one of container_images' names, tag }; null (either) runs AWS's prebuilt scikit-learn image."
  type = object({
    training  = optional(object({ repository = string, tag = string }))
    inference = optional(object({ repository = string, tag = string }))
  })
  default  = {}
  nullable = false
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
  description = "Studio user profiles by user name, with the owner's e-mail and team (a use case's team, or \"default\"): a profile runs as its team's data-scientist role."
  type = map(object({
    email = string
    team  = optional(string, "default")
  }))
  default = {}
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

variable "training_feature_group" {
  description = "A key of feature_groups the retraining pipeline trains on, read from its offline store (`make ingest-features` loads it), instead of the training data CSVs; null reads the CSVs. Its features must include `target`."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete buckets and repositories that hold data. Only for disposable environments such as the emulator."
  type        = bool
  default     = false
}

variable "lambda_package_dir" {
  description = "Directory of the Lambda zips that `make package` builds."
  type        = string
  default     = "../../build/lambda"
}

variable "model_approvers" {
  description = "The people who approve model versions and production releases: exact IAM role or user ARNs (e.g. an Identity Center permission set's role) that may assume the approver roles (validated by modules/tier). Never data scientists."
  type        = list(string)
}

variable "offline_plan" {
  description = "Plan with no credentials and no network: the providers get placeholder credentials and skip their AWS calls at start-up (credential check, account lookup). `make plan-*` sets it; never apply with it."
  type        = bool
  default     = false
}

variable "partition" {
  description = "AWS partition of the accounts."
  type        = string
  default     = "aws"
  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "prefix" {
  description = "Name prefix of every resource: 3-19 lowercase letters, digits or hyphens (the longest name built from it, a capture bucket in the longest region, then has S3's 63 characters)."
  type        = string
  default     = "mlops"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,17}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-19 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (longer prefixes make bucket names over S3's 63 characters)."
  }
}

variable "region" {
  description = "AWS region of everything in this tier."
  type        = string
  default     = "eu-west-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-\\d$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
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

variable "state_id" {
  description = "Tagged as mlops:state on every resource, so what a killed run created can be found and swept (tier.py sets it on the emulator); empty for none."
  type        = string
  default     = ""
  validation {
    condition     = can(regex("^[a-zA-Z0-9-]{0,64}$", var.state_id))
    error_message = "state_id is up to 64 letters, digits and hyphens."
  }
}

variable "tags" {
  description = "Tags on every resource (added to mlops:tier, mlops:prefix and mlops:state). Keys 1-128 characters, values up to 256, letters, digits, spaces and _ . : / = + - @ (IAM's rules); no aws: keys."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for key in keys(var.tags) : length(key) >= 1 && length(key) <= 128 && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]+$", key))])
    error_message = "Each tag key needs 1-128 characters from letters, digits, spaces and _ . : / = + - @ (IAM rejects others half-way through an apply)."
  }
  validation {
    condition     = alltrue([for key in keys(var.tags) : !startswith(lower(key), "aws:")])
    error_message = "Tag keys must not start with aws: (reserved by AWS)."
  }
  validation {
    condition     = alltrue([for value in values(var.tags) : length(value) <= 256 && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", value))])
    error_message = "Each tag value needs at most 256 characters from letters, digits, spaces and _ . : / = + - @."
  }
}

variable "terraform_role_name" {
  description = "Role Terraform assumes in each account (e.g. OrganizationAccountAccessRole or AWSControlTowerExecution), or null to use the caller's credentials."
  type        = string
  default     = null
}

variable "use_cases" {
  description = "See modules/tier use_cases (it validates them). The models the platform trains and serves, by name (1-24 lowercase letters, digits and single hyphens). Each gets its own registry group (<prefix>-<name>), retraining pipeline and schedule, endpoint in every serving stage with its alarms, monitors and capture prefix, API route /<name>/invocations and, with a staging stage, deployment pipeline; the platform (accounts, networks, Studio, keys, buckets, CI/CD) exists once, and adding or removing one never touches another's resources. `model`, release 0.x's one model, keeps its names. Each may override the tier's defaults: training_data_s3_uri (default: the tier's training data for `model`, datasets/<name>/ (exports/<name>/ in a data lake) beside it for any other), feature_group (a key of feature_groups to train on; default retraining.feature_group for `model`, none for the others), min_accuracy and schedule (default: retraining's), serving (default: serving), canary (default: canary), clarify_facet (default: clarify_facet), and team: the data-science team that owns it (default \"default\"). Each team gets its own data-scientist role (tagged mlops:team), and no team reads another's training data, registry groups, pipelines or feature groups (ABAC: the tags decide, and names where AWS has no tags)."
  type = map(object({
    training_data_s3_uri = optional(string)
    feature_group        = optional(string)
    min_accuracy         = optional(number)
    schedule             = optional(string)
    serving = optional(object({
      staging = optional(object({
        instance_type                   = optional(string, "ml.m5.large")
        initial_instance_count          = optional(number, 1)
        min_capacity                    = optional(number, 1)
        max_capacity                    = optional(number, 1)
        target_invocations_per_instance = optional(number, 100)
      }), {})
      prod = optional(object({
        instance_type                   = optional(string, "ml.m5.large")
        initial_instance_count          = optional(number, 2)
        min_capacity                    = optional(number, 2)
        max_capacity                    = optional(number, 4)
        target_invocations_per_instance = optional(number, 100)
      }), {})
    }))
    canary = optional(object({
      percent                           = optional(number, 10)
      wait_seconds                      = optional(number, 600)
      termination_wait_seconds          = optional(number, 300)
      maximum_execution_timeout_seconds = optional(number, 3600)
    }))
    clarify_facet = optional(object({ name = string, threshold = number }))
    team          = optional(string, "default")
  }))
  default  = { model = {} }
  nullable = false
}
