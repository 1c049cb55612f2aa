module "images" {
  source    = "../components/sagemaker-images"
  region    = var.region
  overrides = { model_monitor = var.monitoring.analyzer_image_uri, clarify = var.monitoring.clarify_image_uri }
}

locals {
  monitor_image = module.images.model_monitor
  clarify_image = module.images.clarify
  # ECR repository ARN of each image URI <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag]
  monitor_image_repositories = distinct([for uri in compact([local.monitor_image, local.clarify_image]) :
  "arn:${var.partition}:ecr:${var.region}:${split(".", uri)[0]}:repository/${regex("^[^/]+/([^:@]+)", uri)[0]}"])
}
