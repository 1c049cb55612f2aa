# The account roles wired into one platform. Every tier is this module: small passes one account
# for every role and no staging, medium puts data, ops, artifact and cicd in dev, large gives each
# role its own account. Capabilities are `features`, so any tier can switch any of them on.
locals {
  acct        = var.accounts
  roles       = [for role in ["dev", "data", "ops", "artifact", "cicd", "staging", "prod"] : role if local.acct[role] != null]
  arn         = "arn:${var.partition}"
  azs         = coalesce(var.availability_zones, ["${var.region}a", "${var.region}b"])
  ops_in_dev  = local.acct.ops == local.acct.dev  # small, medium: ops shares dev's account and VPC
  prod_in_dev = local.acct.prod == local.acct.dev # small: one account serves too
  has_staging = local.acct.staging != null        # medium, large: CodePipeline deploys staging, then prod
  org_id      = var.organization.id
  # One entry per distinct account, named by its first role: data scientists are denied everywhere
  # but dev; the serving accounts sit inside the data perimeter.
  org_accounts = { for id in distinct([for role in local.roles : local.acct[role]]) :
    [for role in local.roles : role if local.acct[role] == id][0] => {
      id                   = id
      deny_data_scientists = id != local.acct.dev
      perimeter            = contains(compact([local.acct.staging, local.acct.prod]), id)
  } }
  monitoring   = var.features.monitoring
  endpoints    = var.features.vpc_endpoints ? ["sagemaker.api", "sagemaker.runtime", "sts", "logs", "ecr.api", "ecr.dkr", "s3"] : []
  approval_bus = local.has_staging && local.acct.artifact != local.acct.cicd ? "${local.arn}:events:${var.region}:${local.acct.cicd}:event-bus/default" : null
  retrain_bus  = "${local.arn}:events:${var.region}:${local.acct.ops}:event-bus/default"
  # Each use case with the tier's defaults filled in (variable use_cases).
  use_cases = { for name, c in var.use_cases : name => {
    training_data_s3_uri = coalesce(c.training_data_s3_uri, name == "model" ? local.training_data_uri : "${trimsuffix(local.training_data_uri, "training/")}${name}/")
    feature_group        = name == "model" && c.feature_group == null ? var.retraining.feature_group : c.feature_group
    min_accuracy         = coalesce(c.min_accuracy, var.retraining.min_accuracy)
    schedule             = coalesce(c.schedule, var.retraining.schedule)
    serving              = c.serving == null ? var.serving : c.serving
    canary               = c.canary == null ? var.canary : c.canary
    clarify_facet        = coalesce(c.clarify_facet, var.clarify_facet)
    team                 = c.team
  } }
  # The use cases' data-science teams: what each owns, which no other team may use (modules/dev teams).
  teams = { for team in distinct([for c in values(local.use_cases) : c.team]) : team => {
    data_s3_uris             = flatten([for name, c in local.use_cases : [c.training_data_s3_uri, module.ops.model_artifact_s3_uris[name]] if c.team == team])
    model_package_group_arns = [for name, c in local.use_cases : module.artifact.model_package_group_arns[name] if c.team == team]
  } }
  # Built from names, not read from modules/artifact: known at plan and free of cycles.
  image_repository_arns = [for name in keys(var.container_images) : "${local.arn}:ecr:${var.region}:${local.acct.artifact}:repository/${var.prefix}/${name}"]
  # Training data: the lake's curated exports when there is a data lake, else dev's raw bucket.
  training_data_uri    = var.data_lake != null ? module.data[0].training_data_s3_uri : "s3://${module.dev.data_bucket_names["raw"]}/datasets/training/"
  training_data_bucket = var.data_lake != null ? module.data[0].bucket_arns["curated"] : module.dev.data_bucket_arns["raw"]
  ops_network          = local.ops_in_dev ? module.network_dev : module.network_ops[0]
  prod_network         = local.prod_in_dev ? module.network_dev : module.network_prod[0]
  monitoring_of = { for stage in ["staging", "prod"] : stage => {
    enabled           = local.monitoring
    model_quality     = stage == "prod" && var.features.model_quality # quality, bias and explainability matter where customers are
    clarify           = stage == "prod" && var.features.clarify
    violation_bus_arn = local.retrain_bus
    # The labels sit beside the replicated captures, in the ops role's account (the talk's "where the labels are").
    ground_truth_s3_prefix   = var.features.capture_replication ? "s3://${var.prefix}-${local.acct.ops}-${var.region}-captured/ground-truth" : null
    ground_truth_kms_key_arn = var.features.capture_replication ? module.ops.kms_key_alias_arn : null
  } }
  serving_common = {
    model_bucket_arn      = module.artifact.model_bucket_arn
    model_kms_key_alias   = module.artifact.kms_key_alias
    image_repository_arns = distinct(concat(values(module.ops.inference_image_repository_arns), local.image_repository_arns))
  }
  deployer = local.has_staging ? {
    pipeline_role_arn    = module.cicd[0].build_role_arn
    organization_id      = local.org_id
    artifact_kms_key_arn = module.cicd[0].kms_key_alias_arn
  } : null
  capture_replication = var.features.capture_replication ? {
    destination_account_id  = local.acct.ops
    destination_bucket_arn  = "${local.arn}:s3:::${var.prefix}-${local.acct.ops}-${var.region}-captured"
    destination_kms_key_arn = module.ops.kms_key_alias_arn
  } : null
  serving_stages          = merge({ prod = module.prod }, local.has_staging ? { staging = module.staging[0] } : {})
  training_feature_groups = { for name, c in local.use_cases : name => module.artifact.feature_group_offline_stores[c.feature_group] if c.feature_group != null }
  pipeline_image_uris     = { for use, image in var.pipeline_images : use => image == null ? null : "${module.artifact.repository_urls[image.repository]}:${image.tag}" }
  # Registry readers in other accounts need the group's resource policy; same-account roles do not.
  registry_readers = [for arn in compact([(local.has_staging ? module.staging[0].deployer_role_arn : null), module.prod.deployer_role_arn, (local.has_staging ? module.staging[0].model_role_arn : null), module.prod.model_role_arn]) : arn if split(":", arn)[4] != local.acct.artifact]
}

