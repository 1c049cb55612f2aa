mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  prefix                  = "mlops"
  account_id              = "777777777777"
  region                  = "us-east-1"
  lambda_package_dir      = "../../build/lambda"
  use_cases               = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:us-east-1:666666666666:model-package-group/mlops-model" } }
  approver_principal_arns = ["arn:aws:iam::777777777777:role/ReleaseApprover"]
  stages = [
    { name = "staging", deploy_role_arn = "arn:aws:iam::222222222222:role/mlops/mlops-staging-cicd-deploy", deployment_specs = { model = "{}" }, network_parameter = "/mlops/staging/serving/network", smoke_test = true },
    { name = "prod", deploy_role_arn = "arn:aws:iam::333333333333:role/mlops/mlops-prod-cicd-deploy", deployment_specs = { model = "{}" }, network_parameter = "/mlops/prod/serving/network", approval = true },
  ]
}

run "deploys_stage_by_stage" {
  command = plan
  assert {
    condition     = [for s in aws_codepipeline.deployment["model"].stage : s.name] == ["Source", "Deploy-staging", "SmokeTest-staging", "Approve-prod", "Deploy-prod"]
    error_message = "the pipeline deploys staging, smoke-tests it, asks for approval, then deploys prod"
  }
  assert {
    condition     = aws_iam_role.build.tags["mlops:purpose"] == "cicd-pipeline" && length(aws_codepipeline.images) == 0
    error_message = "the build role is the tagged pipeline role; no container pipeline without container_builds"
  }
}

run "every_stage_deploys_the_approved_version" {
  command = plan
  assert {
    condition = alltrue([for s in aws_codepipeline.deployment["model"].stage : alltrue([for a in s.action :
      jsondecode(a.configuration.EnvironmentVariables)[0].value == "#{variables.MODEL_PACKAGE_ARN}" if a.category == "Build"
    ])]) && aws_codepipeline.deployment["model"].pipeline_type == "V2" && aws_codepipeline.deployment["model"].execution_mode == "QUEUED"
    error_message = "each build stage gets the release's MODEL_PACKAGE_ARN; releases queue one after another"
  }
  assert {
    condition     = module.release_approver[0].arn == "arn:aws:iam::777777777777:role/mlops/approval/mlops-cicd-release-approver" && aws_cloudwatch_event_target.approval["model"].arn == module.release_function["model"].arn
    error_message = "approvals start the release function; people approve prod through the release approver role"
  }
}

run "rejects_a_package_dir_without_the_zips" {
  command = plan
  variables { lambda_package_dir = "../../build/no-such-dir" }
  expect_failures = [var.lambda_package_dir]
}

run "rejects_group_name_as_arn" {
  command = plan
  variables { use_cases = { model = { model_package_group_name = "mlops-model", model_package_group_arn = "mlops-model" } } }
  expect_failures = [var.use_cases]
}

run "builds_containers_from_the_repository" {
  command = plan
  variables {
    source_repository = { full_name = "example/model-code" }
    container_builds  = { inference = { context = "containers/inference", repository_url = "666666666666.dkr.ecr.us-east-1.amazonaws.com/mlops/inference", repository_arn = "arn:aws:ecr:us-east-1:666666666666:repository/mlops/inference" } }
  }
  assert {
    condition     = length(aws_codepipeline.images) == 1 && aws_codebuild_project.image["inference"].environment[0].privileged_mode
    error_message = "one container pipeline with a privileged docker build per image"
  }
  assert {
    condition = (
      aws_codebuild_project.image["inference"].service_role == output.image_build_role_arn &&
      aws_codebuild_project.deploy["deploy-prod"].service_role == output.build_role_arn &&
      !contains(flatten([for st in data.aws_iam_policy_document.image_build[0].statement : st.actions]), "sts:AssumeRole") &&
      alltrue([for st in data.aws_iam_policy_document.image_build[0].statement : !contains(st.resources, "arn:aws:s3:::mlops-777777777777-us-east-1-cicd/*")]) &&
      contains(data.aws_iam_policy_document.image_build[0].statement[0].resources, "arn:aws:s3:::mlops-777777777777-us-east-1-cicd-images/*")
    )
    error_message = "container builds run the repository's Dockerfiles: their role pushes images, has its own artifact bucket, and can neither reach the deploy roles nor write the deploy kit"
  }
}

run "rejects_bad_account" {
  command = plan
  variables { account_id = "7777" }
  expect_failures = [var.account_id]
}

run "rejects_root_sender" {
  command = plan
  variables { approval_senders = ["arn:aws:iam::666666666666:root"] }
  expect_failures = [var.approval_senders]
}

