terraform {
  required_version = ">= 1.9.0" # validations that read other variables
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 5.80.0, < 6.0.0"
      configuration_aliases = [aws.management, aws.dev, aws.data, aws.ops, aws.artifact, aws.cicd, aws.staging, aws.prod]
    }
  }
}
