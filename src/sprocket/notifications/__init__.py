"""Notifications: events become deliveries to Discord (DMs, channels, webhooks) and the in-app
inbox, each sent once."""
