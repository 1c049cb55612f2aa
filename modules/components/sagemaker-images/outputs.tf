output "clarify" {
  description = "SageMaker Clarify processing image."
  value       = local.uris.clarify
}

output "known" {
  description = "Whether each image is known for the region or overridden (false means a placeholder account)."
  value       = { for kind in keys(local.repositories) : kind => var.overrides[kind] != null || contains(keys(local.accounts[kind]), var.region) }
}

output "model_monitor" {
  description = "Model Monitor analyzer image."
  value       = local.uris.model_monitor
}

output "sklearn" {
  description = "scikit-learn framework image (training, processing, serving)."
  value       = local.uris.sklearn
}
