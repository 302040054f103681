"""Rocket League replay files: parsing, storage, submissions."""