module "org" {
  source                            = "../org"
  count                             = var.organization.manage ? 1 : 0
  providers                         = { aws = aws.management }
  prefix                            = var.prefix
  organization_id                   = local.org_id
  allowed_regions                   = var.organization.allowed_regions
  data_scientist_principal_patterns = ["${local.arn}:iam::*:role/mlops/data-science/*"]
  accounts                          = local.org_accounts
  perimeter                         = { trusted_account_ids = compact([local.acct.cicd, var.organization.management_account_id]) } # the pipeline deploys; Terraform runs from the management account
  tags                              = var.tags
}

# --- Networks: one VPC per account that runs jobs or endpoints ---------------------------------

module "network_dev" {
  source               = "../components/network"
  providers            = { aws = aws.dev }
  name                 = var.prefix # the small tier's name in every tier: a team that grows keeps its Studio domain
  account_id           = local.acct.dev
  partition            = var.partition
  flow_log_kms_key_arn = module.dev.kms_key_arn
  region               = var.region
  availability_zones   = local.azs
  cidr_block           = var.vpc_cidrs.dev
  interface_endpoints  = local.endpoints
  tags                 = var.tags
}

module "network_ops" {
  source              = "../components/network"
  count               = local.ops_in_dev ? 0 : 1
  providers           = { aws = aws.ops }
  name                = "${var.prefix}-ops"
  account_id          = local.acct.ops
  partition           = var.partition
  region              = var.region
  availability_zones  = local.azs
  cidr_block          = var.vpc_cidrs.ops
  interface_endpoints = local.endpoints
  own_flow_log_key    = true
  tags                = var.tags
}

module "network_staging" {
  source              = "../components/network"
  count               = local.has_staging ? 1 : 0
  providers           = { aws = aws.staging }
  name                = "${var.prefix}-staging"
  account_id          = local.acct.staging
  partition           = var.partition
  region              = var.region
  availability_zones  = local.azs
  cidr_block          = var.vpc_cidrs.staging
  interface_endpoints = local.endpoints
  own_flow_log_key    = true
  tags                = var.tags
}

