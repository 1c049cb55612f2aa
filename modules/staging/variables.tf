# Inputs as in modules/prod (see its README for the details of each object).
variable "account_id" {
  description = "The staging account."
  type        = string
}

variable "capture_replication" {
  description = "Where captured data replicates to (modules/prod capture_replication), or null."
  type = object({
    destination_account_id  = string
    destination_bucket_arn  = string
    destination_kms_key_arn = string
  })
  default = null
}

variable "deployer" {
  description = "The pipeline role that alone may assume the staging deploy role (modules/prod deployer). Required: staging is only deployed by CI/CD."
  type = object({
    pipeline_role_arn    = string
    organization_id      = optional(string)
    artifact_kms_key_arn = optional(string)
  })
  validation {
    condition     = var.deployer != null
    error_message = "staging needs deployer: only the CI/CD pipeline deploys to staging."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the capture bucket while it holds objects."
  type        = bool
  default     = false
}

variable "image_repository_arns" {
  description = "ECR repositories the served model's image may be pulled from."
  type        = list(string)
}

variable "lambda_package_dir" {
  description = "Directory of the Lambda zips."
  type        = string
}

variable "model_bucket_arn" {
  description = "Artifact bucket with the model data."
  type        = string
}

variable "model_kms_key_alias" {
  description = "Alias of the key that encrypts model artifacts."
  type        = string
}

variable "model_package_group_arn" {
  description = "Model package group to deploy from."
  type        = string
}

variable "model_package_group_name" {
  description = "Name (or ARN, across accounts) of that group."
  type        = string
}

variable "monitoring" {
  description = "Model Monitor settings (modules/prod monitoring)."
  type        = any
  default     = {}
}

variable "network" {
  description = "Subnets and security groups of the endpoint."
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
  description = "Name prefix for every resource."
  type        = string
}

variable "region" {
  description = "Region of the endpoint."
  type        = string
}

variable "serving" {
  description = "Endpoint capacity (modules/prod serving); staging defaults to one instance."
  type        = any
  default     = { initial_instance_count = 1, min_capacity = 1, max_capacity = 1 }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
