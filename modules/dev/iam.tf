locals {
  role_path = "/mlops/data-science/"
  teams     = merge({ default = { data_s3_uris = [], model_package_group_arns = [] } }, var.teams)
  role_arns = { for team in keys(local.teams) : team => "${local.arn_prefix}:iam::${var.account_id}:role${local.role_path}${local.name_prefix}-data-scientist${team == "default" ? "" : "-${team}"}" }
  role_arn  = local.role_arns["default"]
  # What every other team owns, per team: object ARNs, bucket listings and registry ARNs to deny
  others = { for team in keys(local.teams) : team => {
    prefixes = [for uri in flatten([for other, t in local.teams : t.data_s3_uris if other != team]) : { bucket = split("/", trimprefix(uri, "s3://"))[0], key = join("/", slice(split("/", trimprefix(uri, "s3://")), 1, length(split("/", trimprefix(uri, "s3://"))))) }]
    registry = flatten([for other, t in local.teams : [for arn in t.model_package_group_arns : [arn, "${replace(arn, ":model-package-group/", ":model-package/")}/*"]] if other != team])
  } }
  # Creates whose resources must carry the creator's team (mlops:team), so other teams cannot use them
  team_tagged_creates = distinct(concat(local.vpc_jobs, local.encrypted_jobs, ["sagemaker:CreateExperiment", "sagemaker:CreateEndpointConfig"]))
  boundary_name       = "${local.name_prefix}-data-scientist-boundary"
  boundary_arn        = "${local.arn_prefix}:iam::${var.account_id}:policy${local.role_path}${local.boundary_name}"
  sagemaker_prefix    = "${local.arn_prefix}:sagemaker:${var.region}:${var.account_id}"
  data_bucket_arns    = [for name in values(local.data_buckets) : "${local.arn_prefix}:s3:::${name}"]
  protected_arns      = sort(concat(var.protected.pipeline_arns, var.protected.endpoint_arns))
  # Create calls whose jobs, notebooks and models run on instances: the VPC and KMS condition keys
  vpc_jobs       = ["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateNotebookInstance", "sagemaker:CreateModel", "sagemaker:CreateAutoMLJob", "sagemaker:CreateAutoMLJobV2", "sagemaker:CreateDataQualityJobDefinition", "sagemaker:CreateModelQualityJobDefinition", "sagemaker:CreateModelBiasJobDefinition", "sagemaker:CreateModelExplainabilityJobDefinition"]
  encrypted_jobs = ["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateNotebookInstance", "sagemaker:CreateTransformJob"]
}

module "trust" {
  source     = "../components/service-trust"
  service    = "sagemaker.amazonaws.com"
  account_id = var.account_id
  actions    = ["sts:AssumeRole", "sts:SetContext"]
}

