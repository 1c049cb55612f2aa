# Rollback alarms of each use case's endpoint: named after the endpoint, so they exist before the
# endpoint does and the blue/green canary of every deployment watches them.
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
  for_each            = { for pair in setproduct(keys(local.endpoints), keys(local.rollback_alarm_specs)) : "${pair[0]}/${pair[1]}" => merge(local.rollback_alarm_specs[pair[1]], { endpoint = local.endpoints[pair[0]], kind = pair[1] }) }
  alarm_name          = "${each.value.endpoint}-${each.value.kind}"
  alarm_description   = "Rolls back a canary deployment of ${each.value.endpoint}: ${each.value.what} above ${each.value.threshold}"
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
    EndpointName = each.value.endpoint
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

moved {
  from = aws_cloudwatch_metric_alarm.rollback["errors"]
  to   = aws_cloudwatch_metric_alarm.rollback["model/errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.rollback["latency"]
  to   = aws_cloudwatch_metric_alarm.rollback["model/latency"]
}

moved {
  from = aws_cloudwatch_metric_alarm.function_errors["deploy"]
  to   = aws_cloudwatch_metric_alarm.function_errors["deploy/model"]
}