module "network_prod" {
  source              = "../components/network"
  count               = local.prod_in_dev ? 0 : 1
  providers           = { aws = aws.prod }
  name                = "${var.prefix}-prod"
  account_id          = local.acct.prod
  partition           = var.partition
  region              = var.region
  availability_zones  = local.azs
  cidr_block          = var.vpc_cidrs.prod
  interface_endpoints = local.endpoints
  own_flow_log_key    = true
  tags                = var.tags
}

# --- Roles -----------------------------------------------------------------------------------

module "data" {
  source     = "../data"
  count      = var.data_lake == null ? 0 : 1
  providers  = { aws = aws.data }
  prefix     = var.prefix
  account_id = local.acct.data
  region     = var.region
  partition  = var.partition
  admin_arns = var.data_lake.admin_arns
  # the exports folder of each use case that trains from the lake's exports
  training_exports = coalescelist(distinct(flatten([for c in values(local.use_cases) : try(regex("^s3://[^/]+/exports/([^/]+)/", c.training_data_s3_uri), [])])), ["training"])
  tables           = var.data_lake.tables
  consumers = merge({ # each team's data scientists (default keeps the key dev), and the pipeline
    for team, role_arn in module.dev.data_scientist_role_arns : (team == "default" ? "dev" : "dev-${team}") => {
      role_arn = role_arn, tables = { for t in keys(var.data_lake.tables) : t => { excluded_columns = lookup(var.data_lake.hidden_from_dev, t, []) } }
    } }, {
    ops = { role_arn = module.ops.pipeline_role_arn, tables = { for t in keys(var.data_lake.tables) : t => {} }, read_training_exports = true }
  })
  force_destroy = var.force_destroy
  tags          = var.tags
}

module "artifact" {
  source                  = "../artifact"
  providers               = { aws = aws.artifact }
  prefix                  = var.prefix
  account_id              = local.acct.artifact
  region                  = var.region
  partition               = var.partition
  model_package_groups    = { for name, c in local.use_cases : name => { team = c.team } }
  approver_principal_arns = var.model_approvers
  object_lock             = var.features.object_lock ? { mode = "GOVERNANCE", retention_days = 30 } : null
  ecr_repositories        = { for name in keys(var.container_images) : name => {} } # environment versioning in every tier
  registry_reader_arns    = local.registry_readers
  image_reader_arns       = length(compact(values(local.pipeline_image_uris))) > 0 && local.acct.ops != local.acct.artifact ? [module.ops.pipeline_role_arn] : []
  registry_writer_arns    = local.acct.ops != local.acct.artifact ? [module.ops.pipeline_role_arn] : []
  image_pusher_arns       = compact([(local.has_staging ? module.cicd[0].image_build_role_arn : null)])
  approval_event_bus_arn  = local.approval_bus
  feature_groups = { for name, g in var.feature_groups : name => merge(g, { # owned by the team whose use cases train on it, if only one does
    team = try(one(distinct([for c in values(local.use_cases) : c.team if c.feature_group == name])), null)
  }) }
  feature_reader_arns          = length(local.training_feature_groups) > 0 && local.acct.ops != local.acct.artifact ? [module.ops.pipeline_role_arn] : []
  feature_consumer_account_ids = length(var.feature_groups) > 0 ? distinct([for id in [local.acct.dev, local.acct.ops] : id if id != local.acct.artifact]) : []
  force_destroy                = var.force_destroy
  tags                         = var.tags
}

module "dev" {
  source                   = "../dev"
  providers                = { aws = aws.dev }
  prefix                   = var.prefix
  account_id               = local.acct.dev
  region                   = var.region
  partition                = var.partition
  data_scientists          = var.data_scientists
  teams                    = local.teams
  code_repository          = var.code_repository
  artifact_bucket_arn      = module.artifact.model_bucket_arn
  readable_kms_key_aliases = [module.artifact.kms_key_alias]
  startable_pipeline_arns  = local.ops_in_dev ? values(module.ops.pipeline_arns) : [] # same account only
  protected = {                                                                       # what automation alone changes in dev's account
    pipeline_arns = local.ops_in_dev ? values(module.ops.pipeline_arns) : []
    endpoint_arns = local.prod_in_dev ? values(module.prod.endpoint_arns) : []
  }
  force_destroy = var.force_destroy
  tags          = var.tags
  network = {
    name               = module.network_dev.name
    vpc_id             = module.network_dev.vpc_id
    subnet_ids         = module.network_dev.subnet_ids
    security_group_ids = [module.network_dev.security_group_id]
  }
}

