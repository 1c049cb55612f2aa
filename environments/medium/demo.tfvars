# The embedded default: inputs of `make plan-medium` and of emulator runs. Not for real accounts.
accounts = {
  dev     = "111111111111"
  staging = "222222222222"
  prod    = "333333333333"
}
region = "us-east-1"
prefix = "mlops"

organization = {
  id                    = "o-exampleorg1"
  manage                = true
  management_account_id = "999999999999"
  allowed_regions       = ["us-east-1"]
}

# The people who approve models and releases (an Identity Center permission set's role on real accounts).
model_approvers = ["arn:aws:iam::111111111111:role/ModelApprover"]

data_scientists = {
  alice = { email = "alice@example.com" }
  bob   = { email = "bob@example.com", team = "care" } # runs as the care team's role
}

# Capabilities (modules/tier features); these are medium's defaults.
features = {
  monitoring          = true
  model_quality       = true
  clarify             = false
  data_capture        = true
  capture_replication = true
  container_builds    = false # data scientists push images to the ECR repositories
  retraining_schedule = true
  object_lock         = true
  vpc_endpoints       = true
}

# Two models on one platform (modules/tier use_cases): release 0.x's `model`, and `triage`, with a
# gate of its own; each has its registry group, pipeline, endpoints, route and deployment pipeline.
# Two teams: `model` belongs to the default team, `triage` to `care`; neither team's data scientists
# can read the other's training data, registry group, pipeline or features (`make policy`, MLOPS-019).
use_cases = {
  model  = {}
  triage = { min_accuracy = 0.85, team = "care" }
}
