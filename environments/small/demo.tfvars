# The embedded default: inputs of `make plan-small` and of emulator runs. Not for real accounts.
account_id = "123456789012"
region     = "us-east-1"
prefix     = "mlops"

data_scientists = {
  alice = { email = "alice@example.com" }
  bob   = { email = "bob@example.com" }
}

# The people who approve models (an Identity Center permission set's role on a real account).
model_approvers = ["arn:aws:iam::123456789012:role/ModelApprover"]

# Capabilities (modules/tier features); these are small's defaults, except object_lock, monitoring and
# model_quality (on, so the demo runs the whole lifecycle: captured drift starts a retraining, labels
# reach the model-quality monitor; `make lifecycle`).
features = {
  monitoring          = true
  model_quality       = true
  clarify             = false
  data_capture        = true
  capture_replication = false
  container_builds    = false
  retraining_schedule = true
  object_lock         = true
  vpc_endpoints       = true
}
alarm_emails = []

# The demo retrains on the first drift after training (make lifecycle); keep hours on AWS.
retrain_cooldown_minutes = 0

# One model (modules/tier use_cases); add another beside it, e.g. fraud = { min_accuracy = 0.8 }.
use_cases = {
  model = {}
}
