# Forwards matching events from this account's default bus to a bus in another account. The target
# bus's policy names the forwarder role, so its ARN is an output known at plan time.
locals {
  role_arn = "arn:${var.partition}:iam::${var.account_id}:role/mlops/${var.name}"
}

resource "aws_cloudwatch_event_rule" "this" {
  name          = coalesce(var.rule_name, var.name)
  description   = var.description
  event_pattern = jsonencode(var.event_pattern)
  tags          = var.tags
}

module "events_trust" {
  source     = "../service-trust"
  service    = "events.amazonaws.com"
  account_id = var.account_id
}

resource "aws_iam_role" "this" {
  name               = var.name
  path               = "/mlops/"
  description        = var.description
  assume_role_policy = module.events_trust.json
  tags               = merge(var.tags, { "mlops:purpose" = "event-forwarder" })
}

resource "aws_iam_role_policy" "this" {
  name = "put-events"
  role = aws_iam_role.this.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = var.statement_id, Effect = "Allow", Action = "events:PutEvents", Resource = var.target_bus_arn }]
  })
}

resource "aws_cloudwatch_event_target" "this" {
  rule      = aws_cloudwatch_event_rule.this.name
  arn       = var.target_bus_arn
  target_id = var.target_id # fixed: a target re-created after a killed run replaces itself instead of doubling
  role_arn  = aws_iam_role.this.arn
}
