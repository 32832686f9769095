"""Shared building blocks of the complaints platform: event store, auth, errors, settings."""
