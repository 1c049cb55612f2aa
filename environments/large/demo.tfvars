# The embedded default: inputs of `make plan-large`. Not for real accounts.
accounts = {
  dev      = "111111111111"
  data     = "444444444444"
  ops      = "555555555555"
  artifact = "666666666666"
  cicd     = "777777777777"
  staging  = "222222222222"
  prod     = "333333333333"
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

data_lake = {
  admin_arns = ["arn:aws:iam::444444444444:role/TerraformExecution"]
  tables = {
    patients = {
      columns = {
        patient_id   = "string"
        mean_radius  = "double"
        mean_texture = "double"
        diagnosis    = "int"
        recorded_at  = "timestamp"
      }
    }
  }
  hidden_from_dev = { patients = ["patient_id"] }
}

feature_groups = {
  tumour-measurements = {
    record_identifier = "patient_id"
    event_time        = "recorded_at"
    features = {
      patient_id   = "String"
      recorded_at  = "String"
      mean_radius  = "Fractional"
      mean_texture = "Fractional"
    }
  }
}

source_repository = {
  full_name = "example-org/mlops-model-code"
}

# Capabilities (modules/tier features); these are large's defaults.
features = {
  monitoring          = true
  model_quality       = true
  clarify             = true
  data_capture        = true
  capture_replication = true
  container_builds    = true # CodeBuild builds and pushes the images
  retraining_schedule = true
  object_lock         = true
  vpc_endpoints       = true
}

# pipeline_images (off): the retraining pipeline could run the images CodeBuild builds from
# source_repository, but data scientists push that repository, so their code would run as the
# pipeline's role (register versions, write model artifacts); `make policy` (MLOPS-003) refuses it.
# Point it at images built from a repository only the platform team writes.

# Two models on one platform (modules/tier use_cases): release 0.x's `model`, and `triage`, with a
# gate of its own; each has its registry group, pipeline, endpoints, route and deployment pipeline.
# Two teams: `model` belongs to the default team, `triage` to `care`; neither team's data scientists
# can read the other's training data, registry group, pipeline or features (`make policy`, MLOPS-019).
use_cases = {
  model  = {}
  triage = { min_accuracy = 0.85, team = "care" }
}
