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
  description = "Serving stages whose captured data replicates into this account's captured-data bucket, by stage, with the exact replication role ARN (modules/serving output replication_role_arn) and, where the stage monitors model quality or bias, its monitor role (output monitor_role_arn), which may read the labels under ground-truth/<endpoint>/."
  type = map(object({
    replication_role_arn = string
    monitor_role_arn     = optional(string)
  }))
  default = {}
  validation {
    condition     = alltrue([for s in values(var.capture_sources) : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/.+$", s.replication_role_arn))])
    error_message = "capture_sources.*.replication_role_arn must be exact IAM role ARNs."
  }
  validation {
    condition     = alltrue([for s in values(var.capture_sources) : s.monitor_role_arn == null || can(regex("^arn:[a-z-]+:iam::\\d{12}:role/.+$", s.monitor_role_arn))])
    error_message = "capture_sources.*.monitor_role_arn must be exact IAM role ARNs."
  }
}

variable "clarify_baselines" {
  description = "Add SageMaker Clarify steps that compute the bias (post-training, for one facet feature split at a threshold) and explainability (SHAP) baselines of each trained model, registered with the version for the endpoint's Clarify monitors."
  type = object({
    enabled         = optional(bool, false)
    facet           = optional(string, "f0")
    facet_threshold = optional(number, 14)
    instance_type   = optional(string, "ml.m5.large")
  })
  default = {}
  validation {
    condition     = length(trimspace(var.clarify_baselines.facet)) > 0 && can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.clarify_baselines.instance_type))
    error_message = "clarify_baselines: facet names a feature column; instance_type is a SageMaker instance type such as ml.m5.large."
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

variable "min_accuracy" {
  description = "Quality gate: a model is registered only when its test accuracy is at least this (0-1)."
  type        = number
  default     = 0.9
  validation {
    condition     = var.min_accuracy > 0 && var.min_accuracy <= 1
    error_message = "min_accuracy must be greater than 0 and at most 1, e.g. 0.9."
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

variable "model_package_group_arn" {
  description = "ARN of the model package group that registered models go to."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:model-package-group/.+$", var.model_package_group_arn))
    error_message = "model_package_group_arn must be a model package group ARN."
  }
}

variable "model_package_group_name" {
  description = "Name of that model package group."
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

variable "regularization_c" {
  description = "Inverse regularization strength of the logistic regression (hyperparameter C)."
  type        = number
  default     = 1
  validation {
    condition     = var.regularization_c > 0
    error_message = "regularization_c must be positive."
  }
}

variable "retrain_trigger" {
  description = "Start the pipeline when Model Monitor reports violations of one of schedule_arns (the monitoring schedules whose violations retrain, e.g. data and model quality; any other schedule's start nothing): debounced (cooldown_minutes after the last start, none while one runs) and idempotent. violation_sender_role_arns: exact roles of other accounts that forward violations to this account's default event bus."
  type = object({
    enabled                    = optional(bool, false)
    cooldown_minutes           = optional(number, 360)
    schedule_arns              = optional(list(string), [])
    violation_sender_role_arns = optional(list(string), [])
  })
  default = {}
  validation {
    condition     = var.retrain_trigger.cooldown_minutes >= 0 && var.retrain_trigger.cooldown_minutes <= 10080
    error_message = "retrain_trigger.cooldown_minutes must be between 0 and 10080 (a week)."
  }
  validation {
    condition     = alltrue([for arn in var.retrain_trigger.violation_sender_role_arns : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/.+$", arn))])
    error_message = "retrain_trigger.violation_sender_role_arns must be exact IAM role ARNs."
  }
  validation {
    condition     = alltrue([for arn in var.retrain_trigger.schedule_arns : can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:monitoring-schedule/[a-zA-Z0-9-]+$", arn))]) && (!var.retrain_trigger.enabled || length(var.retrain_trigger.schedule_arns) > 0)
    error_message = "retrain_trigger.schedule_arns must be monitoring schedule ARNs (arn:aws:sagemaker:<region>:<account>:monitoring-schedule/<name>), at least one when the trigger is enabled."
  }
}

variable "retraining_schedule" {
  description = "EventBridge Scheduler expression that starts retraining, e.g. \"cron(0 3 ? * MON *)\" or \"rate(7 days)\"; null for manual runs only (`make retrain`)."
  type        = string
  default     = "cron(0 3 ? * MON *)"
  validation {
    condition     = var.retraining_schedule == null || can(regex("^(cron\\(.+\\)|rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\))$", var.retraining_schedule))
    error_message = "retraining_schedule must be cron(...) or rate(N unit), e.g. \"cron(0 3 ? * MON *)\", or null."
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

variable "inference_image_uri" {
  description = "Image of the versions the pipeline registers (and of the Clarify step's model); null uses the steps' image."
  type        = string
  default     = null
  validation {
    condition     = var.inference_image_uri == null || can(regex("^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.+:.+$", var.inference_image_uri))
    error_message = "inference_image_uri must be an ECR image URI with a tag."
  }
}

variable "sklearn_image_uri" {
  description = "scikit-learn framework image for the steps; null picks the AWS image of the region."
  type        = string
  default     = null
  validation {
    condition     = var.sklearn_image_uri == null || can(regex("^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.+:.+$", var.sklearn_image_uri))
    error_message = "sklearn_image_uri must be an ECR image URI with a tag, e.g. 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3."
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

variable "training_data_s3_uri" {
  description = "Default S3 prefix of the labelled CSV training data (a `target` column)."
  type        = string
  validation {
    condition     = can(regex("^s3://[a-z0-9.-]{3,63}/.*$", var.training_data_s3_uri))
    error_message = "training_data_s3_uri must be an S3 URI such as s3://bucket/datasets/train/."
  }
}

variable "training_feature_group" {
  description = "The Feature Store group the pipeline trains on instead of training_data_s3_uri, or null: arn (it may be another account's, shared through RAM) and offline_store_s3_uri, the S3 prefix its offline store is under. The preprocessing step finds the group's files through DescribeFeatureGroup and reads the latest record of each identifier."
  type = object({
    arn                  = string
    offline_store_s3_uri = string
  })
  default = null
  validation {
    condition     = var.training_feature_group == null || can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:feature-group/[a-z0-9-]+$", var.training_feature_group.arn)) && can(regex("^s3://[a-z0-9.-]{3,63}/[^*]+$", var.training_feature_group.offline_store_s3_uri))
    error_message = "training_feature_group: arn must be a feature group ARN (arn:aws:sagemaker:<region>:<account>:feature-group/<name>) and offline_store_s3_uri an S3 prefix such as s3://bucket/offline."
  }
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
