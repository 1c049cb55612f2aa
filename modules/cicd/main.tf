locals {
  name_prefix     = "${var.prefix}-cicd"
  arn_prefix      = "arn:${var.partition}"
  bucket_name     = "${var.prefix}-${var.account_id}-${var.region}-cicd"
  bucket_arn      = "${local.arn_prefix}:s3:::${local.bucket_name}"
  build_role_name = "${local.name_prefix}-build"
  build_role_arn  = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.build_role_name}"
  image_role_name = "${local.name_prefix}-image-build"
  image_role_arn  = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.image_role_name}"
  deploy_roles    = sort([for s in var.stages : s.deploy_role_arn])
  kit_key         = "deploy-kit/deploy.zip"
  log_group_arn   = "${local.arn_prefix}:logs:${var.region}:${var.account_id}:log-group:/${var.prefix}/cicd/builds"
  codebuild_arn   = "${local.arn_prefix}:codebuild:${var.region}:${var.account_id}:project"
}

# Pipeline artifacts: the deploy roles of staging and prod may decrypt them (public references
# often forget this, and the prod stage cannot read what dev built).
module "kms" {
  source             = "../components/kms-key"
  name               = local.name_prefix
  description        = "Pipeline artifacts and build logs of ${var.prefix}"
  account_id         = var.account_id
  region             = var.region
  partition          = var.partition
  service_principals = ["codepipeline.amazonaws.com", "codebuild.amazonaws.com"]
  user_arns          = local.deploy_roles
  tags               = var.tags
}

data "aws_iam_policy_document" "artifacts_read" {
  statement {
    sid       = "DeployRolesReadArtifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${local.bucket_arn}/*"]
    principals {
      type        = "AWS"
      identifiers = local.deploy_roles
    }
  }
}

module "artifact_bucket" {
  source            = "../components/bucket"
  name              = local.bucket_name
  kms_key_arn       = module.kms.arn
  kms_key_alias_arn = module.kms.alias_arn_known_at_plan
  partition         = var.partition
  force_destroy     = var.force_destroy
  policy_documents  = [data.aws_iam_policy_document.artifacts_read.json]
  tags              = var.tags
}

# The deploy kit is the deploy function's own package: one deployment implementation.
resource "aws_s3_object" "deploy_kit" {
  bucket      = module.artifact_bucket.name
  key         = local.kit_key
  source      = "${var.lambda_package_dir}/deploy.zip"
  source_hash = filemd5("${var.lambda_package_dir}/deploy.zip")
  kms_key_id  = module.kms.arn
  tags        = var.tags
  depends_on  = [module.artifact_bucket]
}

resource "aws_cloudwatch_log_group" "builds" {
  name              = "/${var.prefix}/cicd/builds"
  kms_key_id        = module.kms.arn
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

module "codebuild_trust" {
  source     = "../components/service-trust"
  service    = "codebuild.amazonaws.com"
  account_id = var.account_id
}

# The deploy build role is the pipeline role that staging and prod trust: it alone assumes their
# deploy roles. It reads the pipeline's artifacts (the deploy kit) and writes nothing there: only
# CodePipeline and Terraform write what the deploy stages run. Container builds, which run the
# repository's Dockerfiles, have a role, bucket and key of their own (containers.tf).
data "aws_iam_policy_document" "build" {
  statement {
    sid       = "ReadArtifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]
  }
  statement {
    sid       = "DecryptArtifacts"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name]
    }
  }
  statement {
    sid       = "BuildLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:log-stream:deploy-*", "${local.log_group_arn}:log-stream:smoke-*"]
  }
  statement {
    sid       = "AssumeStageDeployRoles"
    actions   = ["sts:AssumeRole"]
    resources = local.deploy_roles
  }
}

resource "aws_iam_role" "build" {
  name               = local.build_role_name
  path               = "/mlops/"
  description        = "CodeBuild role of the ${var.prefix} pipelines: the only principal the stage deploy roles trust"
  assume_role_policy = module.codebuild_trust.json
  tags               = merge(var.tags, { "mlops:purpose" = "cicd-pipeline" })
}

resource "aws_iam_role_policy" "build" {
  name   = "build"
  role   = aws_iam_role.build.name
  policy = data.aws_iam_policy_document.build.json
}
