"""Adapters for outside services (property 3 of DESIGN.md): storage, broker, cache and pub/sub."""
