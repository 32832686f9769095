"""Reporting domain: management information figures (R50-R52; issue 6)."""
