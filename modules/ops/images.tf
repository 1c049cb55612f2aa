module "images" {
  source    = "../components/sagemaker-images"
  for_each  = var.use_cases
  region    = var.region
  overrides = { sklearn = each.value.sklearn_image_uri, model_monitor = var.analyzer_image_uri }
}

locals {
  images = { for use_case, c in var.use_cases : use_case => {
    sklearn       = module.images[use_case].sklearn
    inference     = coalesce(c.inference_image_uri, module.images[use_case].sklearn)
    model_monitor = module.images[use_case].model_monitor
    clarify       = module.images[use_case].clarify
    known         = module.images[use_case].known.sklearn && (!var.monitoring_baseline || module.images[use_case].known.model_monitor) && (!var.clarify_baselines.enabled || module.images[use_case].known.clarify)
  } }
}
