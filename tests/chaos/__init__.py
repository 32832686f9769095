"""Fault tests (`make chaos`): real service processes, a real PostgreSQL that is stopped, killed and held up."""
