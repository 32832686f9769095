"""Escalation domain: process profiles, stages and deadlines on UK working days (R20-R26; issue 4)."""
