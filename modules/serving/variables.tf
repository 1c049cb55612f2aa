variable "account_id" {
  description = "The serving account (prod or staging)."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "alarms" {
  description = "Thresholds of the rollback alarms that stop a canary: 5XX errors per minute, p99 model latency in ms, and how many one-minute periods must breach."
  type = object({
    max_5xx_errors_per_minute = optional(number, 5)
    max_p99_latency_ms        = optional(number, 1000)
    evaluation_periods        = optional(number, 2)
  })
  default = {}
  validation {
    condition     = var.alarms.max_5xx_errors_per_minute >= 0 && var.alarms.max_p99_latency_ms > 0 && var.alarms.evaluation_periods >= 1 && var.alarms.evaluation_periods <= 10
    error_message = "alarms: max_5xx_errors_per_minute >= 0, max_p99_latency_ms > 0, evaluation_periods between 1 and 10."
  }
}

variable "api" {
  description = "The inference API: whether to create it, how callers authenticate (AWS_IAM signatures or API_KEY with a usage plan), throttling, payload limit and the function's reserved concurrency."
  type = object({
    enabled              = optional(bool, true)
    authorization        = optional(string, "AWS_IAM")
    throttle_rate_limit  = optional(number, 50)
    throttle_burst_limit = optional(number, 100)
    max_payload_bytes    = optional(number, 262144)
    reserved_concurrency = optional(number, 50)
  })
  default = {}
  validation {
    condition     = contains(["AWS_IAM", "API_KEY"], var.api.authorization)
    error_message = "api.authorization must be AWS_IAM or API_KEY; an unauthenticated API is not offered."
  }
  validation {
    condition     = var.api.throttle_rate_limit > 0 && var.api.throttle_burst_limit >= var.api.throttle_rate_limit
    error_message = "api: throttle_rate_limit must be positive and throttle_burst_limit at least as large."
  }
  validation {
    condition     = var.api.max_payload_bytes >= 1 && var.api.max_payload_bytes <= 6291456
    error_message = "api.max_payload_bytes must be between 1 and 6291456 (the SageMaker payload limit)."
  }
}

variable "capture_replication" {
  description = "Replicate captured data to a bucket in another account (where labels and monitoring live), re-encrypted with that account's key (a key or alias ARN); null keeps it here."
  type = object({
    destination_account_id  = string
    destination_bucket_arn  = string
    destination_kms_key_arn = string
  })
  default = null
  validation {
    condition = var.capture_replication == null || try(
      can(regex("^\\d{12}$", var.capture_replication.destination_account_id)) &&
      can(regex("^arn:[a-z-]+:s3:::[a-z0-9.-]+$", var.capture_replication.destination_bucket_arn)) &&
    can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:\\d{12}:(key|alias)/.+$", var.capture_replication.destination_kms_key_arn)), false)
    error_message = "capture_replication needs a 12-digit destination_account_id, a bucket ARN and a KMS key or alias ARN."
  }
}

variable "data_capture" {
  description = "Capture requests and responses to a KMS-encrypted bucket (needed by Model Monitor), with the sampled percentage."
  type = object({
    enabled             = optional(bool, true)
    sampling_percentage = optional(number, 100)
  })
  default = {}
  validation {
    condition     = var.data_capture.sampling_percentage >= 1 && var.data_capture.sampling_percentage <= 100
    error_message = "data_capture.sampling_percentage must be between 1 and 100."
  }
}

variable "deploy_on_approval" {
  description = "Deploy each approved model package with the deploy function (small tier). Switch off where a CI/CD pipeline deploys."
  type        = bool
  default     = true
}

variable "deployer" {
  description = "The CI/CD deploy role of this account (medium and large tiers): trusted only by the exact pipeline role ARN, and by members of organization_id when set; it may decrypt the pipeline artifacts with artifact_kms_key_arn (a key or alias ARN). null creates none."
  type = object({
    pipeline_role_arn    = string
    organization_id      = optional(string)
    artifact_kms_key_arn = optional(string)
  })
  default = null
  validation {
    condition     = var.deployer == null || can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", var.deployer.pipeline_role_arn))
    error_message = "deployer.pipeline_role_arn must be an exact IAM role ARN (no wildcards, no account root)."
  }
  validation {
    condition     = var.deployer == null || try(var.deployer.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.deployer.organization_id)), false)
    error_message = "deployer.organization_id must be an organization ID such as o-abcd123456, or null."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the capture bucket while it holds objects. Only for disposable environments."
  type        = bool
  default     = false
}

variable "image_repository_arns" {
  description = "ECR repositories the served model's image may be pulled from."
  type        = list(string)
  validation {
    condition     = length(var.image_repository_arns) > 0 && alltrue([for a in var.image_repository_arns : can(regex("^arn:[a-z-]+:ecr:[a-z0-9-]+:\\d{12}:repository/.+$", a))])
    error_message = "image_repository_arns must be ECR repository ARNs."
  }
}

variable "lambda_package_dir" {
  description = "Directory with deploy.zip and inference.zip, built by scripts/package_lambdas.py."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the API and function logs, in days."
  type        = number
  default     = 365
}

variable "model_bucket_arn" {
  description = "Artifact bucket that holds the model data (under models/)."
  type        = string
}

variable "model_kms_key_alias" {
  description = "Alias of the key that encrypts model artifacts."
  type        = string
}

variable "monitoring" {
  description = "Model Monitor on the endpoint: a data-quality schedule against the baseline the deployment publishes, a model-quality schedule on labelled traffic (model_quality), Clarify bias and explainability schedules (clarify), where the labels are (under ground_truth_s3_prefix, in <prefix>/<endpoint>/, with the key that encrypts them; default: each endpoint's folder of this stage's capture bucket; label_delay_hours: how late labels arrive), and where violations go (violation_bus_arn: the event bus of the account with the retrain trigger; same account needs none)."
  type = object({
    enabled                  = optional(bool, false)
    schedule                 = optional(string, "cron(0 * ? * * *)")
    instance_type            = optional(string, "ml.m5.xlarge")
    model_quality            = optional(bool, false)
    clarify                  = optional(bool, false)
    ground_truth_s3_prefix   = optional(string)
    ground_truth_kms_key_arn = optional(string)
    label_delay_hours        = optional(number, 24)
    violation_bus_arn        = optional(string)
    analyzer_image_uri       = optional(string)
    clarify_image_uri        = optional(string)
  })
  default = {}
  validation {
    condition     = !var.monitoring.enabled || var.data_capture.enabled
    error_message = "monitoring needs data_capture.enabled: Model Monitor reads the captured requests."
  }
  validation {
    condition     = !var.monitoring.clarify || var.monitoring.enabled
    error_message = "monitoring.clarify needs monitoring.enabled."
  }
  validation {
    condition     = !var.monitoring.model_quality || var.monitoring.enabled
    error_message = "monitoring.model_quality needs monitoring.enabled."
  }
  validation {
    condition     = var.monitoring.ground_truth_s3_prefix == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^/].*[^/]$", var.monitoring.ground_truth_s3_prefix))
    error_message = "monitoring.ground_truth_s3_prefix must be an s3://bucket/prefix URI without a trailing slash (each endpoint's labels are uploaded under <prefix>/<endpoint>/ as yyyy/mm/dd/hh/*.jsonl)."
  }
  validation {
    condition     = var.monitoring.ground_truth_kms_key_arn == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:\\d{12}:(key|alias)/.+$", var.monitoring.ground_truth_kms_key_arn))
    error_message = "monitoring.ground_truth_kms_key_arn must be a KMS key or alias ARN."
  }
  validation {
    condition     = var.monitoring.label_delay_hours >= 0 && var.monitoring.label_delay_hours <= 720 && floor(var.monitoring.label_delay_hours) == var.monitoring.label_delay_hours
    error_message = "monitoring.label_delay_hours must be a whole number of hours between 0 and 720."
  }
  validation {
    condition     = can(regex("^cron\\(.+\\)$", var.monitoring.schedule))
    error_message = "monitoring.schedule must be a cron() expression, e.g. cron(0 * ? * * *) for hourly."
  }
  validation {
    condition     = var.monitoring.violation_bus_arn == null || can(regex("^arn:[a-z-]+:events:[a-z0-9-]+:\\d{12}:event-bus/.+$", var.monitoring.violation_bus_arn))
    error_message = "monitoring.violation_bus_arn must be an EventBridge event bus ARN."
  }
}

