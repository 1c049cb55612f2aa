variable "accounts" {
  description = "Account ID of each role: dev, data, ops, artifact, cicd, staging, prod. Roles may share an account: small puts every role in one account and has no staging; medium puts data, ops, artifact and cicd in dev; large gives each its own."
  type = object({
    dev      = string
    data     = string
    ops      = string
    artifact = string
    cicd     = string
    staging  = optional(string)
    prod     = string
  })
  validation {
    condition     = alltrue([for id in values(var.accounts) : can(regex("^\\d{12}$", id)) if id != null])
    error_message = "accounts: every account ID must be 12 digits."
  }
  validation {
    condition = (var.accounts.staging == null && length(distinct([for id in values(var.accounts) : id if id != null])) == 1) || (
      var.accounts.staging != null && length(setintersection(compact([var.accounts.staging, var.accounts.prod]), [var.accounts.dev, var.accounts.ops, var.accounts.data, var.accounts.cicd])) == 0 && var.accounts.staging != var.accounts.prod
    )
    error_message = "accounts: either every role shares one account and there is no staging (small), or staging and prod have their own accounts, apart from each other and from dev, data, ops and cicd."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses that receive serving alarms."
  type        = list(string)
  default     = []
}

variable "api_authorization" {
  description = "How callers of the prod inference API authenticate: AWS_IAM (SigV4) or API_KEY (key + usage plan)."
  type        = string
  default     = "AWS_IAM"
  validation {
    condition     = contains(["AWS_IAM", "API_KEY"], var.api_authorization)
    error_message = "api_authorization must be AWS_IAM or API_KEY; an unauthenticated API is not offered."
  }
}

variable "availability_zones" {
  description = "Availability zones of the private subnets; null uses <region>a and <region>b."
  type        = list(string)
  default     = null
  validation {
    condition     = var.availability_zones == null || try(length(var.availability_zones) >= 2, false)
    error_message = "availability_zones needs at least two zones (or null for <region>a and <region>b)."
  }
}

variable "canary" {
  description = "Canary settings of every prod deployment after the first (modules/serving canary)."
  type = object({
    percent                           = optional(number, 10)
    wait_seconds                      = optional(number, 600)
    termination_wait_seconds          = optional(number, 300)
    maximum_execution_timeout_seconds = optional(number, 3600)
  })
  default = {}
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
  description = "Where model code lives (modules/dev code_repository): kind \"connection\", \"codecommit\" or \"none\"."
  type = object({
    kind          = optional(string, "connection")
    name          = optional(string, "model-code")
    provider_type = optional(string, "GitHub")
  })
  default = {}
}

variable "container_images" {
  description = "Images by name: an immutable, scanned ECR repository <prefix>/<name> in the artifact account for each (every tier), and with features.container_builds the Dockerfile directory of source_repository that CodeBuild builds it from."
  type        = map(string)
  default     = { training = "containers/training", inference = "containers/inference" }
  validation {
    condition     = alltrue([for name, context in var.container_images : can(regex("^[a-z0-9][a-z0-9._-]*$", name)) && !startswith(context, "/")])
    error_message = "container_images: names are lowercase ECR names, contexts are paths relative to the repository root."
  }
}

variable "pipeline_images" {
  description = "Tier images the retraining pipeline runs, each a tag of one of container_images' repositories (immutable tags pin what runs): training for its processing, training and evaluation steps, inference for the versions it registers and so every endpoint serving them. null (either) runs AWS's prebuilt scikit-learn image. Images built from a repository data scientists push would run their code as the pipeline's role: the policy suite refuses that (MLOPS-003)."
  type = object({
    training  = optional(object({ repository = string, tag = string }))
    inference = optional(object({ repository = string, tag = string }))
  })
  default  = {}
  nullable = false
  validation {
    condition = alltrue([for image in [var.pipeline_images.training, var.pipeline_images.inference] : image == null || (
    contains(keys(var.container_images), try(image.repository, "")) && can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", try(image.tag, ""))))])
    error_message = "pipeline_images: each repository must be one of container_images' names and each tag an ECR tag (letters, digits, _ . -; at most 128)."
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
  description = "Studio user profiles by user name, with the owner's e-mail and team (a use case's team, or \"default\"): a profile runs as its team's data-scientist role."
  type        = map(object({ email = string, team = optional(string, "default") }))
  default     = {}
  validation {
    condition     = alltrue([for ds in values(var.data_scientists) : ds.team == "default" || contains([for c in values(var.use_cases) : c.team], ds.team)])
    error_message = "data_scientists[*].team must be \"default\" or the team of a use case."
  }
}

variable "features" {
  description = "Capabilities, each a toggle: monitoring (data-quality baseline, schedule, retrain trigger), model_quality (accuracy on labelled traffic, labels beside the replicated captures), clarify (bias and explainability monitors), data_capture, capture_replication (to the ops account), container_builds (CodeBuild, with a staging stage), retraining_schedule, object_lock, vpc_endpoints."
  type = object({
    monitoring          = optional(bool, true)
    model_quality       = optional(bool, false)
    clarify             = optional(bool, false)
    data_capture        = optional(bool, true)
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
  validation {
    condition     = !var.features.model_quality || var.features.monitoring
    error_message = "features.model_quality needs features.monitoring."
  }
  validation {
    condition     = !var.features.monitoring || var.features.data_capture
    error_message = "features.monitoring needs features.data_capture: the monitors read captured requests."
  }
  validation {
    condition     = !var.features.capture_replication || (var.features.data_capture && !contains(compact([var.accounts.staging, var.accounts.prod]), var.accounts.ops))
    error_message = "features.capture_replication needs features.data_capture and an ops account apart from the serving accounts (it copies captured data there); switch it off when one account serves and retrains."
  }
  validation {
    condition     = !var.features.container_builds || var.accounts.staging != null
    error_message = "features.container_builds runs in the CI/CD pipeline, which needs a staging account; without one, data scientists push images to the ECR repositories."
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

variable "retraining" {
  description = "The retraining pipeline: its schedule (EventBridge Scheduler expression, with features.retraining_schedule), quality gate (test accuracy, 0-1), with features.monitoring the cooldown after a start during which violations start no other (minutes; 0 retrains on every violation while none runs), and feature_group: a key of feature_groups to train on, read from its offline store (ingested with `make ingest-features`), instead of the training data CSVs (null)."
  type = object({
    schedule         = optional(string, "cron(0 3 ? * MON *)")
    min_accuracy     = optional(number, 0.9)
    cooldown_minutes = optional(number, 360)
    feature_group    = optional(string)
  })
  default = {}
  validation {
    condition     = var.retraining.min_accuracy > 0 && var.retraining.min_accuracy <= 1
    error_message = "retraining.min_accuracy must be in (0, 1]."
  }
  validation {
    condition     = var.retraining.cooldown_minutes >= 0 && var.retraining.cooldown_minutes <= 10080
    error_message = "retraining.cooldown_minutes must be between 0 and 10080 (a week)."
  }
  validation {
    condition     = var.retraining.feature_group == null || contains(keys(var.feature_groups), coalesce(var.retraining.feature_group, "-")) && contains(keys(try(var.feature_groups[var.retraining.feature_group].features, {})), "target")
    error_message = "retraining.feature_group must be a key of feature_groups whose features include `target` (the label the pipeline trains on)."
  }
}

variable "serving" {
  description = "Endpoint capacity by stage (modules/serving serving): instance type, instances at creation, autoscaling range and its target of invocations per instance per minute. With a staging stage, prod needs at least two instances: production survives the loss of one."
  type = object({
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
  })
  default = {}
  validation {
    condition     = var.accounts.staging == null || (var.serving.prod.min_capacity >= 2 && var.serving.prod.initial_instance_count >= 2)
    error_message = "serving.prod needs min_capacity and initial_instance_count of at least 2 where there is a staging stage (medium, large)."
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

variable "use_cases" {
  description = "The models the platform trains and serves, by name (1-24 lowercase letters, digits and single hyphens). Each gets its own registry group (<prefix>-<name>), retraining pipeline and schedule, endpoint in every serving stage with its alarms, monitors and capture prefix, API route /<name>/invocations and, with a staging stage, deployment pipeline; the platform (accounts, networks, Studio, keys, buckets, CI/CD) exists once, and adding or removing one never touches another's resources. `model`, release 0.x's one model, keeps its names. Each may override the tier's defaults: training_data_s3_uri (default: the tier's training data for `model`, datasets/<name>/ (exports/<name>/ in a data lake) beside it for any other), feature_group (a key of feature_groups to train on; default retraining.feature_group for `model`, none for the others), min_accuracy and schedule (default: retraining's), serving (default: serving), canary (default: canary), clarify_facet (default: clarify_facet), and team: the data-science team that owns it (default \"default\"). Each team gets its own data-scientist role (tagged mlops:team), and no team reads another's training data, registry groups, pipelines or feature groups (ABAC: the tags decide, and names where AWS has no tags)."
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
  validation {
    condition     = length(var.use_cases) > 0 && alltrue([for name in keys(var.use_cases) : can(regex("^[a-z](-?[a-z0-9])*$", name)) && length(name) <= 24])
    error_message = "use_cases needs at least one use case; its names are 1-24 lowercase letters, digits and single hyphens, starting with a letter (they name groups, pipelines, endpoints and routes)."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.feature_group == null || contains(keys(var.feature_groups), coalesce(c.feature_group, "-")) && contains(keys(try(var.feature_groups[c.feature_group].features, {})), "target")])
    error_message = "use_cases.*.feature_group must be a key of feature_groups whose features include `target` (the label the pipeline trains on)."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : can(regex("^[a-z][a-z0-9-]{0,19}$", c.team))])
    error_message = "use_cases.*.team must be 1-20 lowercase letters, digits or hyphens, starting with a letter."
  }
  validation {
    condition     = alltrue([for c in values(var.use_cases) : c.min_accuracy == null || try(c.min_accuracy > 0 && c.min_accuracy <= 1, false)])
    error_message = "use_cases.*.min_accuracy must be in (0, 1]."
  }
  validation {
    # the one bucket the ops role reads training data from (dev's raw bucket, or the lake's curated
    # exports, of which the lake grants each use case's folder): a prefix elsewhere would fail only at run time
    condition = alltrue([for c in values(var.use_cases) : c.training_data_s3_uri == null || can(regex(
      var.data_lake == null ? "^s3://${var.prefix}-${var.accounts.dev}-${var.region}-raw/.+/$" : "^s3://${var.prefix}-${var.accounts.data}-${var.region}-lake-curated/exports/[a-z0-9][a-z0-9-]*/$",
    c.training_data_s3_uri))])
    error_message = "use_cases.*.training_data_s3_uri must be a prefix ending in / in the bucket the tier trains from: s3://<prefix>-<dev account>-<region>-raw/<folders>/, or with a data lake s3://<prefix>-<data account>-<region>-lake-curated/exports/<folder>/ (the pipeline role may read nothing else)."
  }
  validation {
    condition     = var.accounts.staging == null || alltrue([for c in values(var.use_cases) : c.serving == null || try(c.serving.prod.min_capacity >= 2 && c.serving.prod.initial_instance_count >= 2, false)])
    error_message = "use_cases.*.serving.prod needs min_capacity and initial_instance_count of at least 2 where there is a staging stage (medium, large)."
  }
}
