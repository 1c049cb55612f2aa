mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_kms_key" { # the module's own key: distinct from model_kms_key_arn, so the wiring of each shows
    defaults = { arn = "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-1111-1111-111111111111" }
  }
}

variables {
  prefix                   = "mlops"
  account_id               = "111111111111"
  region                   = "eu-west-1"
  model_bucket_name        = "mlops-models"
  model_kms_key_arn        = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
  training_data_bucket_arn = "arn:aws:s3:::mlops-raw"
  network                  = { subnet_ids = ["subnet-1"], security_group_ids = ["sg-1"] }
  use_cases = {
    model = {
      model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model"
      training_data_s3_uri    = "s3://mlops-raw/datasets/training/"
      schedule                = "cron(0 3 ? * MON *)"
    }
  }
}

run "one_pipeline_per_use_case" {
  command = plan
  variables {
    use_cases = {
      model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/", schedule = "cron(0 3 ? * MON *)", retrain_on_schedule_arns = ["arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-data-quality"] }
      fraud = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-fraud", training_data_s3_uri = "s3://mlops-raw/datasets/fraud/", min_accuracy = 0.8, retrain_on_schedule_arns = ["arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-fraud-data-quality"] }
    }
    retrain_trigger    = { enabled = true }
    lambda_package_dir = "../../build/lambda"
  }
  assert {
    condition     = output.pipeline_arns == { model = "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/mlops-retraining", fraud = "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/mlops-fraud-retraining" }
    error_message = "each use case has its pipeline; release 0.x's `model` keeps its name"
  }
  assert {
    condition     = module.pipeline["model"].schedule_arn == "arn:aws:scheduler:eu-west-1:111111111111:schedule/default/mlops-retraining" && module.pipeline["fraud"].schedule_arn == null && jsonencode(local.scheduled_pipelines) == jsonencode([output.pipeline_arns.model])
    error_message = "only a scheduled use case gets a schedule, and the scheduler may start only the scheduled pipelines"
  }
  assert {
    condition     = local.schedule_pipelines == { "arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-data-quality" = "mlops-retraining", "arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-fraud-data-quality" = "mlops-fraud-retraining" }
    error_message = "a violation of a use case's schedule retrains that use case's pipeline only"
  }
  assert {
    condition     = local.registry == sort(["arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-model/*", "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-fraud", "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-fraud/*"])
    error_message = "the pipeline role registers in each use case's group"
  }
}

run "tier_images_are_pulled_from_their_repositories" {
  command = plan
  variables {
    use_cases = {
      model = {
        model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model"
        training_data_s3_uri    = "s3://mlops-raw/datasets/training/"
        sklearn_image_uri       = "666666666666.dkr.ecr.eu-west-1.amazonaws.com/mlops/training:5f1e2d3"
        inference_image_uri     = "666666666666.dkr.ecr.eu-west-1.amazonaws.com/mlops/inference:5f1e2d3"
      }
    }
  }
  assert {
    condition     = module.pipeline["model"].name == "mlops-retraining" && local.images.model.sklearn == var.use_cases.model.sklearn_image_uri && local.images.model.inference == var.use_cases.model.inference_image_uri
    error_message = "the use case's steps run the training image and its versions serve the inference image"
  }
  assert {
    condition     = jsonencode(local.image_repositories) == jsonencode(["arn:aws:ecr:eu-west-1:666666666666:repository/mlops/inference", "arn:aws:ecr:eu-west-1:666666666666:repository/mlops/training"]) && output.inference_image_repository_arns.model == "arn:aws:ecr:eu-west-1:666666666666:repository/mlops/inference"
    error_message = "the pipeline role pulls both images from their repositories (nested names included), and serving is told the inference image's"
  }
}

run "reads_the_offline_store_of_a_training_feature_group" {
  command = plan
  variables {
    use_cases = {
      model = {
        model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model"
        training_data_s3_uri    = "s3://mlops-raw/datasets/training/"
        training_feature_group  = { arn = "arn:aws:sagemaker:eu-west-1:222222222222:feature-group/mlops-tumours", offline_store_s3_uri = "s3://mlops-features/offline" }
      }
    }
  }
  assert {
    condition     = jsonencode(local.offline_stores) == jsonencode([{ bucket = "mlops-features", prefix = "offline" }])
    error_message = "the offline store's bucket and prefix are what the role may read"
  }
}