run "rejects_absolute_context" {
  command = plan
  variables { container_builds = { x = { context = "/abs", repository_url = "666666666666.dkr.ecr.us-east-1.amazonaws.com/x", repository_arn = "arn:aws:ecr:us-east-1:666666666666:repository/x" } } }
  expect_failures = [var.container_builds]
}

run "rejects_bad_org" {
  command = plan
  variables { organization_id = "myorg" }
  expect_failures = [var.organization_id]
}

run "rejects_bad_prefix" {
  command = plan
  variables { prefix = "ML" }
  expect_failures = [var.prefix]
}

run "rejects_non_json_smoke_payload" {
  command = plan
  variables { smoke_payload = "{not json" }
  expect_failures = [var.smoke_payload]
}

run "rejects_bad_repository" {
  command = plan
  variables { source_repository = { full_name = "no-slash" } }
  expect_failures = [var.source_repository]
}

run "one_pipeline_per_use_case" {
  command = plan
  variables {
    use_cases = {
      model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:us-east-1:666666666666:model-package-group/mlops-model" }
      fraud = { model_package_group_name = "mlops-fraud", model_package_group_arn = "arn:aws:sagemaker:us-east-1:666666666666:model-package-group/mlops-fraud" }
    }
    stages = [
      { name = "staging", deploy_role_arn = "arn:aws:iam::222222222222:role/mlops/mlops-staging-cicd-deploy", deployment_specs = { model = "{\"endpoint_name\": \"mlops-staging\"}", fraud = "{\"endpoint_name\": \"mlops-staging-fraud\"}" }, network_parameter = "/mlops/staging/serving/network", smoke_test = true },
      { name = "prod", deploy_role_arn = "arn:aws:iam::333333333333:role/mlops/mlops-prod-cicd-deploy", deployment_specs = { model = "{}", fraud = "{}" }, network_parameter = "/mlops/prod/serving/network", approval = true },
    ]
  }
  assert {
    condition     = output.deployment_pipeline_names == { model = "mlops-model-deployment", fraud = "mlops-fraud-deployment" } && jsonencode(sort(keys(aws_codebuild_project.deploy))) == jsonencode(["deploy-prod", "deploy-staging", "fraud-deploy-prod", "fraud-deploy-staging", "fraud-smoke-staging", "smoke-staging"])
    error_message = "each use case has its pipeline and build projects (model keeps its names), so no release queues behind another model's approval"
  }
  assert {
    condition     = one([for v in aws_codebuild_project.deploy["fraud-deploy-staging"].environment[0].environment_variable : v.value if v.name == "DEPLOYMENT_SPEC"]) == "{\"endpoint_name\": \"mlops-staging-fraud\"}" && aws_codebuild_project.deploy["fraud-deploy-staging"].logs_config[0].cloudwatch_logs[0].stream_name == "deploy-staging-fraud"
    error_message = "a use case's build deploys its own spec, logging to a stream the build role may write (deploy-*)"
  }
  assert {
    condition     = [for s in aws_codepipeline.deployment["fraud"].stage : s.action[0].configuration.ProjectName if s.action[0].category == "Build"] == ["mlops-fraud-deploy-staging", "mlops-fraud-smoke-staging", "mlops-fraud-deploy-prod"] && jsondecode(aws_cloudwatch_event_rule.approval["fraud"].event_pattern).detail.ModelPackageGroupName == ["mlops-fraud"]
    error_message = "a use case's pipeline runs its own builds and starts on its own group's approvals"
  }
  assert {
    condition     = length(local.approval_actions) == 2
    error_message = "the release approver approves the prod step of each pipeline"
  }
}

run "rejects_a_use_case_a_stage_cannot_deploy" {
  command = plan
  variables {
    use_cases = {
      model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:us-east-1:666666666666:model-package-group/mlops-model" }
      fraud = { model_package_group_name = "mlops-fraud", model_package_group_arn = "arn:aws:sagemaker:us-east-1:666666666666:model-package-group/mlops-fraud" }
    }
  }
  expect_failures = [var.use_cases]
}

run "rejects_no_stages" {
  command = plan
  variables { stages = [] }
  expect_failures = [var.stages]
}

run "rejects_wildcard_deploy_role" {
  command = plan
  variables { stages = [{ name = "prod", deploy_role_arn = "arn:aws:iam::333333333333:role/*", deployment_specs = { model = "{}" }, network_parameter = "/p" }] }
  expect_failures = [var.stages]
}

run "rejects_an_uppercase_use_case" {
  command = plan
  variables { use_cases = { Model = { model_package_group_name = "mlops-model", model_package_group_arn = "arn:aws:sagemaker:us-east-1:666666666666:model-package-group/mlops-model" } } }
  expect_failures = [var.use_cases]
}
