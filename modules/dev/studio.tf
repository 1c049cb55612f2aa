resource "aws_sagemaker_domain" "this" {
  domain_name             = local.name_prefix
  auth_mode               = "IAM"
  vpc_id                  = var.network.vpc_id
  subnet_ids              = var.network.subnet_ids
  app_network_access_type = "VpcOnly"
  kms_key_id              = module.kms.arn
  tags                    = var.tags

  default_user_settings {
    execution_role  = local.role_arn
    security_groups = var.network.security_group_ids

    sharing_settings {
      notebook_output_option = "Disabled"
    }
  }

  domain_settings {
    security_group_ids             = var.network.security_group_ids
    execution_role_identity_config = "USER_PROFILE_NAME" # the profile name is the session's source identity: the boundary keeps users to their own profile
  }

  retention_policy {
    home_efs_file_system = "Retain"
  }

  depends_on = [aws_iam_role_policy.data_scientist]
}

resource "aws_sagemaker_user_profile" "this" {
  for_each          = var.data_scientists
  domain_id         = aws_sagemaker_domain.this.id
  user_profile_name = each.key
  tags              = merge(var.tags, { "mlops:owner" = each.value.email })

  user_settings {
    execution_role  = local.role_arns[each.value.team]
    security_groups = var.network.security_group_ids
  }

  depends_on = [aws_iam_role_policy.data_scientist]
}
