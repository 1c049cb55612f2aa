variable "account_id" {
  description = "The CI/CD account: the only path to staging and prod."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits, e.g. \"111111111111\"."
  }
}

variable "approval_senders" {
  description = "Exact roles of other accounts (the artifact account's event forwarder) allowed to put model approval events on this account's default bus; members of organization_id only."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for arn in var.approval_senders : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", arn))])
    error_message = "approval_senders must be exact IAM role ARNs."
  }
}

variable "approver_principal_arns" {
  description = "People who give the manual approval before prod: exact IAM role or user ARNs allowed to assume the release-approver role."
  type        = list(string)
}

variable "boto3_version" {
  description = "boto3 the deploy builds install (pinned: a deploy must not change with PyPI)."
  type        = string
  default     = "1.35.99"
}

variable "container_builds" {
  description = "Container images built from Dockerfiles in the code repository and pushed to ECR on change, by name: the build context directory and the target repository (URL and ARN, in the artifact account). Needs source_repository."
  type = map(object({
    context        = string
    repository_url = string
    repository_arn = string
  }))
  default = {}
  validation {
    condition     = alltrue([for b in values(var.container_builds) : can(regex("^arn:[a-z-]+:ecr:[a-z0-9-]+:\\d{12}:repository/.+$", b.repository_arn)) && can(regex("^\\d{12}\\.dkr\\.ecr\\.", b.repository_url)) && !startswith(b.context, "/")])
    error_message = "container_builds: repository_arn must be an ECR repository ARN, repository_url its URL, context a path relative to the repository root."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the artifact bucket while it holds objects. Only for disposable environments."
  type        = bool
  default     = false
}

variable "lambda_package_dir" {
  description = "Directory with deploy.zip and release.zip (scripts/package_lambdas.py): the deploy step runs the deploy function's code."
  type        = string
  validation {
    condition     = alltrue([for zip in ["deploy.zip", "release.zip"] : fileexists("${var.lambda_package_dir}/${zip}")])
    error_message = "${var.lambda_package_dir} lacks deploy.zip or release.zip: run `make package` (scripts/package_lambdas.py builds every Lambda zip)."
  }
}

variable "log_retention_days" {
  description = "Retention of the build logs, in days."
  type        = number
  default     = 365
}

variable "organization_id" {
  description = "Organization the accounts belong to (o-...), or null without one; scopes the approval bus policy."
  type        = string
  default     = null
  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must look like o-abcd123456."
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

variable "region" {
  description = "Region of the pipelines."
  type        = string
}

variable "smoke_payload" {
  description = "Request body (JSON) of the smoke test that each stage with smoke_test must answer."
  type        = string
  default     = "{\"instances\": [[17.99, 10.38, 122.8, 1001.0, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019.0, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601, 0.1189]]}"
  validation {
    condition     = can(jsondecode(var.smoke_payload))
    error_message = "smoke_payload must be JSON."
  }
}

variable "source_repository" {
  description = "Git repository with the Dockerfiles (container_builds): provider type, owner/name and branch. The connection is created PENDING; complete it once in the console."
  type = object({
    provider_type = optional(string, "GitHub")
    full_name     = string
    branch        = optional(string, "main")
  })
  default = null
  validation {
    condition     = var.source_repository == null || try(can(regex("^[^/\\s]+/[^/\\s]+$", var.source_repository.full_name)) && contains(["GitHub", "GitHubEnterpriseServer", "GitLab", "Bitbucket"], var.source_repository.provider_type), false)
    error_message = "source_repository: full_name is owner/name; provider_type is GitHub, GitHubEnterpriseServer, GitLab or Bitbucket."
  }
}

variable "stages" {
  description = "Deployment stages in order (e.g. staging then prod), each with the deploy role to assume and what modules/serving outputs as `deployer` (deployment_specs: each use case's spec, JSON); smoke_test runs after the deploy, approval asks a human before it."
  type = list(object({
    name              = string
    deploy_role_arn   = string
    deployment_specs  = map(string)
    network_parameter = string
    smoke_test        = optional(bool, false)
    approval          = optional(bool, false)
  }))
  validation {
    condition     = length(var.stages) >= 1 && length(distinct([for s in var.stages : s.name])) == length(var.stages)
    error_message = "stages needs at least one stage, with distinct names."
  }
  validation {
    condition     = alltrue([for s in var.stages : can(regex("^arn:[a-z-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$", s.deploy_role_arn)) && alltrue([for spec in values(s.deployment_specs) : can(jsondecode(spec))])])
    error_message = "stages: deploy_role_arn must be an exact IAM role ARN and each of deployment_specs JSON."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "use_cases" {
  description = "The use cases this account releases, by name: each model_package_group_name (name, or another account's group by ARN, as the approval events name it) and model_package_group_arn. Each gets its own deployment pipeline (<prefix>-<use case>-deployment; `model`, release 0.x's, keeps <prefix>-model-deployment), so one model's release never queues behind another's approval; every stage must carry a deployment spec of each."
  type = map(object({
    model_package_group_name = string
    model_package_group_arn  = string
  }))
  validation {
    condition     = length(var.use_cases) > 0 && alltrue([for name in keys(var.use_cases) : can(regex("^[a-z](-?[a-z0-9])*$", name)) && length(name) <= 24])
    error_message = "use_cases needs at least one use case; its names are 1-24 lowercase letters, digits and single hyphens, starting with a letter."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : can(regex("^arn:[a-z-]+:sagemaker:[a-z0-9-]+:\\d{12}:model-package-group/[a-zA-Z0-9-]+$", c.model_package_group_arn))])
    error_message = "use_cases.*.model_package_group_arn must be a model package group ARN (arn:aws:sagemaker:<region>:<account>:model-package-group/<name>)."
  }
  validation {
    condition     = alltrue([for s in var.stages : length(setsubtract(keys(var.use_cases), keys(s.deployment_specs))) == 0])
    error_message = "use_cases: every stage needs a deployment spec of every use case (stages[*].deployment_specs)."
  }
}
