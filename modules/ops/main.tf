locals {
  name_prefix = "${var.prefix}-ops"
  arn_prefix  = "arn:${var.partition}"
  # Release 0.x's one use case, `model`, keeps its pipeline's name.
  pipeline_names = { for use_case in keys(var.use_cases) : use_case => use_case == "model" ? "${var.prefix}-retraining" : "${var.prefix}-${use_case}-retraining" }
  pipeline_arns  = { for use_case, name in local.pipeline_names : use_case => "${local.arn_prefix}:sagemaker:${var.region}:${var.account_id}:pipeline/${name}" }
  bucket_name    = "${var.prefix}-${var.account_id}-${var.region}-pipeline"
  role_name      = "${local.name_prefix}-pipeline"
  role_arn       = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.role_name}"

  # Step scripts are uploaded under a prefix named by their content hash: a pipeline execution
  # always runs the code of the definition that started it, and the hash is recorded as lineage.
  step_files   = fileset("${path.module}/steps", "*.py")
  code_version = substr(sha256(join("", [for f in sort(tolist(local.step_files)) : filesha256("${path.module}/steps/${f}")])), 0, 16)
  code_prefix  = "pipeline-code/${local.code_version}"
}

module "kms" {
  source             = "../components/kms-key"
  name               = local.name_prefix
  description        = "Retraining pipeline data, jobs and schedules of ${var.prefix}"
  account_id         = var.account_id
  region             = var.region
  partition          = var.partition
  service_principals = ["sagemaker.amazonaws.com"]
  user_arns          = local.replication_roles     # they encrypt replicas of captured data
  decrypt_only_arns  = values(local.label_readers) # serving monitors read the labels
  tags               = var.tags
}

module "pipeline_bucket" {
  source            = "../components/bucket"
  name              = local.bucket_name
  kms_key_arn       = module.kms.arn
  kms_key_alias_arn = module.kms.alias_arn_known_at_plan
  partition         = var.partition
  force_destroy     = var.force_destroy
  tags              = var.tags
}

resource "aws_s3_object" "step" {
  for_each    = local.step_files
  bucket      = local.bucket_name
  key         = "${local.code_prefix}/${each.key}"
  source      = "${path.module}/steps/${each.key}"
  source_hash = filemd5("${path.module}/steps/${each.key}")
  kms_key_id  = module.kms.arn
  tags        = var.tags
}

module "pipeline" {
  source                  = "../components/retraining-pipeline"
  for_each                = var.use_cases
  depends_on              = [aws_s3_object.step, aws_iam_role.pipeline, aws_iam_role_policy.pipeline, aws_iam_role_policy.scheduler]
  name                    = local.pipeline_names[each.key]
  account_id              = var.account_id
  region                  = var.region
  partition               = var.partition
  role_arn                = local.role_arn
  kms_key_arn             = module.kms.arn
  bucket_name             = local.bucket_name
  code                    = { prefix = local.code_prefix, version = local.code_version }
  network                 = var.network
  jobs                    = { processing_instance_type = var.processing_instance_type, training_instance_type = var.training_instance_type, max_runtime_seconds = var.max_job_runtime_seconds }
  images                  = local.images[each.key]
  training_data           = { s3_uri = each.value.training_data_s3_uri, feature_group = each.value.training_feature_group }
  min_accuracy            = each.value.min_accuracy
  regularization_c        = each.value.regularization_c
  model_bucket_name       = var.model_bucket_name
  model_kms_key_arn       = var.model_kms_key_arn
  model_package_group_arn = each.value.model_package_group_arn
  monitoring_baseline     = var.monitoring_baseline
  clarify_baselines       = { enabled = var.clarify_baselines.enabled, facet = each.value.clarify_facet, instance_type = var.clarify_baselines.instance_type }
  serving_instance_types  = var.serving_instance_types
  schedule                = each.value.schedule == null ? null : { expression = each.value.schedule, timezone = var.schedule_timezone, role_arn = local.scheduler_role_arn }
  tags = merge(var.tags, { # what its team owns (modules/dev teams, MLOPS-019)
    "mlops:team"            = each.value.team
    "mlops:training-data"   = try(each.value.training_feature_group.arn, each.value.training_data_s3_uri)
    "mlops:model-artifacts" = "s3://${var.model_bucket_name}/models/${local.pipeline_names[each.key]}/"
  })
}

moved {
  from = aws_sagemaker_pipeline.this
  to   = module.pipeline["model"].aws_sagemaker_pipeline.this
}

moved {
  from = aws_scheduler_schedule.retraining[0]
  to   = module.pipeline["model"].aws_scheduler_schedule.this[0]
}
