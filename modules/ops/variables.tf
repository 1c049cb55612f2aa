variable "account_id" {
  description = "The account that runs automated work (the pipeline, its schedule)."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "analyzer_image_uri" {
  description = "Model Monitor analyzer image for the baseline step; null picks the AWS image of the region."
  type        = string
  default     = null
}

variable "capture_sources" {
  description = "Serving stages whose captured data replicates into this account's captured-data bucket, by stage, with the exact replication role ARN (modules/serving output replication_role_arn) and, where the stage monitors model quality or bias, its monitor role (output monitor_role_arn), which may read the labels under ground-truth/<endpoint>/ of the stage's endpoint_names (default: <prefix>-<stage>)."
  type = map(object({
    replication_role_arn = string
    monitor_role_arn     = optional(string)
    endpoint_names       = optional(list(string))
  }))
  default = {}
  validation {
    condition     = alltrue([for s in values(var.capture_sources) : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", s.replication_role_arn))])
    error_message = "capture_sources.*.replication_role_arn must be exact IAM role ARNs."
  }
  validation {
    condition     = alltrue([for s in values(var.capture_sources) : s.monitor_role_arn == null || can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", s.monitor_role_arn))])
    error_message = "capture_sources.*.monitor_role_arn must be exact IAM role ARNs."
  }
}

variable "clarify_baselines" {
  description = "Add SageMaker Clarify steps to every pipeline that compute the bias (post-training, for its use case's clarify_facet) and explainability (SHAP) baselines of each trained model, registered with the version for the endpoint's Clarify monitors."
  type = object({
    enabled       = optional(bool, false)
    instance_type = optional(string, "ml.m5.large")
  })
  default = {}
  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.clarify_baselines.instance_type))
    error_message = "clarify_baselines.instance_type must be a SageMaker instance type such as ml.m5.large."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the pipeline bucket while it holds objects. Only for disposable environments."
  type        = bool
  default     = false
}

variable "lambda_package_dir" {
  description = "Directory with retrain_trigger.zip (scripts/package_lambdas.py); needed with retrain_trigger."
  type        = string
  default     = null
}

variable "max_job_runtime_seconds" {
  description = "Stop any processing or training job after this many seconds."
  type        = number
  default     = 3600
  validation {
    condition     = var.max_job_runtime_seconds >= 60 && var.max_job_runtime_seconds <= 432000
    error_message = "max_job_runtime_seconds must be between 60 and 432000 (5 days)."
  }
}

variable "model_bucket_name" {
  description = "Artifact bucket that receives trained models."
  type        = string
}

variable "model_kms_key_arn" {
  description = "Key that encrypts trained models in the artifact bucket."
  type        = string
}

variable "monitoring_baseline" {
  description = "Add a Baseline step (Model Monitor statistics and constraints of the training data's features, headerless), registered with each model package as its drift-check baseline."
  type        = bool
  default     = false
}

variable "network" {
  description = "Subnets and security groups that the pipeline's jobs run in (no internet)."
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

variable "processing_instance_type" {
  description = "Default instance type of the processing steps."
  type        = string
  default     = "ml.m5.large"
  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.processing_instance_type))
    error_message = "processing_instance_type must be a SageMaker instance type such as ml.m5.large."
  }
}

variable "region" {
  description = "Region of the pipeline."
  type        = string
}

variable "retrain_trigger" {
  description = "Start a use case's pipeline when Model Monitor reports violations of one of its retrain_on_schedule_arns (any other schedule's start nothing): debounced (cooldown_minutes after the pipeline's last start, none while one runs) and idempotent. violation_sender_role_arns: exact roles of other accounts that forward violations to this account's default event bus."
  type = object({
    enabled                    = optional(bool, false)
    cooldown_minutes           = optional(number, 360)
    violation_sender_role_arns = optional(list(string), [])
  })
  default = {}
  validation {
    condition     = var.retrain_trigger.cooldown_minutes >= 0 && var.retrain_trigger.cooldown_minutes <= 10080
    error_message = "retrain_trigger.cooldown_minutes must be between 0 and 10080 (a week)."
  }
  validation {
    condition     = alltrue([for arn in var.retrain_trigger.violation_sender_role_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", arn))])
    error_message = "retrain_trigger.violation_sender_role_arns must be exact IAM role ARNs."
  }
}

variable "schedule_timezone" {
  description = "IANA time zone of the retraining schedule."
  type        = string
  default     = "UTC"
}

variable "serving_instance_types" {
  description = "Instance types a registered model may be served on."
  type        = list(string)
  default     = ["ml.m5.large", "ml.c5.large"]
  validation {
    condition     = length(var.serving_instance_types) > 0 && alltrue([for t in var.serving_instance_types : can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", t))])
    error_message = "serving_instance_types must be SageMaker instance types such as ml.m5.large."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "training_data_bucket_arn" {
  description = "Bucket the pipeline reads training data from."
  type        = string
}

variable "training_instance_type" {
  description = "Default instance type of the training step."
  type        = string
  default     = "ml.m5.large"
  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.training_instance_type))
    error_message = "training_instance_type must be a SageMaker instance type such as ml.m5.large."
  }
}

variable "usable_kms_key_aliases" {
  description = "Aliases of other keys the pipeline uses (the data and artifact keys)."
  type        = list(string)
  default     = []
}

variable "use_cases" {
  description = "One retraining pipeline per use case (model), by name. `model`, release 0.x's one use case, keeps the name <prefix>-retraining; any other is <prefix>-<use case>-retraining. Each: model_package_group_arn: the group its versions are registered in (PendingManualApproval); training_data_s3_uri: prefix of labelled CSVs (a `target` column) in training_data_bucket_arn, or training_feature_group (arn, which may be another account's shared through RAM, and offline_store_s3_uri): a Feature Store group whose offline store it trains on instead; min_accuracy: its quality gate (test accuracy, 0-1); regularization_c: hyperparameter C; schedule: EventBridge Scheduler expression that starts it (cron(...) or rate(N unit)), null for manual runs only (`make retrain`); sklearn_image_uri (its steps; null picks AWS's image of the region) and inference_image_uri (the versions it registers; null uses the steps' image); clarify_facet: with clarify_baselines, the feature and threshold its bias analysis splits on; retrain_on_schedule_arns: with retrain_trigger, the monitoring schedules whose violations start it; team: the data-science team that owns it (tag mlops:team, with its training data as mlops:training-data and where it writes model artifacts as mlops:model-artifacts)."
  type = map(object({
    model_package_group_arn = string
    training_data_s3_uri    = string
    training_feature_group = optional(object({
      arn                  = string
      offline_store_s3_uri = string
    }))
    min_accuracy             = optional(number, 0.9)
    regularization_c         = optional(number, 1)
    schedule                 = optional(string)
    sklearn_image_uri        = optional(string)
    inference_image_uri      = optional(string)
    clarify_facet            = optional(object({ name = string, threshold = number }), { name = "f0", threshold = 14 })
    retrain_on_schedule_arns = optional(list(string), [])
    team                     = optional(string, "default")
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
    condition     = alltrue([for c in values(var.use_cases) : can(regex("^s3://[a-z0-9.-]{3,63}/.*$", c.training_data_s3_uri))])
    error_message = "use_cases.*.training_data_s3_uri must be an S3 URI such as s3://bucket/datasets/train/."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.training_feature_group == null || can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:feature-group/[a-z0-9-]+$", c.training_feature_group.arn)) && can(regex("^s3://[a-z0-9.-]{3,63}/[^*]+$", c.training_feature_group.offline_store_s3_uri))])
    error_message = "use_cases.*.training_feature_group: arn must be a feature group ARN (arn:aws:sagemaker:<region>:<account>:feature-group/<name>) and offline_store_s3_uri an S3 prefix such as s3://bucket/offline."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.min_accuracy > 0 && c.min_accuracy <= 1 && c.regularization_c > 0])
    error_message = "use_cases.*.min_accuracy must be greater than 0 and at most 1, e.g. 0.9; regularization_c must be positive."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.schedule == null || can(regex("^(cron\\(.+\\)|rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\))$", c.schedule))])
    error_message = "use_cases.*.schedule must be cron(...) or rate(N unit), e.g. \"cron(0 3 ? * MON *)\", or null."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : alltrue([for uri in compact([c.sklearn_image_uri, c.inference_image_uri]) : can(regex("^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.+:.+$", uri))])])
    error_message = "use_cases.*.sklearn_image_uri and inference_image_uri must be ECR image URIs with a tag, e.g. 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : length(trimspace(c.clarify_facet.name)) > 0])
    error_message = "use_cases.*.clarify_facet.name must name a feature column."
  }
  validation {
    condition     = alltrue(flatten([for c in values(var.use_cases) : [for arn in c.retrain_on_schedule_arns : can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:monitoring-schedule/[a-zA-Z0-9-]+$", arn))]])) && (!var.retrain_trigger.enabled || length(flatten([for c in values(var.use_cases) : c.retrain_on_schedule_arns])) > 0)
    error_message = "use_cases.*.retrain_on_schedule_arns must be monitoring schedule ARNs (arn:aws:sagemaker:<region>:<account>:monitoring-schedule/<name>), at least one when retrain_trigger is enabled."
  }
  validation {
    condition     = length(flatten([for c in values(var.use_cases) : c.retrain_on_schedule_arns])) == length(distinct(flatten([for c in values(var.use_cases) : c.retrain_on_schedule_arns])))
    error_message = "use_cases: a monitoring schedule's violations retrain one use case, so retrain_on_schedule_arns name each schedule once."
  }
}
