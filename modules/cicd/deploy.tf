# Model deployment: approval -> deploy to staging -> smoke test -> manual approval -> deploy to prod.
locals {
  pipeline_name      = "${var.prefix}-model-deployment"
  pipeline_arn       = "${local.arn_prefix}:codepipeline:${var.region}:${var.account_id}:${local.pipeline_name}"
  orchestrator_name  = "${local.name_prefix}-pipeline"
  stage_by_name      = { for s in var.stages : s.name => s }
  smoke_stages       = { for s in var.stages : s.name => s if s.smoke_test }
  build_environments = merge({ for name, s in local.stage_by_name : "deploy-${name}" => { stage = s, command = "deploy" } }, { for name, s in local.smoke_stages : "smoke-${name}" => { stage = s, command = "smoke" } })

  buildspec = yamlencode({
    version = "0.2"
    phases = {
      install = { commands = ["pip3 install --quiet --disable-pip-version-check boto3==${var.boto3_version}"] }
      build   = { commands = ["python3 cli.py $${COMMAND}"] }
    }
  })
}

resource "aws_codebuild_project" "deploy" {
  for_each       = local.build_environments
  name           = "${var.prefix}-${each.key}"
  description    = "${each.value.command} ${each.value.stage.name} (lambda_src/deploy/cli.py as ${each.value.stage.deploy_role_arn})"
  service_role   = local.build_role_arn
  encryption_key = module.kms.arn
  build_timeout  = each.value.command == "deploy" ? 180 : 15
  tags           = var.tags

  source {
    type      = "CODEPIPELINE"
    buildspec = local.buildspec
  }
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
    dynamic "environment_variable" {
      for_each = {
        COMMAND           = each.value.command
        DEPLOY_ROLE_ARN   = each.value.stage.deploy_role_arn
        DEPLOYMENT_SPEC   = each.value.stage.deployment_spec
        NETWORK_PARAMETER = each.value.stage.network_parameter
        SMOKE_PAYLOAD     = var.smoke_payload
      }
      content {
        name  = environment_variable.key
        value = environment_variable.value
      }
    }
  }
  logs_config {
    cloudwatch_logs {
      group_name  = aws_cloudwatch_log_group.builds.name
      stream_name = each.key
    }
  }
  depends_on = [aws_iam_role_policy.build] # the role must hold its policy before CodeBuild validates it
}

module "codepipeline_trust" {
  source     = "../components/service-trust"
  service    = "codepipeline.amazonaws.com"
  account_id = var.account_id
}

data "aws_iam_policy_document" "orchestrator" {
  statement {
    sid       = "ArtifactStore"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketVersioning", "s3:GetBucketLocation"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]
  }
  statement {
    sid       = "UseKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name]
    }
  }
  statement {
    sid       = "RunBuilds"
    actions   = ["codebuild:StartBuild", "codebuild:BatchGetBuilds"]
    resources = ["${local.codebuild_arn}/${var.prefix}-*"]
  }
  dynamic "statement" {
    for_each = var.source_repository == null ? [] : [1]
    content {
      sid     = "UseSourceConnection"
      actions = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
      # the connection's ID is known only after apply; its ARN is account-scoped here so the policy is known at plan
      resources = ["${local.arn_prefix}:codestar-connections:${var.region}:${var.account_id}:connection/*", "${local.arn_prefix}:codeconnections:${var.region}:${var.account_id}:connection/*"]
    }
  }
}

resource "aws_iam_role" "orchestrator" {
  name               = local.orchestrator_name
  path               = "/mlops/"
  description        = "CodePipeline role of the ${var.prefix} pipelines (runs builds; deploys nothing itself)"
  assume_role_policy = module.codepipeline_trust.json
  tags               = merge(var.tags, { "mlops:purpose" = "cicd-orchestrator" })
}

resource "aws_iam_role_policy" "orchestrator" {
  name   = "orchestrate"
  role   = aws_iam_role.orchestrator.name
  policy = data.aws_iam_policy_document.orchestrator.json
}

resource "aws_codepipeline" "deployment" {
  name     = local.pipeline_name
  role_arn = aws_iam_role.orchestrator.arn
  tags     = var.tags

  artifact_store {
    location = module.artifact_bucket.name
    type     = "S3"
    encryption_key {
      id   = module.kms.arn
      type = "KMS"
    }
  }

  stage {
    name = "Source"
    action {
      name             = "DeployKit"
      category         = "Source"
      owner            = "AWS"
      provider         = "S3"
      version          = "1"
      output_artifacts = ["kit"]
      configuration = {
        S3Bucket             = local.bucket_name
        S3ObjectKey          = local.kit_key
        PollForSourceChanges = "false" # started by the approval rule
      }
    }
  }

  dynamic "stage" {
    for_each = flatten([for s in var.stages : concat(
      s.approval ? [{ name = "Approve-${s.name}", kind = "approval", project = null }] : [],
      [{ name = "Deploy-${s.name}", kind = "build", project = "deploy-${s.name}" }],
      s.smoke_test ? [{ name = "SmokeTest-${s.name}", kind = "build", project = "smoke-${s.name}" }] : [],
    )])
    content {
      name = stage.value.name
      action {
        name            = stage.value.name
        category        = stage.value.kind == "approval" ? "Approval" : "Build"
        owner           = "AWS"
        provider        = stage.value.kind == "approval" ? "Manual" : "CodeBuild"
        version         = "1"
        input_artifacts = stage.value.kind == "approval" ? [] : ["kit"]
        configuration = stage.value.kind == "approval" ? {
          CustomData = "Staging passed its smoke test. Approve to deploy to ${trimprefix(stage.value.name, "Approve-")}."
        } : { ProjectName = aws_codebuild_project.deploy[stage.value.project].name }
      }
    }
  }
  depends_on = [aws_iam_role_policy.orchestrator]
}

# Every approval of a model version starts the pipeline.
module "events_trust" {
  source     = "../components/service-trust"
  service    = "events.amazonaws.com"
  account_id = var.account_id
}

resource "aws_iam_role" "start_pipeline" {
  name               = "${local.name_prefix}-start-pipeline"
  path               = "/mlops/"
  description        = "EventBridge starts ${local.pipeline_name} on model approval"
  assume_role_policy = module.events_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "start_pipeline" {
  name = "start"
  role = aws_iam_role.start_pipeline.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "StartDeployment", Effect = "Allow", Action = "codepipeline:StartPipelineExecution", Resource = local.pipeline_arn }]
  })
}

resource "aws_cloudwatch_event_rule" "approval" {
  name        = "${local.pipeline_name}-on-approval"
  description = "A version of ${var.model_package_group_name} was approved: deploy it"
  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Model Package State Change"]
    detail = {
      ModelPackageGroupName = [var.model_package_group_name]
      ModelApprovalStatus   = ["Approved"]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "approval" {
  rule     = aws_cloudwatch_event_rule.approval.name
  arn      = aws_codepipeline.deployment.arn
  role_arn = aws_iam_role.start_pipeline.arn
}
