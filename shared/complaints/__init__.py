"""The complaint stream: one decider, shared by intake and escalation (both write complaint streams)."""
