output "build_role_arn" {
  description = "The CI/CD pipeline role (CodeBuild): the only principal the stage deploy roles trust (known at plan time)."
  value       = local.build_role_arn
  depends_on  = [aws_iam_role.build] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "container_pipeline_name" {
  description = "Pipeline that builds and pushes the container images, or null without container_builds."
  value       = local.build_images ? local.image_pipeline : null
}

output "deployment_pipeline_arns" {
  description = "ARN of each use case's deployment pipeline (known at plan time)."
  value       = local.pipeline_arns
}

output "deployment_pipeline_names" {
  description = "Each use case's pipeline that deploys its approved versions stage by stage."
  value       = local.pipelines
}

output "image_build_role_arn" {
  description = "Role of the container builds (pushes to ECR; cannot deploy), or null without container_builds. Known at plan time."
  value       = local.build_images ? local.image_role_arn : null
  depends_on  = [aws_iam_role.image_build] # a policy naming this role waits for it (AWS rejects missing principals)
}

output "kms_key_alias_arn" {
  description = "Key of the pipeline artifacts (known at plan time); the deploy roles may decrypt with it."
  value       = module.kms.alias_arn_known_at_plan
}

output "source_connection_arn" {
  description = "Connection to the code repository (complete its handshake once in the console), or null."
  value       = one(aws_codestarconnections_connection.source[*].arn)
}

output "release_approver_role_arn" {
  description = "The role that gives the manual approval before prod, or null without an approval stage."
  value       = one(module.release_approver[*].arn)
}

output "release_function_names" {
  description = "Each use case's function that starts a release for each approved version."
  value       = { for use_case, function in module.release_function : use_case => function.name }
}
