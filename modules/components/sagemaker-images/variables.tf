variable "overrides" {
  description = "Image URIs to use instead of AWS's image of the region (needed in regions this module does not list)."
  type = object({
    sklearn       = optional(string)
    model_monitor = optional(string)
    clarify       = optional(string)
  })
  default = {}
  validation {
    condition     = alltrue([for uri in values(var.overrides) : uri == null || can(regex("^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.+$", uri))])
    error_message = "overrides must be ECR image URIs, e.g. 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3."
  }
}

variable "region" {
  description = "Region whose images are wanted."
  type        = string
}
