module "images" {
  source    = "../components/sagemaker-images"
  region    = var.region
  overrides = { model_monitor = var.monitoring.analyzer_image_uri, clarify = var.monitoring.clarify_image_uri }
}

locals {
  monitor_image = module.images.model_monitor
  clarify_image = module.images.clarify
}
