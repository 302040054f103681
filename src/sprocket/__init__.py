"""Sprocket: the platform that runs competitive Rocket League leagues."""
