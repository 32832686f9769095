"""Intake's domain. The complaint stream's decider is in `shared.complaints` because the escalation
service writes to complaint streams too; intake-only streams (dissatisfactions) will live here."""