module "ops" {
  source                   = "../ops"
  providers                = { aws = aws.ops }
  prefix                   = var.prefix
  account_id               = local.acct.ops
  region                   = var.region
  partition                = var.partition
  training_data_bucket_arn = local.training_data_bucket
  model_bucket_name        = module.artifact.model_bucket_name
  model_kms_key_arn        = module.artifact.kms_key_alias_arn
  usable_kms_key_aliases   = compact([module.dev.kms_key_alias, module.artifact.kms_key_alias, one(module.data[*].kms_key_alias)])
  monitoring_baseline      = local.monitoring
  clarify_baselines        = { enabled = var.features.clarify }
  use_cases = { for use_case in keys(local.use_cases) : use_case => {
    model_package_group_arn  = module.artifact.model_package_group_arns[use_case]
    training_data_s3_uri     = local.use_cases[use_case].training_data_s3_uri
    training_feature_group   = lookup(local.training_feature_groups, use_case, null)
    min_accuracy             = local.use_cases[use_case].min_accuracy
    schedule                 = var.features.retraining_schedule ? local.use_cases[use_case].schedule : null
    sklearn_image_uri        = local.pipeline_image_uris.training
    inference_image_uri      = local.pipeline_image_uris.inference
    clarify_facet            = local.use_cases[use_case].clarify_facet
    team                     = local.use_cases[use_case].team
    retrain_on_schedule_arns = concat(module.prod.retraining_schedule_arns[use_case], local.has_staging ? module.staging[0].retraining_schedule_arns[use_case] : [])
  } }
  lambda_package_dir = var.lambda_package_dir
  capture_sources = { for stage, serving in local.serving_stages : stage => {
    replication_role_arn = serving.replication_role_arn
    monitor_role_arn     = stage == "prod" && (var.features.model_quality || var.features.clarify) ? serving.monitor_role_arn : null
    endpoint_names       = sort(values(serving.endpoint_names))
  } if var.features.capture_replication }
  retrain_trigger = {
    enabled                    = local.monitoring
    cooldown_minutes           = var.retraining.cooldown_minutes
    violation_sender_role_arns = compact([(local.has_staging ? module.staging[0].violation_forwarder_role_arn : null), module.prod.violation_forwarder_role_arn])
  }
  force_destroy = var.force_destroy
  tags          = var.tags
  network = {
    subnet_ids         = local.ops_network.subnet_ids
    security_group_ids = [local.ops_network.security_group_id]
  }
}

module "cicd" {
  source             = "../cicd"
  count              = local.has_staging ? 1 : 0
  providers          = { aws = aws.cicd }
  prefix             = var.prefix
  account_id         = local.acct.cicd
  region             = var.region
  partition          = var.partition
  lambda_package_dir = var.lambda_package_dir
  use_cases = { for use_case in keys(local.use_cases) : use_case => {
    model_package_group_name = module.artifact.model_package_group_names[use_case] # approval events name the group
    model_package_group_arn  = module.artifact.model_package_group_arns[use_case]
  } }
  approver_principal_arns = var.model_approvers
  organization_id         = local.org_id
  approval_senders        = compact([module.artifact.approval_forwarder_role_arn])
  source_repository       = var.features.container_builds ? var.source_repository : null
  container_builds = var.features.container_builds ? { for name, context in var.container_images : name => {
    context        = context
    repository_url = module.artifact.repository_urls[name]
    repository_arn = module.artifact.repository_arns[name]
  } } : {}
  stages = [
    { name = "staging", deploy_role_arn = (local.has_staging ? module.staging[0].deployer_role_arn : null), smoke_test = true, deployment_specs = (local.has_staging ? module.staging[0].deployer.deployment_specs : null), network_parameter = (local.has_staging ? module.staging[0].deployer.network_parameter : null) },
    { name = "prod", deploy_role_arn = module.prod.deployer_role_arn, approval = true, deployment_specs = try(module.prod.deployer.deployment_specs, null), network_parameter = try(module.prod.deployer.network_parameter, null) },
  ]
  force_destroy = var.force_destroy
  tags          = var.tags
}

