"""Users, their Discord identity, platform accounts, roles and API tokens."""
