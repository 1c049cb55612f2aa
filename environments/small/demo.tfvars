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

enable_object_lock = true
alarm_emails       = []
