mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  prefix                   = "mlops"
  account_id               = "222222222222"
  region                   = "us-east-1"
  model_package_group_name = "arn:aws:sagemaker:us-east-1:111111111111:model-package-group/mlops-model"
  model_package_group_arn  = "arn:aws:sagemaker:us-east-1:111111111111:model-package-group/mlops-model"
  model_bucket_arn         = "arn:aws:s3:::mlops-models"
  model_kms_key_alias      = "alias/mlops-artifact"
  image_repository_arns    = ["arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn"]
  lambda_package_dir       = "../../build/lambda"
  network                  = { subnet_ids = ["subnet-1"], security_group_ids = ["sg-1"] }
  deployer                 = { pipeline_role_arn = "arn:aws:iam::111111111111:role/mlops/mlops-cicd-build", organization_id = "o-exampleorg1" }
}

run "only_the_pipeline_deploys_to_staging" {
  command = plan
  assert {
    condition     = output.deployer_role_arn == "arn:aws:iam::222222222222:role/mlops/mlops-staging-cicd-deploy" && output.endpoint_name == "mlops-staging"
    error_message = "staging has a deploy role for the pipeline and its own endpoint"
  }
}

run "rejects_missing_deployer" {
  command = plan
  variables { deployer = null }
  expect_failures = [var.deployer]
}
