locals {
  name_prefix   = "${var.prefix}-ops"
  arn_prefix    = "arn:${var.partition}"
  pipeline_name = "${var.prefix}-retraining"
  pipeline_arn  = "${local.arn_prefix}:sagemaker:${var.region}:${var.account_id}:pipeline/${local.pipeline_name}"
  bucket_name   = "${var.prefix}-${var.account_id}-${var.region}-pipeline"
  role_name     = "${local.name_prefix}-pipeline"
  role_arn      = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.role_name}"

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

resource "aws_sagemaker_pipeline" "this" {
  pipeline_name         = local.pipeline_name
  pipeline_display_name = local.pipeline_name
  pipeline_description  = "Retraining: preprocess, train, evaluate, quality gate, register for approval"
  role_arn              = local.role_arn
  pipeline_definition   = jsonencode(local.pipeline_definition)
  tags                  = merge(var.tags, { "mlops:code-version" = local.code_version })

  parallelism_configuration {
    max_parallel_execution_steps = 2
  }

  depends_on = [aws_s3_object.step, aws_iam_role.pipeline, aws_iam_role_policy.pipeline]

  lifecycle {
    precondition {
      condition     = module.images.known.sklearn && (!var.monitoring_baseline || module.images.known.model_monitor) && (!var.clarify_baselines.enabled || module.images.known.clarify)
      error_message = "No SageMaker image account is known for this region: set sklearn_image_uri (and analyzer_image_uri with monitoring_baseline; Clarify is not offered there with clarify_baselines)."
    }
  }
}
