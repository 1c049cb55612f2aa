# Container builds: each Dockerfile directory in the code repository is built and pushed to its
# ECR repository in the artifact account when a commit changes it (pipeline V2 file-path triggers).
# They run code anyone with push access to the repository wrote, so they get their own artifact
# bucket and key: nothing they can write is ever run by the deployment pipeline.
locals {
  image_pipeline     = "${var.prefix}-container-images"
  build_images       = length(var.container_builds) > 0 && var.source_repository != null
  images_bucket_name = "${var.prefix}-${var.account_id}-${var.region}-cicd-images"
  images_bucket_arn  = "${local.arn_prefix}:s3:::${local.images_bucket_name}"
}

module "images_kms" {
  source             = "../components/kms-key"
  count              = local.build_images ? 1 : 0
  name               = "${local.name_prefix}-images"
  description        = "Pipeline artifacts of the container builds of ${var.prefix}"
  account_id         = var.account_id
  region             = var.region
  partition          = var.partition
  service_principals = ["codepipeline.amazonaws.com", "codebuild.amazonaws.com"]
  tags               = var.tags
}

module "images_bucket" {
  source            = "../components/bucket"
  count             = local.build_images ? 1 : 0
  name              = local.images_bucket_name
  kms_key_arn       = module.images_kms[0].arn
  kms_key_alias_arn = module.images_kms[0].alias_arn_known_at_plan
  partition         = var.partition
  force_destroy     = var.force_destroy
  tags              = var.tags
}

resource "aws_codestarconnections_connection" "source" {
  count         = var.source_repository == null ? 0 : 1
  name          = "${var.prefix}-cicd-source"
  provider_type = var.source_repository.provider_type
  tags          = var.tags
}

data "aws_iam_policy_document" "image_build" {
  count = local.build_images ? 1 : 0
  statement {
    sid       = "ReadAndWriteImageBuildArtifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketLocation"]
    resources = [local.images_bucket_arn, "${local.images_bucket_arn}/*"]
  }
  statement {
    sid       = "UseImageBuildKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = ["alias/${local.name_prefix}-images"]
    }
  }
  statement {
    sid       = "BuildLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:log-stream:image-*"]
  }
  statement {
    sid       = "PushImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart", "ecr:BatchGetImage"]
    resources = sort([for b in values(var.container_builds) : b.repository_arn])
  }
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the token call has no resource
  }
}

resource "aws_iam_role" "image_build" {
  count              = local.build_images ? 1 : 0
  name               = local.image_role_name
  path               = "/mlops/"
  description        = "CodeBuild role of the container builds: pushes images, deploys nothing"
  assume_role_policy = module.codebuild_trust.json
  tags               = merge(var.tags, { "mlops:purpose" = "image-build" })
}

resource "aws_iam_role_policy" "image_build" {
  count  = local.build_images ? 1 : 0
  name   = "push-images"
  role   = aws_iam_role.image_build[0].name
  policy = data.aws_iam_policy_document.image_build[0].json
}

resource "aws_codebuild_project" "image" {
  for_each       = local.build_images ? var.container_builds : {}
  name           = "${var.prefix}-image-${each.key}"
  description    = "docker build ${each.value.context} and push to ${each.value.repository_url}"
  service_role   = local.image_role_arn
  encryption_key = module.images_kms[0].arn
  build_timeout  = 60
  tags           = var.tags

  source {
    type = "CODEPIPELINE"
    buildspec = yamlencode({
      version = "0.2"
      phases = {
        pre_build = { commands = ["aws ecr get-login-password | docker login --username AWS --password-stdin $${REPOSITORY_URL%%/*}"] }
        build     = { commands = ["docker build --pull -t $REPOSITORY_URL:$CODEBUILD_RESOLVED_SOURCE_VERSION $CONTEXT"] }
        post_build = { commands = [
          "test $CODEBUILD_BUILD_SUCCEEDING = 1",
          "docker push $REPOSITORY_URL:$CODEBUILD_RESOLVED_SOURCE_VERSION", # immutable tags: the commit is the tag
        ] }
      }
    })
  }
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    compute_type    = "BUILD_GENERAL1_MEDIUM"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true # docker build needs the daemon
    environment_variable {
      name  = "REPOSITORY_URL"
      value = each.value.repository_url
    }
    environment_variable {
      name  = "CONTEXT"
      value = each.value.context
    }
  }
  logs_config {
    cloudwatch_logs {
      group_name  = aws_cloudwatch_log_group.builds.name
      stream_name = "image-${each.key}"
    }
  }
  depends_on = [aws_iam_role_policy.image_build] # the role must hold its policy before CodeBuild validates it
}

resource "aws_codepipeline" "images" {
  count          = local.build_images ? 1 : 0
  name           = local.image_pipeline
  role_arn       = aws_iam_role.orchestrator.arn
  pipeline_type  = "V2"
  execution_mode = "QUEUED"
  tags           = var.tags

  artifact_store {
    location = module.images_bucket[0].name
    type     = "S3"
    encryption_key {
      id   = module.images_kms[0].arn
      type = "KMS"
    }
  }

  trigger {
    provider_type = "CodeStarSourceConnection"
    git_configuration {
      source_action_name = "Code"
      push {
        branches {
          includes = [var.source_repository.branch]
        }
        file_paths {
          includes = sort([for b in values(var.container_builds) : "${trimsuffix(b.context, "/")}/**"])
        }
      }
    }
  }

  stage {
    name = "Source"
    action {
      name             = "Code"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["code"]
      configuration = {
        ConnectionArn        = aws_codestarconnections_connection.source[0].arn
        FullRepositoryId     = var.source_repository.full_name
        BranchName           = var.source_repository.branch
        OutputArtifactFormat = "CODEBUILD_CLONE_REF"
        DetectChanges        = "false" # the trigger above filters by path
      }
    }
  }

  stage {
    name = "Build"
    dynamic "action" {
      for_each = var.container_builds
      content {
        name            = action.key
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = ["code"]
        configuration   = { ProjectName = aws_codebuild_project.image[action.key].name }
      }
    }
  }
  depends_on = [aws_iam_role_policy.orchestrator]
}
