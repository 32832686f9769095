"""The organisation directory: organisations, provider supply chains and contracts, event-sourced (R61)."""
