# The embedded default: inputs of `make plan-small` and of emulator runs. Not for real accounts.
account_id = "123456789012"
region     = "us-east-1"
prefix     = "mlops"

data_scientists = {
  alice = { email = "alice@example.com" }
  bob   = { email = "bob@example.com" }
}

enable_object_lock = true
alarm_emails       = []
