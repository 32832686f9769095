"""Webhook subscriptions (a stream per subscription) and their signed, retried, logged deliveries."""
