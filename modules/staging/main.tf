# Staging is the serving module with staging's defaults: deployed only by the CI/CD pipeline,
# smaller, looser alarms, no public API (the pipeline's smoke test calls the endpoint directly).
module "serving" {
  source                   = "../prod"
  stage                    = "staging"
  prefix                   = var.prefix
  account_id               = var.account_id
  region                   = var.region
  partition                = var.partition
  model_package_group_name = var.model_package_group_name
  model_package_group_arn  = var.model_package_group_arn
  model_bucket_arn         = var.model_bucket_arn
  model_kms_key_alias      = var.model_kms_key_alias
  image_repository_arns    = var.image_repository_arns
  lambda_package_dir       = var.lambda_package_dir
  deploy_on_approval       = false
  deployer                 = var.deployer
  data_capture             = { enabled = true }
  capture_replication      = var.capture_replication
  monitoring               = var.monitoring
  serving                  = var.serving
  alarms                   = { max_5xx_errors_per_minute = 10, max_p99_latency_ms = 2000, evaluation_periods = 2 }
  canary                   = { percent = 50, wait_seconds = 300, termination_wait_seconds = 60, maximum_execution_timeout_seconds = 1800 }
  api                      = { enabled = false }
  force_destroy            = var.force_destroy
  network                  = var.network
  tags                     = merge(var.tags, { "mlops:stage" = "staging" })
}
