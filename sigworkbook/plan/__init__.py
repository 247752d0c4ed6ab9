"""The plan: the model of a SIG's plan and everything that only reads it (fields, checks, wording)."""