# The ceiling: whatever is attached to a data-scientist role later, it can never do more than this.
data "aws_iam_policy_document" "boundary" {
  statement {
    sid = "CeilingForDataScience"
    actions = [
      "sagemaker:*", "s3:*", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken",
      "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages", "ecr:DescribeRepositories", "logs:*", "cloudwatch:*",
      "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant",
      "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
      "ec2:DeleteNetworkInterfacePermission", "ec2:Describe*", "codecommit:*", "codestar-connections:UseConnection",
      "glue:Get*", "glue:Search*", "athena:*", "lakeformation:GetDataAccess", "iam:PassRole", "iam:GetRole",
      "sts:GetCallerIdentity",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "DenyIdentityCreationAndEscalation"
    effect    = "Deny"
    actions   = ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup"]
    resources = ["*"]
  }
  statement {
    sid       = "DenyRemovingOrChangingBoundaries"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"]
    resources = ["*"]
  }
  statement {
    sid       = "DenyChangingThisBoundary"
    effect    = "Deny"
    actions   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
    resources = [local.boundary_arn]
  }
  statement {
    sid       = "DenyRolesWithoutThisBoundary"
    effect    = "Deny"
    actions   = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }
  statement {
    sid       = "DenyAssumingRolesOutsideDev"
    effect    = "Deny"
    actions   = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "aws:ResourceAccount"
      values   = [var.account_id]
    }
  }
  statement {
    sid       = "DenyWritesOutsideDev"
    effect    = "Deny"
    actions   = ["s3:Put*", "s3:Delete*", "s3:Replicate*", "s3:Restore*", "sagemaker:Create*", "sagemaker:Update*", "sagemaker:Delete*", "sagemaker:Start*", "sagemaker:Stop*", "sagemaker:Add*", "sagemaker:Put*", "ecr:Put*", "ecr:*Upload*", "ecr:BatchDeleteImage"]
    resources = ["*"]
    condition {
      test     = "StringNotEqualsIfExists"
      variable = "aws:ResourceAccount"
      values   = [var.account_id]
    }
  }
  # Separation of duties: only the retraining pipeline registers, only approvers approve, only the
  # deployment path changes what serves.
  statement {
    sid       = "DenyRegistryWrites"
    effect    = "Deny"
    actions   = ["sagemaker:CreateModelPackage", "sagemaker:CreateModelPackageGroup", "sagemaker:UpdateModelPackage", "sagemaker:DeleteModelPackage", "sagemaker:DeleteModelPackageGroup", "sagemaker:PutModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroupPolicy", "sagemaker:BatchDeleteModelPackage"]
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = length(local.protected_arns) > 0 ? [1] : []
    content {
      sid       = "DenyChangingPipelinesAndServing"
      effect    = "Deny"
      actions   = ["sagemaker:CreatePipeline", "sagemaker:UpdatePipeline", "sagemaker:DeletePipeline", "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:UpdateEndpointWeightsAndCapacities", "sagemaker:DeleteEndpoint", "sagemaker:AddTags", "sagemaker:DeleteTags"]
      resources = local.protected_arns
    }
  }
  statement {
    sid       = "DenyStudioAdministration"
    effect    = "Deny"
    actions   = ["sagemaker:CreateDomain", "sagemaker:UpdateDomain", "sagemaker:DeleteDomain", "sagemaker:CreateUserProfile", "sagemaker:UpdateUserProfile", "sagemaker:DeleteUserProfile"]
    resources = ["*"]
  }
  statement {
    sid           = "DenyOtherUsersStudio"
    effect        = "Deny"
    actions       = ["sagemaker:CreatePresignedDomainUrl"]
    not_resources = ["${local.sagemaker_prefix}:user-profile/*/$${aws:SourceIdentity}"] # Studio sets the source identity to the user profile name
  }
  # Jobs and notebooks run in the tier's VPC (no internet route), with KMS, whatever is attached later.
  statement {
    sid       = "DenyJobsOutsideVpc"
    effect    = "Deny"
    actions   = local.vpc_jobs
    resources = ["*"]
    condition {
      test     = "Null"
      variable = "sagemaker:VpcSubnets"
      values   = ["true"]
    }
  }
  statement {
    sid       = "DenyJobsWithoutKms"
    effect    = "Deny"
    actions   = local.encrypted_jobs
    resources = ["*"]
    condition {
      test     = "Null"
      variable = "sagemaker:VolumeKmsKey"
      values   = ["true"]
    }
  }
  statement {
    sid       = "DenyNotebookInternet"
    effect    = "Deny"
    actions   = ["sagemaker:CreateNotebookInstance", "sagemaker:UpdateNotebookInstance"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "sagemaker:DirectInternetAccess"
      values   = ["Disabled"]
    }
  }
  statement {
    sid       = "DenyInterfacesOutsideTheTierVpc"
    effect    = "Deny"
    actions   = ["ec2:CreateNetworkInterface"]
    resources = ["${local.arn_prefix}:ec2:*:*:subnet/*"]
    condition {
      test     = "StringNotEquals"
      variable = "aws:ResourceTag/mlops:network"
      values   = [var.network.name]
    }
  }
  statement {
    sid       = "DenyKeyGrantsToPrincipals"
    effect    = "Deny"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]
    condition {
      test     = "BoolIfExists"
      variable = "kms:GrantIsForAWSResource"
      values   = ["false"]
    }
  }
}

resource "aws_iam_policy" "boundary" {
  name        = local.boundary_name
  path        = local.role_path
  description = "Permissions boundary of every data-scientist role: no IAM users, keys or escalation, nothing outside dev"
  policy      = data.aws_iam_policy_document.boundary.json
  tags        = var.tags
}

