# Model deployment: approval -> deploy to staging -> smoke test -> manual approval -> deploy to prod.
# One pipeline per use case, so one model's release never waits behind another's manual approval.
# The approved version's ARN is the pipeline variable MODEL_PACKAGE_ARN of its execution: every stage
# deploys that version or fails, so prod receives exactly what passed staging. Each pipeline's
# executions queue, one release at a time, in the order of approval.
locals {
  # Release 0.x's one use case, `model`, keeps its pipeline's and build projects' names.
  pipelines         = { for use_case in keys(var.use_cases) : use_case => use_case == "model" ? "${var.prefix}-model-deployment" : "${var.prefix}-${use_case}-deployment" }
  pipeline_arns     = { for use_case, name in local.pipelines : use_case => "${local.arn_prefix}:codepipeline:${var.region}:${var.account_id}:${name}" }
  orchestrator_name = "${local.name_prefix}-pipeline"
  # build project key (<prefix>-<key> is its name) -> what it runs; its log stream starts deploy- or smoke-
  build_environments = merge([for use_case in keys(var.use_cases) : merge(
    { for s in var.stages : (use_case == "model" ? "deploy-${s.name}" : "${use_case}-deploy-${s.name}") => { use_case = use_case, stage = s, command = "deploy", stream = "deploy-${s.name}${use_case == "model" ? "" : "-${use_case}"}" } },
    { for s in var.stages : (use_case == "model" ? "smoke-${s.name}" : "${use_case}-smoke-${s.name}") => { use_case = use_case, stage = s, command = "smoke", stream = "smoke-${s.name}${use_case == "model" ? "" : "-${use_case}"}" } if s.smoke_test },
  )]...)
  project_of       = { for key, b in local.build_environments : "${b.use_case}/${b.command}-${b.stage.name}" => key }
  package_variable = "MODEL_PACKAGE_ARN"
  approval_actions = flatten([for arn in values(local.pipeline_arns) : [for s in var.stages : "${arn}/Approve-${s.name}/Approve-${s.name}" if s.approval]])

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
  description    = "${each.value.command} ${each.value.use_case} in ${each.value.stage.name} (lambda_src/deploy/cli.py as ${each.value.stage.deploy_role_arn})"
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
        DEPLOYMENT_SPEC   = each.value.stage.deployment_specs[each.value.use_case]
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
      stream_name = each.value.stream
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
    sid       = "ArtifactStores"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketVersioning", "s3:GetBucketLocation"]
    resources = concat([local.bucket_arn, "${local.bucket_arn}/*"], local.build_images ? [local.images_bucket_arn, "${local.images_bucket_arn}/*"] : [])
  }
  statement {
    sid       = "UseKeys"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = concat([module.kms.alias_name], local.build_images ? ["alias/${local.name_prefix}-images"] : [])
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
  for_each       = local.pipelines
  name           = each.value
  role_arn       = aws_iam_role.orchestrator.arn
  pipeline_type  = "V2"
  execution_mode = "QUEUED"
  tags           = var.tags

  variable {
    name        = local.package_variable
    description = "The approved model package version this release deploys, set by the release function from the approval event"
  }

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
      [{ name = "Deploy-${s.name}", kind = "build", project = local.project_of["${each.key}/deploy-${s.name}"] }],
      s.smoke_test ? [{ name = "SmokeTest-${s.name}", kind = "build", project = local.project_of["${each.key}/smoke-${s.name}"] }] : [],
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
          CustomData = "Staging passed its smoke test with #{variables.${local.package_variable}}. Approve to deploy it to ${trimprefix(stage.value.name, "Approve-")}."
          } : {
          ProjectName          = aws_codebuild_project.deploy[stage.value.project].name
          EnvironmentVariables = jsonencode([{ name = local.package_variable, value = "#{variables.${local.package_variable}}", type = "PLAINTEXT" }])
        }
      }
    }
  }
  depends_on = [aws_iam_role_policy.orchestrator]
}

