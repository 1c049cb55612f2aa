# Model Monitor: a data-quality schedule compares captured requests with the baseline that each
# deployment publishes. Schedules must live in the endpoint's account (they name the endpoint);
# a violation is forwarded to the account that owns the retrain trigger.
locals {
  monitor_role_name  = "${local.name_prefix}-monitor"
  monitor_role_arn   = "${local.arn_prefix}:iam::${var.account_id}:role/mlops/${local.monitor_role_name}"
  monitor_outputs    = { for use_case, endpoint in local.endpoints : use_case => "s3://${local.capture_bucket}/${endpoint}/monitoring" }
  monitored          = var.monitoring.enabled ? local.endpoints : {}
  forward_violations = var.monitoring.enabled && var.monitoring.violation_bus_arn != null && try(split(":", var.monitoring.violation_bus_arn)[4] != var.account_id, false)
}

data "aws_iam_policy_document" "monitor" {
  count                   = var.monitoring.enabled ? 1 : 0
  source_policy_documents = [data.aws_iam_policy_document.grant_key_to_aws_resources.json]
  statement {
    sid       = "ReadCaptureAndBaselines"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [local.capture_arn, "${local.capture_arn}/*"]
  }
  statement {
    sid       = "WriteReports"
    actions   = ["s3:PutObject"]
    resources = sort([for endpoint in values(local.endpoints) : "${local.capture_arn}/${endpoint}/monitoring/*"])
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
    sid       = "PullAnalyzer"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = local.monitor_image_repositories # AWS-owned analyzer images: a role that may pull an image runs it
  }
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the token call has no resource
  }
  statement {
    sid       = "JobLogsAndMetrics"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "cloudwatch:PutMetricData"]
    resources = ["*"] # job log groups and metrics are named at run time
  }
  statement {
    sid       = "JobsInVpc"
    actions   = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions"]
    resources = ["*"] # EC2 describe and ENI calls are not resource-scoped
  }
  dynamic "statement" {
    for_each = local.ground_truth_elsewhere ? [1] : []
    content {
      sid       = "ReadGroundTruth" # the labels, in the account that holds them
      actions   = ["s3:GetObject"]
      resources = [for prefix in local.ground_truth_prefixes : "${local.ground_truth_bucket_arn}/${prefix}/*"]
    }
  }
  dynamic "statement" {
    for_each = local.ground_truth_elsewhere ? [1] : []
    content {
      sid       = "ListGroundTruth"
      actions   = ["s3:ListBucket"]
      resources = [local.ground_truth_bucket_arn]
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = flatten([for prefix in local.ground_truth_prefixes : [prefix, "${prefix}/*"]])
      }
    }
  }
  dynamic "statement" {
    for_each = contains(keys(local.foreign_keys), "labels") ? [local.foreign_keys.labels] : []
    content {
      sid       = "DecryptGroundTruth"
      actions   = ["kms:Decrypt"]
      resources = [statement.value.resource]
      dynamic "condition" {
        for_each = length(statement.value.aliases) > 0 ? [1] : []
        content {
          test     = "ForAnyValue:StringEquals"
          variable = "kms:ResourceAliases"
          values   = statement.value.aliases
        }
      }
    }
  }
  statement {
    sid       = "ReadEndpoint"
    actions   = ["sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"]
    resources = sort(values(local.endpoint_arns))
  }
}

