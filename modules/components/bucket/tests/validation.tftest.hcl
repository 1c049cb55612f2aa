mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name              = "mlops-test-bucket"
  kms_key_arn       = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
  kms_key_alias_arn = "arn:aws:kms:eu-west-1:111111111111:alias/mlops-test"
}

run "valid_inputs_plan" {
  command = plan
  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "versioning must be on by default"
  }
  assert {
    condition     = aws_s3_bucket_public_access_block.this.restrict_public_buckets
    error_message = "public access must be blocked"
  }
}

run "object_lock_forces_versioning" {
  command = plan
  variables {
    versioning  = false
    object_lock = { mode = "COMPLIANCE", retention_days = 7 }
  }
  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled" && aws_s3_bucket.this.object_lock_enabled
    error_message = "object lock needs versioning"
  }
}

run "rejects_key_arn_as_alias" {
  command = plan
  variables { kms_key_alias_arn = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000" }
  expect_failures = [var.kms_key_alias_arn]
}

run "rejects_uppercase_name" {
  command = plan
  variables { name = "My_Bucket" }
  expect_failures = [var.name]
}

run "rejects_unknown_lock_mode" {
  command = plan
  variables { object_lock = { mode = "FOREVER" } }
  expect_failures = [var.object_lock]
}
