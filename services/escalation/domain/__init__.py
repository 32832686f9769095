"""Escalation domain: the deadline rules and the timeline fold live in shared/complaints (deadlines.py,
timeline.py), because reporting counts open caseload by deadline status with the very same rules (R21, R50)."""
