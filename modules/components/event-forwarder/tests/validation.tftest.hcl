# The real provider, offline: the test reads the planned rule, role and policy.
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variables {
  account_id     = "111111111111"
  name           = "mlops-forward-approvals"
  description    = "Approvals: forward to the CI/CD account"
  event_pattern  = { source = ["aws.sagemaker"], "detail-type" = ["SageMaker Model Package State Change"] }
  target_bus_arn = "arn:aws:events:eu-west-1:222222222222:event-bus/default"
  statement_id   = "ForwardToCicdBus"
}

run "forwards_to_the_target_bus_only" {
  command = plan
  assert {
    condition     = output.role_arn == "arn:aws:iam::111111111111:role/mlops/mlops-forward-approvals"
    error_message = "the role ARN is known at plan time, for the target bus's policy"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.this.policy).Statement == [{ Sid = "ForwardToCicdBus", Effect = "Allow", Action = "events:PutEvents", Resource = "arn:aws:events:eu-west-1:222222222222:event-bus/default" }]
    error_message = "the role may put events on the target bus and nothing else"
  }
  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal.Service == "events.amazonaws.com" && jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111111111111"
    error_message = "only EventBridge, for this account, assumes the role"
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this.event_pattern).source == ["aws.sagemaker"] && aws_cloudwatch_event_target.this.arn == var.target_bus_arn && aws_cloudwatch_event_target.this.target_id == "forward"
    error_message = "the rule matches the pattern and targets the bus with a fixed target ID"
  }
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "1111" }
  expect_failures = [var.account_id]
}

run "rejects_empty_pattern" {
  command = plan
  variables { event_pattern = {} }
  expect_failures = [var.event_pattern]
}

run "rejects_bad_name" {
  command = plan
  variables { name = "forward approvals" }
  expect_failures = [var.name]
}

run "rejects_a_target_that_is_not_a_bus" {
  command = plan
  variables { target_bus_arn = "arn:aws:sqs:eu-west-1:222222222222:queue" }
  expect_failures = [var.target_bus_arn]
}
