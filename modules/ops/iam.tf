locals {
  sagemaker_prefix = "${local.arn_prefix}:sagemaker:${var.region}:${var.account_id}"
  # ECR repository ARN of an image URI <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag]
  image_repository   = { for use_case, images in local.images : use_case => { for kind, uri in images : kind => "${local.arn_prefix}:ecr:${var.region}:${split(".", uri)[0]}:repository/${regex("^[^/]+/([^:@]+)", uri)[0]}" if kind != "known" } }
  image_repositories = sort(distinct(flatten([for repositories in values(local.image_repository) : concat([repositories.inference, repositories.sklearn], var.monitoring_baseline ? [repositories.model_monitor] : [])])))
  registry           = sort(flatten([for c in values(var.use_cases) : [c.model_package_group_arn, replace("${c.model_package_group_arn}/*", ":model-package-group/", ":model-package/")]]))
  # Training on feature groups: each group's ARN and where its offline store is.
  training_feature_groups = distinct([for c in values(var.use_cases) : c.training_feature_group if c.training_feature_group != null])
  offline_stores          = distinct([for group in local.training_feature_groups : zipmap(["bucket", "prefix"], regex("^s3://([^/]+)/(.+?)/?$", group.offline_store_s3_uri))])
}

module "sagemaker_trust" {
  source     = "../components/service-trust"
  service    = "sagemaker.amazonaws.com"
  account_id = var.account_id
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    sid       = "RunPipelineJobsInVpcWithKms"
    actions   = ["sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"]
    resources = ["${local.sagemaker_prefix}:processing-job/*", "${local.sagemaker_prefix}:training-job/*"]
    condition {
      test     = "Null"
      variable = "sagemaker:VpcSubnets"
      values   = ["false"]
    }
    condition {
      test     = "Null"
      variable = "sagemaker:VolumeKmsKey"
      values   = ["false"]
    }
  }
  statement {
    sid       = "ManagePipelineJobs"
    actions   = ["sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob", "sagemaker:AddTags"]
    resources = ["${local.sagemaker_prefix}:processing-job/*", "${local.sagemaker_prefix}:training-job/*"]
  }
  statement {
    sid       = "TrackExperiments"
    actions   = ["sagemaker:CreateExperiment", "sagemaker:CreateTrial", "sagemaker:CreateTrialComponent", "sagemaker:AssociateTrialComponent", "sagemaker:DescribeExperiment", "sagemaker:DescribeTrial", "sagemaker:UpdateTrialComponent", "sagemaker:AddTags"]
    resources = ["${local.sagemaker_prefix}:experiment/*", "${local.sagemaker_prefix}:experiment-trial/*", "${local.sagemaker_prefix}:experiment-trial-component/*"]
  }
  statement {
    sid       = "RegisterModelVersionsForApproval" # an approver approves; the pipeline never can
    actions   = ["sagemaker:CreateModelPackage"]
    resources = local.registry
    condition {
      test     = "StringEquals"
      variable = "sagemaker:ModelApprovalStatus"
      values   = ["PendingManualApproval"]
    }
  }
  statement {
    sid       = "ReadModelVersions"
    actions   = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:AddTags"]
    resources = local.registry
  }
  dynamic "statement" {
    for_each = var.clarify_baselines.enabled ? [1] : []
    content {
      sid     = "ClarifyShadowEndpoints"
      actions = ["sagemaker:CreateModel", "sagemaker:DescribeModel", "sagemaker:CreateEndpointConfig", "sagemaker:DeleteEndpointConfig", "sagemaker:CreateEndpoint", "sagemaker:DeleteEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint", "sagemaker:AddTags"]
      resources = [
        "${local.sagemaker_prefix}:model/*", # the pipeline's model step names its model at run time
        "${local.sagemaker_prefix}:endpoint-config/sm-clarify-*",
        "${local.sagemaker_prefix}:endpoint/sm-clarify-*",
      ]
    }
  }
  statement {
    sid       = "PassOwnRoleToJobs"
    actions   = ["iam:PassRole"]
    resources = [local.role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
  statement {
    sid       = "ReadTrainingData"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [var.training_data_bucket_arn, "${var.training_data_bucket_arn}/*"]
  }
  dynamic "statement" { # training on a feature group: find it, read its offline store
    for_each = length(local.training_feature_groups) > 0 ? {
      FindTrainingFeatureGroup = { action = "sagemaker:DescribeFeatureGroup", resources = sort(local.training_feature_groups[*].arn) }
      ReadOfflineStore         = { action = "s3:GetObject", resources = sort([for store in local.offline_stores : "arn:${var.partition}:s3:::${store.bucket}/${store.prefix}/*"]) }
    } : {}
    content {
      sid       = statement.key
      actions   = [statement.value.action]
      resources = statement.value.resources
    }
  }
  dynamic "statement" {
    for_each = { for store in local.offline_stores : "ListOfflineStore${index(local.offline_stores, store) == 0 ? "" : index(local.offline_stores, store)}" => store }
    content {
      sid       = statement.key
      actions   = ["s3:ListBucket"]
      resources = ["arn:${var.partition}:s3:::${statement.value.bucket}"]
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["${statement.value.prefix}/*"]
      }
    }
  }
  statement {
    sid       = "ReadPipelineCodeAndOutputs"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [module.pipeline_bucket.arn, "${module.pipeline_bucket.arn}/*"]
  }
  statement {
    sid       = "WriteRunOutputs" # never the step code: a job cannot change what later runs execute
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${module.pipeline_bucket.arn}/executions/*"]
  }
  statement {
    sid       = "WriteModelArtifacts"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:AbortMultipartUpload"]
    resources = concat(["arn:${var.partition}:s3:::${var.model_bucket_name}"], sort([for name in values(local.pipeline_names) : "arn:${var.partition}:s3:::${var.model_bucket_name}/models/${name}/*"]))
  }
  statement {
    sid       = "UseKeys"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"]
    resources = ["${local.arn_prefix}:kms:${var.region}:*:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = distinct(concat([module.kms.alias_name], var.usable_kms_key_aliases))
    }
  }
  statement {
    sid       = "GrantKeysToJobs"
    actions   = ["kms:CreateGrant"]
    resources = ["${local.arn_prefix}:kms:${var.region}:*:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = distinct(concat([module.kms.alias_name], var.usable_kms_key_aliases))
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
  statement {
    sid       = "PullFrameworkImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = local.image_repositories
  }
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the token call has no resource
  }
  statement {
    sid       = "JobLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${local.arn_prefix}:logs:${var.region}:${var.account_id}:log-group:/aws/sagemaker/*"]
  }
  statement {
    sid       = "JobMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource; the namespace condition limits it
    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*"]
    }
  }
  statement {
    sid       = "JobsInVpc"
    actions   = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions"]
    resources = ["*"] # EC2 describe and ENI calls are not resource-scoped
  }
}

resource "aws_iam_role" "pipeline" {
  name               = local.role_name
  path               = "/mlops/"
  description        = "Runs the ${var.prefix} retraining pipelines and their jobs"
  assume_role_policy = module.sagemaker_trust.json
  tags               = merge(var.tags, { "mlops:purpose" = "retraining-pipeline" })
}

resource "aws_iam_role_policy" "pipeline" {
  name   = "pipeline"
  role   = aws_iam_role.pipeline.name
  policy = data.aws_iam_policy_document.pipeline.json
}