run "knows_whether_the_region_has_the_images_it_needs" {
  command = plan
  variables {
    monitoring_baseline = true
    clarify_baselines   = { enabled = true }
  }
  assert {
    condition     = local.images.model.known
    error_message = "eu-west-1 has every image (the pipeline refuses a region without them: modules/components/retraining-pipeline's tests)"
  }
}

run "rejects_bad_account_id" {
  command = plan
  variables { account_id = "1" }
  expect_failures = [var.account_id]
}

run "rejects_short_job_runtime" {
  command = plan
  variables { max_job_runtime_seconds = 10 }
  expect_failures = [var.max_job_runtime_seconds]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "-mlops" }
  expect_failures = [var.prefix]
}

run "rejects_ec2_processing_type" {
  command = plan
  variables { processing_instance_type = "m5.large" }
  expect_failures = [var.processing_instance_type]
}

run "rejects_ec2_serving_type" {
  command = plan
  variables { serving_instance_types = ["t3.micro"] }
  expect_failures = [var.serving_instance_types]
}

run "rejects_ec2_training_type" {
  command = plan
  variables { training_instance_type = "p3.2xlarge" }
  expect_failures = [var.training_instance_type]
}

run "rejects_capture_source_root" {
  command = plan
  variables { capture_sources = { prod = { replication_role_arn = "arn:aws:iam::333333333333:root" } } }
  expect_failures = [var.capture_sources]
}

run "rejects_label_reader_root" {
  command = plan
  variables { capture_sources = { prod = { replication_role_arn = "arn:aws:iam::333333333333:role/mlops/r", monitor_role_arn = "arn:aws:iam::333333333333:root" } } }
  expect_failures = [var.capture_sources]
}

run "rejects_negative_cooldown" {
  command = plan
  variables { retrain_trigger = { enabled = true, cooldown_minutes = -1 } }
  expect_failures = [var.retrain_trigger]
}

run "rejects_sender_wildcard" {
  command = plan
  variables { retrain_trigger = { violation_sender_role_arns = ["*"] } }
  expect_failures = [var.retrain_trigger]
}

run "rejects_no_use_case" {
  command = plan
  variables { use_cases = {} }
  expect_failures = [var.use_cases]
}

run "rejects_group_name_as_arn" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/" } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_bucket_without_scheme" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "mlops-raw/datasets" } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_a_feature_group_that_is_not_an_arn" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/", training_feature_group = { arn = "mlops-tumours", offline_store_s3_uri = "s3://mlops-features/offline" } } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_accuracy_as_percent" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/", min_accuracy = 90 } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_crontab_syntax" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/", schedule = "0 3 * * 1" } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_untagged_image" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/", sklearn_image_uri = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn" } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_clarify_without_facet" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/", clarify_facet = { name = " ", threshold = 1 } } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_a_trigger_that_retrains_on_no_schedule" {
  command = plan
  variables {
    use_cases       = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/" } }
    retrain_trigger = { enabled = true }
  }
  expect_failures = [var.use_cases]
}

run "rejects_a_trigger_schedule_that_is_not_a_schedule_arn" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/", retrain_on_schedule_arns = ["mlops-prod-data-quality"] } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_a_schedule_that_retrains_two_use_cases" {
  command = plan
  variables {
    use_cases = { model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/", retrain_on_schedule_arns = ["arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-data-quality"] }, fraud = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-fraud", training_data_s3_uri = "s3://mlops-raw/datasets/fraud/", retrain_on_schedule_arns = ["arn:aws:sagemaker:eu-west-1:111111111111:monitoring-schedule/mlops-prod-data-quality"] } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_an_uppercase_use_case" {
  command = plan
  variables {
    use_cases = { Model = { model_package_group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-model", training_data_s3_uri = "s3://mlops-raw/datasets/training/" } }
  }
  expect_failures = [var.use_cases]
}

run "rejects_ec2_clarify_type" {
  command = plan
  variables { clarify_baselines = { enabled = true, instance_type = "m5.large" } }
  expect_failures = [var.clarify_baselines]
}
