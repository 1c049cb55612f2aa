terraform {
  required_version = ">= 1.7.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # For real use, keep state in S3 with native locking (Terraform >= 1.10), e.g. in backend.tf:
  #   backend "s3" {
  #     bucket       = "my-terraform-state"
  #     key          = "mlops/medium.tfstate"
  #     region       = "eu-west-1"
  #     encrypt      = true
  #     use_lockfile = true
  #   }
  # and run `terraform init -backend-config=...`. Without it, state is local (the emulator runs).
}
