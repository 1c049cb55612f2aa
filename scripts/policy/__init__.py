"""The policy suite: guardrail rules over whole-tier plan JSON, with real IAM evaluation."""
