mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name               = "mlops"
  region             = "eu-west-1"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = length(aws_subnet.private) == 2
    error_message = "one private subnet per zone"
  }
}

run "rejects_single_zone" {
  command = plan
  variables { availability_zones = ["eu-west-1a"] }
  expect_failures = [var.availability_zones]
}

run "rejects_oversized_cidr" {
  command = plan
  variables { cidr_block = "10.0.0.0/8" }
  expect_failures = [var.cidr_block]
}
