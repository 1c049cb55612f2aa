locals {
  tags               = merge(var.tags, { "mlops:tier" = "large", "mlops:prefix" = var.prefix }, { for key, value in { "mlops:state" = var.state_id } : key => value if value != "" })
  management_account = coalesce(var.organization.management_account_id, var.accounts.dev)
}

module "tier" {
  source = "../../modules/tier"
  providers = {
    aws.management = aws.management
    aws.dev        = aws.dev
    aws.data       = aws.data
    aws.ops        = aws.ops
    aws.artifact   = aws.artifact
    aws.cicd       = aws.cicd
    aws.staging    = aws.staging
    aws.prod       = aws.prod
  }
  prefix             = var.prefix
  region             = var.region
  partition          = var.partition
  accounts           = var.accounts
  organization       = var.organization
  features           = var.features
  clarify_facet      = var.clarify_facet
  use_cases          = var.use_cases
  serving            = var.serving
  data_scientists    = var.data_scientists
  model_approvers    = var.model_approvers
  code_repository    = var.code_repository
  alarm_emails       = var.alarm_emails
  lambda_package_dir = var.lambda_package_dir
  force_destroy      = var.force_destroy
  data_lake          = var.data_lake
  feature_groups     = var.feature_groups
  retraining         = { feature_group = var.training_feature_group }
  source_repository  = var.source_repository
  container_images   = var.container_images
  pipeline_images    = var.pipeline_images
  tags               = local.tags
}