# Staging: the serving module with staging's defaults, deployed only by the CI/CD pipeline; smaller,
# looser alarms, no public API (the pipeline's smoke test calls the endpoint directly).
module "staging" {
  source              = "../serving"
  count               = local.has_staging ? 1 : 0
  providers           = { aws = aws.staging }
  stage               = "staging"
  prefix              = var.prefix
  account_id          = local.acct.staging
  region              = var.region
  partition           = var.partition
  lambda_package_dir  = var.lambda_package_dir
  deploy_on_approval  = false
  deployer            = local.deployer
  data_capture        = { enabled = var.features.data_capture }
  capture_replication = local.capture_replication
  monitoring          = local.monitoring_of.staging
  alarms              = { max_5xx_errors_per_minute = 10, max_p99_latency_ms = 2000, evaluation_periods = 2 }
  use_cases = { for use_case in keys(local.use_cases) : use_case => {
    model_package_group_name = module.artifact.model_package_group_arns[use_case] # an ARN works across accounts
    model_package_group_arn  = module.artifact.model_package_group_arns[use_case]
    serving                  = local.use_cases[use_case].serving.staging
    canary                   = { percent = 50, wait_seconds = 300, termination_wait_seconds = 60, maximum_execution_timeout_seconds = 1800 }
  } }
  api                   = { enabled = false }
  force_destroy         = var.force_destroy
  tags                  = merge(var.tags, { "mlops:stage" = "staging" })
  model_bucket_arn      = local.serving_common.model_bucket_arn
  model_kms_key_alias   = local.serving_common.model_kms_key_alias
  image_repository_arns = local.serving_common.image_repository_arns
  network = {
    subnet_ids         = module.network_staging[0].subnet_ids
    security_group_ids = [module.network_staging[0].security_group_id]
  }
}

# Prod: deployed by the CI/CD pipeline where there is a staging stage; otherwise (small) its own
# function deploys each approved version by canary.
module "prod" {
  source              = "../serving"
  providers           = { aws = aws.prod }
  prefix              = var.prefix
  stage               = "prod"
  account_id          = local.acct.prod
  region              = var.region
  partition           = var.partition
  lambda_package_dir  = var.lambda_package_dir
  deploy_on_approval  = !local.has_staging
  deployer            = local.deployer
  data_capture        = { enabled = var.features.data_capture }
  capture_replication = local.capture_replication
  monitoring          = local.monitoring_of.prod
  alarms              = { max_5xx_errors_per_minute = 1, max_p99_latency_ms = 500, evaluation_periods = 2 }
  use_cases = { for use_case in keys(local.use_cases) : use_case => {
    # in the artifact account its approval rule matches the group's name; elsewhere the ARN names it across accounts
    model_package_group_name = local.acct.prod == local.acct.artifact ? module.artifact.model_package_group_names[use_case] : module.artifact.model_package_group_arns[use_case]
    model_package_group_arn  = module.artifact.model_package_group_arns[use_case]
    serving                  = local.use_cases[use_case].serving.prod
    canary                   = local.use_cases[use_case].canary
  } }
  api                   = { authorization = var.api_authorization }
  alarm_emails          = var.alarm_emails
  force_destroy         = var.force_destroy
  tags                  = var.tags
  model_bucket_arn      = local.serving_common.model_bucket_arn
  model_kms_key_alias   = local.serving_common.model_kms_key_alias
  image_repository_arns = local.serving_common.image_repository_arns
  network = {
    subnet_ids         = local.prod_network.subnet_ids
    security_group_ids = [local.prod_network.security_group_id]
  }
}

moved {
  from = module.staging.module.serving
  to   = module.staging[0]
}

moved {
  from = module.network_staging
  to   = module.network_staging[0]
}

moved {
  from = module.network_prod
  to   = module.network_prod[0]
}

moved {
  from = module.cicd
  to   = module.cicd[0]
}
