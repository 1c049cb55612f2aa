# Rollback alarms: named after the endpoint, so they exist before the endpoint does and the
# blue/green canary of every deployment watches them.
locals {
  rollback_alarm_specs = {
    errors = {
      metric    = "Invocation5XXErrors"
      statistic = "Sum"
      threshold = var.alarms.max_5xx_errors_per_minute
      what      = "5XX errors per minute"
    }
    latency = {
      metric    = "ModelLatency"
      statistic = null
      threshold = var.alarms.max_p99_latency_ms * 1000 # ModelLatency is in microseconds
      what      = "p99 model latency (microseconds)"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "rollback" {
  for_each            = local.rollback_alarm_specs
  alarm_name          = "${local.endpoint_name}-${each.key}"
  alarm_description   = "Rolls back a canary deployment of ${local.endpoint_name}: ${each.value.what} above ${each.value.threshold}"
  namespace           = "AWS/SageMaker"
  metric_name         = each.value.metric
  statistic           = each.value.statistic
  extended_statistic  = each.value.statistic == null ? "p99" : null
  period              = 60
  evaluation_periods  = var.alarms.evaluation_periods
  datapoints_to_alarm = var.alarms.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
  dimensions = {
    EndpointName = local.endpoint_name
    VariantName  = local.variant_name
  }
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each            = local.functions
  alarm_name          = "${each.value.name}-errors"
  alarm_description   = "The ${each.value.name} function failed"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  tags                = var.tags
  dimensions = {
    FunctionName = each.value.name
  }
}
