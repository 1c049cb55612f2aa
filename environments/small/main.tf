locals {
  tags = merge(var.tags, { "mlops:tier" = "small", "mlops:prefix" = var.prefix }, { for key, value in { "mlops:state" = var.state_id } : key => value if value != "" })
  azs  = coalesce(var.availability_zones, ["${var.region}a", "${var.region}b"])
  # Training data lives in the dev account's raw bucket in this tier.
  training_data_uri = "s3://${module.dev.data_bucket_names["raw"]}/datasets/training/"
}

module "network" {
  source               = "../../modules/components/network"
  providers            = { aws = aws.dev }
  name                 = var.prefix
  account_id           = var.account_id
  partition            = var.partition
  flow_log_kms_key_arn = module.dev.kms_key_arn
  region               = var.region
  availability_zones   = local.azs
  cidr_block           = var.vpc_cidr
  interface_endpoints  = var.enable_vpc_endpoints ? ["sagemaker.api", "sagemaker.runtime", "sts", "logs", "ecr.api", "ecr.dkr"] : []
}

module "artifact" {
  source                   = "../../modules/artifact"
  providers                = { aws = aws.artifact }
  prefix                   = var.prefix
  account_id               = var.account_id
  region                   = var.region
  partition                = var.partition
  model_package_group_name = "${var.prefix}-model"
  approver_principal_arns  = var.model_approvers
  object_lock              = var.enable_object_lock ? { mode = "GOVERNANCE", retention_days = 30 } : null
  force_destroy            = var.force_destroy
}

module "dev" {
  source                   = "../../modules/dev"
  providers                = { aws = aws.dev }
  prefix                   = var.prefix
  account_id               = var.account_id
  region                   = var.region
  partition                = var.partition
  data_scientists          = var.data_scientists
  code_repository          = var.code_repository
  artifact_bucket_arn      = module.artifact.model_bucket_arn
  readable_kms_key_aliases = [module.artifact.kms_key_alias]
  startable_pipeline_arns  = [module.ops.pipeline_arn]
  protected                = { pipeline_arns = [module.ops.pipeline_arn], endpoint_arns = [module.prod.endpoint_arn] }
  force_destroy            = var.force_destroy
  network = {
    name               = module.network.name
    vpc_id             = module.network.vpc_id
    subnet_ids         = module.network.subnet_ids
    security_group_ids = [module.network.security_group_id]
  }
}

module "ops" {
  source                   = "../../modules/ops"
  providers                = { aws = aws.ops }
  prefix                   = var.prefix
  account_id               = var.account_id
  region                   = var.region
  partition                = var.partition
  training_data_s3_uri     = local.training_data_uri
  training_data_bucket_arn = module.dev.data_bucket_arns["raw"]
  model_bucket_name        = module.artifact.model_bucket_name
  model_kms_key_arn        = module.artifact.kms_key_arn
  model_package_group_name = module.artifact.model_package_group_name
  model_package_group_arn  = module.artifact.model_package_group_arn
  usable_kms_key_aliases   = [module.dev.kms_key_alias, module.artifact.kms_key_alias]
  retraining_schedule      = var.enable_retraining_schedule ? var.retraining_schedule : null
  min_accuracy             = var.min_accuracy
  force_destroy            = var.force_destroy
  network = {
    subnet_ids         = module.network.subnet_ids
    security_group_ids = [module.network.security_group_id]
  }
}

module "prod" {
  source                   = "../../modules/prod"
  providers                = { aws = aws.prod }
  prefix                   = var.prefix
  stage                    = "prod"
  account_id               = var.account_id
  region                   = var.region
  partition                = var.partition
  model_package_group_name = module.artifact.model_package_group_name
  model_package_group_arn  = module.artifact.model_package_group_arn
  model_bucket_arn         = module.artifact.model_bucket_arn
  model_kms_key_alias      = module.artifact.kms_key_alias
  image_repository_arns    = [module.ops.framework_image_repository_arn]
  lambda_package_dir       = var.lambda_package_dir
  deploy_on_approval       = true
  data_capture             = { enabled = var.enable_data_capture }
  serving                  = var.serving
  canary                   = var.canary
  api                      = { authorization = var.api_authorization }
  alarm_emails             = var.alarm_emails
  force_destroy            = var.force_destroy
  network = {
    subnet_ids         = module.network.subnet_ids
    security_group_ids = [module.network.security_group_id]
  }
}