# Every approval of a model version starts one release of exactly that version (lambda_src/release).
data "aws_iam_policy_document" "release" {
  for_each = local.pipeline_arns
  statement {
    sid       = "StartReleases"
    actions   = ["codepipeline:StartPipelineExecution"]
    resources = [each.value]
  }
}

module "release_function" {
  source               = "../components/lambda-function"
  for_each             = local.pipeline_arns
  name                 = each.key == "model" ? "${var.prefix}-release" : "${var.prefix}-${each.key}-release"
  description          = "Starts ${local.pipelines[each.key]} for each approved version of ${var.use_cases[each.key].model_package_group_name}"
  package_path         = "${var.lambda_package_dir}/release.zip"
  account_id           = var.account_id
  region               = var.region
  partition            = var.partition
  kms_key_arn          = module.kms.arn
  kms_key_alias        = module.kms.alias_name
  policy_json          = data.aws_iam_policy_document.release[each.key].json
  reserved_concurrency = 1
  environment = {
    PIPELINE_NAME           = local.pipelines[each.key]
    MODEL_PACKAGE_GROUP_ARN = var.use_cases[each.key].model_package_group_arn
  }
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "approval" {
  for_each    = local.pipelines
  name        = "${each.value}-on-approval"
  description = "A version of ${var.use_cases[each.key].model_package_group_name} was approved: deploy it"
  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Model Package State Change"]
    detail = {
      ModelPackageGroupName = [var.use_cases[each.key].model_package_group_name]
      ModelApprovalStatus   = ["Approved"]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "approval" {
  for_each  = aws_cloudwatch_event_rule.approval
  rule      = each.value.name
  arn       = module.release_function[each.key].arn
  target_id = "release-function" # fixed: a target re-created after a killed run replaces itself instead of doubling
  retry_policy {
    maximum_retry_attempts       = 8
    maximum_event_age_in_seconds = 3600
  }
}

resource "aws_lambda_permission" "approval" {
  for_each       = aws_cloudwatch_event_rule.approval
  statement_id   = "events-approval"
  action         = "lambda:InvokeFunction"
  function_name  = module.release_function[each.key].name
  principal      = "events.amazonaws.com"
  source_arn     = each.value.arn
  source_account = var.account_id
}

# The release approver: people who give the manual approval between staging and prod.
data "aws_iam_policy_document" "approve_release" {
  count = length(local.approval_actions) > 0 ? 1 : 0
  statement {
    sid       = "ApproveOrRejectReleases"
    actions   = ["codepipeline:PutApprovalResult"]
    resources = local.approval_actions
  }
  statement {
    sid       = "FollowReleases"
    actions   = ["codepipeline:GetPipeline", "codepipeline:GetPipelineState", "codepipeline:GetPipelineExecution", "codepipeline:ListPipelineExecutions", "codepipeline:ListActionExecutions"]
    resources = sort(values(local.pipeline_arns))
  }
}

module "release_approver" {
  source         = "../components/human-role"
  count          = length(local.approval_actions) > 0 ? 1 : 0
  name           = "${local.name_prefix}-release-approver"
  path           = "/mlops/approval/"
  description    = "Approves or rejects the manual approval steps of the ${var.prefix} deployment pipelines"
  account_id     = var.account_id
  partition      = var.partition
  principal_arns = var.approver_principal_arns
  policy_json    = data.aws_iam_policy_document.approve_release[0].json
  tags           = var.tags
}

moved {
  from = aws_codepipeline.deployment
  to   = aws_codepipeline.deployment["model"]
}

moved {
  from = module.release_function
  to   = module.release_function["model"]
}

moved {
  from = aws_cloudwatch_event_rule.approval
  to   = aws_cloudwatch_event_rule.approval["model"]
}

moved {
  from = aws_cloudwatch_event_target.approval
  to   = aws_cloudwatch_event_target.approval["model"]
}

moved {
  from = aws_lambda_permission.approval
  to   = aws_lambda_permission.approval["model"]
}
