variable "account_id" {
  description = "The account whose default bus the rule watches (and that owns the forwarder role)."
  type        = string
  validation {
    condition     = can(regex("^\\d{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "description" {
  description = "What is forwarded where: the rule's and the role's description."
  type        = string
}

variable "event_pattern" {
  description = "EventBridge event pattern (an object; it is JSON-encoded)."
  type        = any
  validation {
    condition     = can(keys(var.event_pattern)) && length(keys(var.event_pattern)) > 0
    error_message = "event_pattern must be a non-empty object, e.g. { source = [\"aws.sagemaker\"] }."
  }
}

variable "name" {
  description = "Name of the rule and of the forwarder role (path /mlops/)."
  type        = string
  validation {
    condition     = can(regex("^[a-zA-Z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits and +=,.@_- (an IAM role name)."
  }
}

variable "partition" {
  description = "AWS partition."
  type        = string
  default     = "aws"
}

variable "rule_name" {
  description = "Name of the rule, when it differs from the role's name."
  type        = string
  default     = null
}

variable "statement_id" {
  description = "Sid of the role's events:PutEvents statement."
  type        = string
  default     = "ForwardToBus"
}

variable "tags" {
  description = "Tags on the rule and the role."
  type        = map(string)
  default     = {}
}

variable "target_bus_arn" {
  description = "The event bus in another account that receives the events (its policy must name role_arn)."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:events:[a-z0-9-]+:\\d{12}:event-bus/[A-Za-z0-9._/-]+$", var.target_bus_arn))
    error_message = "target_bus_arn must be an event bus ARN, e.g. arn:aws:events:us-east-1:111111111111:event-bus/default."
  }
}

variable "target_id" {
  description = "Fixed ID of the rule's target."
  type        = string
  default     = "forward"
}
