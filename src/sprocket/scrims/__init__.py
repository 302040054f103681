"""Scrims: the queue, premade groups, check-in, lobbies and queue bans."""
