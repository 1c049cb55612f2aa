variable "account_id" {
  description = "Account of the pipeline."
  type        = string
}

variable "bucket_name" {
  description = "The pipeline bucket: step code under code.prefix, each run's outputs under executions/<run id>/."
  type        = string
}

variable "clarify_baselines" {
  description = "Clarify steps (bias for one facet feature split at a threshold, SHAP explainability) whose analyses are registered with each version."
  type = object({
    enabled       = bool
    facet         = object({ name = string, threshold = number })
    instance_type = string
  })
}

variable "code" {
  description = "Where the step scripts are (prefix in the bucket) and their content hash (version), recorded as lineage."
  type        = object({ prefix = string, version = string })
}

variable "images" {
  description = "Image URIs: sklearn (steps), inference (registered versions), model_monitor and clarify (analyzers); known is false when one of those needed has no AWS account for the region."
  type = object({
    sklearn       = string
    inference     = string
    model_monitor = string
    clarify       = string
    known         = bool
  })
}

variable "jobs" {
  description = "Default instance types of the processing and training steps (run parameters), and the runtime limit of every job."
  type = object({
    processing_instance_type = string
    training_instance_type   = string
    max_runtime_seconds      = number
  })
}

variable "kms_key_arn" {
  description = "Key of job volumes, step outputs and the schedule."
  type        = string
}

variable "min_accuracy" {
  description = "Quality gate: a version is registered only when its test accuracy is at least this."
  type        = number
}

variable "model_bucket_name" {
  description = "Artifact bucket that receives trained models, under models/<name>/."
  type        = string
}

variable "model_kms_key_arn" {
  description = "Key of trained models in the artifact bucket."
  type        = string
}

variable "model_package_group_arn" {
  description = "Model package group that versions are registered in (PendingManualApproval)."
  type        = string
}

variable "monitoring_baseline" {
  description = "Add the Baseline step: Model Monitor statistics and constraints of the training features, registered as each version's drift-check baseline."
  type        = bool
}

variable "name" {
  description = "Name of the pipeline, its experiment and its schedule."
  type        = string
}

variable "network" {
  description = "Subnets and security groups the jobs run in."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
}

variable "partition" {
  description = "AWS partition."
  type        = string
}

variable "region" {
  description = "Region of the pipeline."
  type        = string
}

variable "regularization_c" {
  description = "Hyperparameter C of the logistic regression."
  type        = number
}

variable "role_arn" {
  description = "Role the pipeline and its jobs run as."
  type        = string
}

variable "schedule" {
  description = "EventBridge Scheduler expression and time zone that start the pipeline, with the role the scheduler assumes; null for manual runs only."
  type = object({
    expression = string
    timezone   = string
    role_arn   = string
  })
  default = null
}

variable "serving_instance_types" {
  description = "Instance types a registered version may be served on."
  type        = list(string)
}

variable "tags" {
  description = "Tags of the pipeline and schedule."
  type        = map(string)
  default     = {}
}

variable "training_data" {
  description = "What Preprocess reads: s3_uri, a prefix of labelled CSVs (recorded with each version), or feature_group (arn, offline_store_s3_uri), a Feature Store group's offline store."
  type = object({
    s3_uri        = string
    feature_group = optional(object({ arn = string, offline_store_s3_uri = string }))
  })
}
