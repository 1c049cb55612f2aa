variable "account_id" {
  description = "The one AWS account of this tier."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses that receive serving alarms."
  type        = list(string)
  default     = []
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
  description = "Canary settings of every deployment after the first (see modules/prod)."
  type = object({
    percent                           = optional(number, 10)
    wait_seconds                      = optional(number, 600)
    termination_wait_seconds          = optional(number, 300)
    maximum_execution_timeout_seconds = optional(number, 3600)
  })
  default = {}
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

variable "data_scientists" {
  description = "Studio user profiles by user name, with the owner's e-mail."
  type = map(object({
    email = string
  }))
  default = {}
}

variable "enable_data_capture" {
  description = "Capture endpoint requests and responses (needed later by Model Monitor)."
  type        = bool
  default     = true
}

variable "enable_object_lock" {
  description = "Write-once (Object Lock, GOVERNANCE, 30 days) on the model artifact bucket. Only takes effect on a new bucket."
  type        = bool
  default     = false
}

variable "enable_retraining_schedule" {
  description = "Start the retraining pipeline on retraining_schedule (it can always be started by hand: `make retrain`)."
  type        = bool
  default     = true
}

variable "enable_vpc_endpoints" {
  description = "Create the interface VPC endpoints that VPC-only Studio and jobs need without internet access (they cost per hour)."
  type        = bool
  default     = true
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

variable "min_accuracy" {
  description = "Quality gate of the retraining pipeline (test accuracy, 0-1)."
  type        = number
  default     = 0.9
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

variable "offline_plan" {
  description = "Skip the provider's AWS calls at start-up (credential check, account lookup) so `terraform plan` runs with no network. Only `make plan-*` sets it."
  type        = bool
  default     = false
}

variable "partition" {
  description = "AWS partition of the account."
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

variable "retraining_schedule" {
  description = "When retraining runs (EventBridge Scheduler expression)."
  type        = string
  default     = "cron(0 3 ? * MON *)"
}

variable "serving" {
  description = "Endpoint capacity and autoscaling range (see modules/prod)."
  type = object({
    instance_type                   = optional(string, "ml.m5.large")
    initial_instance_count          = optional(number, 1)
    min_capacity                    = optional(number, 1)
    max_capacity                    = optional(number, 2)
    target_invocations_per_instance = optional(number, 100)
  })
  default = {}
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

variable "state_id" {
  description = "Tagged as mlops:state on every resource, so what a killed run created can be found and swept (tier.py sets it on the emulator); empty for none."
  type        = string
  default     = ""
  validation {
    condition     = can(regex("^[a-zA-Z0-9-]{0,64}$", var.state_id))
    error_message = "state_id is up to 64 letters, digits and hyphens."
  }
}

variable "terraform_role_name" {
  description = "Role that Terraform assumes in the account, or null to use the caller's credentials as they are."
  type        = string
  default     = null
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
