mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  prefix     = "mlops"
  account_id = "444444444444"
  region     = "us-east-1"
  admin_arns = ["arn:aws:iam::444444444444:role/TerraformExecution"]
  tables     = { patients = { columns = { patient_id = "string", radius = "double" } } }
  consumers = {
    dev = { role_arn = "arn:aws:iam::111111111111:role/mlops/data-science/mlops-dev-data-scientist", tables = { patients = { excluded_columns = ["patient_id"] } } }
    ops = { role_arn = "arn:aws:iam::555555555555:role/mlops/mlops-ops-pipeline", tables = { patients = {} }, read_training_exports = true }
  }
}

run "grants_are_fine_grained" {
  command = plan
  assert {
    condition     = length(aws_lakeformation_permissions.table["dev/patients"].table_with_columns) == 1 && length(aws_lakeformation_permissions.table["ops/patients"].table) == 1
    error_message = "dev gets column-level SELECT without the hidden columns; ops gets the table"
  }
  assert {
    condition     = length(aws_lakeformation_data_lake_settings.this.create_database_default_permissions) == 0 && length(aws_lakeformation_data_lake_settings.this.create_table_default_permissions) == 0
    error_message = "no IAMAllowedPrincipals default grants: nothing bypasses Lake Formation"
  }
}

run "rejects_bad_account" {
  command = plan
  variables { account_id = "44" }
  expect_failures = [var.account_id]
}

run "rejects_no_admins" {
  command = plan
  variables { admin_arns = [] }
  expect_failures = [var.admin_arns]
}

run "rejects_root_consumer" {
  command = plan
  variables { consumers = { x = { role_arn = "arn:aws:iam::111111111111:root", tables = {} } } }
  expect_failures = [var.consumers]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "-x" }
  expect_failures = [var.prefix]
}

run "rejects_table_without_columns" {
  command = plan
  variables { tables = { patients = { columns = {} } } }
  expect_failures = [var.tables]
}

run "each_use_case_reads_its_own_exports" {
  command = plan
  variables {
    training_exports = ["training", "triage"]
  }
  assert {
    condition     = jsonencode(sort(one([for st in data.aws_iam_policy_document.training_exports[0].statement : st if st.sid == "PipelinesReadTrainingExports"]).resources)) == jsonencode(["arn:aws:s3:::mlops-444444444444-us-east-1-lake-curated/exports/training/*", "arn:aws:s3:::mlops-444444444444-us-east-1-lake-curated/exports/triage/*"])
    error_message = "the pipelines read each use case's exports folder, and only those"
  }
}

run "rejects_no_exports_folder" {
  command = plan
  variables { training_exports = [] }
  expect_failures = [var.training_exports]
}
