module "images" {
  source    = "../components/sagemaker-images"
  region    = var.region
  overrides = { sklearn = var.sklearn_image_uri, model_monitor = var.analyzer_image_uri }
}

locals {
  sklearn_image   = module.images.sklearn
  inference_image = coalesce(var.inference_image_uri, local.sklearn_image)
  monitor_image   = module.images.model_monitor
  clarify_image   = module.images.clarify
}