resource "aws_iam_role" "monitor" {
  count              = var.monitoring.enabled ? 1 : 0
  name               = local.monitor_role_name
  path               = "/mlops/"
  description        = "Model Monitor and Clarify jobs of ${local.name_prefix}"
  assume_role_policy = module.sagemaker_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "monitor" {
  count  = var.monitoring.enabled ? 1 : 0
  name   = "monitor"
  role   = aws_iam_role.monitor[0].name
  policy = data.aws_iam_policy_document.monitor[0].json
}

# Turns each captured {"instances": [...]} request into the baseline's columns (monitor/record_preprocessor.py).
# Code the monitor role runs: kept apart from what the endpoint and the monitor may write.
resource "aws_s3_object" "record_preprocessor" {
  for_each    = local.monitored
  bucket      = module.capture_bucket[0].name
  key         = "${each.value}/monitor-code/${filemd5("${path.module}/monitor/record_preprocessor.py")}/record_preprocessor.py"
  source      = "${path.module}/monitor/record_preprocessor.py"
  source_hash = filemd5("${path.module}/monitor/record_preprocessor.py")
  kms_key_id  = module.kms.arn
  tags        = var.tags
}

resource "aws_sagemaker_data_quality_job_definition" "this" {
  for_each = local.monitored
  name     = "${each.value}-data-quality"
  role_arn = local.monitor_role_arn
  tags     = var.tags

  data_quality_app_specification {
    image_uri                      = local.monitor_image
    record_preprocessor_source_uri = "s3://${local.capture_bucket}/${aws_s3_object.record_preprocessor[each.key].key}"
  }
  data_quality_baseline_config {
    constraints_resource {
      s3_uri = "${local.baselines_uris[each.key]}/data-quality/constraints.json"
    }
    statistics_resource {
      s3_uri = "${local.baselines_uris[each.key]}/data-quality/statistics.json"
    }
  }
  data_quality_job_input {
    endpoint_input {
      endpoint_name = each.value
      local_path    = "/opt/ml/processing/input/endpoint"
    }
  }
  data_quality_job_output_config {
    kms_key_id = module.kms.arn
    monitoring_outputs {
      s3_output {
        s3_uri     = "${local.monitor_outputs[each.key]}/data-quality"
        local_path = "/opt/ml/processing/output"
      }
    }
  }
  job_resources {
    cluster_config {
      instance_count    = 1
      instance_type     = var.monitoring.instance_type
      volume_size_in_gb = 20
      volume_kms_key_id = module.kms.arn
    }
  }
  network_config {
    enable_inter_container_traffic_encryption = true
    enable_network_isolation                  = false
    vpc_config {
      security_group_ids = var.network.security_group_ids
      subnets            = var.network.subnet_ids
    }
  }
  stopping_condition {
    max_runtime_in_seconds = 3300 # finishes inside an hourly schedule
  }
  depends_on = [aws_iam_role_policy.monitor]

  lifecycle {
    precondition {
      condition     = module.images.known.model_monitor
      error_message = "No Model Monitor image account is known for this region: set monitoring.analyzer_image_uri."
    }
  }
}

resource "aws_sagemaker_monitoring_schedule" "data_quality" {
  for_each = local.monitored
  name     = "${each.value}-data-quality"
  tags     = var.tags
  monitoring_schedule_config {
    monitoring_job_definition_name = aws_sagemaker_data_quality_job_definition.this[each.key].name
    monitoring_type                = "DataQuality"
    schedule_config {
      schedule_expression = var.monitoring.schedule
    }
  }
}

# A monitoring job that found violations ends Completed with "CompletedWithViolations"; its state
# change event carries the schedule ARN. Forwarded to the retrain trigger's bus when that is elsewhere.
locals {
  violation_pattern = {
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Processing Job State Change"]
    detail = {
      MonitoringScheduleArn = [{ prefix = "${local.sagemaker_prefix}:monitoring-schedule/${local.name_prefix}-" }]
      ExitMessage           = [{ prefix = "CompletedWithViolations" }]
    }
  }
  forwarder_role_name = "${local.name_prefix}-forward-violations"
}

module "violation_forwarder" {
  source         = "../components/event-forwarder"
  count          = local.forward_violations ? 1 : 0
  name           = local.forwarder_role_name
  rule_name      = "${local.name_prefix}-monitor-violations"
  description    = "Model Monitor found violations on ${local.name_prefix}: forward to the retrain trigger"
  account_id     = var.account_id
  partition      = var.partition
  target_bus_arn = var.monitoring.violation_bus_arn
  statement_id   = "ForwardToRetrainBus"
  target_id      = "forward-violations"
  event_pattern  = local.violation_pattern
  tags           = var.tags
}

moved {
  from = aws_cloudwatch_event_rule.violations[0]
  to   = module.violation_forwarder[0].aws_cloudwatch_event_rule.this
}

moved {
  from = aws_iam_role.forwarder[0]
  to   = module.violation_forwarder[0].aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.forwarder[0]
  to   = module.violation_forwarder[0].aws_iam_role_policy.this
}

moved {
  from = aws_cloudwatch_event_target.violations[0]
  to   = module.violation_forwarder[0].aws_cloudwatch_event_target.this
}

moved {
  from = aws_s3_object.record_preprocessor[0]
  to   = aws_s3_object.record_preprocessor["model"]
}

moved {
  from = aws_sagemaker_data_quality_job_definition.this[0]
  to   = aws_sagemaker_data_quality_job_definition.this["model"]
}

moved {
  from = aws_sagemaker_monitoring_schedule.data_quality[0]
  to   = aws_sagemaker_monitoring_schedule.data_quality["model"]
}