data "aws_iam_policy_document" "data_scientist" {
  for_each = local.teams
  statement {
    sid       = "StudioAndJobsInDev" # the boundary's denies keep the registry, pipelines, serving and other users' Studio out
    actions   = ["sagemaker:*"]
    resources = ["${local.sagemaker_prefix}:*"]
  }
  statement {
    sid       = "ListSageMaker"
    actions   = ["sagemaker:List*", "sagemaker:Search", "sagemaker:GetSearchSuggestions"]
    resources = ["*"]
  }
  statement {
    sid       = "DataBuckets"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"]
    resources = concat(local.data_bucket_arns, [for arn in local.data_bucket_arns : "${arn}/*"])
  }
  statement {
    sid       = "ReadModelArtifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
    resources = [var.artifact_bucket_arn, "${var.artifact_bucket_arn}/*"]
  }
  statement {
    sid       = "PullImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"]
    resources = ["${local.arn_prefix}:ecr:${var.region}:${var.account_id}:repository/${var.prefix}/*"]
  }
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the token call has no resource
  }
  statement {
    sid       = "UseDevKeys"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = concat([module.kms.alias_name], var.readable_kms_key_aliases)
    }
  }
  statement {
    sid       = "GrantDevKeysToSageMakerJobs"
    actions   = ["kms:CreateGrant"]
    resources = ["${local.arn_prefix}:kms:${var.region}:${var.account_id}:key/*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [module.kms.alias_name]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
  statement {
    sid       = "PassOwnRoleToSageMaker"
    actions   = ["iam:PassRole"]
    resources = [local.role_arns[each.key]]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
  statement {
    sid       = "StudioLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"]
    resources = ["${local.arn_prefix}:logs:${var.region}:${var.account_id}:log-group:/aws/sagemaker/*"]
  }
  statement {
    sid       = "VpcNetworking"
    actions   = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions"]
    resources = ["*"] # EC2 describe and ENI calls are not resource-scoped
  }
  dynamic "statement" {
    for_each = var.code_repository.kind == "codecommit" ? [1] : []
    content {
      sid       = "CodeRepository"
      actions   = ["codecommit:GitPull", "codecommit:GitPush", "codecommit:Get*", "codecommit:List*", "codecommit:CreateBranch", "codecommit:CreatePullRequest"]
      resources = ["${local.arn_prefix}:codecommit:${var.region}:${var.account_id}:${var.code_repository.name}"]
    }
  }
  dynamic "statement" {
    for_each = length(var.startable_pipeline_arns) > 0 ? [1] : []
    content {
      sid       = "StartRetraining"
      actions   = ["sagemaker:StartPipelineExecution", "sagemaker:DescribePipelineExecution", "sagemaker:ListPipelineExecutionSteps"]
      resources = var.startable_pipeline_arns
    }
  }
  # Teams (ABAC): the role's mlops:team tag against the resource's; names where AWS has no tags.
  statement {
    sid       = "DenyOtherTeamsResources"
    effect    = "Deny"
    actions   = ["sagemaker:*"]
    resources = ["*"]
    condition {
      test     = "Null"
      variable = "aws:ResourceTag/mlops:team"
      values   = ["false"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:ResourceTag/mlops:team"
      values   = ["$${aws:PrincipalTag/mlops:team}"]
    }
  }
  statement {
    sid       = "DenyTaggingForOtherTeams"
    effect    = "Deny"
    actions   = ["sagemaker:AddTags", "sagemaker:Create*"]
    resources = ["*"]
    condition {
      test     = "Null"
      variable = "aws:RequestTag/mlops:team"
      values   = ["false"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestTag/mlops:team"
      values   = ["$${aws:PrincipalTag/mlops:team}"]
    }
  }
  statement {
    sid       = "DenyRemovingTeamTags"
    effect    = "Deny"
    actions   = ["sagemaker:DeleteTags"]
    resources = ["*"]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "aws:TagKeys"
      values   = ["mlops:team"]
    }
  }
  statement {
    sid       = "DenyJobsWithoutTeam"
    effect    = "Deny"
    actions   = local.team_tagged_creates
    resources = ["*"]
    condition {
      test     = "Null"
      variable = "aws:RequestTag/mlops:team"
      values   = ["true"]
    }
  }
  dynamic "statement" {
    for_each = length(local.others[each.key].prefixes) > 0 ? [1] : []
    content {
      sid       = "DenyOtherTeamsData"
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = [for p in local.others[each.key].prefixes : "${local.arn_prefix}:s3:::${p.bucket}/${p.key}*"]
    }
  }
  dynamic "statement" {
    for_each = length(local.others[each.key].prefixes) > 0 ? [1] : []
    content {
      sid       = "DenyListingOtherTeamsData"
      effect    = "Deny"
      actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
      resources = distinct([for p in local.others[each.key].prefixes : "${local.arn_prefix}:s3:::${p.bucket}"])
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = distinct(flatten([for p in local.others[each.key].prefixes : [trimsuffix(p.key, "/"), "${p.key}*"]]))
      }
    }
  }
  dynamic "statement" {
    for_each = length(local.others[each.key].registry) > 0 ? [1] : []
    content {
      sid       = "DenyOtherTeamsRegistry" # model versions carry no team tag: their group's name decides
      effect    = "Deny"
      actions   = ["sagemaker:*"]
      resources = local.others[each.key].registry
    }
  }
}

resource "aws_iam_role" "data_scientist" {
  for_each             = local.role_arns
  name                 = element(split("/", each.value), length(split("/", each.value)) - 1)
  path                 = local.role_path
  description          = "Execution role of the ${each.key} team's Studio apps and jobs in dev"
  assume_role_policy   = module.trust.json
  permissions_boundary = local.boundary_arn # built from the name so the plan shows it
  max_session_duration = 3600
  tags                 = merge(var.tags, { "mlops:purpose" = "data-scientist", "mlops:team" = each.key })
  depends_on           = [aws_iam_policy.boundary]
}

resource "aws_iam_role_policy" "data_scientist" {
  for_each = local.teams
  name     = "data-science"
  role     = aws_iam_role.data_scientist[each.key].name
  policy   = data.aws_iam_policy_document.data_scientist[each.key].json
}

moved {
  from = aws_iam_role.data_scientist
  to   = aws_iam_role.data_scientist["default"]
}

moved {
  from = aws_iam_role_policy.data_scientist
  to   = aws_iam_role_policy.data_scientist["default"]
}
