locals {
  tags = merge(var.tags, { "mlops:tier" = "small", "mlops:prefix" = var.prefix }, { for key, value in { "mlops:state" = var.state_id } : key => value if value != "" })
}

# One account holds every role; there is no staging, so prod's own function deploys each approved
# version by canary. One provider, passed for every role.
module "tier" {
  source = "../../modules/tier"
  providers = {
    aws.management = aws
    aws.dev        = aws
    aws.data       = aws
    aws.ops        = aws
    aws.artifact   = aws
    aws.cicd       = aws
    aws.staging    = aws
    aws.prod       = aws
  }
  prefix             = var.prefix
  region             = var.region
  partition          = var.partition
  accounts           = { dev = var.account_id, data = var.account_id, ops = var.account_id, artifact = var.account_id, cicd = var.account_id, prod = var.account_id }
  features           = var.features
  availability_zones = var.availability_zones
  vpc_cidrs          = { dev = var.vpc_cidr }
  retraining         = { schedule = var.retraining_schedule, min_accuracy = var.min_accuracy, cooldown_minutes = var.retrain_cooldown_minutes, feature_group = var.training_feature_group }
  serving            = { prod = var.serving }
  canary             = var.canary
  api_authorization  = var.api_authorization
  clarify_facet      = var.clarify_facet
  use_cases          = var.use_cases
  data_scientists    = var.data_scientists
  model_approvers    = var.model_approvers
  code_repository    = var.code_repository
  alarm_emails       = var.alarm_emails
  lambda_package_dir = var.lambda_package_dir
  force_destroy      = var.force_destroy
  data_lake          = var.data_lake
  feature_groups     = var.feature_groups
  container_images   = var.container_images
  pipeline_images    = var.pipeline_images
  source_repository  = var.source_repository
  tags               = local.tags
}
