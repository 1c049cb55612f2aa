run "known_region" {
  command = plan
  variables {
    region = "eu-west-1"
  }
  assert {
    condition     = output.model_monitor == "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer" && alltrue(values(output.known))
    error_message = "eu-west-1 images must resolve to AWS's accounts."
  }
}

run "unknown_region_is_reported" {
  command = plan
  variables {
    region    = "xx-east-9"
    overrides = { clarify = "111111111111.dkr.ecr.xx-east-9.amazonaws.com/clarify:1" }
  }
  assert {
    condition     = !output.known.sklearn && output.known.clarify && output.clarify == "111111111111.dkr.ecr.xx-east-9.amazonaws.com/clarify:1"
    error_message = "an unlisted region must be reported unknown unless overridden."
  }
}

run "overrides_must_be_image_uris" {
  command = plan
  variables {
    region    = "eu-west-1"
    overrides = { sklearn = "docker.io/library/python:3" }
  }
  expect_failures = [var.overrides]
}