variable "network" {
  description = "Subnets and security groups of the endpoint and the functions."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
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
  description = "Region of the endpoint."
  type        = string
}

variable "stage" {
  description = "Stage this serving stack is, e.g. \"prod\" or \"staging\"; names the endpoint <prefix>-<stage>."
  type        = string
  default     = "prod"
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.stage))
    error_message = "stage must be 2-12 lowercase letters or digits, starting with a letter, e.g. \"prod\"."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "use_cases" {
  description = "One endpoint per use case (model), by name. `model`, release 0.x's one use case, keeps the endpoint <prefix>-<stage> and the API route /predict besides /model/invocations; any other gets <prefix>-<stage>-<use case> and /<use case>/invocations. Each: model_package_group_name: the group its approved versions come from, by name or (another account's) by ARN; model_package_group_arn: that group's ARN; serving: instance type, instances at creation, and the autoscaling range with its target of invocations per instance per minute; canary: traffic percent, bake time, termination wait and time limit of every deployment after the first."
  type = map(object({
    model_package_group_name = string
    model_package_group_arn  = string
    serving = optional(object({
      instance_type                   = optional(string, "ml.m5.large")
      initial_instance_count          = optional(number, 1)
      min_capacity                    = optional(number, 1)
      max_capacity                    = optional(number, 2)
      target_invocations_per_instance = optional(number, 100)
    }), {})
    canary = optional(object({
      percent                           = optional(number, 10)
      wait_seconds                      = optional(number, 600)
      termination_wait_seconds          = optional(number, 300)
      maximum_execution_timeout_seconds = optional(number, 3600)
    }), {})
  }))
  validation {
    condition     = length(var.use_cases) > 0 && alltrue([for name in keys(var.use_cases) : can(regex("^[a-z](-?[a-z0-9])*$", name)) && length(name) <= 24])
    error_message = "use_cases needs at least one use case; its names are 1-24 lowercase letters, digits and single hyphens, starting with a letter."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:model-package-group/.+$", c.model_package_group_arn))])
    error_message = "use_cases.*.model_package_group_arn must be a model package group ARN."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", c.serving.instance_type))])
    error_message = "use_cases.*.serving.instance_type must be a SageMaker instance type such as ml.m5.large."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.serving.min_capacity >= 1 && c.serving.max_capacity >= c.serving.min_capacity && c.serving.max_capacity <= 40])
    error_message = "use_cases.*.serving: min_capacity must be at least 1 and max_capacity between min_capacity and 40."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.serving.initial_instance_count >= c.serving.min_capacity && c.serving.initial_instance_count <= c.serving.max_capacity])
    error_message = "use_cases.*.serving.initial_instance_count must lie between min_capacity and max_capacity."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.serving.target_invocations_per_instance >= 1])
    error_message = "use_cases.*.serving.target_invocations_per_instance must be at least 1."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.canary.percent >= 1 && c.canary.percent <= 50])
    error_message = "use_cases.*.canary.percent must be between 1 and 50."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.canary.wait_seconds >= 0 && c.canary.wait_seconds <= 3600 && c.canary.termination_wait_seconds >= 0 && c.canary.termination_wait_seconds <= 3600])
    error_message = "use_cases.*.canary.wait_seconds and termination_wait_seconds must be between 0 and 3600."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.canary.maximum_execution_timeout_seconds >= 600 && c.canary.maximum_execution_timeout_seconds <= 28800 && c.canary.maximum_execution_timeout_seconds > c.canary.wait_seconds])
    error_message = "use_cases.*.canary.maximum_execution_timeout_seconds must be between 600 and 28800 and longer than wait_seconds."
  }
}
