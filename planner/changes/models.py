"""Change requests: scope, schedule, process and other changes, assessed, decided by the steering committee in a
meeting, then implemented or rejected."""
